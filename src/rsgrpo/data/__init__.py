"""Datasets as one parquet schema each: evaluation benchmarks (`benchmarks`), training sets in verl's row format
(`training`) and the synthetic ops task of the CPU experiment (`tasks`). Every loader also reads local files.
May import: rsgrpo.io, rsgrpo.runs.
"""
