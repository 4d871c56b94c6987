"""The embedded default's verdict: did GRPO's pass@k at the largest k fall below the base model, did RS-GRPO
beat GRPO there, and at what pass@1 cost? Computed from the mini table's numbers only.

    method_table(entries, ks) -> DataFrame       entries: (run, counts.parquet path); one row per method tag
    verdict(table) -> dict                       pure function of the table (a test recomputes it)
    render(table, verdict, title) -> str         paper_figures/mini_summary.md
    write_mini(entries, csv, summary, ...)       the table (CSV) and the summary, atomically

Table rows: one per method tag (`base`, `grpo`, `dr_grpo`, `rs_grpo-b4`, `chen-k4`, ...). Seeds of a tag are
pooled as in Table 2 (every (seed, problem) is one unit: the value is the mean over seeds of the per-seed
mean pass@k). Columns per k: ``pass@k`` and its percentile-bootstrap CI ``pass@k_lo`` / ``pass@k_hi`` (units
resampled with replacement), plus ``pass@{kmax}_seeds`` (each seed's value) and ``num_units``. Fractions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from rsgrpo.runs import method_tag, parse_run

__all__ = ["KS", "method_table", "verdict", "render", "write_mini"]

KS = (1, 32, 256, 1024)
_ORDER = ["base", "grpo", "dr_grpo"]


def _tag(run: str) -> str:
    r = parse_run(run)
    return "base" if r.is_base else method_tag(r.method, r.beta, r.k)


def method_table(entries: Iterable[tuple[str, str | Path]], ks: Sequence[int] = KS, n_boot: int = 1000,
                 seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """One row per method tag; ks larger than the smallest n are dropped (they would be undefined)."""
    from rsgrpo.eval.passk import bootstrap_ci, pass_at_k_curve

    groups: dict[str, list[tuple[int | None, np.ndarray, np.ndarray]]] = {}
    for run, path in entries:
        counts = pd.read_parquet(path)
        if not {"problem_id", "n", "c"} <= set(counts.columns) or len(counts) == 0:
            raise ValueError(f"{path}: not a counts file (problem_id, n, c) with at least one problem")
        groups.setdefault(_tag(run), []).append((parse_run(run).seed, counts["n"].to_numpy(np.int64),
                                                 counts["c"].to_numpy(np.int64)))
    if not groups:
        raise ValueError("method_table: no runs")
    n_min = min(int(n.min()) for g in groups.values() for _, n, _ in g)
    ks = [int(k) for k in ks if k <= n_min]
    if not ks:
        raise ValueError(f"method_table: every k exceeds the smallest n ({n_min})")
    kmax = max(ks)
    rows = []
    order = [t for t in _ORDER if t in groups] + sorted(t for t in groups if t not in _ORDER)
    for tag in order:
        g = sorted(groups[tag], key=lambda x: -1 if x[0] is None else x[0])
        n, c = np.concatenate([x[1] for x in g]), np.concatenate([x[2] for x in g])
        ci = bootstrap_ci(n, c, ks, n_boot=n_boot, seed=seed, level=level)
        row: dict[str, Any] = {"method": tag, "seeds": len(g), "num_units": len(n)}
        for j, k in enumerate(ks):
            row[f"pass@{k}"], row[f"pass@{k}_lo"], row[f"pass@{k}_hi"] = (float(ci.estimate[j]), float(ci.lo[j]),
                                                                          float(ci.hi[j]))
        row[f"pass@{kmax}_seeds"] = " ".join(f"{pass_at_k_curve(x[1], x[2], [kmax]).mean():.3f}" for x in g)
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs.update({"ks": ks, "level": level})
    return out


def _ks(table: pd.DataFrame) -> list[int]:
    return sorted(int(c[5:]) for c in table.columns if c.startswith("pass@") and c[5:].isdigit())


def verdict(table: pd.DataFrame, grpo_tags: Sequence[str] = ("grpo", "dr_grpo"), rs_method: str = "rs_grpo"
            ) -> dict[str, Any]:
    """The verdict from the table's numbers: at kmax (the largest k of the table) and at k = 1.

    grpo[tag]: value, base value, below_base (value < base), gap (base - value), ci_separated (hi < base lo).
    rs[rs_tag][grpo_tag]: beats (rs > grpo at kmax), diff_kmax (rs - grpo), ci_separated (rs lo > grpo hi),
    pass1_cost (grpo pass@1 - rs pass@1; > 0 means RS pays pass@1).
    """
    ks = _ks(table)
    if not ks or 1 not in ks:
        raise ValueError("verdict: the table needs pass@1 and at least one larger k")
    k = ks[-1]
    by = {r["method"]: r for _, r in table.iterrows()}
    if "base" not in by:
        raise ValueError("verdict: the table has no base row")
    base = by["base"]
    out: dict[str, Any] = {"k": k, "base": {"pass@1": float(base["pass@1"]), f"pass@{k}": float(base[f"pass@{k}"])},
                           "grpo": {}, "rs": {}}
    for g in grpo_tags:
        if g in by:
            v = float(by[g][f"pass@{k}"])
            out["grpo"][g] = {"value": v, "pass@1": float(by[g]["pass@1"]), "below_base": v < float(base[f"pass@{k}"]),
                              "gap": float(base[f"pass@{k}"]) - v,
                              "ci_separated": float(by[g][f"pass@{k}_hi"]) < float(base[f"pass@{k}_lo"])}
    for tag, r in by.items():
        if not tag.startswith(rs_method):
            continue
        cmp = {}
        for g in out["grpo"]:
            cmp[g] = {"beats": float(r[f"pass@{k}"]) > float(by[g][f"pass@{k}"]),
                      "diff_kmax": float(r[f"pass@{k}"]) - float(by[g][f"pass@{k}"]),
                      "ci_separated": float(r[f"pass@{k}_lo"]) > float(by[g][f"pass@{k}_hi"]),
                      "pass1_cost": float(by[g]["pass@1"]) - float(r["pass@1"])}
        out["rs"][tag] = {"value": float(r[f"pass@{k}"]), "pass@1": float(r["pass@1"]), "vs": cmp}
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def render(table: pd.DataFrame, v: dict[str, Any], title: str = "Mini experiment", notes: str = "") -> str:
    """Markdown: the verdict sentences, then the table (percent, CI in brackets)."""
    k = v["k"]
    lines = [f"# {title}", "", f"Verdict at the largest k = {k} (computed from the table below by "
             "`rsgrpo.reports.mini_summary.verdict`):", ""]
    b = v["base"][f"pass@{k}"]
    for g, x in v["grpo"].items():
        word = "FELL BELOW" if x["below_base"] else "did NOT fall below"
        sep = " (bootstrap CIs separated)" if x["ci_separated"] else " (bootstrap CIs overlap)"
        lines.append(f"- **{g}** pass@{k} = {_pct(x['value'])} {word} the base model's {_pct(b)} "
                     f"(gap {100 * x['gap']:+.1f} points){sep if x['below_base'] else ''}.")
    for tag, x in v["rs"].items():
        for g, c in x["vs"].items():
            word = "BEAT" if c["beats"] else "did NOT beat"
            cost = (f"at a pass@1 cost of {100 * c['pass1_cost']:.1f} points" if c["pass1_cost"] > 0
                    else f"with a pass@1 gain of {100 * -c['pass1_cost']:.1f} points")
            lines.append(f"- **{tag}** pass@{k} = {_pct(x['value'])} {word} {g} by {100 * c['diff_kmax']:+.1f} "
                         f"points{' (CIs separated)' if c['ci_separated'] else ''}, {cost} "
                         f"(pass@1 {_pct(x['pass@1'])} vs {_pct(v['grpo'][g]['pass@1'])}).")
    ks = _ks(table)
    head = ["method", "seeds"] + [f"pass@{kk}" for kk in ks] + [f"pass@{ks[-1]} per seed"]
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in table.iterrows():
        cells = [str(r["method"]), str(r["seeds"])]
        cells += [f"{100 * r[f'pass@{kk}']:.1f} [{100 * r[f'pass@{kk}_lo']:.1f}, {100 * r[f'pass@{kk}_hi']:.1f}]"
                  for kk in ks]
        cells.append(str(r[f"pass@{ks[-1]}_seeds"]))
        lines.append("| " + " | ".join(cells) + " |")
    level = table.attrs.get("level", 0.95)
    lines += ["", f"Percent; brackets: {int(100 * level)}% percentile bootstrap over (seed, problem) units; seeds "
              "pooled (mean over seeds of the per-seed mean). pass@k is the unbiased estimator from per-problem "
              "counts (n samples per problem, results/eval/{run}/{benchmark}/counts.parquet)."]
    if notes:
        lines += ["", notes]
    return "\n".join(lines) + "\n"


def write_mini(entries: Iterable[tuple[str, str | Path]], csv: str | Path, summary: str | Path,
               ks: Sequence[int] = KS, n_boot: int = 1000, title: str = "Mini experiment", notes: str = "") -> dict:
    """The table (CSV) and the summary (verdict + table, markdown), atomically; returns the verdict."""
    from rsgrpo.io import atomic_write_text

    table = method_table(entries, ks, n_boot=n_boot)
    v = verdict(table)
    atomic_write_text(csv, table.to_csv(index=False))
    atomic_write_text(summary, render(table, v, title, notes))
    return v
