"""training_val_data: the validation benchmarks -> one verl validation parquet (rsgrpo.data.training)."""
import logging
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821
logging.basicConfig(stream=sys.stderr, level=logging.INFO)

from rsgrpo.data.benchmarks import load_benchmark  # noqa: E402
from rsgrpo.data.training import benchmarks_to_verl  # noqa: E402
from rsgrpo.eval.grading import parse_golds  # noqa: E402
from rsgrpo.io import atomic_path  # noqa: E402

frames = []
for name, path in snakemake.params.benchmarks.items():  # noqa: F821
    df = load_benchmark(name, path, gold_parser=parse_golds)  # a gold the grader cannot read stops here
    print(f"{name}: {len(df)} problems from {path or 'the Hub'}", file=sys.stderr)
    frames.append(df)
with atomic_path(snakemake.output.parquet) as tmp:  # noqa: F821
    benchmarks_to_verl(frames).to_parquet(tmp, index=False)
