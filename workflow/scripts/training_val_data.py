"""Leaf: the evaluation benchmarks -> one verl validation parquet. Rule: training_val_data (train.smk)."""
import logging
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821
logging.basicConfig(stream=sys.stderr, level=logging.INFO)

from rsgrpo.data.benchmarks import load_benchmark  # noqa: E402
from rsgrpo.data.training import benchmarks_to_verl  # noqa: E402
from rsgrpo.io import atomic_path  # noqa: E402

frames = []
for name, path in snakemake.params.benchmarks.items():  # noqa: F821
    df = load_benchmark(name, path)
    print(f"{name}: {len(df)} problems from {path or 'the Hub'}", file=sys.stderr)
    frames.append(df)
out = benchmarks_to_verl(frames)
with atomic_path(snakemake.output.parquet) as tmp:  # noqa: F821
    out.to_parquet(tmp, index=False)
