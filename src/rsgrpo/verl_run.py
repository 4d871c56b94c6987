"""Helpers of the verl training job (workflow/scripts/train_verl.py): GPU layout, start-up check, checkpoints.

    gpus_per_node(gpu, gres, nnodes) -> int            from the job's Snakemake resources
    preflight(estimator, env) -> str                   in a fresh interpreter: `import verl` registers it?
    latest_checkpoint(ckpt_dir) -> (step, actor_dir)   verl layout global_step_N/actor (VERL.md §11)
    merge_command(actor_dir, target_dir) -> argv       `python -m verl.model_merger merge --backend fsdp ...`
    main_ppo_command(overrides) -> argv
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Mapping

from rsgrpo.gpus import parse_gres_count

__all__ = ["gpus_per_node", "preflight", "PreflightError", "latest_checkpoint", "merge_command",
           "main_ppo_command"]


class PreflightError(RuntimeError):
    """verl cannot run the requested estimator in this environment."""


def gpus_per_node(gpu: int | str | None = None, gres: str | None = None, nnodes: int = 1) -> int:
    """GPUs per node of the allocation: a gres count is per node; `gpu` (Slurm --gpus) is the job total."""
    g = parse_gres_count(gres)
    if g is not None:
        return g
    if gpu not in (None, "", 0, "0"):
        total = int(gpu)
        if total % max(nnodes, 1):
            raise ValueError(f"gpu={total} GPUs cannot be split evenly over nodes={nnodes}")
        return total // max(nnodes, 1)
    raise ValueError("the training job has no GPU resource: set `gpu` (or `gres`) for rule train_verl in the "
                     "workflow profile (profiles/default/config.yaml) or your cluster profile")


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
            "the `verl.plugins` entry point) or export VERL_USE_EXTERNAL_MODULES=rsgrpo.verl_plugin.")
    raise PreflightError(f"`import verl` failed in {python} (exit {proc.returncode}): "
                         f"{proc.stderr.strip()[-2000:]}")


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
    """verl's model merger: sharded actor checkpoint -> HF model + tokenizer in `target_dir` (VERL.md §11)."""
    return [python, "-m", "verl.model_merger", "merge", "--backend", backend, "--local_dir", str(actor_dir),
            "--target_dir", str(target_dir)]


def main_ppo_command(overrides: list[str], python: str = sys.executable) -> list[str]:
    return [python, "-m", "verl.trainer.main_ppo", *overrides]
