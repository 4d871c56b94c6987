"""train_cpu: RL-train one grid run from its base model with the CPU trainer (rsgrpo.train.cpu), validating on
the task's held-out problems (exact pass@k, rsgrpo.train.exact) and logging to W&B (workflow/lib/tracking.py)."""
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
sys.path.insert(0, str(Path(snakemake.scriptdir).parent / "lib"))  # noqa: F821
import pandas as pd  # noqa: E402
import torch  # noqa: E402
import tracking  # noqa: E402  (workflow/lib)

from rsgrpo.data import tasks  # noqa: E402
from rsgrpo.models.tiny import load_tokenizer  # noqa: E402
from rsgrpo.train.cpu import RLConfig, train  # noqa: E402
from rsgrpo.train.exact import ops_validator  # noqa: E402

torch.set_num_threads(int(snakemake.threads))  # noqa: F821
job, run, inp = snakemake.params.job, snakemake.wildcards.run, snakemake.input  # noqa: F821
run_dir = str(Path(snakemake.output.metrics).parent)  # noqa: F821
task = tasks.from_config(job["dataset"], job["task"])
cfg = RLConfig(**job["rl"])
validate = ops_validator(task, load_tokenizer(inp.model), pd.read_parquet(inp.test), ks=list(job["val_ks"]))
tracker = tracking.Tracker.create(run, mode=job["wandb"]["mode"], project=job["wandb"]["project"],
                                  group=job["wandb"]["group"], config={**cfg.to_dict(), "task": task.to_dict()},
                                  directory=run_dir)
try:
    train(inp.model, pd.read_parquet(inp.train), run_dir, cfg, validate=validate, tracker=tracker,
          log=lambda m: print(m, file=sys.stderr, flush=True),
          provenance_extra={"run": run, "task": task.to_dict(), **tracker.info()})
finally:
    tracker.finish()
