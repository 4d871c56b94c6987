"""The estimator kernels (torch): grouped rewards (G, N) float64 -> advantages (G, N) float64.

Called only through `rsgrpo.estimators.registry.compute`, which validates the inputs and parameters first;
imported on the first `compute` so that the config layer (names, parameters, checks) loads without torch.
Math, stable forms and test vectors: docs/algorithms.md §1-§7.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import torch

from rsgrpo.estimators.registry import binomial


# --------------------------------------------------------------------------------------------- helpers
def _ratio_table(num: Callable[[int], int], den: int, size: int) -> torch.Tensor:
    """float64 tensor t[i] = num(i) / den for i in 0..size-1 (exact big-int division, correctly rounded)."""
    if den == 0:
        return torch.zeros(size, dtype=torch.float64)
    return torch.tensor([num(i) / den for i in range(size)], dtype=torch.float64)


def _require_binary(name: str, r: torch.Tensor) -> None:
    if not bool(((r == 0) | (r == 1)).all()):
        raise ValueError(
            f"estimator {name!r} is defined for binary rewards only (values in {{0, 1}}); "
            "got non-binary rewards. Use one of: rs_grpo, grpo, dr_grpo, pkpo, tang for continuous rewards."
        )


def _all_equal(r: torch.Tensor) -> torch.Tensor:
    """(G, N) -> (G, 1) bool: rows whose rewards are all equal."""
    return (r == r[:, :1]).all(dim=-1, keepdim=True)


# ------------------------------------------------------------------------------------------ estimators
def grpo(r: torch.Tensor, eps: float) -> torch.Tensor:
    """verl GRPO: (r - mean) / (std_ddof1 + eps); singleton groups use mean 0, std 1 as verl does."""
    n = r.shape[-1]
    if n == 1:
        return r / (1.0 + eps)
    mean = r.mean(dim=-1, keepdim=True)  # (G, 1)
    std = r.std(dim=-1, keepdim=True, unbiased=True)  # (G, 1)
    return (r - mean) / (std + eps)


def dr_grpo(r: torch.Tensor) -> torch.Tensor:
    """Dr.GRPO: r - mean (verl with norm_adv_by_std_in_grpo=False; singleton groups keep r, as verl)."""
    if r.shape[-1] == 1:
        return r.clone()
    return r - r.mean(dim=-1, keepdim=True)


def rs_grpo(r: torch.Tensor, beta: float | torch.Tensor) -> torch.Tensor:
    """RS-GRPO (Eq. 8), stable form: A_i = expm1(beta r_i - LME) / beta, LME = logsumexp(beta r) - log N.

    beta: a float, or a float64 (G, 1) tensor (one beta per row; rows with beta = 0 take the beta -> 0 limit)."""
    n = r.shape[-1]
    if n == 1:
        return torch.zeros_like(r)  # no group to compare against (docs/algorithms.md §1.4)
    if not isinstance(beta, torch.Tensor):
        if beta == 0:
            return r - r.mean(dim=-1, keepdim=True)  # the beta -> 0 limit (Dr.GRPO)
        z = beta * r  # (G, N)
        lme = torch.logsumexp(z, dim=-1, keepdim=True) - math.log(n)  # (G, 1)
        adv = torch.expm1(z - lme) / beta  # (G, N); z - lme <= log N so no overflow
        return torch.where(_all_equal(r), torch.zeros_like(adv), adv)
    pos = beta > 0  # (G, 1)
    b = torch.where(pos, beta, torch.ones_like(beta))  # (G, 1); beta = 0 rows are replaced below
    z = b * r  # (G, N)
    lme = torch.logsumexp(z, dim=-1, keepdim=True) - math.log(n)  # (G, 1)
    adv = torch.where(pos, torch.expm1(z - lme) / b, r - r.mean(dim=-1, keepdim=True))  # (G, N)
    return torch.where(_all_equal(r), torch.zeros_like(adv), adv)


@lru_cache(maxsize=256)
def _chen_tables(n: int, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per correct-count c = 0..n: (A+, A-) of Chen et al.'s analytic pass@k advantage, before / (sigma+eps)."""
    cnk, cn1k1 = binomial(n, k), binomial(n - 1, k - 1)
    big_r = 1.0 - _ratio_table(lambda c: binomial(n - c, k), cnk, n + 1)  # group pass@k R(c), (n+1,)
    miss = _ratio_table(lambda c: binomial(n - c - 1, k - 1), cn1k1, n + 1)  # P(subset with i all wrong)
    return big_r, miss


def chen(r: torch.Tensor, k: int, eps: float) -> torch.Tensor:
    """Chen et al. 2025 analytic pass@k advantage (binary rewards), docs/algorithms.md §4.1."""
    _require_binary("chen", r)
    n = r.shape[-1]
    big_r_tab, miss_tab = _chen_tables(n, k)
    c = r.sum(dim=-1).round().long()  # (G,)
    big_r = big_r_tab[c].unsqueeze(-1)  # (G, 1)
    sigma = torch.sqrt(big_r * (1.0 - big_r))  # (G, 1)
    a_pos = (1.0 - big_r) / (sigma + eps)  # (G, 1)
    a_neg = (1.0 - big_r - miss_tab[c].unsqueeze(-1)) / (sigma + eps)  # (G, 1)
    return torch.where(r == 1, a_pos, a_neg)


@lru_cache(maxsize=256)
def _mahdavi_m2_table(n: int, k: int) -> torch.Tensor:
    """W[c_minus] = C(n-1-c_minus, k-1) / C(n-1, k-1), c_minus = 0..n-1: unbiased (1-p)^(k-1) from n-1 samples."""
    return _ratio_table(lambda cm: binomial(n - 1 - cm, k - 1), binomial(n - 1, k - 1), n)


def mahdavi(r: torch.Tensor, k: int, variant: str) -> torch.Tensor:
    """Mahdavi et al. 2025 pass@k reweighting (RECONSTRUCTION, docs/algorithms.md §4.2); binary rewards."""
    _require_binary("mahdavi", r)
    n = r.shape[-1]
    if variant == "m1":  # plug-in: k (1 - p)^(k-1) (r - p)
        p = r.mean(dim=-1, keepdim=True)  # (G, 1)
        return k * (1.0 - p) ** (k - 1) * (r - p)
    c_minus = (r.sum(dim=-1, keepdim=True) - r).round().long()  # (G, N) correct count among the others
    w = _mahdavi_m2_table(n, k)[c_minus]  # (G, N)
    baseline = c_minus.to(torch.float64) / (n - 1)  # (G, N) RLOO baseline
    return k * w * (r - baseline)


def tang(r: torch.Tensor) -> torch.Tensor:
    """Tang et al. 2025 leave-one-out best-of-N: N * (max r - max_{j != i} r_j), non-zero for a unique top."""
    n = r.shape[-1]
    top2 = torch.topk(r, 2, dim=-1).values  # (G, 2), descending
    gap = (top2[:, :1] - top2[:, 1:2])  # (G, 1); 0 when the max is tied
    return n * torch.where(r == top2[:, :1], gap, torch.zeros_like(r))


@lru_cache(maxsize=256)
def _pkpo_coeffs(n: int, k: int) -> dict[str, torch.Tensor]:
    """Rank coefficients (1-indexed rank i = 1..n, stored at i-1), each divided by C(n, k); docs/algorithms.md §4.4."""
    cnk = binomial(n, k)
    cn1k = binomial(n - 1, k)
    return {
        "diag": _ratio_table(lambda i: binomial(i, k - 1), cnk, n),  # C(i-1, k-1)
        "off": _ratio_table(lambda i: binomial(i - 1, k - 2), cnk, n),  # C(i-2, k-2)
        "pre": _ratio_table(lambda i: binomial(i, k - 2), cnk, n),  # C(i-1, k-2)
        # leave-one-out max@k of the other n-1 samples: ranks below i keep weight C(j-1, k-1),
        # ranks above i move down one: C(j-2, k-1); both over C(n-1, k)
        "rho_lo": _ratio_table(lambda i: binomial(i, k - 1), cn1k, n),
        "rho_hi": _ratio_table(lambda i: binomial(i - 1, k - 1), cn1k, n),
    }


def _exclusive_suffix(x: torch.Tensor) -> torch.Tensor:
    """(G, N) -> (G, N): out[:, i] = sum_{j > i} x[:, j]."""
    return x.flip(-1).cumsum(-1).flip(-1) - x


def _exclusive_prefix(x: torch.Tensor) -> torch.Tensor:
    """(G, N) -> (G, N): out[:, i] = sum_{j < i} x[:, j]."""
    return x.cumsum(-1) - x


def pkpo(r: torch.Tensor, k: int, baseline: str) -> torch.Tensor:
    """PKPO (Walder & Karkhanis 2025) unbiased pass@k / max@k gradient weights, O(N log N), times N."""
    n = r.shape[-1]
    gs, order = torch.sort(r, dim=-1, stable=True)  # (G, N) ascending
    co = _pkpo_coeffs(n, k)
    if baseline == "loo-1":  # the suffix term of s and of its baseline cancel analytically: drop both
        s = co["diag"] * gs - _exclusive_prefix(co["pre"] * gs)  # (G, N), sorted order
    else:
        s = co["diag"] * gs + _exclusive_suffix(co["off"] * gs)  # (G, N), sorted order
        if baseline == "loo":
            rho_minus = _exclusive_prefix(co["rho_lo"] * gs) + _exclusive_suffix(co["rho_hi"] * gs)  # (G, N)
            s = s - k * rho_minus / (n - 1)
    # Tied rewards get identical weights in exact arithmetic (Pascal's rule); in floating point the sorted
    # ranks round differently, so every member of a tie block takes the value of the block's first rank
    # (fewest terms: exact zeros for all-equal groups under loo-1).
    pos = torch.arange(n).expand_as(gs)  # (G, N)
    first = torch.ones_like(gs, dtype=torch.bool)
    first[:, 1:] = gs[:, 1:] != gs[:, :-1]
    block_start = torch.cummax(torch.where(first, pos, torch.zeros_like(pos)), dim=-1).values  # (G, N)
    s = s.gather(-1, block_start)
    out = torch.empty_like(s).scatter_(-1, order, s)  # back to the original order
    return n * out
