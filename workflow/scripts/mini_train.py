"""mini_train: RL-train one mini run ({run}) from the SFT base with the CPU trainer (rsgrpo.train.cpu)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from rsgrpo.data import tasks  # noqa: E402
from rsgrpo.models.tiny import load  # noqa: E402
from rsgrpo.tracking import Tracker  # noqa: E402
from rsgrpo.train.cpu import RLConfig, train  # noqa: E402
from rsgrpo.train.exact import ops_validator  # noqa: E402

torch.set_num_threads(int(snakemake.threads))  # noqa: F821
p = snakemake.params  # noqa: F821
run_dir = snakemake.output.metrics.rsplit("/", 1)[0]  # noqa: F821
task_cfg = dict(p.task)
task = tasks.variant(task_cfg.pop("variant"), name=p.dataset, **task_cfg)
cfg = RLConfig(**p.rl)
_, tok = load(snakemake.input.model)  # noqa: F821
validate = ops_validator(task, tok, pd.read_parquet(snakemake.input.test), ks=list(p.val_ks))  # noqa: F821
tracker = Tracker.create(snakemake.wildcards.run, mode=p.wandb_mode, group=p.group,  # noqa: F821
                         config={**cfg.to_dict(), "task": task.to_dict()}, directory=run_dir)
try:
    train(snakemake.input.model, pd.read_parquet(snakemake.input.train), run_dir, cfg, validate=validate,  # noqa: F821
          tracker=tracker, log=lambda m: print(m, file=sys.stderr, flush=True),
          provenance_extra={"run": snakemake.wildcards.run, "task": task.to_dict(), **tracker.info()})  # noqa: F821
finally:
    tracker.finish()
