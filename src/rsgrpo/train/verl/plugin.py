"""verl 0.9.1 plugin: every estimator of `rsgrpo.estimators` as a verl advantage estimator, and the `cpu`
platform (rsgrpo.train.verl.platform_cpu, chosen by VERL_PLATFORM=cpu), and the `hf` rollout
(rsgrpo.train.verl.rollout_hf, chosen by actor_rollout_ref.rollout.name=hf).

Importing this module registers (idempotently) with `verl.trainer.ppo.core_algos.register_adv_est`::

    verl name   registry estimator   parameters read from the algorithm config (RSAlgoConfig fields)
    rs_grpo     rs_grpo              beta = rs_beta (a number, or a β schedule mapping)
    dr_grpo     dr_grpo              -
    chen        chen                 k = pass_k, eps = adv_eps
    mahdavi     mahdavi              k = pass_k, variant = mahdavi_variant
    pkpo        pkpo                 k = pass_k, baseline = pkpo_baseline
    tang        tang                 -

verl's own `grpo` / `grpo_passk` are left untouched (GRPO runs use verl's `grpo`).

How verl loads it in every process, Ray workers included (docs/verl.md §4):
  * the `verl.plugins` entry point of this package (pyproject), loaded by `import verl` (verl >= 0.9.0);
  * fallback: `VERL_USE_EXTERNAL_MODULES=rsgrpo.train.verl.plugin` (also passed to Ray through
    `+ray_kwargs.ray_init.runtime_env.env_vars.VERL_USE_EXTERNAL_MODULES=rsgrpo.train.verl.plugin`).

Parameters: select the config class with `algorithm._target_=rsgrpo.train.verl.plugin.RSAlgoConfig` and set
`+algorithm.rs_beta=2.0` etc. (a bare `+algorithm.x` without the subclass breaks verl's
`omega_conf_to_dataclass`; docs/environment.md §2). `assert_registered(name)` is the start-up check.

β schedules (rsgrpo.estimators.beta): `+algorithm.rs_beta={schedule:cosine,beta_start:8.0,...}`. verl 0.9.1 does
not hand the step to an advantage estimator (compute_advantage passes rewards, mask, uid and the algorithm config);
its RayPPOTrainer.fit runs compute_advantage in the driver process and calls `SkipManager.set_step(global_steps)`
before each step (1-based, restored from the checkpoint on resume). `current_step()` reads that value; the
schedule is evaluated at global_steps - 1 updates done, per group chunk (difficulty uses each group's rewards).
"""

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from rsgrpo import estimators
from rsgrpo.estimators import beta as beta_schedule
from rsgrpo.estimators.params import from_fields
from rsgrpo.train.verl import PLUGIN_MODULE

# verl is required by this module (and imports it while `import verl` loads the entry point: fine, these
# submodules only need what verl/__init__ defined before its plugin loop)
from verl.trainer.config import AlgoConfig
from verl.trainer.ppo import core_algos

__all__ = ["VERL_NAMES", "RSAlgoConfig", "estimator_params", "current_step", "group_advantages", "make_estimator",
           "register", "register_platform", "register_rollout", "dump_call", "assert_registered", "PLUGIN_MODULE"]

logger = logging.getLogger(__name__)

# verl estimator name -> registry name (the same here; kept explicit so a rename is one line).
VERL_NAMES: dict[str, str] = {n: n for n in ("rs_grpo", "dr_grpo", "chen", "mahdavi", "pkpo", "tang")}



@dataclass
class RSAlgoConfig(AlgoConfig):
    """verl's AlgoConfig plus the parameters of the rsgrpo estimators: one field per entry of
    `rsgrpo.estimators.params.VERL_FIELDS`, defaults = the registry's (tests/train/verl/test_plugin.py checks both).

    rs_beta: RS-GRPO risk-seeking beta (paper Sec. 6.1: beta = 2), or a β schedule mapping.
    pass_k: k of the pass@k baselines chen / mahdavi / pkpo (paper App. B: k = 4).
    mahdavi_variant: 'm1' (plug-in) or 'm2' (unbiased leave-one-out), docs/algorithms.md §4.2.
    pkpo_baseline: 'none', 'loo' or 'loo-1' (docs/algorithms.md §4.4).
    adv_eps: epsilon added to the std in chen's normalisation.
    """

    rs_beta: Any = 2.0  # a number, or a β schedule mapping (rsgrpo.estimators.beta)
    pass_k: int = 4
    mahdavi_variant: str = "m2"
    pkpo_baseline: str = "loo-1"
    adv_eps: float = 1e-6


def _cfg_get(config: Any, key: str, default: Any) -> Any:
    if config is None:
        return default
    if isinstance(config, dict) or (hasattr(config, "get") and not hasattr(config, "__dataclass_fields__")):
        value = config.get(key, default)
    else:
        value = getattr(config, key, default)
    return default if value is None else value


_LOGGED: set = set()


def estimator_params(name: str, config: Any = None) -> dict[str, Any]:
    """The registry parameters of verl estimator `name` read from the algorithm config (defaults otherwise).

    Fields per `rsgrpo.estimators.params.VERL_FIELDS`; values validated by the registry (ValueError naming the
    parameter). Logged once per value.
    """
    params = from_fields(VERL_NAMES[name], lambda field, default: _cfg_get(config, field, default))
    key = (name, json.dumps(params, sort_keys=True))
    if key not in _LOGGED:
        _LOGGED.add(key)
        logger.warning("rsgrpo estimator %s: parameters used %s", name, params)
    return params


def current_step() -> int:
    """The 1-based training step verl's RayPPOTrainer.fit set (SkipManager.set_step); RuntimeError if none was set."""
    from verl.utils.skip.skip_manager import SkipManager

    step = int(SkipManager.step)
    if step < 1:
        raise RuntimeError("a beta schedule needs the training step, and verl has not set one: verl 0.9.1's "
                           "RayPPOTrainer.fit calls SkipManager.set_step(global_steps) before each step; outside "
                           "that trainer call verl.utils.skip.skip_manager.SkipManager.set_step(step) first")
    return step


def _group_codes(index: Any) -> np.ndarray:
    """uids (bs,) in any order -> int64 group codes (bs,), numbered by first appearance."""
    codes: dict = {}
    return np.fromiter((codes.setdefault(u, len(codes)) for u in np.asarray(index, dtype=object).ravel()),
                       dtype=np.int64, count=len(index))


def group_advantages(name: str, scores: torch.Tensor, index: Any, *, step: int | None = None, **params: Any
                     ) -> torch.Tensor:
    """Per-response advantages of registry estimator `name` with groups formed from `index`.

    scores (bs,) float; index (bs,) uids (any hashable; groups may be unequal in size and interleaved)
    -> (bs,) same dtype/device. Within a group, responses keep their batch order. Equal-size groups take one
    (G, N) call; otherwise one call per distinct group size. A β schedule in params needs `step` (updates done).
    """
    bs = scores.shape[0]
    if index is None:
        raise ValueError(f"estimator {name!r} needs the per-prompt group ids (`uid`) as `index`")
    if len(index) != bs:
        raise ValueError(f"index has {len(index)} entries but the batch has {bs} responses")
    out = torch.zeros_like(scores)
    if bs == 0:
        return out
    if beta_schedule.is_schedule(params.get("beta")) and step is None:
        raise ValueError(f"estimator {name!r}: a beta schedule needs step= (the number of updates done)")
    codes = _group_codes(index)  # (bs,)
    counts = np.bincount(codes)  # (G,)
    order = np.argsort(codes, kind="stable")  # (bs,) positions sorted by group, batch order inside
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))  # (G,)
    for size in np.unique(counts):
        groups = np.flatnonzero(counts == size)  # (G_s,)
        pos = order[starts[groups][:, None] + np.arange(size)[None, :]]  # (G_s, size)
        pos_t = torch.as_tensor(pos, device=scores.device)
        try:
            r = scores[pos_t]  # (G_s, size)
            adv = estimators.compute(name, r, **beta_schedule.params_at(params, step, r))
        except ValueError as exc:
            raise ValueError(f"{exc} (groups of size {int(size)} in this batch)") from None
        out[pos_t] = adv.to(out.dtype)
    return out


_DUMPED = [0]


def dump_call(name: str, params: dict[str, Any], scores: torch.Tensor, index: Any, response_mask: torch.Tensor,
              adv: torch.Tensor) -> bool:
    """With RSGRPO_ADVANTAGE_DUMP=<file>, append what verl handed the estimator and what it returned, for the
    first RSGRPO_ADVANTAGE_DUMP_CALLS calls (default 1): one JSON line {estimator, params, uid (bs,),
    score (bs,), response_len (bs,), advantage (bs,)}. The proof that verl ran our code with our parameters
    (tests/train/verl/test_verl_e2e.py recomputes the advantages from uid and score). Returns True if written."""
    import json
    import os

    path = os.environ.get("RSGRPO_ADVANTAGE_DUMP")
    if not path or _DUMPED[0] >= int(os.environ.get("RSGRPO_ADVANTAGE_DUMP_CALLS", "1")):
        return False
    _DUMPED[0] += 1
    record = {"estimator": name, "params": params, "uid": [str(u) for u in np.asarray(index, dtype=object)],
              "score": scores.double().tolist(), "response_len": response_mask.sum(-1).long().tolist(),
              "advantage": adv.double().tolist()}
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
    return True


def make_estimator(name: str) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """verl custom-estimator function for verl name `name` (signature of docs/verl.md §3)."""
    reg = VERL_NAMES[name]

    def estimator(token_level_rewards: torch.Tensor, response_mask: torch.Tensor, index: Any = None,
                  config: Any = None, **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """token_level_rewards (bs, L), response_mask (bs, L), index (bs,) uids -> (advantages, returns) (bs, L)."""
        with torch.no_grad():
            params = estimator_params(name, config)
            scores = token_level_rewards.sum(dim=-1)  # (bs,)
            step = current_step() - 1 if beta_schedule.is_schedule(params.get("beta")) else None
            adv = group_advantages(reg, scores, index, step=step, **params)  # (bs,)
            dump_call(name, params, scores, index, response_mask, adv)
            adv = adv.unsqueeze(-1) * response_mask.to(adv.dtype)  # (bs, L)
        return adv, adv

    estimator.__name__ = f"compute_{name}_outcome_advantage"
    estimator.__qualname__ = estimator.__name__
    estimator._rsgrpo_estimator = name  # marks our functions (idempotent re-registration)
    return estimator


def register() -> list[str]:
    """Register every estimator with verl; idempotent: a name already holding an rsgrpo function (entry point
    and env var both loaded us, or a module reload) keeps it. Raises ValueError if a name is taken by a
    function that is not ours.
    """
    registry = core_algos.ADV_ESTIMATOR_REGISTRY
    for name in VERL_NAMES:
        existing = registry.get(name)
        if existing is not None and getattr(existing, "_rsgrpo_estimator", None) == name:
            continue
        if existing is not None:
            raise ValueError(f"verl advantage estimator {name!r} is already registered by "
                             f"{getattr(existing, '__module__', '?')}; rsgrpo cannot register it")
        core_algos.register_adv_est(name)(make_estimator(name))
    return list(VERL_NAMES)


def assert_registered(name: str) -> Callable:
    """Start-up check: verl resolves estimator `name` (ours or verl's own); RuntimeError with the fix otherwise."""
    try:
        return core_algos.get_adv_estimator_fn(name)
    except ValueError:
        known = sorted(str(k) for k in core_algos.ADV_ESTIMATOR_REGISTRY)
        hint = ""
        if name in VERL_NAMES:
            hint = (" It is an rsgrpo estimator: install the package in the environment verl runs in "
                    "(`pip install -e .`, which provides the `verl.plugins` entry point) or set "
                    f"VERL_USE_EXTERNAL_MODULES={PLUGIN_MODULE} (and pass it to Ray's runtime_env).")
        raise RuntimeError(f"verl advantage estimator {name!r} is not registered; registered: "
                           f"{', '.join(known)}.{hint}") from None


register()


def register_platform() -> str:
    """Register the `cpu` platform (rsgrpo.train.verl.platform_cpu) with verl's PlatformRegistry; idempotent.
    It is chosen only by VERL_PLATFORM=cpu, never by auto-detection; in such a process the gloo process-group
    wrapper (platform_cpu.install_gloo_process_group) is installed and verl's FSDP engines are registered for
    device "cpu" (platform_cpu.register_engines)."""
    import os

    from verl.plugin.platform import PlatformRegistry

    from rsgrpo.train.verl.platform_cpu import NAME, PlatformCPU, install_gloo_process_group, register_engines

    if PlatformRegistry.get(NAME) is not PlatformCPU:
        PlatformRegistry.register(platform=NAME)(PlatformCPU)
    if os.environ.get("VERL_PLATFORM", "").strip().lower() == NAME:
        install_gloo_process_group()
        register_engines()
    return NAME


def register_rollout() -> str:
    """Register the `hf` rollout (rsgrpo.train.verl.rollout_hf) in verl's two rollout registries; idempotent.
    The replica loader imports the module only when a run selects `actor_rollout_ref.rollout.name=hf`."""
    from verl.workers.rollout import base, replica

    from rsgrpo.train.verl import HF_ROLLOUT as NAME, HF_ROLLOUT_ADAPTER as ADAPTER

    def _load():
        from rsgrpo.train.verl.rollout_hf import HFReplica

        return HFReplica

    base._ROLLOUT_REGISTRY[(NAME, "async")] = ADAPTER
    if NAME not in replica.RolloutReplicaRegistry._registry:
        replica.RolloutReplicaRegistry.register(NAME, _load)
    return NAME


register_platform()
register_rollout()
