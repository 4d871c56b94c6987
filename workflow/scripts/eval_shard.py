"""eval_shard: generate one shard of (run, benchmark) with the configured backend (rsgrpo.eval.sampling.shards)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
import os  # noqa: E402

from rsgrpo.eval.sampling.shards import EvalPlan, run_shard_job  # noqa: E402

p = snakemake.params  # noqa: F821
os.environ.setdefault("OMP_NUM_THREADS", str(snakemake.threads))  # noqa: F821
try:
    import torch

    torch.set_num_threads(int(snakemake.threads))  # noqa: F821
except ImportError:
    pass
run_shard_job(EvalPlan.from_dict(p.plan), int(snakemake.wildcards.shard), p.model,  # noqa: F821
              snakemake.output.shard, backend=p.backend, backend_opts=dict(p.backend_options),  # noqa: F821
              python=p.backend_python, benchmark_file=p.benchmark_file, chat_template=p.chat_template)
