"""Unique-answer ratio and accuracy-transition matrix (docs/evaluation.md §6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rsgrpo.eval.diversity import (accuracy_bins, accuracy_transition_matrix, answer_key, bin_labels,
                              unique_answer_ratio, unique_answer_ratios)


def test_answer_key():
    assert answer_key(" \\frac{1}{2} ") == "\\frac{1}{2}"
    assert answer_key("x = 5") == "x=5"
    assert answer_key("1 / 2", canonical="1/2") == "1/2"
    assert answer_key(None) is None and answer_key("  ") is None


def test_unique_answer_ratio_one_problem():
    assert unique_answer_ratio(["1", "1", "2", "3"]) == 0.75
    assert unique_answer_ratio(["1", None, None, "1"]) == 0.5  # None is one extra class
    assert unique_answer_ratio(["1", None, None, "1"], no_answer="exclude") == 0.25
    assert unique_answer_ratio(["a"] * 1024) == 1 / 1024
    with pytest.raises(ValueError):
        unique_answer_ratio([])
    with pytest.raises(ValueError):
        unique_answer_ratio(["1"], no_answer="drop")


@pytest.mark.parametrize("no_answer", ["class", "exclude"])
def test_unique_answer_ratios_matches_loop(no_answer):
    rng = np.random.default_rng(0)
    pids, answers = [], []
    for p in range(20):
        n = int(rng.integers(1, 40))
        pool = [str(x) for x in range(int(rng.integers(1, 6)))] + [None]
        pids += [f"p{p}"] * n
        answers += [pool[i] for i in rng.integers(0, len(pool), n)]
    got = unique_answer_ratios(pids, answers, no_answer=no_answer)
    for pid, ratio in got.items():
        ref = unique_answer_ratio([a for q, a in zip(pids, answers) if q == pid], no_answer=no_answer)
        assert ratio == pytest.approx(ref)
    assert got.index.name == "problem_id" and len(got) == 20


def test_unique_answer_ratios_all_missing():
    got = unique_answer_ratios(["a", "a", "b"], [None, None, "1"], no_answer="exclude")
    assert got["a"] == 0.0 and got["b"] == 1.0


def test_bins_and_labels():
    assert bin_labels() == ["{0}", "(0, 0.2]", "(0.2, 0.4]", "(0.4, 0.6]", "(0.6, 0.8]", "(0.8, 1)", "{1}"]
    acc = [0, 1e-9, 0.2, 0.2000001, 0.4, 0.6, 0.8, 0.81, 1 - 1e-9, 1]
    assert accuracy_bins(acc).tolist() == [0, 1, 1, 2, 2, 3, 4, 5, 5, 6]
    # counts c/n that land exactly on an edge go to the lower bin
    assert accuracy_bins([1 / 5, 3 / 5, 4 / 5, 205 / 1024]).tolist() == [1, 3, 4, 2]
    assert bin_labels([0.4, 0.6]) == ["{0}", "(0, 0.4]", "(0.4, 0.6]", "(0.6, 1)", "{1}"]
    with pytest.raises(ValueError):
        accuracy_bins([1.2])
    with pytest.raises(ValueError):
        accuracy_bins([float("nan")])
    with pytest.raises(ValueError):
        bin_labels([0.5, 0.3])


def _loop_matrix(a, b, edges):
    def idx(x):
        if x == 0:
            return 0
        if x == 1:
            return len(edges) + 2
        for j, e in enumerate(edges):
            if x <= e:
                return j + 1
        return len(edges) + 1
    nb = len(edges) + 3
    m = np.zeros((nb, nb))
    for x, y in zip(a, b):
        m[idx(x), idx(y)] += 1
    return m


def test_transition_matrix_matches_loop():
    rng = np.random.default_rng(1)
    n = 1024
    c_a = rng.integers(0, n + 1, 160)
    c_b = np.clip(c_a + rng.integers(-200, 200, 160), 0, n)
    c_a[:10], c_b[:10] = 0, 5  # unsolved -> solved moves
    a, b = c_a / n, c_b / n
    for edges in [(0.2, 0.4, 0.6, 0.8), (0.4, 0.6)]:
        counts = accuracy_transition_matrix(a, b, edges, normalize=None)
        np.testing.assert_array_equal(counts.to_numpy(), _loop_matrix(a, b, edges))
        shares = accuracy_transition_matrix(a, b, edges)
        assert shares.to_numpy().sum() == pytest.approx(1.0)
        rows = accuracy_transition_matrix(a, b, edges, normalize="row").to_numpy()
        nz = counts.to_numpy().sum(axis=1) > 0
        np.testing.assert_allclose(rows[nz].sum(axis=1), 1.0)
    m = accuracy_transition_matrix(a, b, normalize=None)
    assert m.loc["{0}", "(0, 0.2]"] >= 10
    assert list(m.index) == bin_labels() and m.index.name == "from" and m.columns.name == "to"


def test_transition_matrix_aligns_series():
    a = pd.Series({"p1": 0.0, "p2": 1.0, "p3": 0.5})
    b = pd.Series({"p3": 0.5, "p1": 0.1, "p2": 1.0})
    m = accuracy_transition_matrix(a, b, normalize=None)
    assert m.loc["{0}", "(0, 0.2]"] == 1 and m.loc["{1}", "{1}"] == 1 and m.loc["(0.4, 0.6]", "(0.4, 0.6]"] == 1
    with pytest.raises(ValueError):
        accuracy_transition_matrix(a, pd.Series({"p1": 0.0, "p2": 1.0, "p9": 0.5}))
    with pytest.raises(ValueError):
        accuracy_transition_matrix([0.1, 0.2], [0.1])
    with pytest.raises(ValueError):
        accuracy_transition_matrix([0.1], [0.1], normalize="col")
