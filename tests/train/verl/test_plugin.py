"""rsgrpo.train.verl.plugin against the real verl 0.9.1 (CPU): registration hooks, verl's own compute_advantage call
path with every rsgrpo estimator, and the RSAlgoConfig round trip through verl's Hydra config."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.verl

try:  # skip the module with a reason when verl 0.9.1 (+ cachetools, uvicorn) is absent
    import verl  # noqa: F401
    from verl import DataProto
    from verl.trainer.ppo import core_algos
    from verl.trainer.ppo.ray_trainer import compute_advantage
except Exception as exc:  # noqa: BLE001
    pytest.skip(f"verl 0.9.1 is not importable here ({type(exc).__name__}: {exc}); "
                "pip install torch==2.13.0 'verl==0.9.1' cachetools uvicorn fastapi", allow_module_level=True)

from rsgrpo import estimators  # noqa: E402
from rsgrpo.train.verl import plugin as vp  # noqa: E402

OURS = ("rs_grpo", "dr_grpo", "chen", "mahdavi", "pkpo", "tang")
CASES = [  # verl name, RSAlgoConfig fields, registry params
    ("rs_grpo", {"rs_beta": 4.0}, {"beta": 4.0}),
    ("rs_grpo", {"rs_beta": 0.0}, {"beta": 0.0}),
    ("dr_grpo", {}, {}),
    ("chen", {"pass_k": 4}, {"k": 4}),
    ("mahdavi", {"pass_k": 2, "mahdavi_variant": "m1"}, {"k": 2, "variant": "m1"}),
    ("mahdavi", {"pass_k": 4}, {"k": 4, "variant": "m2"}),
    ("pkpo", {"pass_k": 4, "pkpo_baseline": "loo-1"}, {"k": 4, "baseline": "loo-1"}),
    ("pkpo", {"pass_k": 3, "pkpo_baseline": "none"}, {"k": 3, "baseline": "none"}),
    ("tang", {}, {}),
]

_PROBE = ("import json, verl\nfrom verl.trainer.ppo import core_algos\n"
          "print(json.dumps(sorted(k for k, f in core_algos.ADV_ESTIMATOR_REGISTRY.items()"
          " if getattr(f, '_rsgrpo_estimator', None))))")


def _probe(env_updates: dict) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERL_USE_EXTERNAL")}
    env.update(env_updates)
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def test_entry_point_declared():
    eps = [ep for ep in metadata.entry_points(group="verl.plugins") if ep.value == "rsgrpo.train.verl.plugin"]
    assert eps, "pyproject.toml must declare [project.entry-points.\"verl.plugins\"] (then pip install -e .)"


@pytest.mark.slow
def test_import_verl_registers_through_entry_point_and_env_var():
    # verl/__init__.py (0.9.1) loads the `verl.plugins` entry points on `import verl` ...
    assert _probe({}) == sorted(OURS)
    # ... the entry points can be disabled, and VERL_USE_EXTERNAL_MODULES is the fallback hook
    assert _probe({"VERL_USE_EXTERNAL_PLUGINS": "none"}) == []
    assert _probe({"VERL_USE_EXTERNAL_PLUGINS": "none", "VERL_USE_EXTERNAL_MODULES": "rsgrpo.train.verl.plugin"}) \
        == sorted(OURS)


def test_verl_builtins_untouched():
    assert core_algos.get_adv_estimator_fn("grpo_passk") is core_algos.compute_grpo_passk_outcome_advantage
    for name in OURS:
        assert core_algos.get_adv_estimator_fn(name)._rsgrpo_estimator == name


def test_registration_idempotent():
    before = {n: core_algos.ADV_ESTIMATOR_REGISTRY[n] for n in OURS}
    importlib.reload(vp)  # a second import must not raise
    vp.register()
    assert all(core_algos.ADV_ESTIMATOR_REGISTRY[n] is before[n] for n in OURS)


def test_foreign_registration_is_refused():
    saved = core_algos.ADV_ESTIMATOR_REGISTRY["tang"]
    try:
        core_algos.ADV_ESTIMATOR_REGISTRY["tang"] = lambda **kw: None
        with pytest.raises(ValueError, match="'tang' is already registered"):
            vp.register()
    finally:
        core_algos.ADV_ESTIMATOR_REGISTRY["tang"] = saved


def test_assert_registered():
    assert vp.assert_registered("rs_grpo")._rsgrpo_estimator == "rs_grpo"
    assert vp.assert_registered("grpo") is not None
    with pytest.raises(RuntimeError, match="'rs_grpoo' is not registered"):
        vp.assert_registered("rs_grpoo")


def _batch(sizes, binary, seed=0, L=7):
    """Interleaved groups of the given sizes: (token_level_rewards, response_mask, uids, scores)."""
    g = torch.Generator().manual_seed(seed)
    uids = np.array([f"p{i}" for i, s in enumerate(sizes) for _ in range(s)], dtype=object)
    perm = torch.randperm(len(uids), generator=g).numpy()
    uids = uids[perm]  # groups in shuffled order
    bs = len(uids)
    if binary:
        scores = (torch.rand(bs, generator=g) < 0.4).float()
        scores[uids == "p0"] = 1.0  # an all-correct group
    else:
        scores = torch.rand(bs, generator=g)
    lengths = torch.randint(1, L + 1, (bs,), generator=g)
    mask = (torch.arange(L)[None, :] < lengths[:, None]).float()  # (bs, L)
    tlr = torch.zeros(bs, L)
    tlr[torch.arange(bs), lengths - 1] = scores  # outcome reward at the last valid token
    return tlr, mask, uids, scores


def _reference(name, scores, uids, params):
    """Loop reference: each group (batch order kept) through the registry."""
    out = torch.zeros_like(scores)
    for u in dict.fromkeys(uids):
        idx = torch.as_tensor(np.flatnonzero(uids == u))
        out[idx] = estimators.compute(name, scores[idx][None, :], **params)[0]
    return out


@pytest.mark.parametrize("name,fields,params", CASES)
@pytest.mark.parametrize("sizes", [(8, 8, 8, 8), (8, 5, 8, 4, 6)], ids=["equal", "unequal"])
def test_compute_advantage_matches_registry(name, fields, params, sizes):
    binary = estimators.spec(name).binary_only or name == "chen"
    if min(sizes) < params.get("k", 1) or (name == "pkpo" and params.get("baseline") == "loo"
                                            and min(sizes) <= params["k"]):
        pytest.skip("k larger than a group")
    tlr, mask, uids, scores = _batch(sizes, binary=binary or len(set(sizes)) > 1)
    data = DataProto.from_dict(tensors={"token_level_rewards": tlr, "response_mask": mask},
                               non_tensors={"uid": uids})
    cfg = vp.RSAlgoConfig(adv_estimator=name, **fields)
    out = compute_advantage(data, adv_estimator=name, config=cfg)
    expect = _reference(name, scores, uids, params)[:, None] * mask
    assert torch.equal(out.batch["advantages"], expect)
    assert torch.equal(out.batch["returns"], expect)
    assert torch.all(out.batch["advantages"][mask == 0] == 0)


def test_dictconfig_parameters_and_defaults():
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"adv_estimator": "rs_grpo", "rs_beta": 8.0})
    OmegaConf.set_struct(cfg, True)
    assert vp.estimator_params("rs_grpo", cfg) == {"beta": 8.0}
    assert vp.estimator_params("pkpo", None) == {"k": 4, "baseline": "loo-1"}
    assert vp.estimator_params("chen", {"pass_k": 2.0}) == {"k": 2, "eps": 1e-6}
    with pytest.raises(ValueError, match="beta=-1.0: beta must be >= 0"):
        vp.estimator_params("rs_grpo", {"rs_beta": -1})


def test_bad_batches():
    fn = core_algos.get_adv_estimator_fn("chen")
    tlr, mask, uids, _ = _batch((4, 2), binary=True)
    with pytest.raises(ValueError, match="k=4 must be <= the group size 2.*groups of size 2"):
        fn(token_level_rewards=tlr, response_mask=mask, index=uids, config=vp.RSAlgoConfig(pass_k=4))
    with pytest.raises(ValueError, match="needs the per-prompt group ids"):
        fn(token_level_rewards=tlr, response_mask=mask, config=None)
    tlr = torch.rand(6, 3)
    with pytest.raises(ValueError, match="binary rewards only"):
        fn(token_level_rewards=tlr, response_mask=torch.ones(6, 3), index=np.array(["a"] * 3 + ["b"] * 3),
           config=vp.RSAlgoConfig(pass_k=2))


def test_algo_config_round_trip_through_verl_hydra():
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from verl.utils.config import omega_conf_to_dataclass

    cfg_dir = os.path.join(os.path.dirname(verl.__file__), "trainer", "config")
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=cfg_dir, version_base=None):
        cfg = compose("ppo_trainer", overrides=[
            "algorithm.adv_estimator=pkpo", "algorithm._target_=rsgrpo.train.verl.plugin.RSAlgoConfig",
            "+algorithm.pass_k=8", "+algorithm.pkpo_baseline=loo"])
        bare = compose("ppo_trainer", overrides=["algorithm.adv_estimator=rs_grpo", "+algorithm.rs_beta=4.0"])
    GlobalHydra.instance().clear()
    algo = omega_conf_to_dataclass(cfg.algorithm)
    assert type(algo) is vp.RSAlgoConfig and isinstance(algo, core_algos.AlgoConfig)
    assert (algo.pass_k, algo.pkpo_baseline, algo.rs_beta) == (8, "loo", 2.0)
    assert algo.filter_groups.enable is False  # verl's own nested configs survive
    assert vp.estimator_params("pkpo", algo) == vp.estimator_params("pkpo", cfg.algorithm) == {"k": 8, "baseline": "loo"}
    # the trap this class exists for (docs/environment.md §2): a bare +algorithm.x breaks verl's conversion
    with pytest.raises(Exception, match="rs_beta"):
        omega_conf_to_dataclass(bare.algorithm)
