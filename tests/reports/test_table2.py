"""Table 2 from a synthetic cache with known counts: exact pass@k, paper values joined, missing rows missing."""

from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rsgrpo.eval.passk import bootstrap_ci, paired_bootstrap_diff
from rsgrpo.reports.synthetic import write_counts
from rsgrpo.reports.table2 import PAPER_COLUMNS, build_table2, to_latex, to_markdown, write_table2

PAPER = Path(__file__).resolve().parents[2] / "config" / "reference" / "table2_paper.csv"
LABELS = {"models": {"qwen25-math-1.5b": "Qwen2.5-Math-1.5B"},
          "methods": {"base": "base", "grpo": "grpo", "rs_grpo-b2": "rs_grpo", "pkpo-k4": "pkpo",
                      "mahdavi-k4": "mahdavi", "chen-k4": "chen"}}
M, D = "Qwen2.5-Math-1.5B", "deepmath103k"
# counts (n = 32 everywhere, so pass@32 = 1[c > 0] and pass@1 = c / 32)
C = {
    ("qwen25-math-1.5b__base", "AIME24"): [0, 0, 1, 4],
    ("qwen25-math-1.5b__base", "MATH500"): [8, 16, 32],
    ("qwen25-math-1.5b__deepmath103k__grpo__s0", "AIME24"): [0, 8, 16, 32],
    ("qwen25-math-1.5b__deepmath103k__grpo__s0", "MATH500"): [32, 32, 0],
    ("qwen25-math-1.5b__deepmath103k__rs_grpo-b2__s0", "AIME24"): [2, 8, 12, 30],
    ("qwen25-math-1.5b__deepmath103k__rs_grpo-b2__s0", "MATH500"): [31, 32, 4],
}


def _loop_pass_at_k(n, c, k):
    """Reference: the textbook formula with exact integers, one problem at a time."""
    return float(np.mean([1 - comb(ni - ci, k) / comb(ni, k) for ni, ci in zip(n, c)]))


def _cache(root, counts=C, n=32):
    files = []
    for (run, bench), c in counts.items():
        ids = [f"{bench}-{i}" for i in range(len(c))]
        files.append(write_counts(root / "eval" / run / bench, ids, [n] * len(c), c))
    return files


@pytest.fixture
def table(tmp_path):
    return build_table2(_cache(tmp_path / "results"), PAPER, LABELS, n_boot=200, seed=3)


def _row(df, method, bench):
    r = df[(df.model == M) & (df.train_dataset == D) & (df.method == method) & (df.benchmark == bench)]
    assert len(r) == 1, (method, bench, len(r))
    return r.iloc[0]


def test_known_counts_give_exact_pass_at_k(table):
    assert _row(table, "grpo", "AIME24").pass_at_1 == pytest.approx(100 * (0 + 8 + 16 + 32) / 4 / 32, abs=1e-12)
    assert _row(table, "grpo", "AIME24").pass_at_32 == pytest.approx(75.0, abs=1e-12)
    assert _row(table, "base", "AIME24").pass_at_32 == pytest.approx(50.0, abs=1e-12)
    assert _row(table, "rs_grpo", "MATH500").pass_at_32 == pytest.approx(100.0, abs=1e-12)
    for (run, bench), c in C.items():
        method = {"base": "base", "grpo": "grpo", "rs_grpo-b2": "rs_grpo"}[run.split("__")[-2] if "__s" in run else "base"]
        r = _row(table, method, bench)
        for k in (1, 32):
            assert getattr(r, f"pass_at_{k}") == pytest.approx(100 * _loop_pass_at_k([32] * len(c), c, k), abs=1e-9)


def test_average_is_mean_over_the_blocks_benchmarks_only_when_complete(tmp_path):
    # only AIME24 + MATH500 in the cache, but the paper's block has six benchmarks: no average is invented
    df = build_table2(_cache(tmp_path / "r"), PAPER, LABELS, n_boot=50)
    avg = _row(df, "grpo", "Average")
    assert avg.status == "incomplete" and np.isnan(avg.pass_at_1)
    # without paper rows (a model the paper lacks) the block's benchmarks are the cache's own
    mini = {(r.replace("qwen25-math-1.5b", "tiny"), b): c for (r, b), c in C.items()}
    df = build_table2(_cache(tmp_path / "m", mini), PAPER, LABELS, n_boot=50)
    avg = df[(df.model == "tiny") & (df.method == "grpo") & (df.benchmark == "Average")].iloc[0]
    expect = (100 * (0 + 8 + 16 + 32) / 128 + 100 * 64 / 96) / 2
    assert avg.status == "ok" and avg.pass_at_1 == pytest.approx(expect, abs=1e-9)
    assert avg.pass_at_1_ci_lo <= avg.pass_at_1 <= avg.pass_at_1_ci_hi
    assert set(df.model) == {"tiny"} and (df.paper_pass_at_1.isna()).all()


def test_paper_values_joined_and_differences(table):
    paper = pd.read_csv(PAPER)
    for method in ("base", "grpo", "rs_grpo"):
        for bench in ("AIME24", "MATH500"):
            p = paper[(paper.model == M) & (paper.train_dataset == D) & (paper.method == method)
                      & (paper.benchmark == bench)].iloc[0]
            r = _row(table, method, bench)
            assert (r.paper_pass_at_1, r.paper_pass_at_32) == (p.pass_at_1, p.pass_at_32)
            assert r.diff_pass_at_1 == pytest.approx(r.pass_at_1 - p.pass_at_1)
            assert r.diff_pass_at_32 == pytest.approx(r.pass_at_32 - p.pass_at_32)
    # the paper's own RS-GRPO - GRPO delta
    sel = (paper.model == M) & (paper.train_dataset == D) & (paper.benchmark == "AIME24")
    pr, pg = (paper[sel & (paper.method == m)].iloc[0] for m in ("rs_grpo", "grpo"))
    r = _row(table, "rs_grpo", "AIME24")
    assert r.paper_delta_pass_at_1 == pytest.approx(pr.pass_at_1 - pg.pass_at_1)
    assert r.paper_delta_pass_at_32 == pytest.approx(pr.pass_at_32 - pg.pass_at_32)


def test_missing_rows_are_missing_never_invented(table):
    for method in ("pkpo", "mahdavi", "chen"):
        for bench in ("AIME24", "AIME25", "Average"):
            r = _row(table, method, bench)
            assert r.status == "missing" and np.isnan(r.pass_at_1) and np.isnan(r.pass_at_32)
            assert np.isfinite(r.paper_pass_at_1)
    r = _row(table, "grpo", "AIME25")  # benchmark the cache lacks for a present run
    assert r.status == "missing" and np.isnan(r.pass_at_1) and np.isfinite(r.paper_pass_at_1)
    # blocks with no cached run at all are not shown unless asked for
    assert "Qwen2.5-7B" not in set(table.model)
    assert (table.status == "ok").sum() == 3 * 2  # 3 methods x 2 benchmarks, nothing else


def test_all_paper_rows(tmp_path):
    df = build_table2(_cache(tmp_path / "r"), PAPER, LABELS, all_paper_rows=True, n_boot=20)
    paper = pd.read_csv(PAPER)
    assert len(df) == len(paper)  # every paper row once, our benchmarks are all paper benchmarks
    assert (df.status == "ok").sum() == 6


def test_cis_and_deltas_use_rsgrpo_passk(table):
    c_rs = C[("qwen25-math-1.5b__deepmath103k__rs_grpo-b2__s0", "AIME24")]
    c_gr = C[("qwen25-math-1.5b__deepmath103k__grpo__s0", "AIME24")]
    n = [32] * 4
    ci = bootstrap_ci(n, c_rs, [1, 32], n_boot=200, seed=3)
    r = _row(table, "rs_grpo", "AIME24")
    assert (r.pass_at_1_ci_lo, r.pass_at_1_ci_hi) == pytest.approx((100 * ci.lo[0], 100 * ci.hi[0]))
    assert (r.pass_at_32_ci_lo, r.pass_at_32_ci_hi) == pytest.approx((100 * ci.lo[1], 100 * ci.hi[1]))
    d = paired_bootstrap_diff(n, c_rs, c_gr, [1, 32], n_boot=200, seed=3)
    assert r.delta_pass_at_1 == pytest.approx(100 * (np.mean(c_rs) - np.mean(c_gr)) / 32)
    assert (r.delta_pass_at_1_ci_lo, r.delta_pass_at_1_ci_hi) == pytest.approx((100 * d.lo[0], 100 * d.hi[0]))
    assert np.isnan(_row(table, "grpo", "AIME24").delta_pass_at_1)  # the reference has no delta
    assert np.isnan(_row(table, "base", "AIME24").delta_pass_at_1)


def test_seeds_are_pooled(tmp_path):
    counts = {("tiny__toy__grpo__s0", "B"): [0, 32], ("tiny__toy__grpo__s1", "B"): [16, 16]}
    df = build_table2(_cache(tmp_path / "r", counts), PAPER, {}, n_boot=20)
    r = df[(df.benchmark == "B")].iloc[0]
    assert r.pass_at_1 == pytest.approx(100 * (0 + 1 + 0.5 + 0.5) / 4) and r.seeds == "0,1"
    assert r.n_problems == 4


def test_base_row_filled_for_each_dataset(tmp_path):
    counts = {("tiny__base", "B"): [4, 8], ("tiny__d1__grpo__s0", "B"): [8, 8], ("tiny__d2__grpo__s0", "B"): [1, 1]}
    df = build_table2(_cache(tmp_path / "r", counts), None, {}, n_boot=20)
    base = df[(df.method == "base") & (df.benchmark == "B")]
    assert sorted(base.train_dataset) == ["d1", "d2"] and base.pass_at_1.nunique() == 1


def test_outputs_have_paper_columns_and_show_missing(table, tmp_path):
    write_table2(table, tmp_path / "t.csv", tmp_path / "t.md", tmp_path / "t.tex")
    csv = pd.read_csv(tmp_path / "t.csv")
    assert list(csv.columns[:6]) == PAPER_COLUMNS
    for col in ("paper_pass_at_1", "paper_pass_at_32", "diff_pass_at_1", "pass_at_32_ci_lo", "pass_at_32_ci_hi"):
        assert col in csv.columns
    assert csv.pass_at_1.to_numpy() == pytest.approx(table.pass_at_1.to_numpy(), nan_ok=True)
    md = to_markdown(table)
    assert "## Pass@1" in md and "—" in md and "(16.6)" in md  # paper GRPO AIME24 pass@1
    tex = to_latex(table)
    assert r"\toprule" in tex and "---" in tex and r"$\Delta$" in tex


def test_bad_inputs_name_the_file(tmp_path):
    d = tmp_path / "results" / "eval" / "tiny__base" / "B"
    d.mkdir(parents=True)
    pd.DataFrame({"problem_id": ["a"], "n": [4]}).to_parquet(d / "counts.parquet")
    with pytest.raises(ValueError, match="lacks column"):
        build_table2([d / "counts.parquet"], None, {})
    bad = tmp_path / "results" / "eval" / "not-a-run" / "B"
    write_counts(bad, ["a"], [4], [1])
    with pytest.raises(ValueError, match="not-a-run"):
        build_table2([bad / "counts.parquet"], None, {})
    with pytest.raises(ValueError, match="both map to"):
        build_table2([], None, {"methods": {"rs_grpo-b2": "rs_grpo", "rs_grpo-b4": "rs_grpo"}})
