"""The advantage-estimator registry: one source of truth for the bandit, the CPU trainer and the verl plugin.

Every estimator maps the outcome rewards of prompt groups to one scalar advantage per response::

    rewards (G, N) float  ->  advantages (G, N), same dtype
    G = number of prompts (groups), N = group size (responses per prompt)

Scale convention (docs/algorithms.md §0): all estimators are on the "GRPO mean scale". Methods whose papers write
the gradient as a *sum* over the group (PKPO, Tang) are multiplied by N.

Public API::

    compute(name, rewards, **params) -> Tensor (G, N)
    available() -> list of names
    spec(name) -> EstimatorSpec (parameters, defaults, binary-only flag, label)
    check_params(name, group_size=None, **params) -> dict of resolved parameters (raises ValueError)

Names: grpo, dr_grpo, rs_grpo, chen, mahdavi, tang, pkpo. Math and test vectors: docs/algorithms.md §1-§7.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import torch

__all__ = ["compute", "available", "spec", "check_params", "EstimatorSpec", "binomial"]


# --------------------------------------------------------------------------------------------- helpers
def binomial(n: int, k: int) -> int:
    """C(n, k) as an exact integer, defined as 0 when n < 0, k < 0 or k > n (docs/algorithms.md §0)."""
    if n < 0 or k < 0 or k > n:
        return 0
    return math.comb(n, k)


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
def _grpo(r: torch.Tensor, eps: float) -> torch.Tensor:
    """verl GRPO: (r - mean) / (std_ddof1 + eps); singleton groups use mean 0, std 1 as verl does."""
    n = r.shape[-1]
    if n == 1:
        return r / (1.0 + eps)
    mean = r.mean(dim=-1, keepdim=True)  # (G, 1)
    std = r.std(dim=-1, keepdim=True, unbiased=True)  # (G, 1)
    return (r - mean) / (std + eps)


def _dr_grpo(r: torch.Tensor) -> torch.Tensor:
    """Dr.GRPO: r - mean (verl with norm_adv_by_std_in_grpo=False; singleton groups keep r, as verl)."""
    if r.shape[-1] == 1:
        return r.clone()
    return r - r.mean(dim=-1, keepdim=True)


def _rs_grpo(r: torch.Tensor, beta: float) -> torch.Tensor:
    """RS-GRPO (Eq. 8), stable form: A_i = expm1(beta r_i - LME) / beta, LME = logsumexp(beta r) - log N."""
    n = r.shape[-1]
    if n == 1:
        return torch.zeros_like(r)  # no group to compare against (docs/algorithms.md §1.4)
    if beta == 0:
        return r - r.mean(dim=-1, keepdim=True)  # the beta -> 0 limit (Dr.GRPO)
    z = beta * r  # (G, N)
    lme = torch.logsumexp(z, dim=-1, keepdim=True) - math.log(n)  # (G, 1)
    adv = torch.expm1(z - lme) / beta  # (G, N); z - lme <= log N so no overflow
    return torch.where(_all_equal(r), torch.zeros_like(adv), adv)


@lru_cache(maxsize=256)
def _chen_tables(n: int, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per correct-count c = 0..n: (A+, A-) of Chen et al.'s analytic pass@k advantage, before / (sigma+eps)."""
    cnk, cn1k1 = binomial(n, k), binomial(n - 1, k - 1)
    big_r = 1.0 - _ratio_table(lambda c: binomial(n - c, k), cnk, n + 1)  # group pass@k R(c), (n+1,)
    miss = _ratio_table(lambda c: binomial(n - c - 1, k - 1), cn1k1, n + 1)  # P(subset with i all wrong)
    return big_r, miss


def _chen(r: torch.Tensor, k: int, eps: float) -> torch.Tensor:
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


def _mahdavi(r: torch.Tensor, k: int, variant: str) -> torch.Tensor:
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


def _tang(r: torch.Tensor) -> torch.Tensor:
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


def _pkpo(r: torch.Tensor, k: int, baseline: str) -> torch.Tensor:
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


# -------------------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Param:
    default: Any
    check: Callable[[Any], bool]
    requirement: str


@dataclass(frozen=True)
class EstimatorSpec:
    """What the registry knows about one estimator."""

    name: str
    label: str  # for tables and legends
    fn: Callable[..., torch.Tensor]
    params: dict[str, Param] = field(default_factory=dict)
    binary_only: bool = False
    min_group: int = 1
    reconstruction: bool = False  # True when no public code/text exists (Mahdavi)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


_EPS = Param(1e-6, lambda v: _is_num(v) and v > 0, "a positive number")
_K = Param(4, lambda v: _is_int(v) and v >= 1, "an integer >= 1 and <= the group size")

_REGISTRY: dict[str, EstimatorSpec] = {
    s.name: s
    for s in [
        EstimatorSpec("grpo", "GRPO", _grpo, {"eps": _EPS}),
        EstimatorSpec("dr_grpo", "Dr.GRPO", _dr_grpo),
        EstimatorSpec(
            "rs_grpo", "RS-GRPO", _rs_grpo, {"beta": Param(2.0, lambda v: _is_num(v) and v >= 0, "a number >= 0")}
        ),
        EstimatorSpec("chen", "Chen et al.", _chen, {"k": _K, "eps": _EPS}, binary_only=True),
        EstimatorSpec(
            "mahdavi",
            "Mahdavi et al. (reconstruction)",
            _mahdavi,
            {"k": _K, "variant": Param("m2", lambda v: v in ("m1", "m2"), "one of 'm1', 'm2'")},
            binary_only=True,
            reconstruction=True,
        ),
        EstimatorSpec("tang", "Tang et al.", _tang, min_group=2),
        EstimatorSpec(
            "pkpo",
            "Walder & Karkhanis (PKPO)",
            _pkpo,
            {"k": _K, "baseline": Param("loo-1", lambda v: v in ("none", "loo", "loo-1"), "one of 'none', 'loo', 'loo-1'")},
        ),
    ]
}


def available() -> list[str]:
    """Names of every registered estimator, in registry order."""
    return list(_REGISTRY)


def spec(name: str) -> EstimatorSpec:
    """The registry entry for `name`; ValueError naming the valid choices otherwise."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown advantage estimator {name!r}; valid choices: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def check_params(name: str, group_size: int | None = None, **params: Any) -> dict[str, Any]:
    """Resolve defaults and validate parameters of `name` (and against `group_size` when given).

    Returns the full parameter dict. Raises ValueError naming the parameter and what it must be.
    """
    s = spec(name)
    unknown = sorted(set(params) - set(s.params))
    if unknown:
        valid = ", ".join(s.params) or "none"
        raise ValueError(f"estimator {name!r}: unknown parameter(s) {', '.join(unknown)}; valid: {valid}")
    resolved = {p: params.get(p, d.default) for p, d in s.params.items()}
    for p, value in resolved.items():
        if not s.params[p].check(value):
            raise ValueError(f"estimator {name!r}: parameter {p}={value!r} must be {s.params[p].requirement}")
    if group_size is not None:
        if group_size < s.min_group:
            raise ValueError(f"estimator {name!r} needs a group size >= {s.min_group}, got {group_size}")
        k = resolved.get("k")
        if k is not None and k > group_size:
            raise ValueError(f"estimator {name!r}: parameter k={k} must be <= the group size {group_size}")
        if name == "pkpo":
            if resolved["baseline"] == "loo-1" and k < 2:
                raise ValueError("estimator 'pkpo': baseline 'loo-1' needs k >= 2 (use baseline 'loo' for k = 1)")
            if resolved["baseline"] == "loo" and k > group_size - 1:
                raise ValueError(f"estimator 'pkpo': baseline 'loo' needs k <= group size - 1 = {group_size - 1}")
    return resolved


def compute(name: str, rewards: torch.Tensor, **params: Any) -> torch.Tensor:
    """Advantages of estimator `name` for grouped rewards.

    Args:
        name: a registry name (see `available()`).
        rewards: float tensor (G, N): one row per prompt group, N responses each.
        **params: the estimator's parameters (see `spec(name).params`), e.g. beta=2.0 or k=4.

    Returns:
        float tensor (G, N), same dtype and device as `rewards`. Computed in float64 internally.
    """
    s = spec(name)
    if not isinstance(rewards, torch.Tensor):
        raise ValueError(f"rewards must be a torch.Tensor of shape (num_prompts, group_size), got {type(rewards).__name__}")
    if rewards.dim() != 2 or rewards.shape[-1] == 0:
        raise ValueError(f"rewards must have shape (num_prompts, group_size), got {tuple(rewards.shape)}")
    if not rewards.is_floating_point():
        raise ValueError(f"rewards must be a floating-point tensor, got {rewards.dtype}")
    resolved = check_params(name, group_size=rewards.shape[-1], **params)
    r = rewards.detach().to(torch.float64)
    if not bool(torch.isfinite(r).all()):
        raise ValueError("rewards contain NaN or Inf")
    if rewards.shape[0] == 0:
        return torch.zeros_like(rewards)
    return s.fn(r, **resolved).to(rewards.dtype)
