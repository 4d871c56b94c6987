"""A β schedule on verl 0.9.1: a paper-grid run with a cosine schedule composes against verl's own Hydra config, and
verl's own compute_advantage applies the scheduled β of the step verl's trainer sets (SkipManager.set_step)."""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.verl

try:
    import verl
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from verl import DataProto
    from verl.trainer.ppo.ray_trainer import compute_advantage
    from verl.utils.config import omega_conf_to_dataclass
    from verl.utils.skip.skip_manager import SkipManager
except Exception as exc:  # noqa: BLE001
    pytest.skip(f"verl 0.9.1 is not importable here ({type(exc).__name__}: {exc})", allow_module_level=True)

from rsgrpo import estimators  # noqa: E402
from rsgrpo.estimators import beta as B  # noqa: E402
from rsgrpo.train import grid as traingrid  # noqa: E402
from rsgrpo.train.verl import plugin as vp  # noqa: E402
from rsgrpo.train.verl.overrides import build_overrides  # noqa: E402

COSINE = {"schedule": "cosine", "beta_start": 8, "beta_end": 2, "warmup_steps": 10, "decay_steps": 100}


@pytest.fixture
def step_reset():
    saved = SkipManager.step
    yield SkipManager
    SkipManager.set_step(saved)


def _scheduled_run(paper, beta):
    train = copy.deepcopy(paper["train"])
    exp = train["experiments"][0]
    exp["methods"] = [{"estimator": "rs_grpo", "params": {"beta": beta}, "seeds": [0]}]
    train["experiments"] = [exp]
    (run,) = traingrid.expand(train)
    files = {"train_files": "/d/train.parquet", "val_files": "/d/val.parquet", "ckpt_dir": "/c",
             "rollout_dir": "/r", "validation_dir": "/v"}
    overrides = build_overrides(run, train["models"][run.model], traingrid.hyperparameters(train), files,
                                project=train["project"], n_gpus_per_node=1, nnodes=1, loggers=("console",))
    return run, overrides


def _batch(n_groups=6, size=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    uids = np.array([f"p{i}" for i in range(n_groups) for _ in range(size)], dtype=object)
    scores = (torch.rand(len(uids), generator=g) < 0.4).float()
    mask = torch.ones(len(uids), 3)
    tlr = torch.zeros(len(uids), 3)
    tlr[:, -1] = scores
    data = DataProto.from_dict(tensors={"token_level_rewards": tlr, "response_mask": mask}, non_tensors={"uid": uids})
    return data, scores.view(n_groups, size)


def test_cosine_schedule_paper_run_composes_and_verl_applies_the_step(paper, step_reset):
    run, overrides = _scheduled_run(paper, COSINE)
    assert run.name.split("__")[2] == "rs_grpo-cos8to2w10d100"  # the run name encodes the schedule
    assert any(o.startswith("+algorithm.rs_beta={schedule:cosine,") for o in overrides)
    cfg_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=cfg_dir, version_base=None):
        cfg = compose("ppo_trainer", overrides=overrides)
    GlobalHydra.instance().clear()
    algo = omega_conf_to_dataclass(cfg.algorithm)
    assert type(algo) is vp.RSAlgoConfig
    assert vp.estimator_params("rs_grpo", algo) == {"beta": B.normalise(COSINE)}
    used = {}
    for verl_step in (1, 61):  # verl's global_steps: 1-based; the schedule sees the updates done before
        step_reset.set_step(verl_step)
        data, r = _batch()
        out = compute_advantage(data, adv_estimator=cfg.algorithm.adv_estimator, config=algo)
        used[verl_step] = beta = B.value(COSINE, verl_step - 1)
        expect = estimators.compute("rs_grpo", r.double(), beta=beta).float().reshape(-1)
        assert torch.equal(out.batch["advantages"][:, -1], expect)
    assert used == {1: 8.0, 61: pytest.approx(5.0)}  # warm-up holds beta_start; mid-decay the cosine is at 5
    assert not torch.equal(estimators.compute("rs_grpo", r.double(), beta=8.0),
                           estimators.compute("rs_grpo", r.double(), beta=used[61]))


def test_difficulty_schedule_sets_beta_per_prompt_in_verl(step_reset):
    spec = {"schedule": "difficulty", "beta_max": 8, "beta_min": 0}
    step_reset.set_step(3)
    data, r = _batch(seed=1)
    out = compute_advantage(data, adv_estimator="rs_grpo", config=vp.RSAlgoConfig(rs_beta=spec))
    for g in range(r.shape[0]):  # row by row: the scalar beta of that prompt's accuracy
        acc = float(r[g].mean())
        expect = estimators.compute("rs_grpo", r[g:g + 1].double(), beta=8.0 * (1 - acc))[0].float()
        torch.testing.assert_close(out.batch["advantages"][g * 8:(g + 1) * 8, -1], expect, rtol=0, atol=1e-6)


def test_a_schedule_without_a_step_says_how_to_set_it(step_reset):
    step_reset.set_step(-1)
    data, _ = _batch()
    with pytest.raises(RuntimeError, match="SkipManager.set_step"):
        compute_advantage(data, adv_estimator="rs_grpo", config=vp.RSAlgoConfig(rs_beta=COSINE))
