"""Validate a workflow config dict before any job runs: JSON Schema (with defaults) plus semantic checks.

The library never reads `config/` by path: the caller passes the config dict and the schema dict.
Errors are one line naming the offending key, e.g.::

    config key 'bandit.betas[2]': -1 is less than the minimum of 0
    config key 'advantage_figures.methods[3].params.k': estimator 'pkpo': parameter k=20 must be <= the group size 16
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

import jsonschema

from rsgrpo import estimators

__all__ = ["ConfigError", "validate", "validate_config", "key_path"]


class ConfigError(ValueError):
    """An invalid config value; the message is one line that names the key."""


def key_path(parts: Any) -> str:
    """('a', 'b', 3, 'c') -> 'a.b[3].c'."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "<root>"


def _extend_with_default(validator_class):
    """A jsonschema validator that fills in `default` values of absent properties (as Snakemake does)."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for prop, sub in properties.items():
                if isinstance(sub, dict) and "default" in sub and prop not in instance:
                    instance[prop] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


_Validator = _extend_with_default(jsonschema.Draft202012Validator)


def _method_entries(node: Any, path: tuple, group_size: int | None) -> Iterator[tuple[tuple, dict, int | None]]:
    """Yield (path, entry, group size in scope) for every dict with an `estimator` key."""
    if isinstance(node, dict):
        group_size = node.get("group_size", group_size) if isinstance(node.get("group_size"), int) else group_size
        if "estimator" in node:
            yield path, node, group_size
        for key, value in node.items():
            yield from _method_entries(value, path + (key,), group_size)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _method_entries(value, path + (i,), group_size)


def validate_config(config: dict, schema: dict) -> dict:
    """Validate `config` in place (defaults filled in) and return it; ConfigError on the first problem (see `validate`)."""
    validate(config, schema)
    return config


def validate(config: dict, schema: dict):
    """Validate `config` in place (defaults filled in); return its jobs (rsgrpo.config.jobs.Jobs) or raise
    ConfigError on the first problem.

    Semantic checks: every mapping with an `estimator` key must name a registry estimator, and its `params`
    must be valid for it, including k <= the `group_size` in scope (the nearest enclosing `group_size`); then
    the references between sections (models, datasets, benchmarks, trainers) by expanding the config into its
    jobs (rsgrpo.config.jobs.Jobs).
    """
    errors = sorted(_Validator(schema).iter_errors(config), key=lambda e: (len(e.path), list(map(str, e.path))))
    if errors:
        err = errors[0]
        raise ConfigError(f"config key '{key_path(err.absolute_path)}': {err.message}")
    for path, entry, group_size in _method_entries(config, (), None):
        name = entry["estimator"]
        if name == "base":
            continue
        if name not in estimators.available():
            raise ConfigError(
                f"config key '{key_path(path + ('estimator',))}': unknown estimator {name!r}; "
                f"valid: {', '.join(estimators.available())}"
            )
        params = entry.get("params") or {}
        try:
            estimators.check_params(name, group_size=group_size, **params)
        except ValueError as exc:
            bad = next((p for p in params if f"{p}=" in str(exc) or f"parameter(s) {p}" in str(exc)), None)
            where = path + ("params", bad) if bad else path + ("params",)
            raise ConfigError(f"config key '{key_path(where)}': {exc}") from None
    from rsgrpo.config.jobs import Jobs

    try:
        return Jobs(config)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
