"""Hydra overrides for `python -m verl.trainer.main_ppo` (verl 0.9.1, V1 trainer) for one grid run. Pure.

    build_overrides(run, model, hp, files, ..., rollout="vllm") -> list[str]
    cpu_overrides(processes, ray_num_cpus) -> list[str]     verl's own switches for a run on the CPU platform

Every key exists in verl 0.9.1's `ppo_trainer` config (tests/test_verl_overrides.py composes every set of
the paper grid against it); the estimator parameters travel in `RSAlgoConfig` (rsgrpo.train.verl.plugin), selected
with `algorithm._target_` (docs/environment.md §2). Mapping of the paper's Table 3: docs/verl.md §8.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rsgrpo.estimators.params import to_fields
from rsgrpo.train.grid import VERL_BUILTIN, TrainRun
from rsgrpo.train.verl import ALGO_CONFIG_TARGET, PLUGIN_MODULE

__all__ = ["build_overrides", "cpu_overrides", "hydra_value", "PLAIN_CHAT_TEMPLATE", "ALGO_CONFIG_TARGET", "PLUGIN_MODULE",
           "reward_function_path"]

# Models trained without a chat template (chat_template: false): the user message is the whole prompt.
PLAIN_CHAT_TEMPLATE = "{% for message in messages %}{{ message.content }}{% endfor %}"



def reward_function_path() -> str:
    """Absolute path of rsgrpo/train/verl/reward.py (verl loads custom reward functions from a file path)."""
    return str(Path(__file__).with_name("reward.py").resolve())


def _looks_typed(s: str) -> bool:
    """True if Hydra would parse the unquoted string as a bool, null or number."""
    if s.lower() in ("true", "false", "null", "nan", "inf"):
        return True
    try:
        float(s)
        return True
    except ValueError:
        return False


def hydra_value(v: Any) -> str:
    """Python value -> Hydra override value (bools lower-case, lists bracketed, dicts braced, odd strings quoted)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(hydra_value(x) for x in v) + "]"
    if isinstance(v, dict):  # e.g. a β schedule: {schedule:cosine,beta_start:8.0,...}
        return "{" + ",".join(f"{k}:{hydra_value(x)}" for k, x in v.items()) + "}"
    s = str(v)
    if s and s[0] not in "+-~" and all(c.isalnum() or c in "-_./:" for c in s) and not _looks_typed(s):
        return s
    if "'" in s or "${" in s:
        raise ValueError(f"override value {s!r} contains a quote or an interpolation; not supported")
    return "'" + s + "'"


def cpu_overrides(processes: int = 1, ray_num_cpus: int = 16) -> list[str]:
    """What verl 0.9.1 needs to train on the CPU platform (rsgrpo.train.verl.platform_cpu), each one of verl's
    own config keys (README "verl on a laptop"):

      trainer.device=cpu                     no CUDA device selection
      ray_init.num_gpus=processes            Ray's logical "GPU" slots, one per training process (verl sizes its
                                             resource pools in GPUs); ray_init.num_cpus: logical CPUs for verl's
                                             and TransferQueue's one-CPU actors (one storage unit here)
      attn_implementation=sdpa               verl's default is FlashAttention-2 (a CUDA kernel)
      use_remove_padding=false               the packed-sequence path needs flash-attn's varlen kernels
      strategy=fsdp2                         FSDP1 requires device parameters (sync_module_states); FSDP2 runs
                                             on a one-process gloo group
      fsdp_config.dtype=float32              no bf16 autocast on the CPU (the hf rollout samples in float32)
      data.dataloader_num_workers=0,         one agent-loop worker, one reward worker, no data-loader workers
      agent.num_workers=1, reward.num_workers=1   (verl's defaults start 8 + 8 processes, each importing torch)
    """
    a, r = "actor_rollout_ref.actor.", "actor_rollout_ref.ref."
    return [
        "trainer.device=cpu",
        f"+ray_kwargs.ray_init.num_gpus={int(processes)}",
        f"ray_kwargs.ray_init.num_cpus={int(ray_num_cpus)}",
        "transfer_queue.backend.SimpleStorage.num_data_storage_units=1",
        "+ray_kwargs.ray_init.runtime_env.env_vars.VERL_PLATFORM=cpu",
        "+actor_rollout_ref.model.override_config.attn_implementation=sdpa",
        "actor_rollout_ref.model.use_remove_padding=false",
        "actor_rollout_ref.model.enable_gradient_checkpointing=false",
        f"{a}strategy=fsdp2", f"{a}fsdp_config.strategy=fsdp2", f"{a}fsdp_config.dtype=float32",
        f"{r}fsdp_config.strategy=fsdp2", f"{r}fsdp_config.dtype=float32",
        "actor_rollout_ref.rollout.dtype=float32",
        "data.dataloader_num_workers=0",
        "actor_rollout_ref.rollout.agent.num_workers=1",
        "reward.num_workers=1",
    ]


def build_overrides(run: TrainRun, model: dict, hp: dict, files: dict, *, project: str,
                    n_gpus_per_node: int = 8, nnodes: int = 1, loggers: tuple[str, ...] = ("console", "wandb"),
                    extra: list[str] | None = None, rollout: str = "vllm") -> list[str]:
    """The `main_ppo` overrides of one run.

    run: a TrainRun (estimator, params, seed). model: its train.models entry (hub_id, path,
    max_response_length, chat_template, rollout_tp, extra_overrides). hp: train.hyperparameters (Table 3 and
    the choices the paper leaves open). files: train_files, val_files, ckpt_dir, rollout_dir, validation_dir
    (absolute paths). extra: raw overrides appended last (they win). rollout: verl's rollout server, vllm or
    hf (rsgrpo.train.verl.rollout_hf).
    """
    est = run.estimator
    verl_est = VERL_BUILTIN.get(est, est)
    seed = int(run.seed)
    o: list[str] = []
    add = o.append
    # --- algorithm: estimator + parameters (RSAlgoConfig), no KL, DAPO dynamic sampling (Sec. 6.1)
    add(f"algorithm.adv_estimator={verl_est}")
    add(f"algorithm._target_={ALGO_CONFIG_TARGET}")
    for f, value in sorted(to_fields(est, run.params).items()):  # the one parameter table
        add(f"+algorithm.{f}={hydra_value(value)}")
    add(f"algorithm.norm_adv_by_std_in_grpo={hydra_value(bool(hp['norm_adv_by_std_in_grpo']))}")
    add("algorithm.use_kl_in_reward=false")
    add(f"algorithm.kl_ctrl.kl_coef={hydra_value(float(hp['kl_coef']))}")
    add(f"algorithm.filter_groups.enable={hydra_value(bool(hp['dynamic_sampling']))}")
    add(f"algorithm.filter_groups.metric={hp['filter_groups_metric']}")
    # --- data
    add(f"data.train_files={hydra_value(files['train_files'])}")
    add(f"data.val_files={hydra_value(files['val_files'])}")
    add("data.prompt_key=prompt")
    add(f"data.max_prompt_length={int(hp['max_prompt_length'])}")
    add(f"data.max_response_length={int(model['max_response_length'])}")
    add(f"data.train_batch_size={int(hp['train_batch_size'])}")
    add("data.filter_overlong_prompts=true")
    add("data.truncation=error")
    add(f"data.seed={seed}")
    # --- model and actor (Table 3)
    add(f"actor_rollout_ref.model.path={hydra_value(str(model.get('path') or model['hub_id']))}")
    if not model.get("chat_template", False):
        add(f"actor_rollout_ref.model.custom_chat_template={hydra_value(PLAIN_CHAT_TEMPLATE)}")
    a = "actor_rollout_ref.actor."
    add(f"{a}optim.lr={hydra_value(float(hp['lr']))}")
    add(f"{a}optim.weight_decay={hydra_value(float(hp['weight_decay']))}")
    add(f"{a}optim.lr_warmup_steps={int(hp['lr_warmup_steps'])}")
    add(f"{a}ppo_mini_batch_size={int(hp['ppo_mini_batch_size'])}")
    add(f"{a}ppo_epochs={int(hp['ppo_epochs'])}")
    add(f"{a}use_kl_loss={hydra_value(bool(hp['use_kl_loss']))}")
    add(f"{a}entropy_coeff={hydra_value(float(hp['entropy_coeff']))}")
    add(f"{a}clip_ratio_low={hydra_value(float(hp['clip_ratio_low']))}")
    add(f"{a}clip_ratio_high={hydra_value(float(hp['clip_ratio_high']))}")
    add(f"{a}loss_agg_mode={hp['loss_agg_mode']}")
    add(f"{a}use_dynamic_bsz=true")
    max_len = int(hp["max_prompt_length"]) + int(model["max_response_length"])
    add(f"{a}ppo_max_token_len_per_gpu={max(int(hp['ppo_max_token_len_per_gpu']), max_len)}")
    # --- rollout (Table 3 sampling; App. E validation sampling)
    r = "actor_rollout_ref.rollout."
    add(f"{r}name={rollout}")
    add(f"{r}n={int(hp['group_size'])}")
    add(f"{r}temperature={hydra_value(float(hp['temperature']))}")
    add(f"{r}top_p={hydra_value(float(hp['top_p']))}")
    add(f"{r}seed={seed}")
    add(f"{r}tensor_model_parallel_size={int(model.get('rollout_tp', 1))}")
    add(f"{r}gpu_memory_utilization={hydra_value(float(hp['gpu_memory_utilization']))}")
    add(f"{r}val_kwargs.n={int(hp['val_n'])}")
    add(f"{r}val_kwargs.do_sample=true")
    add(f"{r}val_kwargs.temperature={hydra_value(float(hp['val_temperature']))}")
    add(f"{r}val_kwargs.top_p={hydra_value(float(hp['val_top_p']))}")
    # --- reward: V1 keys (docs/verl.md §9), the paper's Math-Verify 1/0 reward
    add(f"reward.custom_reward_function.path={hydra_value(files.get('reward_path') or reward_function_path())}")
    add("reward.custom_reward_function.name=compute_score")
    # --- trainer: logging, checkpoints (resume_mode=auto), schedule, cluster
    t = "trainer."
    add(f"{t}logger={hydra_value(list(loggers))}")
    add(f"{t}project_name={hydra_value(project)}")
    add(f"{t}experiment_name={hydra_value(run.name)}")
    add(f"{t}default_local_dir={hydra_value(files['ckpt_dir'])}")
    add(f"{t}resume_mode=auto")
    add(f"{t}save_freq={int(hp['save_freq'])}")
    add(f"{t}max_actor_ckpt_to_keep={int(hp['max_ckpt_to_keep'])}")
    add(f"{t}test_freq={int(hp['test_freq'])}")
    add(f"{t}val_before_train={hydra_value(bool(hp['val_before_train']))}")
    add(f"{t}total_training_steps={int(hp['total_training_steps'])}")
    add(f"{t}validation_data_dir={hydra_value(files['validation_dir'])}")
    add(f"{t}rollout_data_dir={hydra_value(files['rollout_dir'])}")
    add(f"{t}nnodes={int(nnodes)}")
    add(f"{t}n_gpus_per_node={int(n_gpus_per_node)}")
    # --- the plugin in every Ray worker, also on a pre-started multi-node cluster (docs/verl.md §4)
    add(f"+ray_kwargs.ray_init.runtime_env.env_vars.VERL_USE_EXTERNAL_MODULES={PLUGIN_MODULE}")
    o.extend(model.get("extra_overrides") or [])
    o.extend(extra or [])
    return o
