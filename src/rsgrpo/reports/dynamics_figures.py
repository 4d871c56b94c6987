"""Training-dynamics figures from the local metric mirrors `results/train/{run}/metrics.jsonl`.

    fig5_beta_ablation   paper Fig. 5: cumulative solve rate on the training data, training reward, test pass@1,
                         test pass@32 vs step, one line per beta (beta = 0 is GRPO)
    fig6_baselines       paper Fig. 6: test pass@1 and pass@32 vs step, RS-GRPO vs the pass@k baselines
    fig_entropy          paper App. D.1: policy entropy vs step, one line per beta

One row of panels per (model, training set) that has at least one selected run; seeds of one method tag are
averaged at common steps (line) with their min-max as a band. A metric a run never logged is left out of that
panel (the panel says so when no run logged it). Selecting no run at all raises ValueError: the Snakemake
rules only schedule these figures when matching runs exist (workflow/rules/report.smk).

Public API::

    read_metrics(path) -> DataFrame (step + metric columns, one row per logged step)
    load_runs(paths) -> {run: DataFrame}
    plot_dynamics(runs, series, metrics, title, labels) -> Figure
    fig5_beta_ablation(runs, betas, ...), fig6_baselines(runs, methods, ...), fig_entropy(runs, betas, ...)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from rsgrpo.reports import _style
from rsgrpo.runs import RunName, method_tag, parse_run

__all__ = ["DEFAULT_METRICS", "read_metrics", "load_runs", "beta_series", "plot_dynamics", "fig5_beta_ablation",
           "fig6_baselines", "fig_entropy"]

# The metric-mirror keys (README "Architecture": results/train/{run}/metrics.jsonl) and their axis labels.
DEFAULT_METRICS = {
    "solve_rate": ("train/solve_rate_cum", "cumulative solve rate (train)"),
    "reward": ("train/reward_mean", "training reward"),
    "pass1": ("val/pass@1", "test pass@1"),
    "pass32": ("val/pass@32", "test pass@32"),
    "entropy": ("train/entropy", "policy entropy"),
}


def read_metrics(path: str | Path) -> pd.DataFrame:
    """One row per step (later lines for the same step update earlier ones, e.g. after a resume)."""
    path = Path(path)
    rows = {}
    with open(path) as f:
        for i, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{i}: not JSON ({exc})") from exc
            if "step" not in rec:
                raise ValueError(f"{path}:{i}: record has no 'step'")
            rows.setdefault(int(rec["step"]), {}).update(rec)
    df = pd.DataFrame([rows[s] for s in sorted(rows)])
    if not df.empty:
        df["step"] = df["step"].astype(int)
    return df


def load_runs(paths: Iterable[str | Path]) -> dict[str, pd.DataFrame]:
    """{run: metrics} from `.../train/{run}/metrics.jsonl` paths (run names validated)."""
    out = {}
    for p in paths:
        run = Path(p).parent.name
        try:
            parse_run(run)
        except ValueError as exc:
            raise ValueError(f"{p}: {exc}") from exc
        out[run] = read_metrics(p)
    return out


def _tag(r: RunName) -> str:
    return method_tag(r.method, r.beta, r.k)


def beta_series(betas: Sequence[float], beta0_tag: str = "grpo") -> dict[str, str]:
    """{method tag: legend label} for an ablation: beta 0 -> `beta0_tag` (GRPO, as in the paper), else rs_grpo-bX."""
    out = {}
    for b in betas:
        tag = beta0_tag if float(b) == 0 else method_tag("rs_grpo", beta=float(b))
        out[tag] = f"β = {b:g}" + (f" ({beta0_tag})" if float(b) == 0 else "")
    return out


def _group(runs: Mapping[str, pd.DataFrame], series: Mapping[str, str], labels: Mapping | None):
    """{(model label, dataset label): {tag: [frames]}} for runs whose method tag is in `series`."""
    labels = labels or {}
    models, datasets = labels.get("models") or {}, labels.get("datasets") or {}
    out: dict = {}
    for run, df in sorted(runs.items()):
        r = parse_run(run)
        if r.is_base or _tag(r) not in series:
            continue
        key = (models.get(r.model, r.model), datasets.get(r.dataset, r.dataset))
        out.setdefault(key, {}).setdefault(_tag(r), []).append(df)
    return out


def _seed_band(frames: list[pd.DataFrame], key: str):
    """(steps, mean, lo, hi) over seeds at the steps every seed logged `key`; None if none did."""
    cols = [f.set_index("step")[key].dropna() for f in frames if key in f.columns]
    cols = [c for c in cols if len(c)]
    if not cols:
        return None
    m = pd.concat(cols, axis=1, join="inner").sort_index()
    if m.empty:  # seeds logged at different steps: fall back to the first seed
        m = cols[0].to_frame()
    v = m.to_numpy(float)
    return m.index.to_numpy(), v.mean(axis=1), v.min(axis=1), v.max(axis=1)


def plot_dynamics(runs: Mapping[str, pd.DataFrame], series: Mapping[str, str], metrics: Sequence[str],
                  title: str, labels: Mapping | None = None, metric_keys: Mapping | None = None):
    """Rows = (model, dataset) groups, columns = `metrics` (names of DEFAULT_METRICS), lines = `series` tags."""
    plt = _style.plt()

    keys = {**DEFAULT_METRICS, **(metric_keys or {})}
    unknown = [m for m in metrics if m not in keys]
    if unknown:
        raise ValueError(f"unknown metric {unknown[0]!r}; known: {sorted(keys)}")
    groups = _group(runs, series, labels)
    if not groups:
        raise ValueError(f"{title}: none of the {len(runs)} run(s) has a method tag in {list(series)}")
    nr, nc = len(groups), len(metrics)
    fig, axes = plt.subplots(nr, nc, figsize=(3.4 * nc, 2.7 * nr + 0.6), squeeze=False)
    colors = plt.get_cmap("viridis" if len(series) > 4 else "tab10")
    for i, ((model, dataset), by_tag) in enumerate(sorted(groups.items())):
        for j, metric in enumerate(metrics):
            key, ylabel = keys[metric]
            ax = axes[i, j]
            drawn = 0
            for s, (tag, legend) in enumerate(series.items()):
                band = _seed_band(by_tag.get(tag, []), key)
                if band is None:
                    continue
                steps, mean, lo, hi = band
                col = colors(s / max(len(series) - 1, 1)) if len(series) > 4 else colors(s)
                n = len(by_tag[tag])
                ax.plot(steps, mean, color=col, lw=1.5, marker="o" if len(steps) < 12 else None, ms=3,
                        label=legend + (f" ({n} seeds)" if n > 1 else ""))
                if n > 1:
                    ax.fill_between(steps, lo, hi, color=col, alpha=0.2, lw=0)
                drawn += 1
            if not drawn:
                ax.text(0.5, 0.5, f"no run logged\n{key}", ha="center", va="center", transform=ax.transAxes,
                        color="0.4", fontsize=8)
            ax.set_title(f"{model} / {dataset}" if j == 0 else "", fontsize=8, loc="left")
            ax.set_xlabel("training step", fontsize=8)
            ax.set_ylabel(ylabel, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            if drawn and i == 0 and j == nc - 1:
                ax.legend(fontsize=7, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def fig5_beta_ablation(runs, betas: Sequence[float], beta0_tag: str = "grpo", labels=None, metric_keys=None):
    """Paper Fig. 5: solve rate, reward, pass@1, pass@32 vs step for each beta."""
    return plot_dynamics(runs, beta_series(betas, beta0_tag), ["solve_rate", "reward", "pass1", "pass32"],
                         "β ablation: training dynamics (paper Fig. 5)", labels, metric_keys)


def fig6_baselines(runs, methods: Mapping[str, str] | Sequence[str], labels=None, metric_keys=None):
    """Paper Fig. 6: test pass@1 and pass@32 vs step for RS-GRPO and the pass@k baselines.

    methods: method tags (legend = tag) or {tag: legend}."""
    series = dict(methods) if isinstance(methods, Mapping) else {m: m for m in methods}
    return plot_dynamics(runs, series, ["pass1", "pass32"], "RS-GRPO vs pass@k baselines (paper Fig. 6)",
                         labels, metric_keys)


def fig_entropy(runs, betas: Sequence[float], beta0_tag: str = "grpo", labels=None, metric_keys=None):
    """Paper App. D.1: policy entropy vs step for each beta."""
    return plot_dynamics(runs, beta_series(betas, beta0_tag), ["entropy"],
                         "Policy entropy during training (paper App. D.1)", labels, metric_keys)
