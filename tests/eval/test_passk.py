"""Tests of rsgrpo.eval.passk: unbiased pass@k / max@k, curves, bootstrap CIs, exact variance (docs/algorithms.md §5, §6.3)."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb

import numpy as np
import pytest

from rsgrpo.eval.passk import (
    bootstrap_ci,
    max_at_k,
    mean_curve,
    paired_bootstrap_diff,
    pass_at_k,
    pass_at_k_curve,
    pass_at_k_variance,
    resample_weights,
)


# ------------------------------------------------------------------------------------------ references
def chen_reference(n: int, c: int, k: int) -> float:
    """Chen et al. 2021 (Codex paper): the numerically stable numpy estimator, one problem at a time."""
    if n - c < k:
        return 1.0
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def exact(n: int, c: int, k: int) -> Fraction:
    """pass@k as an exact rational."""
    return 1 - Fraction(comb(n - c, k), comb(n, k))


def max_at_k_bruteforce(g, k: int) -> float:
    """Mean over all k-subsets of the subset max."""
    return float(np.mean([max(s) for s in itertools.combinations(g, k)]))


# ------------------------------------------------------------------------------------------- pass_at_k
def test_vectors_6_3():
    np.testing.assert_allclose(pass_at_k_curve([4], [1], [1, 2, 3, 4])[0], [0.25, 0.5, 0.75, 1.0], atol=1e-15)
    assert np.all(pass_at_k_curve([16], [0], np.arange(1, 17)) == 0.0)
    with pytest.raises(ValueError, match="k <= n"):
        pass_at_k(16, 0, 32)
    assert np.isnan(pass_at_k_curve([16], [0], [32])[0, 0])


def test_against_chen_loop_random():
    rng = np.random.default_rng(1)
    n = rng.integers(1, 300, size=400)
    c = rng.integers(0, n + 1)
    k = rng.integers(1, n + 1)
    ours = pass_at_k(n, c, k)
    ref = np.array([chen_reference(int(a), int(b), int(d)) for a, b, d in zip(n, c, k)])
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_against_fractions_small():
    for n in range(1, 13):
        for c in range(n + 1):
            ks = np.arange(1, n + 1)
            curve = pass_at_k_curve([n], [c], ks)[0]
            scal = pass_at_k(n, c, ks)
            for k in ks:
                assert curve[k - 1] == pytest.approx(float(exact(n, c, int(k))), abs=1e-15)
                assert scal[k - 1] == pytest.approx(float(exact(n, c, int(k))), abs=1e-15)


@pytest.mark.parametrize("n", [1024, 4096])
def test_exact_large_n(n):
    rng = np.random.default_rng(n)
    cs = [1, 2, n // 2, n - 1, n] + rng.integers(0, n + 1, size=4).tolist()
    ks = np.unique(np.r_[1, 2, 3, 7, 32, 100, n // 4, n // 2, n - 1, n, rng.integers(1, n + 1, size=5)])
    curves = pass_at_k_curve(np.full(len(cs), n), cs, ks)
    scal = pass_at_k(np.full((len(cs), 1), n), np.array(cs)[:, None], ks[None, :])
    for i, c in enumerate(cs):
        want = np.array([float(exact(n, c, int(k))) for k in ks])
        np.testing.assert_allclose(curves[i], want, rtol=0, atol=1e-12)
        np.testing.assert_allclose(scal[i], want, rtol=0, atol=1e-12)


def test_no_floating_comb_overflow():
    # comb(2048, 1024) = inf in floating point; the product form stays exact
    v = pass_at_k(2048, 1, 1024)
    assert v == pytest.approx(0.5, abs=1e-15)
    assert pass_at_k_curve([2048], [1], [1024])[0, 0] == pytest.approx(0.5, abs=1e-15)


def test_edge_cases():
    n = np.array([1, 5, 16, 1024])
    for k in (1, 2):
        kk = np.minimum(k, n)
        assert np.all(pass_at_k(n, 0, kk) == 0.0)  # c = 0
        assert np.all(pass_at_k(n, n, kk) == 1.0)  # c = n
    # k = 1 -> c / n
    c = np.array([0, 3, 7, 500])
    np.testing.assert_allclose(pass_at_k(n, c, 1), c / n, atol=1e-15)
    np.testing.assert_allclose(pass_at_k_curve(n, c, [1])[:, 0], c / n, atol=1e-15)
    # k = n -> 1{c > 0}
    np.testing.assert_array_equal(pass_at_k(n, c, n), (c > 0).astype(float))
    # k > n - c -> exactly 1
    assert pass_at_k(16, 13, 4) == 1.0


def test_broadcasting_and_scalars():
    out = pass_at_k(np.array([[16], [32]]), np.array([[1], [2]]), np.array([1, 2, 4]))
    assert out.shape == (2, 3)
    assert np.ndim(pass_at_k(16, 1, 4)) == 0
    assert float(pass_at_k(16, 1, 4)) == pytest.approx(0.25)
    # integral floats are accepted
    assert pass_at_k(16.0, 1.0, 4.0) == pytest.approx(0.25)


@pytest.mark.parametrize(
    "args, msg",
    [
        ((4, 1, 5), "k <= n"),
        ((4, 5, 1), "0 <= c <= n"),
        ((4, -1, 1), "0 <= c <= n"),
        ((0, 0, 1), "n must be >= 1"),
        ((4, 1, 0), "k must be >= 1"),
        ((4, 1.5, 1), "integers"),
    ],
)
def test_errors(args, msg):
    with pytest.raises(ValueError, match=msg):
        pass_at_k(*args)


def test_curve_monotone_and_nan_mask():
    rng = np.random.default_rng(3)
    n = rng.integers(1, 200, size=50)
    c = rng.integers(0, n + 1)
    ks = np.arange(1, 250)
    curves = pass_at_k_curve(n, c, ks)
    assert curves.shape == (50, ks.size)
    for i in range(50):
        defined = curves[i, : n[i]]
        assert not np.isnan(defined).any()
        assert np.all(np.diff(defined) >= -1e-15)  # monotone non-decreasing in k
        assert np.isnan(curves[i, n[i]:]).all()  # k > n gives NaN
        np.testing.assert_allclose(defined, pass_at_k(n[i], c[i], ks[: n[i]]), atol=1e-13)


def test_curve_any_ks_order():
    ks = [7, 1, 3, 12]
    got = pass_at_k_curve([10, 16], [2, 5], ks)
    want = [[chen_reference(10, 2, k) if k <= 10 else np.nan for k in ks], [chen_reference(16, 5, k) for k in ks]]
    np.testing.assert_allclose(got, want, atol=1e-14)


def test_mean_curve_strict_nan():
    m = mean_curve([4, 8], [1, 2], [1, 4, 8])
    assert m[0] == pytest.approx((0.25 + 0.25) / 2)
    assert m[1] == pytest.approx((1.0 + float(exact(8, 2, 4))) / 2)
    assert np.isnan(m[2])  # problem 0 has only n = 4 samples


# --------------------------------------------------------------------------------------------- max@k
def test_max_at_k_bruteforce_with_ties():
    rng = np.random.default_rng(5)
    for _ in range(40):
        n = int(rng.integers(1, 9))
        g = rng.choice([0.0, 0.25, 0.5, 1.0, 0.7], size=n)  # ties
        for k in range(1, n + 1):
            assert max_at_k(g, k) == pytest.approx(max_at_k_bruteforce(g, k), abs=1e-12)


def test_max_at_k_continuous_example_and_shapes():
    g = np.array([0.1, 0.5, 0.2, 0.9, 0.0, 0.7])
    np.testing.assert_allclose(max_at_k(g, [1, 6]), [g.mean(), g.max()], atol=1e-15)
    rewards = np.random.default_rng(0).random((7, 6))
    out = max_at_k(rewards, [1, 2, 3])
    assert out.shape == (7, 3)
    assert max_at_k(rewards, 2).shape == (7,)
    for i in range(7):
        assert out[i, 1] == pytest.approx(max_at_k_bruteforce(rewards[i], 2), abs=1e-12)


def test_max_at_k_binary_equals_pass_at_k_large_n():
    rng = np.random.default_rng(9)
    n = 1024
    r = (rng.random((5, n)) < np.array([[0.001], [0.01], [0.3], [0.9], [0.0]])).astype(float)
    ks = [1, 8, 64, 512, 1024]
    np.testing.assert_allclose(max_at_k(r, ks), pass_at_k_curve(np.full(5, n), r.sum(1), ks), atol=1e-12)


def test_max_at_k_errors():
    with pytest.raises(ValueError):
        max_at_k([0.1, 0.2], 3)
    with pytest.raises(ValueError):
        max_at_k([0.1, np.nan], 1)


# ----------------------------------------------------------------------------------------- bootstrap
def test_bootstrap_contains_point_estimate():
    rng = np.random.default_rng(11)
    n = np.full(40, 64)
    c = rng.binomial(64, rng.beta(0.5, 2.0, size=40))
    ks = [1, 4, 16, 64]
    ci = bootstrap_ci(n, c, ks, n_boot=500, seed=0)
    np.testing.assert_allclose(ci.estimate, mean_curve(n, c, ks))
    assert np.all(ci.lo <= ci.estimate) and np.all(ci.estimate <= ci.hi)
    assert np.all(ci.hi - ci.lo > 0)
    # reproducible with a seed, different with another seed
    again = bootstrap_ci(n, c, ks, n_boot=500, seed=0)
    np.testing.assert_array_equal(ci.lo, again.lo)
    other = bootstrap_ci(n, c, ks, n_boot=500, seed=1)
    assert not np.array_equal(ci.lo, other.lo)


def test_bootstrap_matches_explicit_resampling():
    rng = np.random.default_rng(2)
    n, c, ks = np.full(10, 16), rng.integers(0, 17, size=10), [1, 4]
    ci = bootstrap_ci(n, c, ks, n_boot=200, seed=7, level=0.9)
    # the same resamples drawn explicitly
    idx = np.random.default_rng(7).integers(0, 10, size=(200, 10))
    boot = np.stack([mean_curve(n[i], c[i], ks) for i in idx])
    np.testing.assert_allclose(ci.lo, np.percentile(boot, 5, axis=0), atol=1e-12)
    np.testing.assert_allclose(ci.hi, np.percentile(boot, 95, axis=0), atol=1e-12)


def test_paired_diff_identical_runs_zero_width():
    rng = np.random.default_rng(4)
    n = np.full(30, 32)
    c = rng.integers(0, 33, size=30)
    d = paired_bootstrap_diff(n, c, c.copy(), [1, 8, 32], n_boot=300, seed=0)
    assert np.all(d.estimate == 0) and np.all(d.lo == 0) and np.all(d.hi == 0)


def test_paired_diff_is_paired():
    # method b = method a plus a constant shift on every problem, with large between-problem variance:
    # a paired CI is narrow around the shift; an unpaired one would be wide.
    rng = np.random.default_rng(6)
    n = np.full(50, 100)
    c_a = rng.integers(0, 90, size=50)
    c_b = c_a + 10
    d = paired_bootstrap_diff(n, c_b, c_a, [1], n_boot=400, seed=0)
    assert d.estimate[0] == pytest.approx(0.1)
    assert d.lo[0] == pytest.approx(0.1) and d.hi[0] == pytest.approx(0.1)
    unpaired = bootstrap_ci(n, c_b, [1], n_boot=400, seed=0)
    assert unpaired.hi[0] - unpaired.lo[0] > 0.05


def test_paired_diff_per_method_n():
    d = paired_bootstrap_diff([4, 4], [1, 2], [2, 4], [1, 4], n_b=[8, 8], n_boot=50, seed=0)
    want = mean_curve([4, 4], [1, 2], [1, 4]) - mean_curve([8, 8], [2, 4], [1, 4])
    np.testing.assert_allclose(d.estimate, want)
    with pytest.raises(ValueError, match="same problems"):
        paired_bootstrap_diff([4, 4], [1, 2], [1], [1], n_b=[4])


def test_bootstrap_errors():
    with pytest.raises(ValueError):
        bootstrap_ci([4], [1], [1], level=1.5)
    with pytest.raises(ValueError):
        bootstrap_ci([4], [1], [1], n_boot=0)


# ---------------------------------------------------------------------------------------- variance
@pytest.mark.parametrize("n, k, p, mean, sd", [(1024, 32, 0.01, 0.275, 0.073), (1024, 256, 0.005, 0.723, 0.171),
                                              (1024, 1024, 0.001, 0.641, 0.480)])
def test_variance_table(n, k, p, mean, sd):
    assert 1 - (1 - p) ** k == pytest.approx(mean, abs=6e-4)
    assert pass_at_k_variance(n, k, p) ** 0.5 == pytest.approx(sd, abs=6e-4)


def test_variance_exact_small():
    n, k = 8, 3
    for p in (0.0, 0.1, 0.5, 1.0):
        pmf = [Fraction(comb(n, c)) * Fraction(p).limit_denominator() ** c * (1 - Fraction(p).limit_denominator()) ** (n - c)
               for c in range(n + 1)]
        vals = [exact(n, c, k) for c in range(n + 1)]
        mean = sum(w * v for w, v in zip(pmf, vals))
        var = sum(w * (v - mean) ** 2 for w, v in zip(pmf, vals))
        assert pass_at_k_variance(n, k, p) == pytest.approx(float(var), abs=1e-13)


def test_resample_weights_equal_a_loop_over_the_draws():
    # loop reference: each row counts the problems its n_boot x P draw picked; same stream as rng.integers
    num_problems, n_boot = 7, 50
    idx = np.random.default_rng(3).integers(0, num_problems, size=(n_boot, num_problems))
    ref = np.zeros((n_boot, num_problems))
    for b in range(n_boot):
        for p in idx[b]:
            ref[b, p] += 1
    np.testing.assert_array_equal(resample_weights(num_problems, n_boot, 3), ref)
    # a Generator continues its stream (two draws in a row = the first two draws of one stream)
    rng = np.random.default_rng(3)
    first = resample_weights(num_problems, n_boot, rng)
    second = resample_weights(4, n_boot, rng)
    np.testing.assert_array_equal(first, ref)
    assert second.shape == (n_boot, 4) and (second.sum(axis=1) == 4).all()
    # the cached (int seed) array is read-only: a caller cannot corrupt the next report's resamples
    with pytest.raises(ValueError):
        resample_weights(num_problems, n_boot, 3)[0, 0] = 99
