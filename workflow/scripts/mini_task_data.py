"""mini_task_data: the ops task's RL training rows (verl parquet) and held-out test benchmark (rsgrpo.data.tasks)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.data import tasks  # noqa: E402
from rsgrpo.io import atomic_path  # noqa: E402

p = snakemake.params  # noqa: F821
task_cfg = dict(p.task)
task = tasks.variant(task_cfg.pop("variant"), name=p.dataset, **task_cfg)
train, test = tasks.training_frame(task), tasks.benchmark_frame(task, "test")
for frame, path in ((train, snakemake.output.train), (test, snakemake.output.test)):  # noqa: F821
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)
print(f"ops task {task.to_dict()}: {len(train)} training rows ({train['problem_id'].nunique()} distinct), "
      f"{len(test)} test problems", file=sys.stderr)
