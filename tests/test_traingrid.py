"""The paper grid as data (rsgrpo.traingrid), the GPU-count check, the W&B environment and Table 3."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from rsgrpo import gpus, traingrid
from rsgrpo.configcheck import ConfigError, validate_config
from rsgrpo.reports import table3
from rsgrpo.runs import parse_run
from rsgrpo.wandb_env import logged_in, stable_run_id, wandb_env, wandb_mode

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())


@pytest.fixture(scope="module")
def paper():
    return validate_config(yaml.safe_load((ROOT / "config" / "paper.yaml").read_text()), SCHEMA)


def test_paper_yaml_is_complete_and_valid(paper):
    assert paper["grid"] == "paper"
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


def test_wandb_fields(paper):
    r = traingrid.run_by_name(paper["train"], "qwen25-math-7b__dapo17k__rs_grpo-b2__s0")
    f = traingrid.wandb_fields(r, "rs-grpo")
    assert f["group"] == "qwen25-math-7b/dapo17k" and f["name"] == "rs_grpo-b2-s0"
    assert "beta:2" in f["tags"] and "method:rs_grpo" in f["tags"]


def test_wandb_mode_detection(tmp_path):
    assert wandb_mode({}, home=tmp_path) == "offline"
    assert wandb_mode({"WANDB_MODE": "disabled"}, home=tmp_path) == "disabled"
    assert wandb_mode({"WANDB_API_KEY": "x"}, home=tmp_path) == "online"
    (tmp_path / ".netrc").write_text("machine example.org login a password b\n")
    assert not logged_in({}, home=tmp_path)
    (tmp_path / ".netrc").write_text("machine api.wandb.ai\n  login user\n  password secret\n")
    assert logged_in({}, home=tmp_path)
    env = wandb_env({"project": "p", "group": "m/d", "tags": ["a", "b"]}, "run1", tmp_path,
                    environ={}, home=tmp_path / "empty")
    assert env["WANDB_MODE"] == "offline" and env["WANDB_RUN_GROUP"] == "m/d" and env["WANDB_TAGS"] == "a,b"
    assert env["WANDB_RUN_ID"] == stable_run_id("run1") and env["WANDB_RESUME"] == "allow"
    assert "WANDB_API_KEY" not in env and "secret" not in str(env)
    sweep = wandb_env({"project": "p", "group": "g", "tags": []}, "run1", tmp_path, environ={"WANDB_SWEEP_ID": "s"})
    assert "WANDB_RUN_ID" not in sweep


def test_gpu_count_check(monkeypatch):
    assert gpus.check_gpu_count(4, visible=4) == 4
    with pytest.raises(gpus.GpuCountError, match=r"requested 2 GPU\(s\) but 1 is visible"):
        gpus.check_gpu_count(2, visible=1)
    monkeypatch.setenv("RSGRPO_VISIBLE_GPUS", "3")
    assert gpus.visible_gpu_count() == (3, "RSGRPO_VISIBLE_GPUS")
    assert gpus.main(["--expect", "3"]) == 0
    assert gpus.main(["--expect", "8"]) == 1
    assert gpus.parse_gres_count("gpu:h100:4") == 4 and gpus.parse_gres_count("gpu") is None


def test_gpus_per_node():
    from rsgrpo.verl_run import gpus_per_node

    assert gpus_per_node(gpu=8) == 8
    assert gpus_per_node(gpu=16, nnodes=2) == 8
    assert gpus_per_node(gpu=0, gres="gpu:a100:4", nnodes=2) == 4
    with pytest.raises(ValueError, match="no GPU resource"):
        gpus_per_node()


def test_latest_checkpoint(tmp_path):
    from rsgrpo.verl_run import latest_checkpoint

    with pytest.raises(FileNotFoundError):
        latest_checkpoint(tmp_path)
    for s in (25, 50):
        (tmp_path / f"global_step_{s}" / "actor").mkdir(parents=True)
    assert latest_checkpoint(tmp_path) == (50, tmp_path / "global_step_50" / "actor")
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("25\n")
    assert latest_checkpoint(tmp_path)[0] == 25


def test_table3_from_config(paper):
    hp = traingrid.hyperparameters(paper["train"])
    rows = table3.table3_rows(hp, hp["group_size"], paper["train"]["models"])
    d = {h: v for h, v, _ in rows}
    assert d["Training prompt batch size"] == "512" and d["Responses per prompt"] == "16"
    assert d["PPO clip high"] == "0.28" and d["PPO clip low"] == "0.2" and d["KL coefficient"] == "0"
    assert d["Learning rate"] == "1e-06"
    md, tex = table3.to_markdown(rows), table3.to_latex(rows)
    assert md.count("\n") == len(rows) + 2 and "| PPO epochs | 1 | Table 3 |" in md
    assert "\\begin{tabular}" in tex and "qwen25-math-1.5b" in md
