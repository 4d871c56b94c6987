# Helpers of tables.smk (input selection, fingerprints), kept apart from its rules.
import glob as _glob
import os as _os

from rsgrpo.runs import method_tag as _method_tag, parse_run as _parse_run

REPORT = config.get("report", {})
REPORT_SOURCE = REPORT.get("source", "dag")
REPORT_LABELS = REPORT.get("labels", {})
# The metric-mirror keys of the figures (DESIGN contract of results/train/{run}/metrics.jsonl).
REPORT_METRIC_KEYS = REPORT.get("metric_keys", {})


def _expected(fn_name):
    """Files the other stages' rules will write for this config, in dag mode ([] in results mode).

    Hooks: a stage defines (or chains onto) `eval_counts_all()`, `eval_manifests_all()`, `train_metrics_all()`,
    `train_provenance_all()` returning paths; eval manifests also follow from eval counts, and the verl grid's
    metrics/provenance from TRAIN_RUNS (train.smk)."""
    if REPORT_SOURCE != "dag":
        return []
    fn = globals().get(fn_name)
    out = list(fn()) if callable(fn) else []
    if fn_name == "eval_manifests_all":
        out += [p[: -len("counts.parquet")] + "manifest.json" for p in _expected("eval_counts_all")]
    if fn_name in ("train_metrics_all", "train_provenance_all"):
        leaf = "metrics.jsonl" if fn_name == "train_metrics_all" else "provenance.json"
        out += [f"results/train/{run}/{leaf}" for run in globals().get("TRAIN_RUNS", {})]
    return list(dict.fromkeys(out))


def _present(pattern):
    return sorted(p for p in _glob.glob(pattern) if not _os.path.basename(p).startswith("."))


def _run_of(path, depth):
    """The {run} component of a results path (depth: parents above the file)."""
    parts = path.split("/")
    return parts[-1 - depth]


def report_files(pattern, expected_fn, depth, keep=None):
    """(declared inputs, every file to read) for one kind of result file.

    declared: what the config's stages will write (dag mode only); all: declared + what exists under results/.
    `keep(run)` filters by run name; names that are not run names are skipped (never guessed)."""

    def ok(p):
        try:
            r = _parse_run(_run_of(p, depth))
        except ValueError:
            return False
        return keep is None or keep(r)

    declared = [p for p in _expected(expected_fn) if ok(p)]
    every = sorted(set(declared) | {p for p in _present(pattern) if ok(p)})
    return declared, every


def fingerprint(paths, declared):
    """[(path, size, mtime_ns)] of the undeclared files read, so that changing them re-runs the rule."""
    out = []
    for p in paths:
        if p not in declared and _os.path.exists(p):
            st = _os.stat(p)
            out.append((p, st.st_size, st.st_mtime_ns))
    return out


def _counts():
    return report_files("results/eval/*/*/counts.parquet", "eval_counts_all", depth=2)


def _tag(r):
    return "base" if r.is_base else _method_tag(r.method, r.beta, r.k)


def _beta_tags(spec):
    return {spec.get("beta0_tag", "grpo") if float(b) == 0 else _method_tag("rs_grpo", beta=float(b))
            for b in spec.get("betas", [])}


DYNAMICS = {
    "fig5_beta_ablation": lambda: _beta_tags(REPORT.get("fig5", {})),
    "fig6_baselines": lambda: set(REPORT.get("fig6", {}).get("methods", {})),
    "fig_entropy": lambda: _beta_tags(REPORT.get("fig5", {})),
}


def _metrics(kind):
    tags = DYNAMICS[kind]()
    return report_files("results/train/*/metrics.jsonl", "train_metrics_all", depth=1,
                        keep=lambda r: not r.is_base and _tag(r) in tags)


def _provenance_files():
    train = report_files("results/train/*/provenance.json", "train_provenance_all", depth=1)
    evals = report_files("results/eval/*/*/manifest.json", "eval_manifests_all", depth=2)
    other = _present("results/bandit/manifest.json")
    return train, evals, other
