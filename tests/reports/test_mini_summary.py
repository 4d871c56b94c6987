"""rsgrpo.reports.mini_summary: the verdict follows from the table's numbers (recomputed here)."""

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


def _entries(tmp_path, grpo_c, rs_c, base_c):
    out = [("tiny__base", _counts(tmp_path / "base.parquet", base_c))]
    for seed in (0, 1):
        out.append((f"tiny__ops__grpo__s{seed}", _counts(tmp_path / f"g{seed}.parquet", grpo_c)))
        out.append((f"tiny__ops__dr_grpo__s{seed}", _counts(tmp_path / f"d{seed}.parquet", grpo_c)))
        out.append((f"tiny__ops__rs_grpo-b4__s{seed}", _counts(tmp_path / f"r{seed}.parquet", rs_c)))
    return out


def _loop_mean(n, c, k):  # reference: plain-loop unbiased pass@k mean
    from math import comb

    return float(np.mean([1 - comb(n - ci, k) / comb(n, k) for ci in c]))


def test_table_values_and_verdict_recomputed_from_csv(tmp_path):
    base_c = [3] * 10  # every problem solvable, rarely
    grpo_c = [20] * 5 + [0] * 5  # sharpened: half the problems lost
    rs_c = [10] * 10
    files = [tmp_path / x for x in ("t.csv", "s.md")]
    v = ms.write_mini(_entries(tmp_path, grpo_c, rs_c, base_c), *files, ks=[1, 8, 64], n_boot=200)
    table = pd.read_csv(files[0])
    assert table["method"].tolist()[:3] == ["base", "grpo", "dr_grpo"]
    row = table.set_index("method").loc["grpo"]
    assert row["pass@64"] == pytest.approx(_loop_mean(64, grpo_c, 64))
    assert row["pass@8"] == pytest.approx(_loop_mean(64, grpo_c, 8))
    assert row["pass@64_lo"] <= row["pass@64"] <= row["pass@64_hi"]
    assert row["seeds"] == 2 and row["num_units"] == 20
    # the verdict is a function of the table only: recomputing it from the CSV gives the same answer
    assert ms.verdict(table) == v
    assert v["k"] == 64 and v["grpo"]["grpo"]["below_base"] and v["rs"]["rs_grpo-b4"]["vs"]["grpo"]["beats"]
    cost = v["rs"]["rs_grpo-b4"]["vs"]["grpo"]["pass1_cost"]
    assert cost == pytest.approx(row["pass@1"] - table.set_index("method").loc["rs_grpo-b4", "pass@1"])
    text = files[1].read_text()
    assert "**grpo** pass@64 = 50.0% FELL BELOW the base model's 100.0%" in text
    assert "**rs_grpo-b4** pass@64 = 100.0% BEAT grpo" in text


def test_verdict_reports_the_negative_case(tmp_path):
    same = [10] * 10
    v = ms.write_mini(_entries(tmp_path, same, [1] * 10, same), tmp_path / "a.csv", tmp_path / "s.md", ks=[1, 64], n_boot=100)
    assert not v["grpo"]["grpo"]["below_base"] and not v["rs"]["rs_grpo-b4"]["vs"]["grpo"]["beats"]
    text = (tmp_path / "s.md").read_text()
    assert "did NOT fall below" in text and "did NOT beat" in text
    assert v["rs"]["rs_grpo-b4"]["vs"]["grpo"]["pass1_cost"] > 0 and "pass@1 cost" in text


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError):
        ms.method_table([])
    p = _counts(tmp_path / "x.parquet", [1, 2], n=8)
    with pytest.raises(ValueError):
        ms.method_table([("tiny__base", p)], ks=[16])
    t = ms.method_table([("tiny__ops__grpo__s0", p)], ks=[1, 4], n_boot=100)
    with pytest.raises(ValueError):
        ms.verdict(t)  # no base row


SUMMARY, TABLE = ROOT / "paper_figures" / "mini_summary.md", ROOT / "paper_figures" / "table2_mini.csv"


@pytest.mark.skipif(not (SUMMARY.exists() and TABLE.exists()), reason="the default DAG has not produced the mini summary")
def test_generated_summary_matches_its_table():
    table = pd.read_csv(TABLE)
    v = ms.verdict(table)
    text = SUMMARY.read_text()
    for g, x in v["grpo"].items():
        word = "FELL BELOW" if x["below_base"] else "did NOT fall below"
        assert f"**{g}** pass@{v['k']} = {100 * x['value']:.1f}% {word}" in text
    for tag, x in v["rs"].items():
        for g, c in x["vs"].items():
            assert f"**{tag}** pass@{v['k']} = {100 * x['value']:.1f}% {'BEAT' if c['beats'] else 'did NOT beat'} {g}" in text
    k = v["k"]
    assert np.all(table[f"pass@{k}_lo"] <= table[f"pass@{k}"] + 1e-12)
