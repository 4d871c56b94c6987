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
from typing import Any, Callable

__all__ = ["compute", "available", "spec", "check_params", "EstimatorSpec", "binomial"]


# --------------------------------------------------------------------------------------------- helpers
def binomial(n: int, k: int) -> int:
    """C(n, k) as an exact integer, defined as 0 when n < 0, k < 0 or k > n (docs/algorithms.md §0)."""
    if n < 0 or k < 0 or k > n:
        return 0
    return math.comb(n, k)


# -------------------------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class Param:
    default: Any
    check: Callable[[Any], bool]
    requirement: str
    # optional: value -> canonical value, ValueError saying what is wrong (replaces `check` when set)
    normalise: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class EstimatorSpec:
    """What the registry knows about one estimator."""

    name: str
    label: str  # for tables and legends
    # (G, N) float64 -> (G, N) float64: a function, or the name of one in rsgrpo.estimators.kernels (imported on
    # the first compute, so that names, parameters and checks load without torch)
    fn: Callable[..., Any] | str
    params: dict[str, Param] = field(default_factory=dict)
    binary_only: bool = False
    min_group: int = 1
    reconstruction: bool = False  # True when no public code/text exists (Mahdavi)

    def kernel(self) -> Callable[..., Any]:
        """The estimator's function (imports rsgrpo.estimators.kernels, hence torch, for a named kernel)."""
        if callable(self.fn):
            return self.fn
        from rsgrpo.estimators import kernels

        return getattr(kernels, self.fn)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_tensor(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch" and hasattr(x, "dim")


def _beta(v: Any) -> Any:
    """RS-GRPO's beta: a number >= 0, a per-prompt tensor (G,) / (G, 1) of them (compute), or a schedule (config,
    rsgrpo.estimators.beta; {schedule: constant} becomes its number)."""
    if _is_tensor(v):
        if v.dim() > 2 or not bool(v.isfinite().all()) or bool((v < 0).any()):
            raise ValueError("a per-prompt beta tensor must have shape (num_prompts,) or (num_prompts, 1), "
                             "finite values >= 0")
        return v
    from rsgrpo.estimators import beta

    return beta.normalise(v)


_EPS = Param(1e-6, lambda v: _is_num(v) and v > 0, "a positive number")
_K = Param(4, lambda v: _is_int(v) and v >= 1, "an integer >= 1 and <= the group size")

_REGISTRY: dict[str, EstimatorSpec] = {
    s.name: s
    for s in [
        EstimatorSpec("grpo", "GRPO", "grpo", {"eps": _EPS}),
        EstimatorSpec("dr_grpo", "Dr.GRPO", "dr_grpo"),
        EstimatorSpec(
            "rs_grpo", "RS-GRPO", "rs_grpo",
            {"beta": Param(2.0, lambda v: _is_num(v) and v >= 0, "a number >= 0 or a beta schedule", _beta)},
        ),
        EstimatorSpec("chen", "Chen et al.", "chen", {"k": _K, "eps": _EPS}, binary_only=True),
        EstimatorSpec(
            "mahdavi",
            "Mahdavi et al. (reconstruction)",
            "mahdavi",
            {"k": _K, "variant": Param("m2", lambda v: v in ("m1", "m2"), "one of 'm1', 'm2'")},
            binary_only=True,
            reconstruction=True,
        ),
        EstimatorSpec("tang", "Tang et al.", "tang", min_group=2),
        EstimatorSpec(
            "pkpo",
            "Walder & Karkhanis (PKPO)",
            "pkpo",
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
        d = s.params[p]
        if d.normalise is not None:
            try:
                resolved[p] = d.normalise(value)
            except ValueError as exc:
                raise ValueError(f"estimator {name!r}: parameter {p}={value!r}: {exc}") from None
        elif not d.check(value):
            raise ValueError(f"estimator {name!r}: parameter {p}={value!r} must be {d.requirement}")
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


def compute(name: str, rewards: "torch.Tensor", **params: Any) -> "torch.Tensor":
    """Advantages of estimator `name` for grouped rewards.

    Args:
        name: a registry name (see `available()`).
        rewards: float tensor (G, N): one row per prompt group, N responses each.
        **params: the estimator's parameters (see `spec(name).params`), e.g. beta=2.0 or k=4. RS-GRPO's beta
            may be a per-prompt tensor (G,) or (G, 1) (row g uses beta[g]: the same numbers as a scalar call on
            that row); a schedule must be evaluated first (rsgrpo.estimators.beta.params_at).

    Returns:
        float tensor (G, N), same dtype and device as `rewards`. Computed in float64 internally.
    """
    import torch

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
    b = resolved.get("beta")
    if isinstance(b, dict):
        raise ValueError(f"estimator {name!r}: beta is a schedule ({b['schedule']}); evaluate it at the step first "
                         "(rsgrpo.estimators.beta.params_at(params, step, rewards))")
    if isinstance(b, torch.Tensor):
        if b.numel() not in (1, r.shape[0]):
            raise ValueError(f"estimator {name!r}: a per-prompt beta needs {r.shape[0]} values (one per prompt), "
                             f"got shape {tuple(b.shape)}")
        resolved["beta"] = b.detach().to(dtype=torch.float64, device=r.device).reshape(-1, 1).expand(r.shape[0], 1)
    return s.kernel()(r, **resolved).to(rewards.dtype)
