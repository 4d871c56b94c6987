"""The one table of estimator parameters outside the registry: how each registry parameter is named where it
travels as a field of a foreign config (verl's algorithm config, `RSAlgoConfig`), with defaults from the registry.

    registry parameter   verl algorithm field   estimators
    beta                 rs_beta                rs_grpo (a number or a β schedule mapping)
    k                    pass_k                 chen, mahdavi, pkpo
    eps                  adv_eps                grpo, chen
    variant              mahdavi_variant        mahdavi
    baseline             pkpo_baseline          pkpo

    to_fields(name, params)   -> {field: value}   validated, defaults filled in (the overrides of one run)
    from_fields(name, get)    -> params           read back with `get(field, default)` and validated (the plugin)
    field_defaults()          -> {field: value}   the registry defaults of every field (the config dataclass)
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from rsgrpo.estimators.registry import check_params, spec

__all__ = ["VERL_FIELDS", "to_fields", "from_fields", "field_defaults"]

VERL_FIELDS: dict[str, str] = {"beta": "rs_beta", "k": "pass_k", "eps": "adv_eps", "variant": "mahdavi_variant",
                               "baseline": "pkpo_baseline"}


def _coerce(param: str, value: Any) -> Any:
    """Numbers as a foreign config may hold them (2 for 2.0, 4.0 for 4), a β schedule as a config mapping
    (OmegaConf's DictConfig) -> the registry's types."""
    if param == "beta" and isinstance(value, Mapping) and not isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if param == "k" and isinstance(value, float) and value.is_integer():
        return int(value)
    if param in ("beta", "eps") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def to_fields(name: str, params: dict[str, Any], group_size: int | None = None) -> dict[str, Any]:
    """{verl field: value} of estimator `name` with `params` (validated; every parameter, defaults included)."""
    resolved = check_params(name, group_size=group_size, **{p: _coerce(p, v) for p, v in params.items()})
    return {VERL_FIELDS[p]: v for p, v in resolved.items()}


def from_fields(name: str, get: Callable[[str, Any], Any]) -> dict[str, Any]:
    """The registry parameters of `name` read as `get(field, registry default)`; validated (ValueError naming it)."""
    params = {p: _coerce(p, get(VERL_FIELDS[p], d.default)) for p, d in spec(name).params.items()}
    return check_params(name, **params)


def field_defaults() -> dict[str, Any]:
    """{verl field: registry default}; a parameter shared by several estimators has one default (checked)."""
    from rsgrpo.estimators.registry import available

    out: dict[str, Any] = {}
    for name in available():
        for p, d in spec(name).params.items():
            f = VERL_FIELDS[p]
            if f in out and out[f] != d.default:
                raise AssertionError(f"parameter {p} has two registry defaults ({out[f]!r}, {d.default!r})")
            out[f] = d.default
    return out
