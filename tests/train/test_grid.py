"""The paper grid as data (rsgrpo.train.grid)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from rsgrpo.train import grid as traingrid
from rsgrpo.config.check import ConfigError, validate_config
from rsgrpo.runs import parse_run

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())


def test_paper_yaml_is_complete_and_valid(paper):
    assert {r.trainer for r in traingrid.expand(paper["train"])} == {"verl"}
    assert paper["train"]["hyperparameters"]["norm_adv_by_std_in_grpo"] is True  # explicit, not a default
    raw = yaml.safe_load((ROOT / "config" / "paper.yaml").read_text())
    assert "norm_adv_by_std_in_grpo" in raw["train"]["hyperparameters"]


def test_grid_matches_table2_pairing(paper):
    runs = traingrid.check(paper["train"], check_paths=True)
    names = [r.name for r in runs]
    assert len(names) == len(set(names)) == 28  # 8 + 8 + 4 + 2 + 3 x 2 per seed
    pairs = {(r.model, r.dataset) for r in runs}
    assert pairs == {("qwen25-math-1.5b", "deepmath103k"), ("qwen25-math-7b", "deepmath103k"),
                     ("qwen25-math-7b", "dapo17k"), ("qwen25-math-7b", "math12k"), ("qwen25-7b", "math12k"),
                     ("qwen3-4b-base", "math12k"), ("llama31-8b-instruct", "math12k")}
    for r in runs:
        assert parse_run(r.name) == r.run
    ablation = sorted(r.run.beta for r in runs if r.model == "qwen25-math-1.5b" and r.estimator == "rs_grpo")
    assert ablation == [0.0, 2.0, 4.0, 8.0]
    assert {r.run.k for r in runs if r.estimator in ("chen", "mahdavi", "pkpo")} == {4}
    assert "qwen25-math-1.5b__deepmath103k__pkpo-k4__s0" in names
    assert not any("dapo17k__pkpo" in n for n in names)  # Table 2 has no PKPO row for dapo17k
    assert len(traingrid.base_runs(paper["train"])) == 5
    lengths = {k: m["max_response_length"] for k, m in paper["train"]["models"].items()}
    assert lengths == {"qwen25-math-1.5b": 3072, "qwen25-math-7b": 3072, "qwen25-7b": 8192,
                       "qwen3-4b-base": 8192, "llama31-8b-instruct": 8192}


def test_seeds_multiply_runs(paper):
    train = copy.deepcopy(paper["train"])
    train["seeds"] = [0, 1, 2]
    assert len(traingrid.expand(train)) == 84


def test_failures_before_submission(paper, tmp_path):
    bad = copy.deepcopy(paper)
    bad["train"]["experiments"][0]["methods"][1] = {"estimator": "rs_grpoo"}
    with pytest.raises(ConfigError, match=r"train\.experiments\[0\]\.methods\[1\]\.estimator.*rs_grpoo"):
        validate_config(bad, SCHEMA)
    bad = copy.deepcopy(paper)
    bad["train"]["models"]["qwen25-7b"]["path"] = str(tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"train\.models\.qwen25-7b\.path.*does not exist"):
        traingrid.check(bad["train"])
    bad = copy.deepcopy(paper)
    bad["train"]["hyperparameters"]["clip_ratio_low"] = -0.2
    with pytest.raises(ConfigError, match=r"train\.hyperparameters\.clip_ratio_low"):
        validate_config(bad, SCHEMA)
    bad = copy.deepcopy(paper)
    bad["train"]["hyperparameters"]["lr"] = "fast"
    with pytest.raises(ConfigError, match=r"train\.hyperparameters\.lr"):
        validate_config(bad, SCHEMA)
    bad = copy.deepcopy(paper)
    bad["train"]["hyperparameters"]["ppo_mini_batch_size"] = 48
    with pytest.raises(ValueError, match="must divide train_batch_size"):
        traingrid.check(bad["train"])
    bad = copy.deepcopy(paper)
    bad["train"]["experiments"][0]["methods"][5] = {"estimator": "chen", "params": {"k": 32}}
    with pytest.raises(ConfigError, match="k=32 must be <= the group size 16"):
        validate_config(bad, SCHEMA)
    bad = copy.deepcopy(paper)
    bad["train"]["experiments"][0]["dataset"] = "gsm8k"
    with pytest.raises(ValueError, match=r"experiments\[0\]\.dataset.*gsm8k"):
        traingrid.check(bad["train"])


def test_run_dict_round_trip(paper):
    for r in traingrid.expand(paper["train"]):
        assert traingrid.run_from_dict(traingrid.run_to_dict(r)) == r
