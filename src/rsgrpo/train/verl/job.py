"""One verl training job of the grid, from its plain-data description to results/train/{run}/ (rule train_verl).

    run_job(job, outputs, per_node=..., nnodes=..., env=..., log=...) -> step     the whole job, in order:
        GPU-count check (device cuda; device cpu: rsgrpo's CPU platform, README "verl on a laptop") ->
        overrides (rsgrpo.train.verl.overrides) -> start-up check that a fresh verl resolves the estimator -> `python -m verl.trainer.main_ppo` (resume_mode=auto: a resubmitted job continues) ->
        HF export of the latest checkpoint (verl.model_merger) -> metrics.jsonl mirror -> provenance.json
    preflight(estimator, env) -> str                   in a fresh interpreter: `import verl` registers it?
    latest_checkpoint(ckpt_dir) -> (step, actor_dir)   verl layout global_step_N/actor (docs/verl.md §11)
    merge_command(actor_dir, target_dir) -> argv       `python -m verl.model_merger merge --backend fsdp ...`
    main_ppo_command(overrides) -> argv
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Mapping


__all__ = ["run_job", "preflight", "PreflightError", "latest_checkpoint", "latest_step", "merge_command",
           "main_ppo_command"]


class PreflightError(RuntimeError):
    """verl cannot run the requested estimator in this environment."""


_PREFLIGHT = """
import sys
import verl  # loads the verl.plugins entry points and VERL_USE_EXTERNAL_MODULES
from verl.trainer.ppo import core_algos
name = sys.argv[1]
ours = sorted(k for k, f in core_algos.ADV_ESTIMATOR_REGISTRY.items() if getattr(f, "_rsgrpo_estimator", None))
try:
    core_algos.get_adv_estimator_fn(name)
except ValueError:
    print("MISSING " + ",".join(ours))
    sys.exit(3)
print("OK " + ",".join(ours))
"""


def preflight(estimator: str, env: Mapping[str, str] | None = None, python: str = sys.executable) -> str:
    """Start-up assertion: a fresh `python` with `env` resolves verl estimator `estimator` after `import verl`
    alone (entry point or VERL_USE_EXTERNAL_MODULES, as in the Ray workers). Returns the registered rsgrpo
    names; raises PreflightError with the fix otherwise."""
    proc = subprocess.run([python, "-c", _PREFLIGHT, estimator], capture_output=True, text=True,
                          env=dict(env if env is not None else os.environ), timeout=600)
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    if proc.returncode == 0 and last.startswith("OK"):
        return last[3:]
    if last.startswith("MISSING"):
        raise PreflightError(
            f"verl advantage estimator {estimator!r} is not registered after `import verl` (rsgrpo estimators "
            f"registered: {last[8:] or 'none'}). Install rsgrpo in this environment (`pip install -e .` provides "
            "the `verl.plugins` entry point) or export VERL_USE_EXTERNAL_MODULES=rsgrpo.train.verl.plugin.")
    raise PreflightError(f"`import verl` failed in {python} (exit {proc.returncode}): "
                         f"{proc.stderr.strip()[-2000:]}")


def latest_step(ckpt_dir: str | os.PathLike) -> int:
    """The newest checkpointed step under `ckpt_dir` (0 if none)."""
    try:
        return latest_checkpoint(ckpt_dir)[0]
    except FileNotFoundError:
        return 0


def latest_checkpoint(ckpt_dir: str | os.PathLike) -> tuple[int, Path]:
    """(step, .../global_step_{step}/actor) of the newest verl checkpoint; FileNotFoundError if none."""
    root = Path(ckpt_dir)
    marker = root / "latest_checkpointed_iteration.txt"
    if marker.is_file():
        step = int(marker.read_text().strip())
    else:
        steps = [int(m.group(1)) for p in root.glob("global_step_*") if (m := re.fullmatch(r"global_step_(\d+)", p.name))]
        if not steps:
            raise FileNotFoundError(f"no verl checkpoint (global_step_*) under {root}")
        step = max(steps)
    actor = root / f"global_step_{step}" / "actor"
    if not actor.is_dir():
        raise FileNotFoundError(f"verl checkpoint {actor} is missing (latest step {step} under {root})")
    return step, actor


def merge_command(actor_dir: str | os.PathLike, target_dir: str | os.PathLike, python: str = sys.executable,
                  backend: str = "fsdp") -> list[str]:
    """verl's model merger: sharded actor checkpoint -> HF model + tokenizer in `target_dir` (docs/verl.md §11)."""
    return [python, "-m", "verl.model_merger", "merge", "--backend", backend, "--local_dir", str(actor_dir),
            "--target_dir", str(target_dir)]


def main_ppo_command(overrides: list[str], python: str = sys.executable) -> list[str]:
    return [python, "-m", "verl.trainer.main_ppo", *overrides]


def _sh(cmd: list[str], env: Mapping[str, str], log) -> None:
    print(f"$ {' '.join(cmd)}", file=log, flush=True)
    subprocess.run(cmd, env=dict(env), stdout=log, stderr=log, check=True)


def run_job(job: dict[str, Any], outputs: Mapping[str, str], *, per_node: int, nnodes: int = 1,
            env: Mapping[str, str], log, extra_provenance: dict[str, Any] | None = None,
            python: str = sys.executable) -> int:
    """Train one grid run (`job`: rsgrpo.config.jobs.Jobs.verl_job) and write `outputs` (model, metrics,
    provenance; inputs train, val); returns the exported step.

    env: the job's environment (the caller adds tracking and, for several nodes, RAY_ADDRESS); the plugin
    module and the metric/reward logs are added here. `log` is a text file every command writes to.
    """
    import json
    import shutil

    from rsgrpo.io import atomic_path, atomic_write_json, atomic_write_text
    from rsgrpo.io.provenance import provenance
    from rsgrpo.train.grid import run_from_dict
    from rsgrpo.train.verl import PLUGIN_MODULE, VERL_DEFAULTS, gpus, metrics
    from rsgrpo.train.verl.overrides import build_overrides, cpu_overrides, hydra_value

    run = run_from_dict(job["run"])
    where = {**VERL_DEFAULTS, **(job.get("verl") or {})}
    platform_overrides: list[str] = []
    if where["device"] == "cpu":  # rsgrpo's CPU platform: processes instead of the job's GPUs
        per_node = int(where["cpu_processes"])
        platform_overrides = cpu_overrides(per_node, int(where["ray_num_cpus"]))
        env = {**env, "VERL_PLATFORM": "cpu"}
        print(f"== {run.name}: {nnodes} node(s) x {per_node} CPU process(es), rollout {where['rollout']}",
              file=log, flush=True)
    else:
        print(f"== {run.name}: {nnodes} node(s) x {per_node} GPU(s), rollout {where['rollout']}", file=log,
              flush=True)
        gpus.check_gpu_count(per_node)  # fail fast, naming both numbers
    run_dir = Path(outputs["metrics"]).resolve().parent
    files = {"train_files": str(Path(outputs["train"]).resolve()), "val_files": str(Path(outputs["val"]).resolve()),
             "ckpt_dir": str(Path(job["checkpoint_dir"]).resolve()), "rollout_dir": str(run_dir / "rollouts"),
             "validation_dir": str(run_dir / "validation")}
    raw_metrics = run_dir / "verl_metrics.jsonl"
    reward_log = run_dir / "reward_log.jsonl"  # every training rollout's verdict (train/solve_rate_cum)
    adv_dump = run_dir / "advantage_dump.jsonl"  # the first estimator call's inputs and outputs (plugin.dump_call)
    if not latest_step(files["ckpt_dir"]):  # a fresh start: the first call is step 1's
        adv_dump.unlink(missing_ok=True)
    overrides = build_overrides(
        run, job["model"], job["hyperparameters"], files, project=job["project"], n_gpus_per_node=per_node,
        nnodes=nnodes, loggers=metrics.LOGGERS, rollout=where["rollout"],
        extra=[f"+ray_kwargs.ray_init.runtime_env.env_vars.RSGRPO_REWARD_LOG={hydra_value(str(reward_log))}",
               f"+ray_kwargs.ray_init.runtime_env.env_vars.RSGRPO_ADVANTAGE_DUMP={hydra_value(str(adv_dump))}",
               f"hydra.run.dir={hydra_value(str(run_dir / 'hydra'))}",  # not ./outputs/<date>/ in the project
               *platform_overrides, *job["extra_overrides"]])
    atomic_write_text(run_dir / "verl_overrides.txt", "\n".join(overrides) + "\n")
    env = {**env, "VERL_USE_EXTERNAL_MODULES": PLUGIN_MODULE,  # fallback hook next to the verl.plugins entry point
           **metrics.file_logger_env(raw_metrics), "RSGRPO_REWARD_LOG": str(reward_log),
           "RSGRPO_ADVANTAGE_DUMP": str(adv_dump)}
    verl_est = overrides[0].split("=", 1)[1]
    print(f"rsgrpo estimators registered in a fresh verl: {preflight(verl_est, env, python)}", file=log, flush=True)

    _sh(main_ppo_command(overrides, python), env, log)

    step, actor = latest_checkpoint(files["ckpt_dir"])
    model_out = Path(outputs["model"])
    tmp = model_out.with_name(f".{model_out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    _sh(merge_command(actor, tmp, python), env, log)
    shutil.rmtree(model_out, ignore_errors=True)
    tmp.rename(model_out)

    records = metrics.build_mirror(raw_metrics, files["validation_dir"], files["rollout_dir"], reward_log,
                                   train_batch_size=job["hyperparameters"]["train_batch_size"])
    with atomic_path(outputs["metrics"]) as p:
        p.write_text("".join(json.dumps(r) + "\n" for r in records))
    atomic_write_json(outputs["provenance"], provenance(job, run=run.name, step=step, verl_overrides=overrides,
                                                        **(extra_provenance or {})))
    print(f"== {run.name}: exported step {step} to {model_out}", file=log, flush=True)
    return step
