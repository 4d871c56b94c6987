"""Unit tests of rsgrpo.config.check: JSON Schema with defaults + estimator checks, one-line errors naming the key."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from rsgrpo.estimators import available
from rsgrpo.config.check import ConfigError, key_path, validate_config

ROOT = Path(__file__).resolve().parents[2]

# a small schema shaped like the real one (a section with group_size and a methods list)
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "figs": {
            "type": "object",
            "default": {},
            "properties": {
                "group_size": {"type": "integer", "minimum": 2, "default": 16},
                "betas": {"type": "array", "items": {"type": "number", "minimum": 0}, "default": [0, 2]},
                "methods": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"estimator": {"type": "string"}, "params": {"type": "object", "default": {}}},
                        "required": ["estimator"],
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
        "nested": {"type": "object"},
    },
}


def _err(config, schema=SCHEMA) -> str:
    with pytest.raises(ConfigError) as e:
        validate_config(config, schema)
    msg = str(e.value)
    assert "\n" not in msg  # ONE line
    return msg


def test_key_path():
    assert key_path(("a", "b", 3, "c")) == "a.b[3].c"
    assert key_path((0, "x")) == "[0].x"
    assert key_path(()) == "<root>"


def test_defaults_filled_and_config_returned():
    cfg = {"figs": {"methods": [{"estimator": "rs_grpo"}]}}
    out = validate_config(cfg, SCHEMA)
    assert out is cfg
    assert cfg["figs"]["group_size"] == 16 and cfg["figs"]["betas"] == [0, 2]
    assert cfg["figs"]["methods"][0]["params"] == {}
    # an absent section gets its default too
    empty = validate_config({}, SCHEMA)
    assert empty["figs"] == {"group_size": 16, "betas": [0, 2]}


def test_defaults_are_copies():
    a, b = validate_config({}, SCHEMA), validate_config({}, SCHEMA)
    a["figs"]["betas"].append(5)
    assert b["figs"]["betas"] == [0, 2]
    assert SCHEMA["properties"]["figs"]["properties"]["betas"]["default"] == [0, 2]


def test_schema_errors_name_the_key():
    assert _err({"figs": {"group_size": "x"}}).startswith("config key 'figs.group_size':")
    assert "figs.betas[1]" in _err({"figs": {"betas": [0, -1]}})
    assert "figs" in _err({"figs": {"colour": 1}})  # additionalProperties
    assert "figs.methods[0]" in _err({"figs": {"methods": [{"params": {}}]}})  # estimator required


def test_unknown_estimator():
    msg = _err({"figs": {"methods": [{"estimator": "rs_grpo"}, {"estimator": "ppo"}]}})
    assert msg.startswith("config key 'figs.methods[1].estimator': unknown estimator 'ppo'")
    for name in available():
        assert name in msg


@pytest.mark.parametrize(
    "params, key, text",
    [
        ({"beta": -1}, "figs.methods[0].params.beta", "beta=-1"),
        ({"gamma": 1}, "figs.methods[0].params.gamma", "unknown parameter"),
    ],
)
def test_bad_rs_grpo_params(params, key, text):
    msg = _err({"figs": {"methods": [{"estimator": "rs_grpo", "params": params}]}})
    assert msg.startswith(f"config key '{key}':") and text in msg


def test_k_larger_than_group_size():
    msg = _err({"figs": {"group_size": 8, "methods": [{"estimator": "chen", "params": {"k": 9}}]}})
    assert msg.startswith("config key 'figs.methods[0].params.k':")
    assert "group size 8" in msg
    # the same k is fine with the default group size 16
    validate_config({"figs": {"methods": [{"estimator": "chen", "params": {"k": 9}}]}}, SCHEMA)


def test_nearest_enclosing_group_size():
    cfg = {"nested": {"group_size": 32, "inner": {"group_size": 4, "m": {"estimator": "pkpo", "params": {"k": 8}}},
                      "m": {"estimator": "pkpo", "params": {"k": 8}}}}
    msg = _err(cfg)
    assert msg.startswith("config key 'nested.inner.m.params.k':")
    cfg["nested"]["inner"]["group_size"] = 8
    validate_config(cfg, SCHEMA)
    # without any group_size in scope only the parameters themselves are checked
    validate_config({"nested": {"m": {"estimator": "pkpo", "params": {"k": 1000}}}}, SCHEMA)


def test_base_is_allowed_and_valid_methods_pass():
    cfg = {"nested": {"runs": [{"estimator": "base"}]},
           "figs": {"methods": [{"estimator": n} for n in available()]}}
    validate_config(cfg, SCHEMA)


def test_config_error_is_value_error():
    assert issubclass(ConfigError, ValueError)


def test_shipped_config_is_valid_and_bad_variants_are_not():
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    validate_config(copy.deepcopy(config), schema)
    bad = copy.deepcopy(config)
    bad["advantage_figures"]["methods"][0] = {"estimator": "rs_grpo", "params": {"beta": -2}}
    assert _err(bad, schema).startswith("config key 'advantage_figures.methods[0].params.beta':")
    bad = copy.deepcopy(config)
    bad["advantage_figures"]["methods"][3] = {"estimator": "chen", "params": {"k": 17}}
    assert _err(bad, schema).startswith("config key 'advantage_figures.methods[3].params.k':")


def test_yaml_scalars_read_command_line_strings_as_typed():
    from rsgrpo.config.check import yaml_scalars

    got = yaml_scalars({"betas": ["-1", "1e-3", "2"], "flag": "true", "none": "null", "word": "m2", "n": 3,
                        "nested": [{"k": "20"}], "empty": ""})
    assert got == {"betas": [-1, 0.001, 2], "flag": True, "none": None, "word": "m2", "n": 3, "nested": [{"k": 20}],
                   "empty": ""}
    assert isinstance(got["betas"][2], int)


def test_schema_errors_state_the_rule_and_the_value():
    assert _err({"figs": {"betas": [0, -1]}}) == "config key 'figs.betas[1]': must be >= 0, got -1"
    assert _err({"figs": {"group_size": "x"}}) == "config key 'figs.group_size': must be of type integer, got x (str)"
    assert _err({"figs": {"betaz": [1]}}) == "config key 'figs.betaz': unknown key; did you mean 'betas'?"
    msg = _err({"figs": {"methods": [{"estimator": "rs_grp"}]}})
    assert "unknown estimator 'rs_grp'; did you mean 'rs_grpo'?" in msg
