"""A synthetic results cache in the real file contracts, for tests and benchmarks (never a result).

`make_synthetic_cache(results_dir, ...)` writes, for each (run, benchmark) of the paper's Table 2 grid:

    eval/{run}/{benchmark}/counts.parquet    problem_id, n, c   (c ~ Binomial(n, p_problem), p ~ Beta)
    eval/{run}/{benchmark}/manifest.json     rsgrpo.io.provenance.write_manifest (checksums, provenance)
    train/{run}/metrics.jsonl                a short, smooth training log with the contract's keys
    train/{run}/provenance.json

The numbers are random draws, labelled as such in every manifest (`"synthetic": true`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from rsgrpo.io import atomic_path, atomic_write_json, atomic_write_text
from rsgrpo.io.provenance import provenance, write_manifest
from rsgrpo.runs import RunName, format_run

__all__ = ["PAPER_GRID", "BENCHMARK_SIZES", "make_synthetic_cache", "write_counts"]

# (model slug, dataset, [(method, beta, k)]) of paper Table 2 (config/reference/table2_paper.csv).
_FULL = [("grpo", None, None), ("pkpo", None, 4), ("mahdavi", None, 4), ("chen", None, 4), ("rs_grpo", 2.0, None)]
_SHORT = [("grpo", None, None), ("rs_grpo", 2.0, None)]
PAPER_GRID = [
    ("qwen25-math-1.5b", "deepmath103k", _FULL),
    ("qwen25-math-7b", "deepmath103k", [m for m in _FULL if m[0] != "pkpo"]),
    ("qwen25-math-7b", "dapo17k", [m for m in _FULL if m[0] != "pkpo"]),
    ("qwen25-math-7b", "math12k", _SHORT),
    ("qwen25-7b", "math12k", _SHORT),
    ("qwen3-4b-base", "math12k", _SHORT),
    ("llama31-8b-instruct", "math12k", _SHORT),
]
# problems, samples per problem (paper: 1024 on the competition sets, k up to 32 on MATH500)
BENCHMARK_SIZES = {"AIME24": (30, 1024), "AIME25": (30, 1024), "HMMT_Feb24": (30, 1024),
                   "HMMT_Feb25": (30, 1024), "CMIMC25": (40, 1024), "MATH500": (500, 32)}


def write_counts(directory: str | Path, problem_ids, n, c, **extra) -> Path:
    """counts.parquet (problem_id:str, n:int, c:int) + manifest.json in `directory`."""
    d = Path(directory)
    df = pd.DataFrame({"problem_id": [str(p) for p in problem_ids], "n": np.asarray(n, dtype=np.int64),
                       "c": np.asarray(c, dtype=np.int64)})
    with atomic_path(d / "counts.parquet") as tmp:
        df.to_parquet(tmp, index=False)
    write_manifest(d, ["counts.parquet"], **extra)
    return d / "counts.parquet"


def _metrics_lines(rng: np.random.Generator, steps: int, level: float) -> str:
    lines = []
    for s in range(1, steps + 1):
        t = s / steps
        rec = {"step": s, "train/reward_mean": float(level * (0.5 + 0.5 * t) + 0.02 * rng.standard_normal()),
               "train/entropy": float(0.6 - 0.3 * t + 0.02 * rng.standard_normal()),
               "train/solve_rate_cum": float(min(1.0, 0.4 + 0.5 * t * (0.8 + level)))}
        if s % 5 == 0 or s == steps:
            rec["val/pass@1"] = float(level * (0.6 + 0.4 * t))
            rec["val/pass@32"] = float(min(1.0, level * 1.5 + 0.1 * t))
        lines.append(json.dumps(rec))
    return "\n".join(lines) + "\n"


def make_synthetic_cache(results_dir: str | Path, grid=PAPER_GRID, benchmarks: dict | None = None,
                         seeds=(0,), steps: int = 20, seed: int = 0) -> list[str]:
    """Write a synthetic cache of `grid` (plus each model's base run) into `results_dir`; returns the runs."""
    root = Path(results_dir)
    benchmarks = benchmarks or BENCHMARK_SIZES
    rng = np.random.default_rng(seed)
    prov = provenance()
    runs = []
    for model in dict.fromkeys(m for m, _, _ in grid):
        runs.append(format_run(RunName(model=model)))
    for model, dataset, methods in grid:
        for method, beta, k in methods:
            for s in seeds:
                runs.append(format_run(RunName(model, dataset, method, beta=beta, k=k, seed=s)))
    runs = list(dict.fromkeys(runs))
    for i, run in enumerate(runs):
        level = 0.15 + 0.5 * rng.random()
        for bench, (num, n) in benchmarks.items():
            p = rng.beta(level * 2, (1 - level) * 2, size=num)
            write_counts(root / "eval" / run / bench, [f"{bench}-{j:04d}" for j in range(num)],
                         np.full(num, n), rng.binomial(n, p), synthetic=True, run=run, benchmark=bench)
        if not run.endswith("__base"):
            d = root / "train" / run
            atomic_write_text(d / "metrics.jsonl", _metrics_lines(rng, steps, level))
            atomic_write_json(d / "provenance.json", {**prov, "synthetic": True, "run": run,
                                                      "wandb_path": f"rsgrpo/synthetic/run{i:03d}"})
    return runs
