"""Fig. 4: unbiased pass@k curves per (model, benchmark), one line per method, bootstrap CI bands.

Input: per-problem counts (results/eval/{run}/{benchmark}/counts.parquet: problem_id, n, c). For each (run,
benchmark) the curve is the mean over problems of the unbiased estimator 1 - C(n-c, k)/C(n, k) (Chen et al. 2021;
`rsgrpo.eval.passk`) at k = 2^0, 2^1, ... up to the smallest n of the benchmark (paper: MATH500 to 2^5, the others to
2^10), with a percentile bootstrap band over problems. Rows = models, columns = benchmarks, lines = base /
GRPO / RS-GRPO / any other configured method (the method comes from the run name, `rsgrpo.runs`); the seeds of
a method are pooled into one line (mean over seeds, band over (seed, problem) units); the base model is drawn
black and dashed so that a crossover is visible at a glance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from rsgrpo.io import atomic_path
from rsgrpo.reports import _style
from rsgrpo.reports._style import method_color, run_label, save_figure
from rsgrpo.runs import parse_run

__all__ = ["powers_of_two", "passk_curves", "line_labels", "plot_passk_grid"]

def powers_of_two(n_max: int) -> list[int]:
    """[1, 2, 4, ..., the largest power of two <= n_max]."""
    if n_max < 1:
        raise ValueError(f"need n >= 1, got {n_max}")
    return [2 ** i for i in range(int(np.floor(np.log2(n_max))) + 1)]


def passk_curves(entries: Sequence[tuple[str, str, str | Path]], n_boot: int = 1000, level: float = 0.95,
                 seed: int = 0, pool_seeds: bool = True) -> pd.DataFrame:
    """Long table of curves: one row per (line, benchmark, k).

    entries: (run, benchmark, counts.parquet path). A line is one run, or with `pool_seeds` the runs of one
    (model, dataset, method) that differ only in their seed: their (seed, problem) units are pooled (the curve
    is the mean over seeds of each seed's mean; the band is the bootstrap CI over those units, as in Table 2).
    Columns: run (the line's first run), model, dataset, method, seed (None when pooled over several), seeds
    (runs in the line), benchmark, k, pass_at_k, lo, hi (fractions), num_problems (per seed), n_min.
    """
    from rsgrpo.eval.passk import bootstrap_ci

    lines: dict[tuple, list[tuple[str, np.ndarray, np.ndarray]]] = {}
    for run, bench, path in entries:
        counts = pd.read_parquet(path)
        missing = {"problem_id", "n", "c"} - set(counts.columns)
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        if len(counts) == 0:
            raise ValueError(f"{path}: no problems")
        r = parse_run(run)
        key = (r.model, r.dataset or "", run_label(run), bench) if pool_seeds else (run, bench)
        lines.setdefault(key, []).append((run, counts["n"].to_numpy(np.int64), counts["c"].to_numpy(np.int64)))
    rows = []
    for key, group in lines.items():
        run, bench = group[0][0], key[-1]
        n, c = np.concatenate([g[1] for g in group]), np.concatenate([g[2] for g in group])
        ks = powers_of_two(int(n.min()))
        ci = bootstrap_ci(n, c, ks, n_boot=n_boot, seed=seed, level=level)
        r = parse_run(run)
        for j, k in enumerate(ks):
            rows.append({"run": run, "model": r.model, "dataset": r.dataset or "", "method": run_label(run),
                         "seed": r.seed if len(group) == 1 else None, "seeds": len(group), "benchmark": bench,
                         "k": k, "pass_at_k": float(ci.estimate[j]), "lo": float(ci.lo[j]), "hi": float(ci.hi[j]),
                         "num_problems": len(group[0][1]), "n_min": int(n.min())})
    out = pd.DataFrame(rows)
    out.attrs["level"] = level
    return out


def line_labels(curves: pd.DataFrame) -> dict[str, str]:
    """run -> legend label: the method, plus the dataset / seed only where a model row needs them to differ."""
    out = {}
    for model, g in curves.groupby("model", sort=False):
        runs = g.drop_duplicates("run")
        multi_ds = runs.loc[runs["dataset"] != "", "dataset"].nunique() > 1
        dup = runs.groupby(["dataset", "method"])["run"].transform("nunique") > 1
        for (_, row), d in zip(runs.iterrows(), dup):
            label = row["method"]
            if multi_ds and row["dataset"]:
                label += f", {row['dataset']}"
            if d and row["seed"] is not None and not pd.isna(row["seed"]):
                label += f", seed {int(row['seed'])}"
            if int(row.get("seeds", 1) or 1) > 1:
                label += f" ({int(row['seeds'])} seeds)"
            out[row["run"]] = label
    return out


def plot_passk_grid(curves: pd.DataFrame, pdf: str | Path, png: str | Path, benchmarks: Sequence[str] | None = None,
                    table: str | Path | None = None, title: str | None = None) -> None:
    """Rows = models, columns = benchmarks (in `benchmarks` order), log2 k axis, pass@k in %, CI bands."""
    plt = _style.plt()

    if curves.empty:
        raise ValueError("plot_passk_grid: no curves")
    models = list(dict.fromkeys(curves["model"]))
    present = list(dict.fromkeys(curves["benchmark"]))
    wanted = list(benchmarks or [])
    cols = [b for b in wanted if b in present] + [b for b in present if b not in wanted]
    labels, colors = line_labels(curves), {}
    single = len(models) == 1 and len(cols) == 1  # one panel (the CPU experiment): a larger plot
    size = (5.0, 3.6) if single else (2.6 * len(cols) + 0.6, 2.3 * len(models) + 0.9)
    fig, axes = plt.subplots(len(models), len(cols), figsize=size, squeeze=False)
    handles = {}
    for i, model in enumerate(models):
        for j, bench in enumerate(cols):
            ax = axes[i][j]
            sub = curves[(curves["model"] == model) & (curves["benchmark"] == bench)]
            for run, g in sub.groupby("run", sort=False):
                g = g.sort_values("k")
                col = method_color(run, colors)
                is_base = parse_run(run).is_base  # the reference: drawn on top, black, dashed
                (h,) = ax.plot(g["k"], 100 * g["pass_at_k"], marker="o", ms=2.5, lw=2.0 if is_base else 1.4,
                               ls="--" if is_base else "-", color="k" if is_base else col, zorder=5 if is_base else 3)
                ax.fill_between(g["k"], 100 * g["lo"], 100 * g["hi"], color="k" if is_base else col,
                                alpha=0.12 if is_base else 0.18, lw=0)
                handles.setdefault(labels[run], h)
            ax.set_xscale("log", base=2)
            if not sub.empty:
                kmax = int(sub["k"].max())
                ax.set_xticks(powers_of_two(kmax)[::2] if kmax > 64 else powers_of_two(kmax))
                ax.set_xticklabels([f"$2^{{{int(np.log2(k))}}}$" for k in ax.get_xticks()])
                nprob = int(sub["num_problems"].iloc[0])
                ax.text(0.98, 0.03, f"{nprob} problems", transform=ax.transAxes, ha="right", va="bottom",
                        fontsize=6, color="0.4")
                ax.set_xlim(0.8, kmax * 1.25)
            else:
                ax.text(0.5, 0.5, "not evaluated", transform=ax.transAxes, ha="center", va="center", color="0.5")
            ax.grid(alpha=0.3, lw=0.5)
            ax.tick_params(labelsize=7)
            if i == 0:
                ax.set_title(bench, fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{model}\npass@k (%)", fontsize=8)
            if i == len(models) - 1:
                ax.set_xlabel("k", fontsize=8)
    pooled = "seeds" in curves and (curves["seeds"] > 1).any()
    text = title or (f"pass@k (unbiased estimator; lines: mean over seeds; shaded: {_level(curves)} bootstrap CI "
                     "over (seed, problem))" if pooled else
                     f"pass@k (unbiased estimator; shaded: {_level(curves)} bootstrap CI over problems)")
    if single:  # legend under the plot in two columns: the plot keeps the figure's width
        fig.suptitle(text, fontsize=7.5)
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        fig.legend(list(handles.values()), list(handles.keys()), loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=2, fontsize=7, frameon=False, columnspacing=1.2, handlelength=2.2)
    else:  # legend right of the grid, one column per 16 lines; "tight" saving keeps it (and the title) in frame
        fig.suptitle(text, fontsize=9)
        fig.tight_layout(rect=(0, 0, 1, 0.95))
        fig.legend(list(handles.values()), list(handles.keys()), loc="center left", bbox_to_anchor=(1.0, 0.5),
                   ncol=max(1, -(-len(handles) // 16)), fontsize=7, frameon=False)
    save_figure(fig, pdf, png)
    if table is not None:
        with atomic_path(table) as tmp:
            curves.to_csv(tmp, index=False, float_format="%.6g")


def _level(curves: pd.DataFrame) -> str:
    return "95%" if "level" not in curves.attrs else f"{100 * curves.attrs['level']:g}%"
