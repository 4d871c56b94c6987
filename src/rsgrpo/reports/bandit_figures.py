"""Bandit and lemma figures (paper Fig. 1, Fig. 3, Sec. 5.2) from `results/bandit/` (summary, curves, lemmas.json).

    plot_fig1(curves, betas, seed, pdf, png)          policy snapshots over training, one row per beta
    plot_fig3(curves, summary, pdf, png)              (a) landscape + pi0, (b) MA reward per beta, (c) escape step
    plot_fig3_methods(curves, summary, pdf, png)      the same for every estimator of the run
    plot_lemmas(cases, pdf, png)                      cases: results/bandit/lemmas.json (rsgrpo.bandit.lemmas.bandit_cases)
    escape_table(summary) -> DataFrame per method tag: final reward, escaped runs, escape-step quantiles

`curves` is the dict of `rsgrpo.bandit.load_curves`; `summary` the DataFrame of `results/bandit/summary.csv`.
Bands are 95% confidence intervals of the mean over seeds (mean ± 1.96 standard errors).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rsgrpo.reports import _style
from rsgrpo.reports._style import save_figure, tag_label

__all__ = ["escape_table", "plot_fig1", "plot_fig3", "plot_fig3_methods", "plot_lemmas"]


def escape_table(summary):
    """Per method tag (in file order): runs, escaped runs, escape-step median / quartiles, mean final reward."""
    import pandas as pd

    rows = []
    for tag, g in summary.groupby("tag", sort=False):
        e = g["escape_step"].dropna()
        rows.append({"tag": tag, "runs": len(g), "escaped": len(e),
                     "escape_median": e.median() if len(e) else np.nan,
                     "escape_q25": e.quantile(0.25) if len(e) else np.nan,
                     "escape_q75": e.quantile(0.75) if len(e) else np.nan,
                     "final_reward_mean": g["final_reward"].mean(), "final_reward_min": g["final_reward"].min()})
    return pd.DataFrame(rows).set_index("tag")


def _mean_band(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(S, T) -> mean, lower, upper of the 95% CI of the mean over axis 0."""
    m = np.nanmean(x, 0)
    se = np.nanstd(x, 0, ddof=1) / np.sqrt(x.shape[0]) if x.shape[0] > 1 else np.zeros_like(m)
    return m, m - 1.96 * se, m + 1.96 * se


def _curve_panel(ax, curves, tags, key="ma_reward", colors=None, labels=None):
    xs = curves["curve_samples"]
    for i, tag in enumerate(tags):
        rows = curves["tag"] == tag
        m, lo, hi = _mean_band(curves[key][rows].astype(np.float64))
        c = colors[i] if colors is not None else None
        lab = labels[i] if labels is not None else tag_label(tag)
        ax.plot(xs, m, color=c, lw=1.4, label=f"{lab}")
        ax.fill_between(xs, lo, hi, color=ax.lines[-1].get_color(), alpha=0.2, lw=0)
    ax.set_xlim(0, xs[-1])
    ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
    ax.set_xlabel("samples")
    ax.grid(True, ls="--", alpha=0.4)


def _escape_panel(ax, summary, tags, labels, colors=None):
    """Escape step per run (dots) with median and quartiles; the count of escaped runs under each column."""
    for i, tag in enumerate(tags):
        g = summary[summary["tag"] == tag]
        e = g["escape_step"].dropna().to_numpy()
        c = colors[i] if colors is not None else "C0"
        if len(e):
            jitter = np.random.default_rng(i).uniform(-0.18, 0.18, len(e))
            ax.scatter(i + jitter, e, s=7, color=c, alpha=0.5, lw=0)
            q1, med, q3 = np.quantile(e, [0.25, 0.5, 0.75])
            ax.errorbar(i, med, yerr=[[med - q1], [q3 - med]], fmt="o", color="k", ms=4, capsize=3, zorder=3)
        ax.annotate(f"{len(e)}/{len(g)}", (i, 0), xycoords=("data", "axes fraction"), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=7)
    ax.set_xticks(range(len(tags)), labels, rotation=0 if len(tags) <= 8 else 45,
                  ha="center" if len(tags) <= 8 else "right", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
    ax.set_ylabel("escape step (samples to MA > thr)")
    ax.grid(True, axis="y", ls="--", alpha=0.4)


def _rs_tags(curves) -> list[str]:
    """The fixed-beta RS-GRPO tags (rs_grpo-b{beta}), by beta; β schedules have their own figure."""
    seen = dict.fromkeys(t for t, m, b in zip(curves["tag"], curves["method"], curves["beta"])
                         if m == "rs_grpo" and not np.isnan(b))
    return sorted(seen, key=lambda t: float(t.split("-b")[1]))


def plot_fig3(curves, summary, pdf, png) -> None:
    """Fig. 3: (a) landscape bars + initial policy on a twin axis, (b) MA reward, (c) escape step vs beta."""
    plt = _style.plt()
    cfg = curves["config"]
    tags = _rs_tags(curves)
    betas = [t.split("-b")[1] for t in tags]
    colors = [plt.get_cmap("tab10")(i % 10) for i in range(len(tags))]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), gridspec_kw={"width_ratios": [1, 1.3, 1]})
    ax = axes[0]
    arms = np.arange(len(curves["landscape"]))
    ax.bar(arms, curves["landscape"], width=1.0, color="0.75", edgecolor="0.55", lw=0.3, label="reward r(a)")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("arm a")
    ax.set_ylabel("reward")
    tw = ax.twinx()
    tw.plot(arms, curves["pi0"], color="C3", lw=1.6, label="initial policy π0")
    tw.set_ylim(0, 0.2)
    tw.set_ylabel("probability", color="C3")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = tw.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8)
    ax.set_title("(a) reward landscape and initial policy")
    _curve_panel(axes[1], curves, tags, colors=colors, labels=[f"β={b}" for b in betas])
    axes[1].set_ylabel(f"reward (MA over {cfg['ma_window']} samples)")
    axes[1].axhline(cfg["escape_threshold"], color="0.4", ls=":", lw=1)
    n_seeds = int((curves["tag"] == tags[0]).sum())
    axes[1].set_title(f"(b) reward vs samples (mean, 95% CI over {n_seeds} seeds)")
    axes[1].legend(fontsize=8, loc="lower right", ncol=2)
    _escape_panel(axes[2], summary, tags, [f"β={b}" for b in betas], colors)
    axes[2].set_xlabel("β")
    axes[2].set_title(f"(c) escape step (MA > {cfg['escape_threshold']:g}); escaped runs at bottom")
    fig.tight_layout()
    save_figure(fig, pdf, png)


def plot_fig3_methods(curves, summary, pdf, png) -> None:
    """Every method tag of the run: (a) MA reward, (b) policy entropy, (c) escape step."""
    plt = _style.plt()
    cfg = curves["config"]
    tags = list(dict.fromkeys(curves["tag"]))
    labels = [tag_label(t) for t in tags]
    cmap = plt.get_cmap("tab20")
    colors = [cmap(i % 20) for i in range(len(tags))]
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8), gridspec_kw={"width_ratios": [1.2, 1.2, 1.1]})
    _curve_panel(axes[0], curves, tags, colors=colors, labels=labels)
    axes[0].set_ylabel(f"reward (MA over {cfg['ma_window']} samples)")
    axes[0].set_title("(a) reward vs samples (mean, 95% CI)")
    _curve_panel(axes[1], curves, tags, key="entropy", colors=colors, labels=labels)
    axes[1].set_ylabel("policy entropy (nats)")
    axes[1].set_title("(b) policy entropy")
    axes[1].legend(fontsize=7, loc="upper right", ncol=2)
    _escape_panel(axes[2], summary, tags, labels, colors)
    axes[2].set_title(f"(c) escape step (MA > {cfg['escape_threshold']:g}); escaped runs at bottom")
    fig.tight_layout()
    save_figure(fig, pdf, png)


def plot_fig1(curves, betas, seed: int, pdf, png, n_cols: int = 6) -> None:
    """Fig. 1: rows = betas, columns = training snapshots (samples), pi bars over the landscape of one seed."""
    plt = _style.plt()
    snaps_at = curves["snapshot_samples"]
    cols = np.unique(np.round(np.geomspace(1, len(snaps_at), n_cols)).astype(int) - 1)
    cols[0] = 0
    arms = np.arange(len(curves["landscape"]))
    fig, axes = plt.subplots(len(betas), len(cols), figsize=(2.4 * len(cols), 2.1 * len(betas)), squeeze=False,
                             sharex=True)
    for i, beta in enumerate(betas):
        rows = np.flatnonzero((curves["method"] == "rs_grpo") & np.isclose(curves["beta"], beta)
                              & (curves["seed"] == seed))
        if len(rows) != 1:
            raise ValueError(f"fig1: no rs_grpo run with beta={beta} and seed={seed} in the curves file")
        for j, s in enumerate(cols):
            ax = axes[i, j]
            tw = ax.twinx()
            tw.fill_between(arms, curves["landscape"], color="0.85", step="mid", lw=0)
            tw.set_ylim(0, 1.05)
            tw.set_yticks([] if j < len(cols) - 1 else [0, 0.5, 1])
            if j == len(cols) - 1:
                tw.set_ylabel("reward r(a)", color="0.4")
            ax.set_zorder(tw.get_zorder() + 1)
            ax.patch.set_visible(False)
            pi = curves["snapshots"][rows[0], s]
            ax.bar(arms, pi, width=1.0, color="C3" if beta == 0 else "C0")
            ax.set_ylim(0, max(0.06, 1.1 * pi.max()))
            ax.tick_params(labelsize=7)
            if i == 0:
                ax.set_title(f"{int(snaps_at[s]):,} samples", fontsize=9)
            if j == 0:
                kind = "standard RL" if beta == 0 else "risk-sensitive RL"
                ax.set_ylabel(f"{kind}\nβ={beta:g}\nπ(a)", fontsize=9)
            if i == len(betas) - 1:
                ax.set_xlabel("arm a", fontsize=8)
    fig.suptitle(f"policy snapshots over training (seed {seed}); grey: reward landscape", fontsize=10)
    fig.tight_layout()
    save_figure(fig, pdf, png)


def plot_lemmas(cases: dict, pdf, png) -> None:
    """(a, b) Delta(beta)/eta for the two named cases (beta0 and peak marked), (c) random-case thresholds."""
    plt = _style.plt()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, case, letter in zip(axes[:2], cases["cases"], "ab"):
        name = case["name"]
        for i, (key, rep) in enumerate(case["checks"].items()):
            eta = float(key.split("=")[1])
            grid = np.asarray(cases["grid"]["betas"])
            d = np.asarray(next(c["delta"] for c in cases["curves"] if c["case"] == name and c["eta"] == eta))
            ax.plot(grid, d / eta, color=f"C{i}", lw=1.3, ls=["-", "--", ":"][i % 3], label=f"η={eta:g}")
        rep = next(iter(case["checks"].values()))
        ax.axhline(0, color="k", lw=0.7)
        if rep["beta0"] is not None:
            ax.axvline(rep["beta0"], color="C2", ls=":", lw=1)
            ax.annotate(f"β0={rep['beta0']:g}", (rep["beta0"], 0.05), xycoords=("data", "axes fraction"),
                        fontsize=8, color="C2", xytext=(3, 0), textcoords="offset points")
        ax.axvline(rep["peak"], color="C3", ls=":", lw=1)
        ax.annotate(f"peak {rep['peak']:g}", (rep["peak"], 0.9), xycoords=("data", "axes fraction"), fontsize=8,
                    color="C3", xytext=(3, 0), textcoords="offset points")
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(left=0)  # beta >= 0: no negative symlog decades
        ax.set_xlabel("β (0 = standard PG)")
        ax.set_ylabel("Δ(β)/η = (π'(a*) − π(a*))/η")
        ax.set_title(f"({letter}) {name}\nΔ(0)={rep['delta0']:.3g} at η={next(iter(case['checks']))[4:]}",
                     fontsize=9)
        ax.legend(fontsize=8)
        ax.grid(True, ls="--", alpha=0.4)
    ax = axes[2]
    rnd = [c for c in cases["random"] if c["beta0"] is not None and c["beta1"] is not None]
    ax.scatter([c["beta0"] for c in rnd], [c["beta1"] for c in rnd], s=10, alpha=0.6)
    lim = max([1.0] + [c["beta1"] for c in rnd]) * 1.1
    ax.plot([0, lim], [0, lim], color="0.5", lw=0.7, ls="--")
    ax.set_xlabel("β0: Δ > 0 for all β ≥ β0 (Lemma 3)")
    ax.set_ylabel("β1: Δ decreasing and > 0 past β1 (Lemma 4)")
    ax.set_title(f"(c) {len(rnd)}/{len(cases['random'])} random (π, r), η=0.1: both thresholds exist", fontsize=9)
    ax.grid(True, ls="--", alpha=0.4)
    fig.tight_layout()
    save_figure(fig, pdf, png)
