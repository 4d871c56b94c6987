"""Datasets as one parquet schema each: evaluation benchmarks (:mod:`rsgrpo.data.benchmarks`), training sets
and synthetic tasks. Hubs may be unreachable: every loader also reads local Parquet/JSONL files."""
