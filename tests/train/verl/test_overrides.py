"""Every override set of the paper grid composes against verl 0.9.1's own Hydra config (`ppo_trainer`).

Hydra is initialised once; each of the grid's sets is composed (composition is ~0.1-0.3 s per set on CPU),
then its `algorithm` converted with verl's `omega_conf_to_dataclass`. Unknown / misspelled keys make
`compose` raise; the V1 reward keys are checked against the silently ignored legacy ones (docs/verl.md §9).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from rsgrpo.train import grid as traingrid
from rsgrpo.config.check import validate_config
from rsgrpo.train.verl.overrides import PLAIN_CHAT_TEMPLATE, build_overrides, hydra_value, reward_function_path

ROOT = Path(__file__).resolve().parents[3]


def _files(name):
    return {"train_files": f"/data/{name}/train.parquet", "val_files": "/data/validation.parquet",
            "ckpt_dir": f"/ckpt/{name}", "rollout_dir": f"/r/{name}/rollouts",
            "validation_dir": f"/r/{name}/validation"}


def _all_sets(paper):
    train = paper["train"]
    hp = traingrid.hyperparameters(train)
    for run in traingrid.expand(train):
        yield run, build_overrides(run, train["models"][run.model], hp, _files(run.name), project=train["project"],
                                   n_gpus_per_node=8, nnodes=1, loggers=("console", "wandb", "file"),
                                   extra=["+ray_kwargs.ray_init.runtime_env.env_vars.RSGRPO_REWARD_LOG=/r/x.jsonl"])


def test_overrides_are_pure_and_table3(paper):
    run, o = next(_all_sets(paper))
    assert o == next(_all_sets(paper))[1]  # deterministic
    d = dict(x.split("=", 1) for x in o)
    assert d["data.train_batch_size"] == "512" and d["actor_rollout_ref.rollout.n"] == "16"
    assert d["actor_rollout_ref.actor.ppo_mini_batch_size"] == "32" and d["actor_rollout_ref.actor.ppo_epochs"] == "1"
    assert d["actor_rollout_ref.actor.clip_ratio_low"] == "0.2" and d["actor_rollout_ref.actor.clip_ratio_high"] == "0.28"
    assert d["actor_rollout_ref.actor.entropy_coeff"] == "0.0" and d["algorithm.kl_ctrl.kl_coef"] == "0.0"
    assert d["actor_rollout_ref.actor.use_kl_loss"] == "false" and d["algorithm.use_kl_in_reward"] == "false"
    assert d["actor_rollout_ref.rollout.temperature"] == "1.0" and d["actor_rollout_ref.rollout.top_p"] == "1.0"
    assert d["actor_rollout_ref.rollout.val_kwargs.top_p"] == "0.7"
    assert d["algorithm.filter_groups.enable"] == "true" and d["trainer.resume_mode"] == "auto"
    assert d["algorithm.norm_adv_by_std_in_grpo"] == "true"
    assert d["reward.custom_reward_function.path"] == reward_function_path()
    assert Path(reward_function_path()).is_file()
    assert not any(x.startswith(("custom_reward_function.", "reward_model.")) for x in o)  # legacy keys


def test_hydra_value():
    assert hydra_value(True) == "true" and hydra_value(None) == "null" and hydra_value(1e-6) == "1e-06"
    assert hydra_value(["console", "wandb"]) == "[console,wandb]"
    assert hydra_value({"schedule": "cosine", "beta_start": 8.0, "decay_steps": 100}) == \
        "{schedule:cosine,beta_start:8.0,decay_steps:100}"
    assert hydra_value("Qwen/Qwen2.5-Math-1.5B") == "Qwen/Qwen2.5-Math-1.5B"
    assert hydra_value("true") == "'true'" and hydra_value("123") == "'123'" and hydra_value("a b") == "'a b'"
    with pytest.raises(ValueError):
        hydra_value("${oops}")


@pytest.mark.verl
def test_every_paper_override_set_composes_against_verl(paper):
    try:
        import verl
        from hydra import compose, initialize_config_dir
        from hydra.core.global_hydra import GlobalHydra
        from verl.utils.config import omega_conf_to_dataclass

        import rsgrpo.train.verl.plugin as vp
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"verl 0.9.1 is not importable here ({type(exc).__name__}: {exc})")
    cfg_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    sets = list(_all_sets(paper))
    assert len(sets) == 28
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=cfg_dir, version_base=None):
        for run, overrides in sets:
            cfg = compose("ppo_trainer", overrides=overrides)
            algo = omega_conf_to_dataclass(cfg.algorithm)
            assert type(algo) is vp.RSAlgoConfig, run.name
            want = traingrid.VERL_BUILTIN.get(run.estimator, run.estimator)
            assert cfg.algorithm.adv_estimator == want
            if run.estimator != "grpo":
                assert vp.estimator_params(want, algo) == run.params, run.name
            model = paper["train"]["models"][run.model]
            assert cfg.data.max_response_length == model["max_response_length"]
            assert cfg.actor_rollout_ref.rollout.response_length == model["max_response_length"]
            assert cfg.actor_rollout_ref.model.path == model["hub_id"]
            assert (cfg.actor_rollout_ref.model.custom_chat_template == PLAIN_CHAT_TEMPLATE) \
                == (not model["chat_template"])
            # V1 reward keys set; the legacy stubs stay null (they would be silently ignored)
            assert cfg.reward.custom_reward_function.path == reward_function_path()
            assert cfg.reward.custom_reward_function.name == "compute_score"
            assert cfg.custom_reward_function.path is None and cfg.reward_model.reward_manager is None
            assert cfg.trainer.use_v1 is True and cfg.trainer.resume_mode == "auto"
            assert list(cfg.trainer.logger) == ["console", "wandb", "file"]
            assert cfg.trainer.experiment_name == run.name and cfg.data.seed == run.seed
            env_vars = cfg.ray_kwargs.ray_init.runtime_env.env_vars
            assert env_vars.VERL_USE_EXTERNAL_MODULES == "rsgrpo.train.verl.plugin"
        with pytest.raises(Exception, match="clip_ratio_hihg"):  # a misspelled key is caught
            compose("ppo_trainer", overrides=[*sets[0][1], "actor_rollout_ref.actor.clip_ratio_hihg=0.3"])
    GlobalHydra.instance().clear()


@pytest.mark.verl
def test_cpu_overrides_compose_with_the_hf_rollout(paper):
    """The CPU switches (rsgrpo.train.verl.overrides.cpu_overrides) are verl keys and land where the CPU run
    needs them (the run itself: tests/train/verl/test_verl_e2e.py)."""
    try:
        import verl
        from hydra import compose, initialize_config_dir
        from hydra.core.global_hydra import GlobalHydra
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"verl 0.9.1 is not importable here ({type(exc).__name__}: {exc})")
    from rsgrpo.train.verl.overrides import cpu_overrides

    train = paper["train"]
    run = next(iter(traingrid.expand(train)))
    o = build_overrides(run, train["models"][run.model], traingrid.hyperparameters(train), _files(run.name),
                        project="p", n_gpus_per_node=3, rollout="hf", extra=cpu_overrides(3, 12))
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=os.path.join(os.path.dirname(verl.__file__), "trainer", "config"),
                               version_base=None):
        cfg = compose("ppo_trainer", overrides=o)
    GlobalHydra.instance().clear()
    assert cfg.actor_rollout_ref.rollout.name == "hf" and cfg.trainer.device == "cpu"
    assert cfg.ray_kwargs.ray_init.num_gpus == 3 == cfg.trainer.n_gpus_per_node
    assert cfg.ray_kwargs.ray_init.num_cpus == 12
    assert cfg.actor_rollout_ref.actor.strategy == "fsdp2" and cfg.actor_rollout_ref.actor.fsdp_config.dtype == "float32"
    assert cfg.actor_rollout_ref.model.override_config.attn_implementation == "sdpa"
    assert cfg.ray_kwargs.ray_init.runtime_env.env_vars.VERL_PLATFORM == "cpu"
