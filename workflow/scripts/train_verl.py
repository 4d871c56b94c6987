"""train_verl: one grid run with verl 0.9.1 (rsgrpo.train.verl.job.run_job), given the job's Snakemake resources
(GPUs per node), its W&B environment (workflow/lib/tracking.py) and, for several nodes, a Ray cluster across
the Slurm allocation (ray_slurm.sh)."""
import os
import subprocess
import sys
from pathlib import Path

log = open(snakemake.log[0], "a", buffering=1)  # noqa: F821  (append: a resubmitted job keeps the history)
sys.stderr = log
sys.path.insert(0, str(Path(snakemake.scriptdir).parent / "lib"))  # noqa: F821

import resources  # noqa: E402  (workflow/lib)
import tracking  # noqa: E402  (workflow/lib)

from rsgrpo.train.grid import run_from_dict  # noqa: E402
from rsgrpo.train.verl.job import run_job  # noqa: E402

job, res = snakemake.params.job, snakemake.resources  # noqa: F821
run = run_from_dict(job["run"])
nnodes = int(getattr(res, "nodes", 1) or 1)
per_node = resources.gpus_per_node(getattr(res, "gpu", None), getattr(res, "gres", None), nnodes)
run_dir = Path(snakemake.output.metrics).resolve().parent  # noqa: F821
wb = tracking.wandb_fields(run, job["project"])
env = {**os.environ, **tracking.wandb_env(wb, run.name, run_dir)}
if nnodes > 1:
    out = subprocess.run(["bash", str(Path(snakemake.scriptdir) / "ray_slurm.sh"), str(per_node),  # noqa: F821
                          str(run_dir / "ray_logs")], env=env, capture_output=True, text=True, check=True)
    env["RAY_ADDRESS"] = out.stdout.strip().splitlines()[-1].split("=", 1)[1]
entity = os.environ.get("WANDB_ENTITY", "<default-entity>")
outputs = {**dict(snakemake.input), **dict(snakemake.output)}  # noqa: F821  (output `model` wins over the base model input)
run_job(job, outputs, per_node=per_node, nnodes=nnodes, env=env, log=log, extra_provenance={"wandb": {
    "mode": env["WANDB_MODE"], "project": wb["project"], "group": wb["group"], "name": wb["name"], "tags": wb["tags"],
    "run_id": env.get("WANDB_RUN_ID"), "dir": str(run_dir / "wandb"),
    "run_path": f"{entity}/{wb['project']}/{env.get('WANDB_RUN_ID', '')}"}})
