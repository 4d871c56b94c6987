"""The results/ layout: the file contracts between the stages, in one place (README "Architecture").

Every path is relative to the project root (the workflow's working directory)::

    results/data/training/{dataset}.parquet           training set, verl's row format        (data stage)
    results/data/training/{dataset}.counts.json       its row counts (dedup, filters)
    results/data/training/validation.parquet          verl's validation set (the benchmarks)
    results/data/benchmarks/{benchmark}.parquet       a benchmark the data stage makes (a task's held-out split)
    results/train/{run}/model/                        HF checkpoint (base models built by SFT too) (train stage)
    results/train/{run}/metrics.jsonl                 one record per step (the metrics contract)
    results/train/{run}/provenance.json
    results/train/{run}/state/                        resumable state of a running CPU job (removed at the end)
    results/eval/{run}/{benchmark}/shards/{shard}.parquet                                    (eval stage)
    results/eval/{run}/{benchmark}/{samples,counts}.parquet, manifest.json
    results/bandit/{summary.csv,curves.npz,manifest.json,lemmas.json}                      (bandit stage)
    results/bandit_beta_schedules/{summary.csv,curves.npz,manifest.json}   the β-schedule study's bandit runs
"""

from __future__ import annotations

__all__ = ["RESULTS", "training_data", "training_counts", "validation_data", "benchmark_data", "train_dir",
           "train_model", "train_metrics", "train_provenance", "eval_dir", "eval_shard", "eval_counts",
           "eval_samples", "eval_manifest", "BANDIT", "BANDIT_BETA_SCHEDULES"]

RESULTS = "results"
BANDIT = f"{RESULTS}/bandit"
BANDIT_BETA_SCHEDULES = f"{RESULTS}/bandit_beta_schedules"


def training_data(dataset: str) -> str:
    return f"{RESULTS}/data/training/{dataset}.parquet"


def training_counts(dataset: str) -> str:
    return f"{RESULTS}/data/training/{dataset}.counts.json"


def validation_data() -> str:
    return f"{RESULTS}/data/training/validation.parquet"


def benchmark_data(benchmark: str) -> str:
    return f"{RESULTS}/data/benchmarks/{benchmark}.parquet"


def train_dir(run: str) -> str:
    return f"{RESULTS}/train/{run}"


def train_model(run: str) -> str:
    return f"{train_dir(run)}/model"


def train_metrics(run: str) -> str:
    return f"{train_dir(run)}/metrics.jsonl"


def train_provenance(run: str) -> str:
    return f"{train_dir(run)}/provenance.json"


def eval_dir(run: str, benchmark: str) -> str:
    return f"{RESULTS}/eval/{run}/{benchmark}"


def eval_shard(run: str, benchmark: str, shard: str) -> str:
    return f"{eval_dir(run, benchmark)}/shards/{shard}.parquet"


def eval_counts(run: str, benchmark: str) -> str:
    return f"{eval_dir(run, benchmark)}/counts.parquet"


def eval_samples(run: str, benchmark: str) -> str:
    return f"{eval_dir(run, benchmark)}/samples.parquet"


def eval_manifest(run: str, benchmark: str) -> str:
    return f"{eval_dir(run, benchmark)}/manifest.json"
