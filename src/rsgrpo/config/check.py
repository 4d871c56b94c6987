"""Validate a workflow config dict before any job runs: JSON Schema (with defaults) plus semantic checks.

The library never reads `config/` by path: the caller passes the config dict and the schema dict.
Errors are one line naming the offending key, the value and the rule it breaks, e.g.::

    config key 'bandit.betas[2]': must be >= 0, got -1
    config key 'advantage_figures.methods[3].params.k': estimator 'pkpo': parameter k=20 must be <= the group size 16
    config key 'bandit.beta': unknown key; did you mean 'betas'?

Values typed on the command line (`snakemake --config 'bandit={betas: [-1]}'`) reach the workflow as strings
below the top level (Snakemake reads them with YAML's BaseLoader); `yaml_scalars` reads such strings as YAML
scalars (int, float, bool, null) before validation, so the error states the value as typed.
"""

from __future__ import annotations

import copy
import difflib
from typing import Any, Iterator

import jsonschema

from rsgrpo import estimators

__all__ = ["ConfigError", "validate", "validate_config", "key_path", "yaml_scalars"]


class ConfigError(ValueError):
    """An invalid config value; the message is one line that names the key."""


def key_path(parts: Any) -> str:
    """('a', 'b', 3, 'c') -> 'a.b[3].c'."""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "<root>"


def _scalar(text: str) -> Any:
    """A string as the YAML scalar it spells ('-1' -> -1, '1e-3' -> 0.001, 'true' -> True, 'null' -> None); any
    other string is returned unchanged."""
    import yaml

    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            pass
    if text.strip() in ("null", "Null", "NULL", "~"):
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, bool) else text


def yaml_scalars(node: Any) -> Any:
    """A copy of `node` (nested dicts / lists from `--config`) with every string leaf read as a YAML scalar."""
    if isinstance(node, dict):
        return {k: yaml_scalars(v) for k, v in node.items()}
    if isinstance(node, list):
        return [yaml_scalars(v) for v in node]
    return _scalar(node) if isinstance(node, str) else node


def _show(value: Any) -> str:
    """A value as the user would type it (YAML flow style: -1, 0.5, true, null, m2, [1, 2])."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=10 ** 6).strip()
    return text[:-3].strip() if text.endswith("...") else text  # a bare scalar ends with YAML's "..." marker


def _closest(word: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.5)
    return f"; did you mean {near[0]!r}?" if near else f"; valid: {', '.join(map(str, choices))}"


def _message(err) -> tuple[tuple, str]:
    """(path, message) of a jsonschema error: the rule in words and the value as typed."""
    path, v, rule = tuple(err.absolute_path), err.instance, err.validator_value
    bounds = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
    if err.validator in bounds:
        return path, f"must be {bounds[err.validator]} {_show(rule)}, got {_show(v)}"
    if err.validator == "additionalProperties" and isinstance(v, dict):
        known = list((err.schema.get("properties") or {}).keys())
        extra = [k for k in v if k not in known]
        if extra and known:
            return path + (extra[0],), f"unknown key{_closest(extra[0], known)}"
    if err.validator == "enum":
        return path, f"must be one of {_show(list(rule))}, got {_show(v)}{_closest(v, list(rule)) if isinstance(v, str) else ''}"
    if err.validator == "type":
        want = " or ".join(rule) if isinstance(rule, list) else rule
        return path, f"must be of type {want}, got {_show(v)} ({type(v).__name__})"
    if err.validator in ("minItems", "maxItems"):
        word = "at least" if err.validator == "minItems" else "at most"
        return path, f"must have {word} {rule} item(s), got {_show(v)}"
    return path, err.message


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
        path, msg = _message(errors[0])
        raise ConfigError(f"config key '{key_path(path)}': {msg}")
    for path, entry, group_size in _method_entries(config, (), None):
        name = entry["estimator"]
        if name == "base":
            continue
        if name not in estimators.available():
            raise ConfigError(
                f"config key '{key_path(path + ('estimator',))}': unknown estimator {name!r}"
                f"{_closest(name, [*estimators.available(), 'base'])} (valid: {', '.join(estimators.available())}, base)"
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
