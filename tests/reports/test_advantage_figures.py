"""Tests of rsgrpo.reports.advantage_figures (Fig. 2, Fig. 8) and rsgrpo.reports.table1 (Table 1)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from rsgrpo import estimators
from rsgrpo.estimators import registry
from rsgrpo.reports.advantage_figures import (
    binary_curves,
    continuous_curve,
    method_k,
    method_label,
    plot_fig2,
    plot_fig8,
)
from rsgrpo.reports.table1 import probe, table1_rows, to_latex, to_markdown, write_table1

N = 16
# the paper's settings (Fig. 8 / Table 2): RS-GRPO beta = 2, every pass@k method k = 4
PAPER_METHODS = {
    "tang": {"estimator": "tang"},
    "pkpo": {"estimator": "pkpo", "params": {"k": 4, "baseline": "loo-1"}},
    "mahdavi": {"estimator": "mahdavi", "params": {"k": 4, "variant": "m2"}},
    "chen": {"estimator": "chen", "params": {"k": 4}},
    "rs_grpo": {"estimator": "rs_grpo", "params": {"beta": 2.0}},
}
# paper Table 1 (docs/algorithms.md §4): binary, continuous, dense
PAPER_TABLE1 = {
    "tang": (True, True, False),
    "pkpo": (True, True, False),
    "mahdavi": (True, False, False),
    "chen": (True, False, False),
    "rs_grpo": (True, True, True),
}


def w_beta(p, beta):
    return math.expm1(beta) / (beta * (1 + p * math.expm1(beta)))


# ------------------------------------------------------------------------------------------- curves
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0, 4.0, 8.0])
def test_rs_binary_curves_equal_closed_form(beta):
    cur = binary_curves({"estimator": "rs_grpo", "params": {"beta": beta}}, N)
    assert cur.accuracy.tolist() == [c / N for c in range(N + 1)]
    assert math.isnan(cur.positive[0]) and math.isnan(cur.negative[N])
    assert cur.cumulative[0] == 0 and cur.cumulative[N] == 0
    for c in range(1, N):
        p = c / N
        assert cur.positive[c] == pytest.approx((1 - p) * w_beta(p, beta), rel=1e-12)
        assert cur.negative[c] == pytest.approx(-p * w_beta(p, beta), rel=1e-12)
        assert cur.cumulative[c] == pytest.approx(2 * N * p * (1 - p) * w_beta(p, beta), rel=1e-12)


# docs/algorithms.md §4.5: peaks of sum|A| over c for N = 16, k = 4, beta = 2 (GRPO mean scale)
PEAKS = [
    ({"estimator": "rs_grpo", "params": {"beta": 2.0}}, 4, 7.38),
    ({"estimator": "chen", "params": {"k": 4}}, 4, 4.89),
    ({"estimator": "pkpo", "params": {"k": 4, "baseline": "loo-1"}}, 4, 7.74),
    ({"estimator": "mahdavi", "params": {"k": 4, "variant": "m1"}}, 3, 10.46),
    ({"estimator": "mahdavi", "params": {"k": 4, "variant": "m2"}}, 3, 11.57),
    ({"estimator": "dr_grpo"}, 8, 8.00),
    ({"estimator": "grpo"}, 8, 15.49),
]


@pytest.mark.parametrize("method, c_peak, value", PEAKS, ids=[m["estimator"] + str(m.get("params", "")) for m, *_ in PEAKS])
def test_cumulative_peaks_section_4_5(method, c_peak, value):
    cur = binary_curves(method, N)
    assert int(np.argmax(cur.cumulative)) == c_peak
    assert cur.cumulative[c_peak] == pytest.approx(value, abs=5e-3)


def test_dr_grpo_curves_and_vanishing_pass_at_k_methods():
    dr = binary_curves({"estimator": "dr_grpo"}, N)
    c = np.arange(1, N)
    np.testing.assert_allclose(dr.positive[1:N], 1 - c / N)
    np.testing.assert_allclose(dr.negative[1:N], -c / N)
    chen = binary_curves(PAPER_METHODS["chen"], N)
    assert np.all(chen.cumulative[13:] == 0) and np.all(chen.cumulative[1:13] > 0)
    pkpo = binary_curves(PAPER_METHODS["pkpo"], N)
    assert np.all(pkpo.negative[:N] == 0) and np.all(pkpo.positive[14:] == 0)


def test_continuous_curve():
    r, a = continuous_curve(0.0, N)
    np.testing.assert_allclose(r, np.linspace(0, 1, N))
    np.testing.assert_allclose(a, r - r.mean(), atol=1e-12)  # beta = 0 is Dr.GRPO: linear
    for beta in (2.0, 16.0):
        r, a = continuous_curve(beta, N)
        assert abs(a.sum()) < 1e-10
        assert np.all(np.diff(a) > 0)  # increasing
        assert np.all(np.diff(a, 2) > -1e-12)  # convex
        want = estimators.compute("rs_grpo", torch.tensor(r[None]), beta=beta)[0].numpy()
        np.testing.assert_array_equal(a, want)


def test_labels_and_k():
    assert method_label({"estimator": "rs_grpo", "params": {"beta": 2.0}}) == "RS-GRPO (β=2)"
    assert method_label({"estimator": "dr_grpo"}) == "Dr.GRPO"
    assert "k=4" in method_label(PAPER_METHODS["chen"])
    assert "M2" in method_label(PAPER_METHODS["mahdavi"]) and "reconstruction" in method_label(PAPER_METHODS["mahdavi"])
    assert method_label({"estimator": "grpo", "label": "GRPO (paper)"}) == "GRPO (paper)"
    assert method_k(PAPER_METHODS["pkpo"]) == 4 and method_k(PAPER_METHODS["tang"]) is None


def test_plots_write_pdf_and_png(tmp_path):
    cont = [(b, *continuous_curve(b, N)) for b in (0.0, 2.0)]
    binary = [(b, binary_curves({"estimator": "rs_grpo", "params": {"beta": b}}, N)) for b in (0.0, 2.0)]
    plot_fig2(cont, binary, N, tmp_path / "f2.pdf", tmp_path / "f2.png")
    plot_fig8([binary_curves(m, N) for m in PAPER_METHODS.values()], [4], N, tmp_path / "f8.pdf", tmp_path / "f8.png")
    for name in ("f2.pdf", "f2.png", "f8.pdf", "f8.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert (tmp_path / "f2.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "f8.pdf").read_bytes()[:4] == b"%PDF"
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


# ----------------------------------------------------------------------------------------- Table 1
def test_table1_matches_paper():
    rows = table1_rows(list(PAPER_METHODS.values()), N)
    for key, row in zip(PAPER_METHODS, rows):
        assert (row["binary"], row["continuous"], row["dense"]) == PAPER_TABLE1[key], key
        assert row["k"] == 4
    # the baselines the paper leaves out of Table 1 are dense too (they never vanish)
    for extra in ({"estimator": "grpo"}, {"estimator": "dr_grpo"}):
        assert probe(extra, N, 4) == {"binary": True, "continuous": True, "dense": True}


def test_table1_mahdavi_m1_is_dense():
    # the plug-in reconstruction never vanishes exactly: the probe says so rather than copying the paper
    assert probe({"estimator": "mahdavi", "params": {"k": 4, "variant": "m1"}}, N, 4)["dense"]


def _dense_fn(r, **params):
    return r - r.mean(dim=-1, keepdim=True)


def test_table1_is_derived_fake_dense_estimator(monkeypatch):
    # replace Chen's function by a dense, continuous-accepting one: its ticks flip
    chen = estimators.spec("chen")
    monkeypatch.setitem(registry._REGISTRY, "chen", dataclasses.replace(chen, fn=_dense_fn))
    row = table1_rows([PAPER_METHODS["chen"]], N)[0]
    assert (row["binary"], row["continuous"], row["dense"]) == (True, True, True)
    # a new registry entry is probed the same way
    fake = estimators.EstimatorSpec("fake_dense", "Fake", _dense_fn, {"k": chen.params["k"]})
    monkeypatch.setitem(registry._REGISTRY, "fake_dense", fake)
    assert probe({"estimator": "fake_dense", "params": {"k": 4}}, N, 4) == {"binary": True, "continuous": True,
                                                                            "dense": True}


def test_table1_is_derived_fake_vanishing_binary_only(monkeypatch):
    def vanishing_binary(r):
        if not bool(((r == 0) | (r == 1)).all()):
            raise ValueError("binary only")
        return torch.where(r.mean(-1, keepdim=True) > 0.5, torch.zeros_like(r), r - r.mean(-1, keepdim=True))

    rs = estimators.spec("rs_grpo")
    monkeypatch.setitem(registry._REGISTRY, "rs_grpo", dataclasses.replace(rs, fn=lambda r, beta: vanishing_binary(r)))
    row = table1_rows([PAPER_METHODS["rs_grpo"], PAPER_METHODS["chen"]], N)[0]
    assert (row["binary"], row["continuous"], row["dense"]) == (True, False, False)


def test_table1_k_probe():
    # methods without k are probed with the largest configured k unless told otherwise
    rows = table1_rows([{"estimator": "tang"}, {"estimator": "chen", "params": {"k": 2}}], N)
    assert rows[0]["k"] == 2
    assert table1_rows([{"estimator": "tang"}], N, k_probe=4)[0]["k"] == 4
    with pytest.raises(ValueError, match="k_probe"):
        table1_rows([{"estimator": "tang"}], N)


def test_table1_outputs(tmp_path):
    rows = table1_rows(list(PAPER_METHODS.values()), N)
    md = to_markdown(rows, N)
    assert md.count("\n| ") == len(rows) + 1  # header + one line per method
    rs_line = next(line for line in md.splitlines() if line.startswith("| RS-GRPO"))
    assert rs_line.count("✓") == 3
    chen_line = next(line for line in md.splitlines() if line.startswith("| Chen"))
    assert chen_line.count("✓") == 1 and chen_line.count("✗") == 2
    tex = to_latex(rows, N)
    assert r"\begin{tabular}" in tex and r"\end{tabular}" in tex and tex.count(r"\cmark") == 1 + 9
    assert "$\\beta$" in tex
    write_table1(rows, tmp_path / "t.md", tmp_path / "t.tex", N)
    assert (tmp_path / "t.md").read_text() == md and (tmp_path / "t.tex").read_text() == tex
