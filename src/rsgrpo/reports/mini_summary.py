"""The embedded default's verdict: the paper's whole signature (Sec. 1, Sec. 6, Figs. 4-5, Table 2), each line
computed from the mini table's numbers only, and stated in the same words whether or not it holds.

    method_table(entries, ks, metrics) -> DataFrame     entries: (run, counts.parquet); metrics: (run, metrics.jsonl)
    verdict(table, spec) -> dict                        pure function of the table (a test recomputes it)
    render(table, verdict, ks, title) -> str            paper_figures/mini_summary.md
    write_mini(entries, csv, summary, ...)              the table (CSV) and the summary, atomically

Table rows: one per method tag (`base`, `grpo`, `dr_grpo`, `rs_grpo-b4`, `chen-k4`, ...). For every k of the
curve grid (powers of two up to the smallest n, plus the requested ks): ``pass@k_median`` (median over seeds of
each seed's mean pass@k: the verdict's value), ``pass@k`` (seeds pooled: every (seed, problem) is one unit, as
in Table 2) and its percentile-bootstrap CI ``pass@k_lo`` / ``pass@k_hi``; ``pass@1_seeds`` /
``pass@{kmax}_seeds`` (each seed's value); from the training logs ``train_reward_final`` (mean
train/reward_mean over the last tenth of the steps) and ``solve_rate_cum_final`` (last train/solve_rate_cum),
medians over seeds, with their ``_seeds`` strings. Fractions.

The verdict's six points (`SPEC` names the rows): (1) GRPO pass@1 vs base; (2) GRPO pass@kmax vs base and the
crossover k (the first k of the grid at which GRPO's curve is below the base curve); (3) RS-GRPO pass@kmax vs
base and vs GRPO; (4) RS-GRPO pass@1 vs GRPO; (5) the Fig. 5 ordering over beta (final training reward falls,
cumulative solve rate rises); (6) RS-GRPO vs the pass@k baselines at pass@1 and pass@kmax.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from rsgrpo.runs import method_tag, parse_run

__all__ = ["KS", "SPEC", "method_table", "verdict", "render", "write_mini"]

KS = (1, 32, 256, 1024)
_ORDER = ["base", "grpo", "dr_grpo"]
# Rows the verdict compares (report.mini_summary overrides them); fig5: beta -> tag (beta 0 = Dr.GRPO, Sec. 4).
MATCH = 0.02  # "matches": within 2 points (points 4 and 6); "keeps pass@k at the base level": within 5 (point 3)
KEEP = 0.05
SPEC: dict[str, Any] = {"grpo": ["grpo", "dr_grpo"], "rs": "rs_grpo-b4",
                        "baselines": ["chen-k4", "mahdavi-k4", "pkpo-k4"],
                        "fig5": {0: "dr_grpo", 2: "rs_grpo-b2", 4: "rs_grpo-b4"}}


def _tag(run: str) -> str:
    r = parse_run(run)
    return "base" if r.is_base else method_tag(r.method, r.beta, r.k)


def _grid(n_min: int, ks: Sequence[int]) -> list[int]:
    """Powers of two up to n_min, plus the requested ks <= n_min (sorted, unique)."""
    pw = [2 ** i for i in range(int(np.floor(np.log2(n_min))) + 1)]
    return sorted(set(pw) | {int(k) for k in ks if k <= n_min})


def _final(path: str | Path) -> tuple[float, float]:
    """(mean train/reward_mean over the last tenth of the steps, last train/solve_rate_cum) of a metrics.jsonl."""
    recs = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    recs = [r for r in recs if "train/reward_mean" in r]
    if not recs:
        raise ValueError(f"{path}: no training steps (train/reward_mean)")
    tail = recs[-max(1, len(recs) // 10):]
    return float(np.mean([r["train/reward_mean"] for r in tail])), float(recs[-1].get("train/solve_rate_cum", np.nan))


def _seeds_str(values: Sequence[float]) -> str:
    return " ".join(f"{v:.3f}" for v in values)


def method_table(entries: Iterable[tuple[str, str | Path]], ks: Sequence[int] = KS,
                 metrics: Iterable[tuple[str, str | Path]] = (), n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> pd.DataFrame:
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
    dyn: dict[str, list[tuple[int | None, float, float]]] = {}
    for run, path in metrics:
        dyn.setdefault(_tag(run), []).append((parse_run(run).seed, *_final(path)))
    n_min = min(int(n.min()) for g in groups.values() for _, n, _ in g)
    if not [k for k in ks if k <= n_min]:
        raise ValueError(f"method_table: every k exceeds the smallest n ({n_min})")
    grid = _grid(n_min, ks)
    kmax = grid[-1]
    rows = []
    order = [t for t in _ORDER if t in groups] + sorted(t for t in groups if t not in _ORDER)
    for tag in order:
        g = sorted(groups[tag], key=lambda x: -1 if x[0] is None else x[0])
        n, c = np.concatenate([x[1] for x in g]), np.concatenate([x[2] for x in g])
        ci = bootstrap_ci(n, c, grid, n_boot=n_boot, seed=seed, level=level)
        per_seed = np.stack([pass_at_k_curve(x[1], x[2], grid).mean(0) for x in g])  # (S, K)
        row: dict[str, Any] = {"method": tag, "seeds": len(g), "num_units": len(n),
                               "seed_ids": " ".join("-" if x[0] is None else str(x[0]) for x in g)}
        for j, k in enumerate(grid):
            row[f"pass@{k}_median"] = float(np.median(per_seed[:, j]))
            row[f"pass@{k}"], row[f"pass@{k}_lo"], row[f"pass@{k}_hi"] = (float(ci.estimate[j]), float(ci.lo[j]),
                                                                          float(ci.hi[j]))
        row["pass@1_seeds"] = _seeds_str(per_seed[:, 0])
        row[f"pass@{kmax}_seeds"] = _seeds_str(per_seed[:, -1])
        d = sorted(dyn.get(tag, []), key=lambda x: -1 if x[0] is None else x[0])
        for j, col in ((1, "train_reward_final"), (2, "solve_rate_cum_final")):
            row[col] = float(np.median([x[j] for x in d])) if d else float("nan")
            row[f"{col}_seeds"] = _seeds_str([x[j] for x in d])
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs.update({"ks": [k for k in ks if k <= n_min], "level": level})
    return out


def _ks(table: pd.DataFrame) -> list[int]:
    return sorted(int(c[5:]) for c in table.columns if c.startswith("pass@") and c[5:].isdigit())


def _point(by: dict, tag: str, k: int) -> dict[str, float]:
    r = by[tag]
    return {"median": float(r[f"pass@{k}_median"]), "pooled": float(r[f"pass@{k}"]), "lo": float(r[f"pass@{k}_lo"]),
            "hi": float(r[f"pass@{k}_hi"])}


def _cmp(by: dict, a: str, b: str, k: int) -> dict[str, Any]:
    """a vs b at pass@k: medians, their difference, and whether the pooled CIs are separated."""
    x, y = _point(by, a, k), _point(by, b, k)
    return {"value": x["median"], "other": y["median"], "diff": x["median"] - y["median"],
            "ci_separated": x["lo"] > y["hi"] or x["hi"] < y["lo"]}


def _judged(by: dict, a: str, b: str, k: int, holds: Callable[[float], bool]) -> dict[str, Any]:
    """_cmp with "holds": holds(diff)."""
    c = _cmp(by, a, b, k)
    return {**c, "holds": bool(holds(c["diff"]))}


def crossover_k(table: pd.DataFrame, tag: str, ref: str = "base") -> int | None:
    """The first k of the table's grid at which `tag`'s median curve is below `ref`'s (None: never)."""
    by = {r["method"]: r for _, r in table.iterrows()}
    for k in _ks(table):
        if float(by[tag][f"pass@{k}_median"]) < float(by[ref][f"pass@{k}_median"]):
            return k
    return None


def verdict(table: pd.DataFrame, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """The six points from the table's numbers (medians over seeds; CIs: pooled bootstrap). Rows a point needs
    but the table lacks are skipped (listed under "missing")."""
    spec = {**SPEC, **(spec or {})}
    ks = _ks(table)
    if not ks or 1 not in ks or len(ks) < 2:
        raise ValueError("verdict: the table needs pass@1 and at least one larger k")
    k = ks[-1]
    by = {r["method"]: r for _, r in table.iterrows()}
    if "base" not in by:
        raise ValueError("verdict: the table has no base row")
    grpo = [g for g in spec["grpo"] if g in by]
    rs = spec["rs"] if spec["rs"] in by else None
    out: dict[str, Any] = {"k": k, "grpo_tags": grpo, "rs_tag": rs, "missing": sorted(
        t for t in [*spec["grpo"], spec["rs"], *spec["baselines"], *map(str, spec["fig5"].values())] if t not in by)}
    gain, loss = (lambda d: d > 0), (lambda d: d < 0)
    keeps, matches = (lambda d: d >= -KEEP), (lambda d: d >= -MATCH)
    out["grpo_pass1"] = {g: _judged(by, g, "base", 1, gain) for g in grpo}
    out["grpo_passk"] = {g: {**_judged(by, g, "base", k, loss), "crossover_k": crossover_k(table, g)} for g in grpo}
    if rs:
        out["rs_passk"] = {"vs_base": _judged(by, rs, "base", k, keeps),
                           "vs": {g: _judged(by, rs, g, k, gain) for g in grpo}}
        out["rs_pass1"] = {g: _judged(by, rs, g, 1, matches) for g in grpo}
        out["baselines"] = {}
        for b in (b for b in spec["baselines"] if b in by):
            c1, ck = _cmp(by, rs, b, 1), _cmp(by, rs, b, k)
            out["baselines"][b] = {"pass@1": c1, f"pass@{k}": ck, "holds": matches(c1["diff"]) and matches(ck["diff"])}
    betas = sorted((float(b), t) for b, t in spec["fig5"].items() if t in by
                   and not np.isnan(float(by[t]["train_reward_final"])))
    rew = [float(by[t]["train_reward_final"]) for _, t in betas]
    sol = [float(by[t]["solve_rate_cum_final"]) for _, t in betas]
    out["fig5"] = {"betas": [b for b, _ in betas], "tags": [t for _, t in betas], "reward": rew, "solve_rate": sol,
                   "reward_falls": len(betas) > 1 and all(x > y for x, y in zip(rew, rew[1:])),
                   "solve_rises": len(betas) > 1 and all(x < y for x, y in zip(sol, sol[1:]))}
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _pts(x: float) -> str:
    return f"{100 * x:+.1f} points"


def _holds(h: bool) -> str:
    return "holds" if h else "does NOT hold"


def _sep(c: dict) -> str:
    return "bootstrap CIs separated" if c["ci_separated"] else "bootstrap CIs overlap"


def _lines(v: dict[str, Any]) -> list[str]:
    k, out = v["k"], []
    for g, c in v["grpo_pass1"].items():
        out.append(f"1. **{g} pass@1 vs base**: {_pct(c['value'])} vs {_pct(c['other'])} ({_pts(c['diff'])}, {_sep(c)})"
                   f" - the paper's claim that RL raises pass@1 {_holds(c['holds'])}.")
    for g, c in v["grpo_passk"].items():
        cross = ("its curve never falls below the base curve" if c["crossover_k"] is None else
                 "its curve is below the base curve from k = 1 on" if c["crossover_k"] == 1 else
                 f"its curve crosses below the base curve at k = {c['crossover_k']}")
        out.append(f"2. **{g} pass@{k} vs base**: {_pct(c['value'])} vs {_pct(c['other'])} ({_pts(c['diff'])}, "
                   f"{_sep(c)}); {cross} - the claim that pass@k at large k falls below the base model "
                   f"{_holds(c['holds'])}.")
    rs = v.get("rs_tag")
    if rs:
        c = v["rs_passk"]["vs_base"]
        out.append(f"3. **{rs} pass@{k} vs base**: {_pct(c['value'])} vs {_pct(c['other'])} ({_pts(c['diff'])}) - the "
                   f"claim that RS-GRPO keeps pass@k at the base model's level (within 5 points) {_holds(c['holds'])}.")
        for g, c in v["rs_passk"]["vs"].items():
            out.append(f"3. **{rs} pass@{k} vs {g}**: {_pct(c['value'])} vs {_pct(c['other'])} ({_pts(c['diff'])}, "
                       f"{_sep(c)}) - the claim that RS-GRPO beats it at large k {_holds(c['holds'])}.")
        for g, c in v["rs_pass1"].items():
            out.append(f"4. **{rs} pass@1 vs {g}**: {_pct(c['value'])} vs {_pct(c['other'])} ({_pts(c['diff'])}, "
                       f"{_sep(c)}) - the claim that RS-GRPO's pass@1 is about GRPO's or better (within 2 points) "
                       f"{_holds(c['holds'])}.")
    f = v["fig5"]
    if len(f["betas"]) > 1:
        pairs = ", ".join(f"beta {b:g} ({t}) {_pct(r)} / {_pct(s)}" for b, t, r, s in
                          zip(f["betas"], f["tags"], f["reward"], f["solve_rate"]))
        out.append(f"5. **Fig. 5 ordering** (final training reward / cumulative training solve rate): {pairs} - the "
                   f"claim that the training reward rises more slowly as beta grows {_holds(f['reward_falls'])}; the "
                   f"claim that the cumulative solve rate rises faster as beta grows {_holds(f['solve_rises'])}.")
    else:
        out.append("5. **Fig. 5 ordering**: fewer than two beta rows with training logs - not stated.")
    for b, c in (v.get("baselines") or {}).items():
        p1, pk = c["pass@1"], c[f"pass@{k}"]
        out.append(f"6. **{rs} vs {b}**: pass@1 {_pct(p1['value'])} vs {_pct(p1['other'])} ({_pts(p1['diff'])}), "
                   f"pass@{k} {_pct(pk['value'])} vs {_pct(pk['other'])} ({_pts(pk['diff'])}) - the claim that "
                   f"RS-GRPO matches (within 2 points) or beats the pass@k baseline at both (Table 2) "
                   f"{_holds(c['holds'])}.")
    if v["missing"]:
        out.append(f"Rows not in the table (their lines are left out): {', '.join(v['missing'])}.")
    return out


def render(table: pd.DataFrame, v: dict[str, Any], ks: Sequence[int] | None = None, title: str = "Mini experiment",
           notes: str = "") -> str:
    """Markdown: the verdict lines, then the table (percent; median over seeds, pooled value and CI)."""
    k = v["k"]
    lines = [f"# {title}", "", f"Verdict (values: median over seeds of each seed's mean; k = {k} is the largest; "
             "computed from the table below by `rsgrpo.reports.mini_summary.verdict`):", "", *_lines(v)]
    shown = [kk for kk in (ks or table.attrs.get("ks") or _ks(table)) if kk in _ks(table)]
    head = (["method", "seeds"] + [f"pass@{kk}" for kk in shown] + ["pass@1 per seed", f"pass@{k} per seed",
                                                                     "final train reward", "cum. solve rate"])
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _, r in table.iterrows():
        cells = [str(r["method"]), str(r["seeds"])]
        cells += [f"{100 * r[f'pass@{kk}_median']:.1f} ({100 * r[f'pass@{kk}']:.1f} [{100 * r[f'pass@{kk}_lo']:.1f}, "
                  f"{100 * r[f'pass@{kk}_hi']:.1f}])" for kk in shown]
        cells += [str(r["pass@1_seeds"]), str(r[f"pass@{k}_seeds"])]
        cells += ["-" if pd.isna(r[c]) else f"{100 * r[c]:.1f}" for c in ("train_reward_final", "solve_rate_cum_final")]
        lines.append("| " + " | ".join(cells) + " |")
    level = table.attrs.get("level", 0.95)
    lines += ["", f"Percent: median over seeds (seeds pooled, and its {int(100 * level)}% percentile bootstrap CI over "
              "(seed, problem) units). pass@k is the unbiased estimator from per-problem counts (n samples per "
              "problem, results/eval/{run}/{benchmark}/counts.parquet); per-seed values as fractions. Final train "
              "reward: mean train/reward_mean over the last tenth of the steps; cum. solve rate: training prompts "
              "solved at least once so far (train/solve_rate_cum, last step); medians over seeds. The full curve "
              "(every power of two) is in mini_summary.csv."]
    if notes:
        lines += ["", notes]
    return "\n".join(lines) + "\n"


def write_mini(entries: Iterable[tuple[str, str | Path]], csv: str | Path, summary: str | Path,
               ks: Sequence[int] = KS, metrics: Iterable[tuple[str, str | Path]] = (), n_boot: int = 1000,
               title: str = "Mini experiment", notes: str = "", spec: dict[str, Any] | None = None) -> dict:
    """The table (CSV) and the summary (verdict + table, markdown), atomically; returns the verdict."""
    from rsgrpo.io import atomic_write_text

    table = method_table(entries, ks, metrics=metrics, n_boot=n_boot)
    v = verdict(table, spec)
    atomic_write_text(csv, table.to_csv(index=False))
    atomic_write_text(summary, render(table, v, ks, title, notes))
    return v
