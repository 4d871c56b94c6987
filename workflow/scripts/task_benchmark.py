"""task_benchmark: a synthetic task's held-out problems in the benchmark schema (rsgrpo.data.tasks)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.data import tasks  # noqa: E402
from rsgrpo.io import atomic_path  # noqa: E402

task = tasks.from_config(snakemake.params.dataset, dict(snakemake.params.task))  # noqa: F821
frame = tasks.benchmark_frame(task, "test")
with atomic_path(snakemake.output.parquet) as tmp:  # noqa: F821
    frame.to_parquet(tmp, index=False)
print(f"{snakemake.wildcards.benchmark}: {len(frame)} held-out problems of {task.to_dict()}", file=sys.stderr)  # noqa: F821
