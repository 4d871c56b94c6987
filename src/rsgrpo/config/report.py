"""Which results each report artefact reads: the config's runs (`report.source: dag`) or whatever an imported
cache holds (`report.source: results`).

    sel = Selection(jobs, present)       present: None (dag mode) or the result files found under results/
    sel.counts()            (declared, every) counts.parquet paths of Table 2 / Fig. 4 / the CPU summary
    sel.metrics(kind)       (declared, every) metrics.jsonl paths of fig5_beta_ablation / fig6_baselines / fig_entropy
                            / mini_summary (every run)
    sel.mini_spec()         the rows mini_summary's verdict compares
    sel.provenance()        ((declared, every) train provenance, (declared, every) eval manifests, the bandit's)
    sel.fig4_entries()      [(run, benchmark, counts path)]
    sel.fig7()              {"entries": [(run, benchmark)], "baseline": run, "treatment": run} or None
    sel.fig7_files(kind)    the samples / counts files of those entries

dag mode: exactly the config's evaluations and training runs, declared as inputs (the rules wait for them).
results mode: exactly the files present, none declared (nothing upstream is ever scheduled). Paths that do
not follow rsgrpo.io.paths with a valid run name are skipped, never guessed.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

from rsgrpo.config.jobs import Jobs, run_tag
from rsgrpo.io import paths
from rsgrpo.runs import method_tag, parse_run

__all__ = ["Selection", "DYNAMICS", "PRESENT_PATTERNS", "present_files"]

DYNAMICS = ("fig5_beta_ablation", "fig6_baselines", "fig_entropy")
# kind -> glob (relative to the project root) of the files results mode reads
PRESENT_PATTERNS = {
    "counts": f"{paths.RESULTS}/eval/*/*/counts.parquet",
    "samples": f"{paths.RESULTS}/eval/*/*/samples.parquet",
    "manifests": f"{paths.RESULTS}/eval/*/*/manifest.json",
    "metrics": f"{paths.RESULTS}/train/*/metrics.jsonl",
    "train_provenance": f"{paths.RESULTS}/train/*/provenance.json",
    "bandit": f"{paths.BANDIT}/manifest.json",
}


def present_files(results_dir: str | Path = paths.RESULTS) -> dict[str, list[str]]:
    """{kind: sorted files matching PRESENT_PATTERNS} with `results_dir` in place of results/ (results mode's scan
    of an imported cache; dot files, i.e. partial writes, are skipped)."""
    out = {}
    for kind, pattern in PRESENT_PATTERNS.items():  # every pattern starts with "results/"
        found = glob.glob(os.path.join(str(results_dir), pattern[len(paths.RESULTS) + 1:]))
        out[kind] = sorted(p for p in found if not os.path.basename(p).startswith("."))
    return out


def _run_of(path: str, depth: int) -> str | None:
    """The {run} component of a results path (depth: folders between it and the file), if it is a run name."""
    parts = path.split("/")
    if len(parts) <= depth:
        return None
    try:
        parse_run(parts[-1 - depth])
    except ValueError:
        return None
    return parts[-1 - depth]


class Selection:
    def __init__(self, jobs: Jobs, present: dict[str, list[str]] | None = None):
        self.jobs, self.report, self.present = jobs, jobs.report, present

    # -------------------------------------------------------------------------------------------- files
    def _pick(self, kind: str, declared: list[str], depth: int, keep=None) -> tuple[list[str], list[str]]:
        """(declared inputs, files read). Runs of a study alone (train.experiments[].study) are left out: the
        study's own rule reads them."""
        def ok(run):
            return run is not None and self.jobs.in_main(run) and (keep is None or keep(run))

        if self.present is None:
            chosen = [p for p in declared if ok(_run_of(p, depth))]
            return chosen, chosen
        every = sorted(p for p in self.present.get(kind, []) if ok(_run_of(p, depth)))
        return [], every

    def counts(self) -> tuple[list[str], list[str]]:
        return self._pick("counts", [paths.eval_counts(r, b) for r, b in self.jobs.evals], depth=2)

    def samples(self) -> tuple[list[str], list[str]]:
        return self._pick("samples", [paths.eval_samples(r, b) for r, b in self.jobs.evals], depth=2)

    def _fig5_tags(self) -> dict[float, str]:
        """{beta: method tag} of report.fig5's betas (beta 0 -> fig5.beta0_tag)."""
        fig5 = self.report.get("fig5") or {}
        return {float(b): fig5.get("beta0_tag", "grpo") if float(b) == 0 else method_tag("rs_grpo", beta=float(b))
                for b in fig5.get("betas", [])}

    def dynamics_tags(self, kind: str) -> set[str]:
        if kind == "fig6_baselines":
            return set((self.report.get("fig6") or {}).get("methods") or {})
        return set(self._fig5_tags().values())

    def metrics(self, kind: str) -> tuple[list[str], list[str]]:
        """kind: a DYNAMICS figure (its tags' runs) or mini_summary (every trained run: the Fig. 5 ordering)."""
        tags = None if kind == "mini_summary" else self.dynamics_tags(kind)
        return self._pick("metrics", [paths.train_metrics(r) for r in self.jobs.runs], depth=1,
                          keep=lambda run: tags is None or run_tag(run) in tags)

    def mini_spec(self) -> dict[str, Any]:
        """The rows mini_summary's verdict compares (report.mini_summary.{grpo, rs, baselines}); its Fig. 5
        betas are report.fig5's (beta 0 -> fig5.beta0_tag). Keys not set keep rsgrpo.reports.mini_summary.SPEC."""
        ms = self.report.get("mini_summary") or {}
        spec = {key: ms[key] for key in ("grpo", "rs", "baselines") if ms.get(key) is not None}
        if self._fig5_tags():
            spec["fig5"] = self._fig5_tags()
        return spec

    def fig7_files(self, kind: str) -> list[str]:
        """The samples (`kind` samples) or counts files of Fig. 7's entries; [] when it has none."""
        leaf = paths.eval_samples if kind == "samples" else paths.eval_counts
        return [leaf(r, b) for r, b in (self.fig7() or {"entries": []})["entries"]]

    def provenance(self) -> tuple[tuple[list[str], list[str]], tuple[list[str], list[str]], list[str]]:
        train = self._pick("train_provenance", [paths.train_provenance(r) for r in self.jobs.runs], depth=1)
        evals = self._pick("manifests", [paths.eval_manifest(r, b) for r, b in self.jobs.evals], depth=2)
        other = list(self.present["bandit"]) if self.present is not None else [f"{paths.BANDIT}/manifest.json"]
        return train, evals, other

    # -------------------------------------------------------------------------------------------- figures
    def _pairs(self, files: list[str]) -> list[tuple[str, str]]:
        """(run, benchmark) of eval files, benchmarks in eval.benchmarks order, then the others."""
        order = {b: i for i, b in enumerate(self.jobs.benchmarks)}
        pairs = [(p.split("/")[-3], p.split("/")[-2]) for p in files]
        return sorted(dict.fromkeys(pairs), key=lambda rb: (order.get(rb[1], len(order)), rb[1]))

    def fig4_entries(self) -> list[tuple[str, str, str]]:
        """Fig. 4 lines: report.fig4.runs (default every run with counts) x their benchmarks."""
        wanted = (self.report.get("fig4") or {}).get("runs")
        pairs = self._pairs(self.counts()[1])
        runs = list(dict.fromkeys(r for r, _ in pairs)) if not wanted else list(wanted)
        return [(r, b, paths.eval_counts(r, b)) for r in runs for rr, b in pairs if rr == r]

    def fig7(self) -> dict[str, Any] | None:
        """The Fig. 7 runs: `baseline` and `treatment` method tags (and `runs`, default every tag) at one
        (model, dataset, seed) -- `model`/`dataset` when the runs span several, `seed` default the smallest."""
        f7 = self.report.get("fig7")
        if not f7:
            return None
        pairs = self._pairs(self.samples()[1])
        runs = [parse_run(r) for r in dict.fromkeys(r for r, _ in pairs)]
        trained = [r for r in runs if not r.is_base and all(
            f7.get(key) in (None, getattr(r, key)) for key in ("model", "dataset", "seed"))]
        base_tag = [r for r in trained if method_tag(r.method, r.beta, r.k) == f7["baseline"]]
        if not base_tag:
            return None
        blocks = {(r.model, r.dataset) for r in base_tag}
        if len(blocks) > 1:
            raise ValueError(f"config key 'report.fig7': baseline {f7['baseline']!r} runs on several (model, "
                             f"dataset) pairs {sorted(blocks)}; set report.fig7.model and .dataset")
        (model, dataset), seed = blocks.pop(), min(r.seed for r in base_tag)
        at = {method_tag(r.method, r.beta, r.k): str(r) for r in trained
              if (r.model, r.dataset, r.seed) == (model, dataset, seed)}
        at.update({"base": str(r) for r in runs if r.is_base and r.model == model})
        if f7["treatment"] not in at:
            return None
        tags = list(f7.get("runs") or ["base", *sorted(t for t in at if t != "base")])
        chosen = list(dict.fromkeys([at[f7["baseline"]], at[f7["treatment"]], *(at[t] for t in tags if t in at)]))
        benches = f7.get("benchmarks") or [b for r, b in pairs if r == at[f7["baseline"]]]
        entries = [(r, b) for r in chosen for b in benches if (r, b) in pairs]
        return {"entries": entries, "baseline": at[f7["baseline"]], "treatment": at[f7["treatment"]]}
