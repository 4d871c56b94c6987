"""The β-schedule study's verdict (rsgrpo.reports.beta_schedules) recomputed from its table with plain loops:
hand-made tables (each line holding and not holding), and the generated paper_figures/beta_schedules.csv when
the study target has been built."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rsgrpo.reports import beta_schedules as bs

ROOT = Path(__file__).resolve().parents[2]


def _cpu(tag, kind, p1, p1_lo, p1_hi, pk, k=1024):
    return {"part": "cpu", "method": tag, "kind": kind, "seeds": 4, "pass@1_median": p1, "pass@1": p1,
            "pass@1_lo": p1_lo, "pass@1_hi": p1_hi, f"pass@{k}_median": pk, f"pass@{k}": pk,
            f"pass@{k}_lo": pk - 0.01, f"pass@{k}_hi": min(1.0, pk + 0.01)}


def _bandit(tag, kind, esc, fin):
    return {"part": "bandit", "method": tag, "kind": kind, "seeds": 32, "escaped": 1.0, "escape_median": esc,
            "escape_lo": esc - 1000, "escape_hi": esc + 1000, "final_reward": fin, "final_reward_lo": fin - 0.005,
            "final_reward_hi": fin + 0.005}


def recompute(table: pd.DataFrame) -> dict:
    """Loop reference of the verdict: {(part, schedule): holds}, answers and the best fixed rows."""
    out = {}
    cpu = [r for _, r in table.iterrows() if r["part"] == "cpu"]
    if cpu:
        ks = [int(c[5:-7]) for c in table.columns if c.startswith("pass@") and c.endswith("_median")]
        k = max(kk for kk in ks if all(not np.isnan(r[f"pass@{kk}_median"]) for r in cpu))
        best = None
        for r in cpu:
            if r["kind"] == "fixed" and (best is None or r["pass@1_median"] > best["pass@1_median"]):
                best = r
        out["cpu_best"] = best["method"]

        def wins(r, f):
            sep = r["pass@1_lo"] > f["pass@1_hi"] or r["pass@1_hi"] < f["pass@1_lo"]
            beats = r["pass@1_median"] - f["pass@1_median"] > 0 and sep
            return bool(beats and r[f"pass@{k}_median"] - f[f"pass@{k}_median"] >= -0.02)

        out["vs_fixed"] = {}
        for r in cpu:
            if r["kind"] == "schedule":
                out[("cpu", r["method"])] = wins(r, best)
        for f in cpu:
            if f["kind"] == "fixed" and f["method"] != best["method"]:
                out["vs_fixed"][f["method"]] = [r["method"] for r in cpu if r["kind"] == "schedule" and wins(r, f)]
    band = [r for _, r in table.iterrows() if r["part"] == "bandit"]
    if band:
        fixed = [r for r in band if r["kind"] == "fixed"]
        fastest = fixed[0]
        for r in fixed:
            if r["escape_median"] < fastest["escape_median"]:
                fastest = r
        best = max(r["final_reward"] for r in fixed)
        for r in band:
            if r["kind"] == "schedule":
                out[("bandit", r["method"])] = bool(r["escape_hi"] < fastest["escape_lo"]
                                                    and r["final_reward"] >= best - 0.01)
    return out


def _check(table: pd.DataFrame, v: dict) -> None:
    ref = recompute(table)
    if v["cpu"]:
        assert v["cpu"]["best_fixed"] == ref["cpu_best"] and v["cpu"]["vs_fixed"] == ref["vs_fixed"]
    for (part, tag), holds in ((k, x) for k, x in ref.items() if isinstance(k, tuple)):
        assert v[part]["schedules"][tag]["holds"] == holds, (part, tag)
    for part in ("cpu", "bandit"):
        if v[part]:
            assert v[part]["answer"] == [t for (p, t), h in ((k, x) for k, x in ref.items() if isinstance(k, tuple))
                                         if p == part and h]
    md = bs.render(table, v)
    for (part, tag), holds in ((k, x) for k, x in ref.items() if isinstance(k, tuple)):
        line = next(ln for ln in md.splitlines() if ln.startswith(f"- `{tag}`") and
                    (("pass@1" in ln) == (part == "cpu")))
        assert ("**holds**" in line) == holds and ("**does NOT hold**" in line) == (not holds), line


def test_verdict_lines_hold_and_do_not_hold():
    rows = [_cpu("rs_grpo-b2", "fixed", 0.60, 0.58, 0.62, 1.00), _cpu("rs_grpo-b4", "fixed", 0.66, 0.64, 0.68, 1.00),
            _cpu("rs_grpo-cos8to2w25d100", "schedule", 0.72, 0.70, 0.74, 0.99),   # beats, keeps: holds
            _cpu("rs_grpo-sw8at50", "schedule", 0.75, 0.73, 0.77, 0.90),          # beats, loses pass@k
            _cpu("rs_grpo-dif8to2", "schedule", 0.67, 0.65, 0.69, 1.00),          # CIs overlap
            _bandit("rs_grpo-b2", "fixed", 400001, 0.60), _bandit("rs_grpo-b8", "fixed", 60000, 0.99),
            _bandit("rs_grpo-cos8to2w1000d5000", "schedule", 50000, 0.995),       # faster, same reward
            _bandit("rs_grpo-lin8to2w1000d5000", "schedule", 59000, 0.995),       # faster, CIs overlap
            _bandit("rs_grpo-sw8at5000", "schedule", 55000, 0.97)]                # faster, lower reward
    table = pd.DataFrame(rows)
    v = bs.verdict(table)
    assert v["cpu"]["best_fixed"] == "rs_grpo-b4" and v["cpu"]["answer"] == ["rs_grpo-cos8to2w25d100"]
    assert v["cpu"]["vs_fixed"] == {"rs_grpo-b2": ["rs_grpo-cos8to2w25d100", "rs_grpo-dif8to2"]}
    assert v["bandit"]["fastest_fixed"] == "rs_grpo-b8" and v["bandit"]["answer"] == ["rs_grpo-cos8to2w1000d5000"]
    _check(table, v)
    md = bs.render(table, v)
    assert "**Answer (CPU):** schedules that beat the best fixed β on pass@1 without losing pass@1024: " \
           "`rs_grpo-cos8to2w25d100`." in md
    # nothing beats: the answer says so
    none = table[~table["method"].isin(["rs_grpo-cos8to2w25d100", "rs_grpo-cos8to2w1000d5000"])].reset_index(drop=True)
    v = bs.verdict(none)
    assert v["cpu"]["answer"] == [] and v["bandit"]["answer"] == []
    _check(none, v)
    assert "pass@1024: none." in bs.render(none, v)


def test_verdict_needs_a_fixed_row():
    table = pd.DataFrame([_cpu("rs_grpo-sw8at50", "schedule", 0.7, 0.6, 0.8, 1.0)])
    with pytest.raises(ValueError, match="no fixed-beta row"):
        bs.verdict(table)


def test_bandit_rows_count_a_seed_that_never_escapes_as_after_the_last_sample():
    s = pd.DataFrame({"method": ["rs_grpo"] * 4, "tag": ["rs_grpo-b2"] * 2 + ["rs_grpo-sw8at50"] * 2,
                      "seed": [43, 44, 43, 44], "final_reward": [0.6, 0.6, 0.99, 0.97],
                      "escape_step": [np.nan, np.nan, 1000.0, 3000.0]})
    t = bs.bandit_rows(s, n_samples=10_000, n_boot=50)
    assert t["kind"].tolist() == ["fixed", "schedule"]
    assert t.loc[0, "escape_median"] == 10_001 and t.loc[0, "escaped"] == 0.0
    assert t.loc[1, "escape_median"] == 2000.0 and t.loc[1, "final_reward"] == pytest.approx(0.98)


def test_generated_study_verdict_is_recomputed_from_its_table():
    csv, md = ROOT / "paper_figures" / "beta_schedules.csv", ROOT / "paper_figures" / "beta_schedules.md"
    if not (csv.exists() and md.exists()):
        pytest.skip("the study has not been built here (snakemake --cores all beta_schedules)")
    table = pd.read_csv(csv)
    v = bs.verdict(table)
    _check(table, v)
    text = md.read_text()
    for line in bs.render(table, v).splitlines():
        if line.startswith(("- `", "**Answer", "Against `")):
            assert line in text, line
    assert re.search(r"\*\*Answer \(CPU\):\*\*", text)
