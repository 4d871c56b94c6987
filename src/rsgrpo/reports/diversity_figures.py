"""Fig. 7: answer diversity (unique-answer ratio per method) and the accuracy-transition heatmap.

Definitions (docs/evaluation.md §6, `rsgrpo.eval.diversity`): the unique-answer ratio of a problem is the number of
distinct canonical final answers among its n samples divided by n (canonical = Math-Verify's form, else the
whitespace-free box content; samples without a box form one "no answer" class or are excluded, per
`no_answer`), averaged over the problems of each benchmark and over all problems ("All"). The transition
heatmap bins each problem's accuracy c/n under the baseline run (rows) and the treatment run (columns) into
{0}, (0, e1], ..., (e_last, 1), {1}; cells are shares of all problems, pooled over the benchmarks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from rsgrpo.io import atomic_path
from rsgrpo.reports import _style
from rsgrpo.reports._style import method_color, run_label, save_figure

__all__ = ["unique_ratio_table", "transition_table", "plot_diversity"]


def unique_ratio_table(entries: Sequence[tuple[str, str, str | Path, str | Path]], no_answer: str = "class"
                       ) -> pd.DataFrame:
    """Per (run, benchmark) mean unique-answer ratio over problems, plus benchmark "All" per run.

    entries: (run, benchmark, samples.parquet, counts.parquet). Columns: run, benchmark, unique_answer_ratio,
    num_problems.
    """
    from rsgrpo.eval.diversity import answer_key, unique_answer_ratios

    rows, per_problem = [], {}
    for run, bench, samples_path, _ in entries:
        s = pd.read_parquet(samples_path, columns=None)
        for col in ("problem_id", "answer"):
            if col not in s.columns:
                raise ValueError(f"{samples_path}: missing column {col!r}")
        canon = s["canonical"] if "canonical" in s.columns else pd.Series([None] * len(s))
        keys = [answer_key(None if pd.isna(a) else a, None if pd.isna(c) else c)
                for a, c in zip(s["answer"], canon)]
        ratios = unique_answer_ratios(s["problem_id"].astype(str).tolist(), keys, no_answer=no_answer)
        per_problem.setdefault(run, []).append(ratios.to_numpy())
        rows.append({"run": run, "benchmark": bench, "unique_answer_ratio": float(ratios.mean()),
                     "num_problems": int(len(ratios))})
    for run, parts in per_problem.items():
        allr = np.concatenate(parts)
        rows.append({"run": run, "benchmark": "All", "unique_answer_ratio": float(allr.mean()),
                     "num_problems": int(len(allr))})
    return pd.DataFrame(rows)


def _accuracy(entries, run: str) -> pd.Series:
    parts = []
    for r, bench, _, counts_path in entries:
        if r != run:
            continue
        c = pd.read_parquet(counts_path)
        parts.append(pd.Series((c["c"] / c["n"]).to_numpy(float),
                               index=[f"{bench}/{p}" for p in c["problem_id"].astype(str)]))
    if not parts:
        raise ValueError(f"no counts for run {run!r} in the Fig. 7 entries")
    return pd.concat(parts)


def transition_table(entries, baseline: str, treatment: str, edges: Sequence[float] = (0.2, 0.4, 0.6, 0.8)
                     ) -> pd.DataFrame:
    """(B, B) shares of all problems: rows = accuracy bin under `baseline`, columns = under `treatment`."""
    from rsgrpo.eval.diversity import accuracy_transition_matrix

    a, b = _accuracy(entries, baseline), _accuracy(entries, treatment)
    if set(a.index) != set(b.index):
        raise ValueError(f"Fig. 7: {baseline} and {treatment} were evaluated on different problems")
    return accuracy_transition_matrix(a, b, edges, normalize="all")


def plot_diversity(entries, baseline: str, treatment: str, pdf: str | Path, png: str | Path,
                   table: str | Path | None = None, no_answer: str = "class",
                   edges: Sequence[float] = (0.2, 0.4, 0.6, 0.8)) -> None:
    """Left: grouped bars of the unique-answer ratio per benchmark and run; right: the transition heatmap."""
    plt = _style.plt()


    ratios = unique_ratio_table(entries, no_answer=no_answer)
    trans = transition_table(entries, baseline, treatment, edges)
    runs = list(dict.fromkeys(ratios["run"]))
    benches = list(dict.fromkeys(ratios["benchmark"]))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(max(8.5, 1.1 * len(benches) * max(1, len(runs)) / 2 + 5), 4.0),
                                   gridspec_kw={"width_ratios": [1.3, 1]})
    width, colors = 0.8 / len(runs), {}
    x = np.arange(len(benches))
    for i, run in enumerate(runs):
        r = ratios[ratios["run"] == run].set_index("benchmark").reindex(benches)
        ax1.bar(x + (i - (len(runs) - 1) / 2) * width, r["unique_answer_ratio"], width,
                label=run_label(run), color=method_color(run, colors))
    ax1.set_xticks(x, benches, rotation=30, ha="right", fontsize=8)
    ax1.set_ylabel("unique answers / n (mean over problems)", fontsize=8)
    ax1.set_title("Unique answers ratio" + (" (no-box = one class)" if no_answer == "class" else
                                            " (no-box samples excluded)"), fontsize=9)
    ax1.legend(fontsize=7, frameon=False)
    ax1.grid(axis="y", alpha=0.3, lw=0.5)
    mat = 100 * trans.to_numpy()
    im = ax2.imshow(mat, cmap="Blues", vmin=0, vmax=max(mat.max(), 1e-9))
    labels = list(trans.index)
    ax2.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=7)
    ax2.set_yticks(range(len(labels)), labels, fontsize=7)
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            if mat[i, j] > 0:
                ax2.text(j, i, f"{mat[i, j]:.1f}", ha="center", va="center", fontsize=6,
                         color="white" if mat[i, j] > 0.6 * mat.max() else "black")
    ax2.set_xlabel(f"accuracy under {run_label(treatment)}", fontsize=8)
    ax2.set_ylabel(f"accuracy under {run_label(baseline)}", fontsize=8)
    ax2.set_title(f"Accuracy transition (% of all {int(ratios[(ratios['run'] == baseline) & (ratios['benchmark'] == 'All')]['num_problems'].iloc[0])} problems)",
                  fontsize=9)
    fig.colorbar(im, ax=ax2, fraction=0.046, pad=0.04).ax.tick_params(labelsize=7)
    fig.tight_layout()
    save_figure(fig, pdf, png)
    if table is not None:
        long = trans.stack().rename("value").reset_index().rename(columns={"from": "from_bin", "to": "to_bin"})
        long.insert(0, "kind", "transition_share")
        long["run"], long["benchmark"] = f"{baseline} -> {treatment}", "All"
        ur = ratios.rename(columns={"unique_answer_ratio": "value"}).assign(kind="unique_answer_ratio")
        with atomic_path(table) as tmp:
            pd.concat([ur, long], ignore_index=True)[
                ["kind", "run", "benchmark", "from_bin", "to_bin", "value", "num_problems"]
            ].to_csv(tmp, index=False, float_format="%.6g")
