"""Advantage-vs-accuracy curves and the paper's Fig. 2 (RS-GRPO) and Fig. 8 (all methods, App. B).

Every number comes from calling the estimator registry `rsgrpo.estimators.compute`; no formula is re-typed
here. A "method" is a mapping as in the config: ``{"estimator": name, "params": {...}, "label": optional}``.

    binary_curves(method, group_size)          -> BinaryCurves: A+, A-, sum|A| for c = 0..N correct
    continuous_curve(beta, group_size)         -> (rewards (N,), advantages (N,)) of RS-GRPO on a uniform grid
    plot_fig2(...), plot_fig8(...)             -> write PDF + PNG (atomic)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from rsgrpo.reports import _style
from rsgrpo.reports._style import method_label, save_figure

__all__ = ["BinaryCurves", "binary_curves", "continuous_curve", "method_k", "plot_fig2", "plot_fig8"]


@dataclass(frozen=True)
class BinaryCurves:
    """Advantages of one method for binary groups of size N with c = 0..N correct responses.

    accuracy: (N+1,) c/N. positive: (N+1,) advantage of a correct response (NaN at c = 0).
    negative: (N+1,) advantage of a wrong response (NaN at c = N). cumulative: (N+1,) sum_i |A_i|.
    """

    label: str
    accuracy: np.ndarray
    positive: np.ndarray
    negative: np.ndarray
    cumulative: np.ndarray


def _fmt(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def method_k(method: Mapping) -> int | None:
    """The method's pass@k parameter k (None for methods without one)."""
    from rsgrpo import estimators

    name = method["estimator"]
    return estimators.check_params(name, **(method.get("params") or {})).get("k")


def binary_curves(method: Mapping, group_size: int) -> BinaryCurves:
    """A+, A- and sum |A| vs accuracy c/N for binary groups (c correct first, then N - c wrong)."""
    import torch

    from rsgrpo import estimators

    n = int(group_size)
    c = np.arange(n + 1)
    rewards = torch.tensor((np.arange(n)[None, :] < c[:, None]).astype(np.float64))  # (N+1, N), row c
    a = estimators.compute(method["estimator"], rewards, **(method.get("params") or {})).numpy()  # (N+1, N)
    positive = np.where(c > 0, a[:, 0], np.nan)  # column 0 is correct whenever c >= 1
    negative = np.where(c < n, a[:, -1], np.nan)  # the last column is wrong whenever c <= N-1
    return BinaryCurves(method_label(method), c / n, positive, negative, np.abs(a).sum(axis=1))


def continuous_curve(beta: float, group_size: int) -> tuple[np.ndarray, np.ndarray]:
    """RS-GRPO advantages of one group whose N rewards lie on a uniform grid in [0, 1]: ((N,), (N,))."""
    import torch

    from rsgrpo import estimators

    r = np.linspace(0.0, 1.0, int(group_size))
    a = estimators.compute("rs_grpo", torch.tensor(r[None, :]), beta=float(beta))[0].numpy()
    return r, a


# ------------------------------------------------------------------------------------------ plotting
def _beta_colors(n: int):
    return _style.plt().get_cmap("viridis")(np.linspace(0.0, 0.85, max(n, 1)))


def _interior(curves: BinaryCurves) -> slice:
    return slice(1, len(curves.accuracy) - 1)  # 0 < c < N: both sides exist


def plot_fig2(continuous: Sequence[tuple[float, np.ndarray, np.ndarray]], binary: Sequence[tuple[float, BinaryCurves]],
              group_size: int, pdf: str | Path, png: str | Path) -> None:
    """Fig. 2: (a) RS-GRPO advantage vs reward (continuous); (b) A+, A-, sum|A| vs accuracy (binary, N)."""
    plt = _style.plt()

    fig, axes = plt.subplots(1, 4, figsize=(17, 4.2), constrained_layout=True)
    ax = axes[0]
    for color, (beta, r, a) in zip(_beta_colors(len(continuous)), continuous):
        ax.plot(r, a, "o-", ms=3, color=color, label=f"β={_fmt(float(beta))}" + (" (Dr.GRPO)" if beta == 0 else ""))
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set(xlabel="reward $r_i$", ylabel="advantage $\\hat A_i$",
           title=f"(a) continuous rewards\n(one group of {len(continuous[0][1])} rewards on [0, 1])")
    ax.legend(fontsize=8, title="RS-GRPO", title_fontsize=8)
    panels = [("positive", "(b) binary: advantage of a correct response $A^+$"),
              ("negative", "(b) binary: advantage of a wrong response $A^-$"),
              ("cumulative", "(b) binary: cumulative advantage $\\sum_i |\\hat A_i|$")]
    colors = _beta_colors(len(binary))
    for ax, (field, title) in zip(axes[1:], panels):
        for color, (beta, cur) in zip(colors, binary):
            sl = _interior(cur)
            ax.plot(cur.accuracy[sl], getattr(cur, field)[sl], "o-", ms=3, color=color,
                    label=f"β={_fmt(float(beta))}" + (" (Dr.GRPO)" if beta == 0 else ""))
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set(xlabel=f"prompt accuracy $c/N$ (N = {group_size})", title=title, xlim=(0, 1))
        ax.legend(fontsize=8, title="RS-GRPO", title_fontsize=8)
    axes[1].set_ylabel("advantage")
    fig.suptitle("Paper Fig. 2: the RS-GRPO advantage (computed with rsgrpo.estimators)", fontsize=12)
    save_figure(fig, pdf, png)


def plot_fig8(curves: Sequence[BinaryCurves], ks: Sequence[int], group_size: int, pdf: str | Path,
              png: str | Path) -> None:
    """Fig. 8 / App. B: A+, A-, sum|A| vs accuracy for every method, with a vertical line at 1 - k/N."""
    plt = _style.plt()

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), constrained_layout=True)
    cmap = plt.get_cmap("tab10")
    markers = "osD^vP*Xh<>"
    panels = [("positive", "positive advantage $A^+$ (correct response)"),
              ("negative", "negative advantage $A^-$ (wrong response)"),
              ("cumulative", "cumulative advantage $\\sum_i |\\hat A_i|$")]
    for ax, (field, title) in zip(axes, panels):
        for i, cur in enumerate(curves):
            sl = _interior(cur)
            ax.plot(cur.accuracy[sl], getattr(cur, field)[sl], marker=markers[i % len(markers)], ms=3.5, lw=1.3,
                    color=cmap(i % 10), label=cur.label)
        for k in sorted(set(ks)):
            ax.axvline(1 - k / group_size, color="0.3", ls="--", lw=1)
            ax.text(1 - k / group_size, 0.98, f" 1−k/N\n (k={k})", transform=ax.get_xaxis_transform(), va="top",
                    fontsize=8, color="0.3")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set(xlabel=f"prompt accuracy $c/N$ (N = {group_size})", title=title, xlim=(0, 1))
    axes[0].set_ylabel("advantage (GRPO mean scale)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)), fontsize=9, frameon=False)
    fig.suptitle("Paper Fig. 8 (App. B): advantages of RS-GRPO and the pass@k baselines vs prompt accuracy",
                 fontsize=12)
    save_figure(fig, pdf, png)
