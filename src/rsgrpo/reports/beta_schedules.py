"""App. A's open problem at CPU scale: do β schedules beat the best fixed β? (paper_figures/beta_schedules.md and
fig_beta_schedules.{pdf,png}).

    bandit_rows(summary) -> DataFrame            the bandit's summary.csv (rsgrpo.bandit) -> one row per tag
    cpu_rows(entries, metrics, ks, ...)          counts / metrics of the CPU runs -> one row per tag
    verdict(table) -> dict                       pure function of the table (a test recomputes it)
    render(table, verdict, title) -> str         the markdown
    plot(table, curves, traces, pdf, png)        the figure
    write_study(...)                             table CSV, markdown and figure, atomically

Table: one row per (part, tag); part "bandit" or "cpu", kind "fixed" (rs_grpo-b{beta}) or "schedule".
  bandit: seeds, escaped (fraction of seeds whose MA reward passed the threshold), escape_median (median escape
    step over seeds, a seed that never escapes counts as n_samples + 1) with a bootstrap CI over seeds
    (escape_lo / escape_hi), final_reward (mean over seeds of the final MA reward) with final_reward_lo / _hi.
  cpu: the columns of rsgrpo.reports.mini_summary.method_table (pass@k_median over seeds, pooled pass@k and
    its bootstrap CI over (seed, problem) units, per-seed strings) for the tags of the study.

Verdict (fractions; MATCH = 0.02 as in mini_summary, BANDIT_MATCH = 0.01 of final reward):
  cpu, per schedule s vs the best fixed beta F (largest pass@1_median): s "beats F on pass@1 without losing pass@k"
    when pass@1 diff > 0 with separated CIs and pass@kmax diff >= -MATCH (medians over seeds).
  bandit, per schedule s: "escapes faster than the fastest fixed beta without a lower final reward" when its
    escape CI lies below the fastest fixed beta's (escape_hi < its escape_lo; fastest = smallest escape_median)
    and final_reward >= the best fixed final_reward - BANDIT_MATCH.
  answer: the schedules for which the cpu line holds ("none" is an answer); vs_fixed: the same test against each
    other fixed beta (e.g. the paper's beta = 2 when beta = 4 is the best here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from rsgrpo.reports import mini_summary as ms

__all__ = ["MATCH", "BANDIT_MATCH", "bandit_rows", "cpu_rows", "verdict", "render", "plot", "write_study"]

MATCH = ms.MATCH
BANDIT_MATCH = 0.01


def _kind(tag: str) -> str:
    from rsgrpo.runs import parse_method_tag

    _, beta, _ = parse_method_tag(tag)
    return "fixed" if isinstance(beta, float) else "schedule"


def _boot(values: np.ndarray, stat, n_boot: int, seed: int, level: float) -> tuple[float, float]:
    """Percentile bootstrap CI of stat over seeds (values (S,))."""
    rng = np.random.default_rng(seed)
    reps = np.array([stat(values[rng.integers(0, len(values), len(values))]) for _ in range(n_boot)])
    a = (1 - level) / 2
    return float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))


def bandit_rows(summary: pd.DataFrame, n_samples: int, n_boot: int = 1000, seed: int = 0, level: float = 0.95
                ) -> pd.DataFrame:
    """One row per RS-GRPO tag of a bandit summary (columns: rsgrpo.bandit.SUMMARY_COLUMNS)."""
    rows = []
    for tag, g in summary[summary["method"] == "rs_grpo"].groupby("tag", sort=False):
        esc = g["escape_step"].to_numpy(float)
        esc_inf = np.where(np.isnan(esc), n_samples + 1, esc)  # never escaped: after the last sample
        fin = g["final_reward"].to_numpy(float)
        lo, hi = _boot(esc_inf, np.median, n_boot, seed, level)
        flo, fhi = _boot(fin, np.mean, n_boot, seed, level)
        rows.append({"part": "bandit", "method": tag, "kind": _kind(tag), "seeds": len(g),
                     "escaped": float(np.mean(~np.isnan(esc))), "escape_median": float(np.median(esc_inf)),
                     "escape_lo": lo, "escape_hi": hi, "final_reward": float(fin.mean()), "final_reward_lo": flo,
                     "final_reward_hi": fhi})
    if not rows:
        raise ValueError("bandit_rows: the summary has no rs_grpo runs")
    return pd.DataFrame(rows)


def cpu_rows(entries: Iterable[tuple[str, str | Path]], metrics: Iterable[tuple[str, str | Path]] = (),
             ks: Sequence[int] = (1, 1024), n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """mini_summary.method_table of the study's CPU runs, with part and kind columns."""
    t = ms.method_table(entries, ks, metrics, n_boot=n_boot, seed=seed, level=level)
    t.insert(0, "part", "cpu")
    t.insert(2, "kind", [_kind(m) for m in t["method"]])
    return t


def _kmax(cpu: pd.DataFrame) -> int:
    """The largest k with a pass@k value on every CPU row (the pass@k the verdict keeps)."""
    return max(k for k in ms._ks(cpu) if cpu[f"pass@{k}_median"].notna().all())


def _rows(table: pd.DataFrame, part: str) -> dict[str, pd.Series]:
    return {r["method"]: r for _, r in table[table["part"] == part].iterrows()}


def verdict(table: pd.DataFrame) -> dict[str, Any]:
    """The study's verdict from the table only (module docstring)."""
    out: dict[str, Any] = {"cpu": None, "bandit": None}
    cpu = _rows(table, "cpu")
    if cpu:
        kmax = _kmax(table[table["part"] == "cpu"])
        fixed = [t for t, r in cpu.items() if r["kind"] == "fixed"]
        if not fixed:
            raise ValueError("verdict: the cpu part has no fixed-beta row")
        best = max(fixed, key=lambda t: float(cpu[t]["pass@1_median"]))
        schedules = [t for t, r in cpu.items() if r["kind"] == "schedule"]

        def judge(s: str, f: str) -> dict[str, Any]:
            p1, pk = ms._cmp(cpu, s, f, 1), ms._cmp(cpu, s, f, kmax)
            x = {"pass@1": p1, f"pass@{kmax}": pk, "beats_pass1": p1["diff"] > 0 and p1["ci_separated"],
                 "keeps_passk": pk["diff"] >= -MATCH}
            return {**x, "holds": bool(x["beats_pass1"] and x["keeps_passk"])}

        lines = {s: judge(s, best) for s in schedules}
        out["cpu"] = {"k": kmax, "best_fixed": best, "fixed": fixed, "schedules": lines,
                      "answer": [s for s, v in lines.items() if v["holds"]],
                      "vs_fixed": {f: [s for s in schedules if judge(s, f)["holds"]] for f in fixed if f != best}}
    bandit = _rows(table, "bandit")
    if bandit:
        fixed = [t for t, r in bandit.items() if r["kind"] == "fixed"]
        if not fixed:
            raise ValueError("verdict: the bandit part has no fixed-beta row")
        fastest = min(fixed, key=lambda t: float(bandit[t]["escape_median"]))
        best = max(fixed, key=lambda t: float(bandit[t]["final_reward"]))
        lines = {}
        for s in (t for t, r in bandit.items() if r["kind"] == "schedule"):
            e, f = float(bandit[s]["escape_median"]), float(bandit[s]["final_reward"])
            faster = float(bandit[s]["escape_hi"]) < float(bandit[fastest]["escape_lo"])
            keeps = f >= float(bandit[best]["final_reward"]) - BANDIT_MATCH
            lines[s] = {"escape_median": e, "final_reward": f, "faster": faster, "keeps_reward": keeps,
                        "holds": bool(faster and keeps)}
        out["bandit"] = {"fastest_fixed": fastest, "best_fixed": best, "schedules": lines,
                         "answer": [s for s, v in lines.items() if v["holds"]]}
    return out


_pct = ms._pct  # the mini summary's formats: 66.9%, +2.3 points, holds / does NOT hold


def _holds(h: bool) -> str:
    return f"**{ms._holds(h)}**"


def _lines(table: pd.DataFrame, v: dict[str, Any]) -> list[str]:
    out = []
    if v["cpu"]:
        c, rows = v["cpu"], _rows(table, "cpu")
        k, best = c["k"], c["best_fixed"]
        out.append(f"**CPU experiment.** Best fixed β on pass@1: `{best}` (pass@1 {_pct(rows[best]['pass@1_median'])}, "
                   f"pass@{k} {_pct(rows[best][f'pass@{k}_median'])}; medians over seeds).")
        out.append("")
        for s, x in c["schedules"].items():
            p1, pk = x["pass@1"], x[f"pass@{k}"]
            out.append(f"- `{s}` beats `{best}` on pass@1 without losing pass@{k}: {_holds(x['holds'])} — pass@1 "
                       f"{_pct(p1['value'])} vs {_pct(p1['other'])} ({ms._pts(p1['diff'])}, CIs "
                       f"{'separated' if p1['ci_separated'] else 'overlap'}); pass@{k} {_pct(pk['value'])} vs "
                       f"{_pct(pk['other'])} ({ms._pts(pk['diff'])}; losing = more than "
                       f"{100 * MATCH:.0f} below).")
        ans = ", ".join(f"`{s}`" for s in c["answer"]) or "none"
        out.append("")
        out.append(f"**Answer (CPU):** schedules that beat the best fixed β on pass@1 without losing pass@{k}: {ans}.")
        for f, won in c["vs_fixed"].items():
            out.append("")
            out.append(f"Against `{f}` (the same test): {', '.join(f'`{s}`' for s in won) or 'none'}.")
    if v["bandit"]:
        b, rows = v["bandit"], _rows(table, "bandit")
        f, best = b["fastest_fixed"], b["best_fixed"]
        out.append("")
        out.append(f"**Bandit.** Fastest fixed β: `{f}` (median escape {rows[f]['escape_median']:.0f} samples); best "
                   f"final reward among fixed β: `{best}` ({rows[best]['final_reward']:.3f}).")
        out.append("")
        for s, x in b["schedules"].items():
            r, q = rows[s], rows[f]
            out.append(f"- `{s}` escapes faster than `{f}` without a lower final reward: {_holds(x['holds'])} — "
                       f"median escape {r['escape_median']:.0f} [{r['escape_lo']:.0f}, {r['escape_hi']:.0f}] vs "
                       f"{q['escape_median']:.0f} [{q['escape_lo']:.0f}, {q['escape_hi']:.0f}] samples (faster = CIs "
                       f"separated), final reward {x['final_reward']:.3f} vs {rows[best]['final_reward']:.3f} "
                       f"(lower = more than {BANDIT_MATCH} below).")
        ans = ", ".join(f"`{s}`" for s in b["answer"]) or "none"
        out.append("")
        out.append(f"**Answer (bandit):** schedules that escape faster than the fastest fixed β without a lower final "
                   f"reward: {ans}.")
    return out


def render(table: pd.DataFrame, v: dict[str, Any], title: str = "β schedules vs fixed β (App. A)") -> str:
    """The markdown: the verdict lines, then the table's main columns per part."""
    parts = [f"# {title}", "", "Every line is computed from `beta_schedules.csv` (rsgrpo.reports.beta_schedules); "
             "the paper (App. A) reports without numbers that no schedule beat a well-chosen fixed β = 2 on pass@1.",
             ""]
    parts += _lines(table, v) + [""]
    cpu = table[table["part"] == "cpu"]
    if len(cpu):
        k = v["cpu"]["k"]
        parts += ["| CPU run | kind | seeds | pass@1 (median) | pass@1 pooled [95% CI] | "
                  f"pass@{k} (median) | pass@{k} pooled [95% CI] |", "|---|---|---|---|---|---|---|"]
        for _, r in cpu.iterrows():
            parts.append(f"| `{r['method']}` | {r['kind']} | {int(r['seeds'])} | {_pct(r['pass@1_median'])} | "
                         f"{_pct(r['pass@1'])} [{_pct(r['pass@1_lo'])}, {_pct(r['pass@1_hi'])}] | "
                         f"{_pct(r[f'pass@{k}_median'])} | {_pct(r[f'pass@{k}'])} [{_pct(r[f'pass@{k}_lo'])}, "
                         f"{_pct(r[f'pass@{k}_hi'])}] |")
        parts.append("")
    band = table[table["part"] == "bandit"]
    if len(band):
        parts += ["| bandit run | kind | seeds | escaped | median escape step [95% CI] | final reward [95% CI] |",
                  "|---|---|---|---|---|---|"]
        for _, r in band.iterrows():
            parts.append(f"| `{r['method']}` | {r['kind']} | {int(r['seeds'])} | {_pct(r['escaped'])} | "
                         f"{r['escape_median']:.0f} [{r['escape_lo']:.0f}, {r['escape_hi']:.0f}] | "
                         f"{r['final_reward']:.3f} [{r['final_reward_lo']:.3f}, {r['final_reward_hi']:.3f}] |")
        parts.append("")
    return "\n".join(parts)


def beta_traces(metrics: Iterable[tuple[str, str | Path]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{tag: (steps, mean over seeds of train/beta)} of the scheduled CPU runs (metrics.jsonl)."""
    per: dict[str, list[dict[int, float]]] = {}
    for run, path in metrics:
        recs = [json.loads(x) for x in Path(path).read_text().splitlines() if x.strip()]
        trace = {int(r["step"]): float(r["train/beta"]) for r in recs if "train/beta" in r}
        if trace:
            per.setdefault(ms._tag(run), []).append(trace)
    out = {}
    for tag, traces in per.items():
        steps = sorted(set.intersection(*(set(t) for t in traces)))
        out[tag] = (np.array(steps), np.array([np.mean([t[s] for t in traces]) for s in steps]))
    return out


class _Colors:
    """One colour per schedule family (cosine, linear, switch, difficulty) and per fixed β, the same in every panel."""

    FAMILY = {"cos": 3, "lin": 4, "sw": 5, "dif": 6}

    def __init__(self, plt):
        self.cmap, self.fixed = plt.get_cmap("tab10"), {}

    def __getitem__(self, tag: str):
        part = tag.split("-", 1)[-1]
        for prefix, i in self.FAMILY.items():
            if part.startswith(prefix):
                return self.cmap(i)
        self.fixed.setdefault(part, [0, 1, 2, 7, 8, 9][len(self.fixed) % 6])
        return self.cmap(self.fixed[part])


def plot(table: pd.DataFrame, curves: dict | None, traces: dict, pdf: str | Path, png: str | Path) -> None:
    """(a) bandit MA reward (mean over seeds), (b) CPU β per step, (c) CPU pass@1 vs pass@kmax with CIs."""
    from rsgrpo.reports import _style

    plt = _style.plt()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    colors = _Colors(plt)
    ax = axes[0]
    if curves is not None:
        for t in dict.fromkeys(curves["tag"]):
            rows = np.flatnonzero(curves["tag"] == t)
            if curves["method"][rows[0]] != "rs_grpo":
                continue
            ax.plot(curves["curve_samples"], np.nanmean(curves["ma_reward"][rows], 0), color=colors[t],
                    ls="--" if _kind(t) == "fixed" else "-", lw=1.4, label=t.replace("rs_grpo-", ""))
        ax.axhline(curves["config"]["escape_threshold"], color="0.6", lw=0.8, ls=":")
        ax.set_xlim(0, min(float(curves["curve_samples"][-1]), 160_000))
        ax.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
        ax.set_xlabel(f"samples (first {ax.get_xlim()[1]:.3g} of {float(curves['curve_samples'][-1]):.3g})")
        ax.set_ylabel("MA reward (mean over seeds)")
        ax.legend(fontsize=7, ncol=2)
    ax.set_title("(a) bandit: reward over training")
    ax = axes[1]
    cpu = table[table["part"] == "cpu"]
    for _, r in cpu.iterrows():
        t = r["method"]
        if t in traces:
            ax.plot(*traces[t], color=colors[t], lw=1.4, label=t.replace("rs_grpo-", ""))
        elif r["kind"] == "fixed":
            ax.axhline(float(t.split("-b")[1]), color=colors[t], ls="--", lw=1.2, label=t.replace("rs_grpo-", ""))
    ax.set_xlabel("RL step")
    ax.set_ylabel("β (mean over prompts and seeds)")
    ax.set_title("(b) CPU experiment: β per step")
    ax.legend(fontsize=7, ncol=2)
    ax = axes[2]
    if len(cpu):
        k = _kmax(cpu)
        for _, r in cpu.iterrows():
            t = r["method"]
            ax.errorbar(r["pass@1"], r[f"pass@{k}"], xerr=[[r["pass@1"] - r["pass@1_lo"]], [r["pass@1_hi"] - r["pass@1"]]],
                        yerr=[[r[f"pass@{k}"] - r[f"pass@{k}_lo"]], [r[f"pass@{k}_hi"] - r[f"pass@{k}"]]],
                        fmt="s" if r["kind"] == "fixed" else "o", color=colors[t], ms=6, capsize=2,
                        label=t.replace("rs_grpo-", ""))
        ax.set_xlabel("pass@1 (seeds pooled, 95% CI)")
        ax.set_ylabel(f"pass@{k}")
        ax.legend(fontsize=7)
    ax.set_title("(c) CPU experiment: pass@1 vs pass@k")
    for a in axes:
        a.grid(True, ls="--", alpha=0.4)
    fig.tight_layout()
    _style.save_figure(fig, pdf, png)


def write_study(table: pd.DataFrame, curves: dict | None, traces: dict, csv: str | Path, md: str | Path,
                pdf: str | Path, png: str | Path, title: str | None = None) -> dict[str, Any]:
    """Write the table (CSV), the markdown and the figure; returns the verdict."""
    from rsgrpo.io import atomic_path, atomic_write_text

    v = verdict(table)
    with atomic_path(csv) as tmp:
        table.to_csv(tmp, index=False, float_format="%.10g")
    atomic_write_text(md, render(table, v, **({"title": title} if title else {})))
    plot(table, curves, traces, pdf, png)
    return v
