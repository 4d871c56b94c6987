"""Table 2: Pass@1 / Pass@32 (%) per benchmark and average, next to the paper's values (paper Table 2).

Input: `results/eval/{run}/{benchmark}/counts.parquet` files (problem_id, n, c) and the paper's values
(`config/reference/table2_paper.csv`). Run names are parsed with `rsgrpo.runs.parse_run` and mapped to the
paper's labels by the `report:` config section (`labels`)::

    labels = {"models": {slug: label}, "datasets": {slug: label}, "benchmarks": {dir: label},
              "methods": {method_tag: label}}          # unmapped names keep their own spelling

Rows are (model, train_dataset, method) x (each benchmark, Average); `build_table2` returns a tidy frame::

    model, train_dataset, method, benchmark, pass_at_1, pass_at_32,              (percent)
    paper_pass_at_1, paper_pass_at_32, diff_pass_at_1, diff_pass_at_32,          (reproduced - paper)
    pass_at_{1,32}_ci_lo/_ci_hi,                                                  (percentile bootstrap)
    delta_pass_at_{1,32}, delta_pass_at_{1,32}_ci_lo/_ci_hi,                      (vs the reference method, GRPO)
    paper_delta_pass_at_1, paper_delta_pass_at_32, method_tag, runs, seeds, n_problems, min_n, status

Definitions (stated in the caption):
* seeds of one (model, dataset, method tag) are pooled: every (seed, problem) is one unit, so the value is
  the mean over seeds of the per-seed mean pass@k;
* a base run `{model}__base` fills the `base` row of every training set shown for that model;
* Average = mean over the table's benchmarks (those present in the cache), as in the paper; a row lacking one
  of them gets no average (status `incomplete`); its CI resamples problems within each benchmark;
* deltas are paired (same problems, same resamples) when both rows cover the same units, else CI-less;
* paper rows of a (model, dataset) block the cache shows, or all of them with `all_paper_rows`, appear with
  status `missing` and no reproduced value: nothing is invented.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from rsgrpo.eval.passk import bootstrap_ci, paired_bootstrap_diff, pass_at_k_curve, resample_weights
from rsgrpo.reports._style import tex_escape
from rsgrpo.runs import method_tag, parse_run

__all__ = ["KS", "AVERAGE", "PAPER_COLUMNS", "read_counts", "build_table2", "table2_from_report", "table_ks", "to_markdown", "to_latex",
           "write_table2"]

KS = (1, 32)
AVERAGE = "Average"
PAPER_COLUMNS = ["model", "train_dataset", "method", "benchmark", "pass_at_1", "pass_at_32"]
# The paper's orders (Table 2), used to sort; names not listed follow alphabetically.
PAPER_MODELS = ["Qwen2.5-Math-1.5B", "Qwen2.5-Math-7B", "Qwen2.5-7B", "Qwen3-4B-Base", "Llama-3.1-8B-Instruct"]
PAPER_DATASETS = ["math12k", "deepmath103k", "dapo17k"]
PAPER_METHODS = ["base", "grpo", "pkpo", "mahdavi", "chen", "rs_grpo"]
PAPER_BENCHMARKS = ["AIME24", "AIME25", "HMMT_Feb24", "HMMT_Feb25", "CMIMC25", "MATH500"]
NO_DATASET = "-"


def _order(values: Iterable[str], first: Sequence[str]) -> list[str]:
    values = set(values)
    return [v for v in first if v in values] + sorted(v for v in values if v not in first)


def read_counts(path: str | Path) -> tuple[str, str, pd.DataFrame]:
    """(run, benchmark dir, frame sorted by problem_id) of `.../eval/{run}/{benchmark}/counts.parquet`."""
    path = Path(path)
    run, bench = path.parent.parent.name, path.parent.name
    df = pd.read_parquet(path)
    missing = {"problem_id", "n", "c"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: counts file lacks column(s) {sorted(missing)}")
    if df.empty:
        raise ValueError(f"{path}: counts file has no problems")
    if df["problem_id"].duplicated().any():
        raise ValueError(f"{path}: duplicate problem_id {df['problem_id'][df['problem_id'].duplicated()].iloc[0]!r}")
    df = df.assign(problem_id=df["problem_id"].astype(str)).sort_values("problem_id", ignore_index=True)
    return run, bench, df


class _Cell:
    """Pooled counts of one (row, benchmark): units are (seed, problem) pairs, sorted."""

    def __init__(self, frames: list[tuple[int, pd.DataFrame]], ks: Sequence[int]):
        frames = sorted(frames, key=lambda t: t[0])
        self.keys = [f"{s}/{p}" for s, df in frames for p in df["problem_id"]]
        self.n = np.concatenate([df["n"].to_numpy(np.int64) for _, df in frames])
        self.c = np.concatenate([df["c"].to_numpy(np.int64) for _, df in frames])
        self.problems = frames[0][1]["problem_id"].tolist()
        self.curves = pass_at_k_curve(self.n, self.c, ks)  # (U, K), NaN where k > n


def _labels(labels: Mapping | None) -> dict[str, dict]:
    labels = dict(labels or {})
    out = {k: dict(labels.get(k) or {}) for k in ("models", "datasets", "benchmarks", "methods")}
    seen = {}
    for tag, label in out["methods"].items():
        if label in seen:
            raise ValueError(f"report.labels.methods: tags {seen[label]!r} and {tag!r} both map to {label!r}")
        seen[label] = tag
    return out


def _collect(counts_files: Iterable[str | Path], lab: dict) -> dict:
    """{(model, dataset|None, method_label, method_tag): {bench_label: [(seed, frame)]}} from the counts files."""
    cells: dict = {}
    for path in counts_files:
        run, bench, df = read_counts(path)
        try:
            r = parse_run(run)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc
        tag = "base" if r.is_base else method_tag(r.method, r.beta, r.k)
        key = (lab["models"].get(r.model, r.model), None if r.is_base else lab["datasets"].get(r.dataset, r.dataset),
               lab["methods"].get(tag, tag), tag)
        cells.setdefault(key, {}).setdefault(lab["benchmarks"].get(bench, bench), []).append((r.seed or 0, df))
    return cells


def _strat_boot(curves: list[np.ndarray], n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, K) bootstrap replicates of the macro average over benchmarks (problems resampled per benchmark)."""
    weights = _strat_weights(tuple(cur.shape[0] for cur in curves), n_boot, seed)
    reps = np.zeros((n_boot, curves[0].shape[1]))
    for w, cur in zip(weights, curves):  # cur (P_b, K): a resample's mean is its counts (n_boot, P_b) @ cur / P_b
        reps += w @ cur / cur.shape[0]
    return reps / len(curves)


@lru_cache(maxsize=4)
def _strat_weights(sizes: tuple[int, ...], n_boot: int, seed: int) -> tuple[np.ndarray, ...]:
    """The resample counts of benchmarks of `sizes` problems, drawn one after the other from one stream."""
    rng = np.random.default_rng(seed)
    return tuple(resample_weights(p, n_boot, rng) for p in sizes)


def _pct(lo_hi: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    a = (1 - level) / 2
    return tuple(np.percentile(lo_hi, [100 * a, 100 * (1 - a)], axis=0))


def build_table2(counts_files: Iterable[str | Path], paper: pd.DataFrame | str | Path | None = None,
                 labels: Mapping | None = None, *, reference_method: str = "grpo", all_paper_rows: bool = False,
                 n_boot: int = 1000, seed: int = 0, level: float = 0.95, ks: Sequence[int] = KS) -> pd.DataFrame:
    """The tidy Table 2 frame (module docstring). `paper`: frame or CSV path with PAPER_COLUMNS, or None.
    `ks`: the pass@k columns (the paper's values exist for k = 1 and 32 only; NaN for the others)."""
    ks = tuple(int(k) for k in ks)
    lab = _labels(labels)
    cells = _collect(counts_files, lab)
    if paper is None:
        paper = pd.DataFrame(columns=PAPER_COLUMNS)
    elif not isinstance(paper, pd.DataFrame):
        paper = pd.read_csv(paper)
    missing = set(PAPER_COLUMNS) - set(paper.columns)
    if missing:
        raise ValueError(f"paper table lacks column(s) {sorted(missing)}")
    paper = paper[PAPER_COLUMNS].astype({"model": str, "train_dataset": str, "method": str, "benchmark": str})
    paper_idx = {(r.model, r.train_dataset, r.method, r.benchmark): tuple(
        getattr(r, f"pass_at_{k}") if k in KS else np.nan for k in ks) for r in paper.itertuples()}

    # Trained rows keyed by (model, dataset, method label); base runs fill the base row of each dataset shown.
    trained = {(m, d, ml): (tag, b) for (m, d, ml, tag), b in cells.items() if d is not None}
    bases = {m: (tag, b) for (m, d, ml, tag), b in cells.items() if d is None}
    blocks = {(m, d) for (m, d, _) in trained}
    if all_paper_rows:
        blocks |= {(k[0], k[1]) for k in paper_idx}
    blocks |= {(m, d) for m in bases for (pm, d, _, _) in paper_idx if pm == m}
    for m in bases:
        if not any(bm == m for bm, _ in blocks):
            blocks.add((m, NO_DATASET))
    rows_data = dict(trained)
    for m, d in blocks:
        if m in bases:
            rows_data[(m, d, "base")] = bases[m]
    row_keys = set(rows_data) | {(m, d, ml) for (m, d, ml, _) in paper_idx if (m, d) in blocks}

    # Benchmarks of each (model, dataset) block: the paper's for that block plus those the cache holds; the
    # average of a row needs all of them (a partial cache never averages over a different set than the paper).
    block_benches: dict = {}
    for (m, d, ml), (_, bd) in rows_data.items():
        block_benches.setdefault((m, d), set()).update(bd)
    for (m, d, ml, b) in paper_idx:
        if (m, d) in blocks and b != AVERAGE:
            block_benches.setdefault((m, d), set()).add(b)
    block_benches = {k: _order(v, PAPER_BENCHMARKS) for k, v in block_benches.items()}
    all_benches = _order({b for v in block_benches.values() for b in v}, PAPER_BENCHMARKS) + [AVERAGE]

    pooled = {key: {b: _Cell(fr, ks) for b, fr in bd.items()} for key, (tag, bd) in rows_data.items()}
    out = []
    for key in row_keys:
        m, d, ml = key
        tag, _ = rows_data.get(key, (None, {}))
        cb = pooled.get(key, {})
        ref = pooled.get((m, d, reference_method)) if ml not in (reference_method, "base") else None
        benches = block_benches.get((m, d), [])
        for b in benches + [AVERAGE]:
            rec = {"model": m, "train_dataset": d, "method": ml, "benchmark": b, "method_tag": tag}
            p = paper_idx.get((m, d, ml, b))
            if key not in pooled and p is None:
                continue
            for j, k in enumerate(ks):
                rec[f"paper_pass_at_{k}"] = p[j] if p is not None else np.nan
            pref = paper_idx.get((m, d, reference_method, b))
            if p is not None and pref is not None and ml not in (reference_method, "base"):
                for j, k in enumerate(ks):
                    rec[f"paper_delta_pass_at_{k}"] = p[j] - pref[j]
            if b == AVERAGE:
                parts = [cb.get(x) for x in benches]
                if not benches or any(x is None for x in parts):
                    rec["status"] = "incomplete" if cb else "missing"
                    out.append(rec)
                    continue
                est = np.mean([x.curves.mean(axis=0) for x in parts], axis=0)
                lo, hi = _pct(_strat_boot([x.curves for x in parts], n_boot, seed), level)
                rec.update(n_problems=sum(len(x.keys) for x in parts),
                           min_n=int(min(x.n.min() for x in parts)))
                ref_parts = [ref.get(x) for x in benches] if ref else None
                if ref_parts and all(r is not None for r in ref_parts):
                    rec["delta_est"] = est - np.mean([r.curves.mean(axis=0) for r in ref_parts], axis=0)
                    if all(r.keys == x.keys for r, x in zip(ref_parts, parts)):
                        dlo, dhi = _pct(_strat_boot([x.curves - r.curves for x, r in zip(parts, ref_parts)],
                                                    n_boot, seed), level)
                        rec["delta_lo"], rec["delta_hi"] = dlo, dhi
            else:
                x = cb.get(b)
                if x is None:
                    rec["status"] = "missing"
                    out.append(rec)
                    continue
                ci = bootstrap_ci(x.n, x.c, ks, n_boot=n_boot, seed=seed, level=level)
                est, lo, hi = ci.estimate, ci.lo, ci.hi
                rec.update(n_problems=len(x.keys), min_n=int(x.n.min()))
                r = ref.get(b) if ref else None
                if r is not None:
                    rec["delta_est"] = est - r.curves.mean(axis=0)
                    if r.keys == x.keys:
                        dci = paired_bootstrap_diff(x.n, x.c, r.c, ks, n_b=r.n, n_boot=n_boot, seed=seed, level=level)
                        rec["delta_lo"], rec["delta_hi"] = dci.lo, dci.hi
            for j, k in enumerate(ks):
                rec[f"pass_at_{k}"], rec[f"pass_at_{k}_ci_lo"], rec[f"pass_at_{k}_ci_hi"] = (
                    100 * est[j], 100 * lo[j], 100 * hi[j])
                for src, dst in (("delta_est", f"delta_pass_at_{k}"), ("delta_lo", f"delta_pass_at_{k}_ci_lo"),
                                 ("delta_hi", f"delta_pass_at_{k}_ci_hi")):
                    if src in rec:
                        rec[dst] = 100 * rec[src][j]
            for src in ("delta_est", "delta_lo", "delta_hi"):
                rec.pop(src, None)
            seeds = sorted({s for s, _ in rows_data[key][1].get(b, [])}) if b != AVERAGE else sorted(
                {s for fr in rows_data[key][1].values() for s, _ in fr})
            rec["seeds"] = ",".join(map(str, seeds))
            rec["status"] = "ok"
            out.append(rec)
    return _finish(out, all_benches, ks)


def _finish(records: list[dict], benches: list[str], ks: Sequence[int]) -> pd.DataFrame:
    cols = PAPER_COLUMNS[:4] + [f"pass_at_{k}" for k in ks] + [f"paper_pass_at_{k}" for k in ks]
    diffs = [f"diff_pass_at_{k}" for k in ks]
    cols += diffs
    for k in ks:
        cols += [f"pass_at_{k}_ci_lo", f"pass_at_{k}_ci_hi"]
    for k in ks:
        cols += [f"delta_pass_at_{k}", f"delta_pass_at_{k}_ci_lo", f"delta_pass_at_{k}_ci_hi"]
    cols += [f"paper_delta_pass_at_{k}" for k in ks] + ["method_tag", "seeds", "n_problems", "min_n", "status"]
    df = pd.DataFrame.from_records(records, columns=[c for c in cols if c not in diffs])
    for k in ks:
        df[f"diff_pass_at_{k}"] = df[f"pass_at_{k}"] - df[f"paper_pass_at_{k}"]
    df = df[cols]
    if df.empty:
        return df
    sort = {}
    for col, first in (("model", PAPER_MODELS), ("train_dataset", PAPER_DATASETS), ("method", PAPER_METHODS),
                       ("benchmark", benches)):
        order = _order(df[col].unique(), first)
        sort[col] = df[col].map({v: i for i, v in enumerate(order)})
    key = pd.DataFrame(sort)
    df = df.iloc[np.lexsort([key[c] for c in reversed(list(sort))])].reset_index(drop=True)
    return df


def _fmt(x: float, signed: bool = False) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    return f"{x:+.1f}" if signed else f"{x:.1f}"


def _wide(df: pd.DataFrame, k: int, latex: bool) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the Pass@k block: one line per (model, dataset, method), one cell per benchmark."""
    benches = [b for b in _order(df["benchmark"].unique(), PAPER_BENCHMARKS) if b != AVERAGE]
    benches += [AVERAGE] if (df["benchmark"] == AVERAGE).any() else []
    rows = []
    for (m, d, ml), g in df.groupby(["model", "train_dataset", "method"], sort=False):
        cells = [m, d, ml]
        by = {r.benchmark: r for r in g.itertuples()}
        for b in benches:
            r = by.get(b)
            if r is None:
                cells.append("")
                continue
            rep, pap = getattr(r, f"pass_at_{k}"), getattr(r, f"paper_pass_at_{k}")
            cell = _fmt(rep) + (f" ({_fmt(pap)})" if np.isfinite(pap) else "")
            delta = getattr(r, f"delta_pass_at_{k}")
            if np.isfinite(delta):
                cell += (r" $\Delta$" if latex else " Δ") + _fmt(delta, signed=True)
            cells.append(cell)
        rows.append(cells)
    return ["Model", "Train set", "Method"] + benches, rows


def table_ks(df: pd.DataFrame) -> list[int]:
    """The pass@k columns of a Table 2 frame."""
    return [int(c[len("pass_at_"):]) for c in df.columns if c.startswith("pass_at_") and c[len("pass_at_"):].isdigit()]


def to_markdown(df: pd.DataFrame) -> str:
    """One Markdown table per k (Pass@1, Pass@32, ...): 'reproduced (paper)' per cell, Δ vs GRPO for the others."""
    ks = table_ks(df)
    names = [f"Pass@{k}" for k in ks]
    lines = [f"# Table 2: {', '.join(names[:-1]) + ' and ' if len(names) > 1 else ''}{names[-1]} (%), reproduced "
             "(paper)", "",
             "Cells: reproduced value, the paper's value in parentheses, and for methods other than base/GRPO the "
             "difference to GRPO (Δ). — = not in the results cache. Bootstrap CIs are in the CSV of this table.", ""]
    for k in ks:
        head, rows = _wide(df, k, latex=False)
        lines += [f"## Pass@{k}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    return "\n".join(lines)



def to_latex(df: pd.DataFrame) -> str:
    """A booktabs LaTeX fragment with one block per k (\\input into a manuscript)."""
    out = ["% Generated by rsgrpo.reports.table2 from results/eval/*/*/counts.parquet; do not edit.",
           "% Cells: reproduced (paper); $\\Delta$ = difference to GRPO; --- = not in the results cache."]
    for k in table_ks(df):
        head, rows = _wide(df, k, latex=True)
        out += [r"\begin{tabular}{lll" + "r" * (len(head) - 3) + "}", r"\toprule",
                rf"\multicolumn{{{len(head)}}}{{c}}{{Pass@{k} (\%)}} \\", r"\midrule",
                " & ".join(tex_escape(h) for h in head) + r" \\", r"\midrule"]
        for r in rows:
            cells = [tex_escape(c) if i < 3 else c.replace("—", "---").replace("Δ", r"$\Delta$")
                     for i, c in enumerate(r)]
            out.append(" & ".join(cells) + r" \\")
        out += [r"\bottomrule", r"\end{tabular}", ""]
    return "\n".join(out)


def table2_from_report(counts_files: Iterable[str | Path], paper: str | Path, labels: Mapping, table2: Mapping
                       ) -> pd.DataFrame:
    """build_table2 with the options of the config's `report.table2` section (the rule and `rsgrpo table2`)."""
    return build_table2(counts_files, paper, labels, reference_method=table2["reference_method"],
                        all_paper_rows=bool(table2["all_paper_rows"]), n_boot=int(table2["n_boot"]),
                        seed=int(table2["seed"]), level=float(table2["level"]), ks=list(table2["ks"]))


def write_table2(df: pd.DataFrame, csv: str | Path, md: str | Path, tex: str | Path) -> None:
    """Write the three artefacts atomically."""
    from rsgrpo.io import atomic_path, atomic_write_text

    with atomic_path(csv) as tmp:
        df.to_csv(tmp, index=False, float_format="%.10g")
    atomic_write_text(md, to_markdown(df))
    atomic_write_text(tex, to_latex(df))
