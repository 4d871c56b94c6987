"""Leaf: train one grid run with verl 0.9.1 and export it (rule train_verl, workflow/rules/train.smk).

Steps: GPU-count check -> verl overrides -> start-up check that verl resolves the estimator (plugin loaded)
-> (nodes > 1: Ray cluster across the allocation) -> `python -m verl.trainer.main_ppo` (resume_mode=auto, so a
re-submitted job continues) -> HF export of the latest checkpoint -> metrics.jsonl mirror -> provenance.json.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

log = open(snakemake.log[0], "a", buffering=1)  # noqa: F821  (append: a resubmitted job keeps the history)
sys.stderr = log

from rsgrpo import gpus, traingrid, verl_metrics, verl_run  # noqa: E402
from rsgrpo.io import atomic_path, atomic_write_json, atomic_write_text  # noqa: E402
from rsgrpo.provenance import provenance  # noqa: E402
from rsgrpo.verl_overrides import PLUGIN_MODULE, build_overrides, hydra_value  # noqa: E402
from rsgrpo.wandb_env import wandb_env  # noqa: E402


def sh(cmd, env):
    print(f"$ {' '.join(cmd)}", file=log)
    subprocess.run(cmd, env=env, stdout=log, stderr=log, check=True)


job = snakemake.params.job  # noqa: F821
res = snakemake.resources  # noqa: F821
run = traingrid.run_from_dict(job["run"])
nnodes = int(getattr(res, "nodes", 1) or 1)
per_node = verl_run.gpus_per_node(getattr(res, "gpu", None), getattr(res, "gres", None), nnodes)
print(f"== {run.name}: {nnodes} node(s) x {per_node} GPU(s)", file=log)
gpus.check_gpu_count(per_node)  # fail fast, naming both numbers

run_dir = Path(snakemake.output.metrics).resolve().parent  # noqa: F821
files = {
    "train_files": str(Path(snakemake.input.train).resolve()),  # noqa: F821
    "val_files": str(Path(snakemake.input.val).resolve()),  # noqa: F821
    "ckpt_dir": str(Path(job["checkpoint_dir"]).resolve()),
    "rollout_dir": str(run_dir / "rollouts"),
    "validation_dir": str(run_dir / "validation"),
}
raw_metrics = run_dir / "verl_metrics.jsonl"
reward_log = run_dir / "reward_log.jsonl"  # every training rollout's verdict (train/solve_rate_cum)
overrides = build_overrides(
    run, job["model"], job["hyperparameters"], files, project=job["project"], n_gpus_per_node=per_node,
    nnodes=nnodes, loggers=verl_metrics.LOGGERS,
    extra=[f"+ray_kwargs.ray_init.runtime_env.env_vars.RSGRPO_REWARD_LOG={hydra_value(str(reward_log))}", *job["extra_overrides"]])
atomic_write_text(run_dir / "verl_overrides.txt", "\n".join(overrides) + "\n")

wb = traingrid.wandb_fields(run, job["project"])
env = dict(os.environ)
env.update(wandb_env(wb, run.name, run_dir))
env["VERL_USE_EXTERNAL_MODULES"] = PLUGIN_MODULE  # fallback hook next to the verl.plugins entry point
env.update(verl_metrics.file_logger_env(raw_metrics))
env["RSGRPO_REWARD_LOG"] = str(reward_log)
verl_est = overrides[0].split("=", 1)[1]
print(f"rsgrpo estimators registered in a fresh verl: {verl_run.preflight(verl_est, env)}", file=log)

if nnodes > 1:
    out = subprocess.run(["bash", str(Path(snakemake.scriptdir) / "ray_slurm.sh"), str(per_node),  # noqa: F821
                          str(run_dir / "ray_logs")], env=env, capture_output=True, text=True, check=True)
    env["RAY_ADDRESS"] = out.stdout.strip().splitlines()[-1].split("=", 1)[1]

sh(verl_run.main_ppo_command(overrides), env)

step, actor = verl_run.latest_checkpoint(files["ckpt_dir"])
model_out = Path(snakemake.output.model)  # noqa: F821
tmp = model_out.with_name(f".{model_out.name}.tmp")
shutil.rmtree(tmp, ignore_errors=True)
sh(verl_run.merge_command(actor, tmp), env)
shutil.rmtree(model_out, ignore_errors=True)
tmp.rename(model_out)

records = verl_metrics.build_mirror(raw_metrics, files["validation_dir"], files["rollout_dir"], reward_log,
                                    train_batch_size=job["hyperparameters"]["train_batch_size"])
with atomic_path(snakemake.output.metrics) as p:  # noqa: F821
    p.write_text("".join(json.dumps(r) + "\n" for r in records))

entity = os.environ.get("WANDB_ENTITY", "<default-entity>")
atomic_write_json(snakemake.output.provenance, provenance(  # noqa: F821
    job, run=run.name, step=step, verl_overrides=overrides,
    wandb={"mode": env["WANDB_MODE"], "project": wb["project"], "group": wb["group"], "name": wb["name"],
           "tags": wb["tags"], "run_id": env.get("WANDB_RUN_ID"), "dir": str(run_dir / "wandb"),
           "run_path": f"{entity}/{wb['project']}/{env.get('WANDB_RUN_ID', '')}"}))
print(f"== {run.name}: exported step {step} to {model_out}", file=log)
