"""rsgrpo.reports.mini_summary: the verdict follows from the table's numbers (recomputed here)."""

import json
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rsgrpo.reports import mini_summary as ms

ROOT = Path(__file__).resolve().parents[2]


def _counts(path, c, n=64):
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"problem_id": [f"p{i}" for i in range(len(c))], "n": n, "c": c}).to_parquet(path)
    return path


SEEDS = (0, 1, 2, 3)


def _entries(tmp_path, grpo_c, rs_c, base_c, baseline_c=None):
    """Counts of base, 4 seeds of grpo / dr_grpo / rs_grpo-b4, 2 of rs_grpo-b2 and the pass@k baselines; each
    seed's counts shifted by its seed so that per-seed values differ."""
    def shift(c, s):
        return [min(64, x + s) if x else 0 for x in c]

    out = [("tiny__base", _counts(tmp_path / "base.parquet", base_c))]
    for tag, c, seeds in (("grpo", grpo_c, SEEDS), ("dr_grpo", grpo_c, SEEDS), ("rs_grpo-b4", rs_c, SEEDS),
                          ("rs_grpo-b2", rs_c, SEEDS[:2]), ("chen-k4", baseline_c or rs_c, SEEDS[:2]),
                          ("mahdavi-k4", baseline_c or rs_c, SEEDS[:2]), ("pkpo-k4", baseline_c or rs_c, SEEDS[:2])):
        for seed in seeds:
            out.append((f"tiny__ops__{tag}__s{seed}", _counts(tmp_path / f"{tag}{seed}.parquet", shift(c, seed))))
    return out


def _metrics(tmp_path, finals):
    """metrics.jsonl of dr_grpo / rs_grpo-b2 / rs_grpo-b4 (every seed): 20 steps, the last 2 at `reward`."""
    out = []
    for tag, (reward, solve) in finals.items():
        for seed in SEEDS:
            path = tmp_path / f"m_{tag}{seed}.jsonl"
            recs = [{"step": 0, "val/pass@1": 0.1}] + [
                {"step": t, "train/reward_mean": reward if t > 18 else 0.0, "train/solve_rate_cum": solve * t / 20}
                for t in range(1, 21)]
            path.write_text("".join(json.dumps(r) + "\n" for r in recs))
            out.append((f"tiny__ops__{tag}__s{seed}", path))
    return out


def _loop_mean(n, c, k):  # reference: plain-loop unbiased pass@k mean
    return float(np.mean([1 - comb(n - ci, k) / comb(n, k) for ci in c]))


def _reference(entries, k):
    """tag -> median over seeds of the per-seed mean pass@k (plain loops over the counts files)."""
    per: dict[str, list[float]] = {}
    for run, path in entries:
        tag = "base" if "__base" in run else run.split("__")[2]
        d = pd.read_parquet(path)
        per.setdefault(tag, []).append(_loop_mean(64, d["c"].tolist(), k))
    return {t: float(np.median(v)) for t, v in per.items()}


def _reference_verdict(table):
    """Every verdict line recomputed from the CSV with plain loops (the crossover: walk the k grid)."""
    rows = {r["method"]: r for _, r in table.iterrows()}
    ks = sorted(int(c[5:]) for c in table.columns if c.startswith("pass@") and c[5:].isdigit())
    k = ks[-1]
    med = lambda t, kk: float(rows[t][f"pass@{kk}_median"])  # noqa: E731
    out = {}
    for g in ("grpo", "dr_grpo"):
        cross = None
        for kk in ks:
            if med(g, kk) < med("base", kk):
                cross = kk
                break
        out[g] = {"pass1_gain": med(g, 1) - med("base", 1), "passk_loss": med("base", k) - med(g, k),
                  "crossover": cross, "rs_passk": med("rs_grpo-b4", k) - med(g, k),
                  "rs_pass1": med("rs_grpo-b4", 1) - med(g, 1)}
    out["rs_vs_base"] = med("rs_grpo-b4", k) - med("base", k)
    out["baselines"] = {b: (med("rs_grpo-b4", 1) - med(b, 1), med("rs_grpo-b4", k) - med(b, k))
                        for b in ("chen-k4", "mahdavi-k4", "pkpo-k4")}
    rew = [float(rows[t]["train_reward_final"]) for t in ("dr_grpo", "rs_grpo-b2", "rs_grpo-b4")]
    sol = [float(rows[t]["solve_rate_cum_final"]) for t in ("dr_grpo", "rs_grpo-b2", "rs_grpo-b4")]
    out["fig5"] = (rew[0] > rew[1] > rew[2], sol[0] < sol[1] < sol[2], rew, sol)
    return out


def _check_against_reference(v, table):
    ref = _reference_verdict(table)
    k = v["k"]
    for g in ("grpo", "dr_grpo"):
        assert v["grpo_pass1"][g]["diff"] == pytest.approx(ref[g]["pass1_gain"])
        assert v["grpo_pass1"][g]["holds"] == (ref[g]["pass1_gain"] > 0)
        assert v["grpo_passk"][g]["diff"] == pytest.approx(-ref[g]["passk_loss"])
        assert v["grpo_passk"][g]["crossover_k"] == ref[g]["crossover"]
        assert v["rs_passk"]["vs"][g]["diff"] == pytest.approx(ref[g]["rs_passk"])
        assert v["rs_pass1"][g]["diff"] == pytest.approx(ref[g]["rs_pass1"])
        assert v["rs_pass1"][g]["holds"] == (ref[g]["rs_pass1"] >= -0.02)
    assert v["rs_passk"]["vs_base"]["diff"] == pytest.approx(ref["rs_vs_base"])
    for b, (d1, dk) in ref["baselines"].items():
        assert v["baselines"][b]["pass@1"]["diff"] == pytest.approx(d1)
        assert v["baselines"][b][f"pass@{k}"]["diff"] == pytest.approx(dk)
        assert v["baselines"][b]["holds"] == (d1 >= -0.02 and dk >= -0.02)
    falls, rises, rew, sol = ref["fig5"]
    assert (v["fig5"]["reward_falls"], v["fig5"]["solve_rises"]) == (falls, rises)
    assert v["fig5"]["reward"] == pytest.approx(rew) and v["fig5"]["solve_rate"] == pytest.approx(sol)


def test_table_values_and_verdict_recomputed_from_csv(tmp_path):
    base_c = [3] * 10  # every problem solvable, rarely
    grpo_c = [40] * 6 + [0] * 4  # sharpened: pass@1 up, 4 problems lost
    rs_c = [20] * 10
    entries = _entries(tmp_path, grpo_c, rs_c, base_c, baseline_c=[10] * 8 + [0] * 2)
    metrics = _metrics(tmp_path, {"dr_grpo": (0.9, 0.5), "rs_grpo-b2": (0.8, 0.7), "rs_grpo-b4": (0.7, 0.9)})
    files = [tmp_path / x for x in ("t.csv", "s.md")]
    v = ms.write_mini(entries, *files, ks=[1, 8, 64], metrics=metrics, n_boot=200)
    table = pd.read_csv(files[0])
    assert table["method"].tolist()[:3] == ["base", "grpo", "dr_grpo"]
    assert [k for k in ms._ks(table)] == [1, 2, 4, 8, 16, 32, 64]  # the whole curve grid, for the crossover
    row = table.set_index("method").loc["grpo"]
    for k in (1, 8, 64):
        assert row[f"pass@{k}_median"] == pytest.approx(_reference(entries, k)["grpo"])
        assert row[f"pass@{k}_lo"] <= row[f"pass@{k}"] <= row[f"pass@{k}_hi"]
    assert row["seeds"] == 4 and row["num_units"] == 40 and row["seed_ids"] == "0 1 2 3"
    assert len(row["pass@64_seeds"].split()) == 4
    assert table.set_index("method").loc["rs_grpo-b4", "train_reward_final"] == pytest.approx(0.7)
    assert table.set_index("method").loc["rs_grpo-b4", "solve_rate_cum_final"] == pytest.approx(0.9)
    assert np.isnan(table.set_index("method").loc["base", "train_reward_final"])
    # the verdict is a function of the table only: recomputing it from the CSV gives the same answer ...
    assert ms.verdict(table) == v
    # ... and every line agrees with a plain-loop recomputation (crossover k included)
    _check_against_reference(v, table)
    assert v["grpo_pass1"]["grpo"]["holds"] and v["grpo_passk"]["grpo"]["holds"]
    assert v["grpo_passk"]["grpo"]["crossover_k"] in (16, 32)
    assert v["rs_passk"]["vs"]["grpo"]["holds"] and v["fig5"]["reward_falls"] and v["fig5"]["solve_rises"]
    text = files[1].read_text()
    g = v["grpo_passk"]["grpo"]
    assert (f"2. **grpo pass@64 vs base**: {100 * g['value']:.1f}% vs 100.0%" in text
            and f"crosses below the base curve at k = {g['crossover_k']}" in text)
    assert "the paper's claim that RL raises pass@1 holds" in text
    assert "5. **Fig. 5 ordering**" in text and "rises more slowly as beta grows holds" in text
    for b in ("chen-k4", "mahdavi-k4", "pkpo-k4"):
        assert f"6. **rs_grpo-b4 vs {b}**" in text


def test_verdict_reports_the_negative_case(tmp_path):
    same, worse = [10] * 10, [8] * 10  # worse + the seed shifts stays below `same` at the median
    metrics = _metrics(tmp_path, {"dr_grpo": (0.7, 0.9), "rs_grpo-b2": (0.8, 0.7), "rs_grpo-b4": (0.9, 0.5)})
    v = ms.write_mini(_entries(tmp_path, worse, [1] * 10, same), tmp_path / "a.csv", tmp_path / "s.md", ks=[1, 64],
                      metrics=metrics, n_boot=100)
    _check_against_reference(v, pd.read_csv(tmp_path / "a.csv"))
    assert not v["grpo_pass1"]["grpo"]["holds"] and not v["rs_passk"]["vs"]["grpo"]["holds"]
    assert v["grpo_passk"]["grpo"]["crossover_k"] == 1 and not v["rs_pass1"]["grpo"]["holds"]
    assert not v["fig5"]["reward_falls"] and not v["fig5"]["solve_rises"]
    text = (tmp_path / "s.md").read_text()
    assert "the paper's claim that RL raises pass@1 does NOT hold" in text
    assert "below the base curve from k = 1 on" in text and "beats it at large k does NOT hold" in text
    assert "rises more slowly as beta grows does NOT hold" in text


def test_missing_rows_are_named(tmp_path):
    base = _counts(tmp_path / "b.parquet", [3] * 4)
    g = _counts(tmp_path / "g.parquet", [30] * 2 + [0] * 2)
    v = ms.write_mini([("tiny__base", base), ("tiny__ops__grpo__s0", g)], tmp_path / "a.csv", tmp_path / "s.md",
                      ks=[1, 64], n_boot=100)
    assert v["rs_tag"] is None and "rs_grpo-b4" in v["missing"]
    assert "Rows not in the table" in (tmp_path / "s.md").read_text()


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError):
        ms.method_table([])
    p = _counts(tmp_path / "x.parquet", [1, 2], n=8)
    with pytest.raises(ValueError):
        ms.method_table([("tiny__base", p)], ks=[16])
    t = ms.method_table([("tiny__ops__grpo__s0", p)], ks=[1, 4], n_boot=100)
    with pytest.raises(ValueError):
        ms.verdict(t)  # no base row
    bad = tmp_path / "m.jsonl"
    bad.write_text('{"step": 0, "val/pass@1": 0.1}\n')
    with pytest.raises(ValueError, match="no training steps"):
        ms.method_table([("tiny__base", p)], ks=[1], metrics=[("tiny__ops__grpo__s0", bad)])


SUMMARY, TABLE = ROOT / "paper_figures" / "mini_summary.md", ROOT / "paper_figures" / "mini_summary.csv"


@pytest.mark.skipif(not (SUMMARY.exists() and TABLE.exists()), reason="the default DAG has not produced the mini summary")
def test_generated_summary_matches_its_table():
    """The default DAG's summary: its verdict lines are those recomputed from its own CSV."""
    table = pd.read_csv(TABLE)
    v = ms.verdict(table)
    _check_against_reference(v, table)
    text = SUMMARY.read_text()
    for line in ms._lines(v):
        assert line in text, line
