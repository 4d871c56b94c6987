"""eval_merge: check the shards of (run, benchmark) are complete, grade, write samples/counts/manifest."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from pathlib import Path  # noqa: E402

from rsgrpo.data.benchmarks import load_benchmark  # noqa: E402
from rsgrpo.eval.grading import parse_golds  # noqa: E402
from rsgrpo.eval.sampling.merge import merge_eval  # noqa: E402
from rsgrpo.eval.sampling.shards import EvalPlan  # noqa: E402

p = snakemake.params  # noqa: F821
plan = EvalPlan.from_dict(p.plan)
bench = load_benchmark(plan.benchmark, path=p.benchmark_file, gold_parser=parse_golds)
merge_eval(plan, bench["problem_id"].tolist(), bench["answer"].tolist(), list(snakemake.input.shards),  # noqa: F821
           Path(snakemake.output.samples).parent, store_text=p.store_text, grade_timeout=p.grade_timeout,  # noqa: F821
           model=p.model, config=dict(p.eval_config))
