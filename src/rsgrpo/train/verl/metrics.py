"""The local JSONL mirror of a verl run's training metrics: `results/train/{run}/metrics.jsonl` (README "Architecture" contract).

verl 0.9.1 has a `file` tracking backend (`verl.utils.tracking.FileLogger`): with `trainer.logger` containing
`file` it writes `{"step": s, "data": {...}}` per logged step to `$VERL_FILE_LOGGER_PATH`, opening the file
with "wb" (a resumed run would truncate it), so every job attempt gets its own part file
(`file_logger_env`) and `build_mirror` merges all parts (later attempts win for repeated steps).

One record per step with `"step"` and::

    train/reward_mean      critic/score/mean (the canonical summed reward of the step's batch)
    train/entropy          actor/entropy
    train/groups_kept      fraction of generated prompt groups kept by DAPO filtering (see build_mirror)
    train/solve_rate_cum   distinct training prompts with >= 1 correct rollout in any step <= t, divided by the
                           distinct prompts seen up to t (solve_rate_cum: reward log + rollout dumps)
    val/pass@1, val/pass@32   unbiased pass@k (rsgrpo.eval.passk) from the `trainer.validation_data_dir` dumps:
                           pass@1 = mean over all validation benchmarks, pass@32 = mean over those except
                           MATH500 (docs/evaluation.md §4, Figs. 5-6); per benchmark as val/{benchmark}/pass@k
    verl/<key>             every numeric verl metric, verbatim
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import numpy as np

__all__ = ["LOGGERS", "file_logger_env", "read_file_logger", "solve_rate_cum", "validation_passk",
           "build_mirror", "METRIC_MAP"]

LOGGERS = ("console", "wandb", "file")
METRIC_MAP = {"critic/score/mean": "train/reward_mean", "actor/entropy": "train/entropy"}
EVICTED_KEY = "training/filter_groups/evicted_samples"  # verl V1 replay buffer (prompt groups dropped)
PASS32_EXCLUDES = ("MATH500",)


def file_logger_env(raw_path: str | os.PathLike) -> dict[str, str]:
    """VERL_FILE_LOGGER_PATH for this attempt: `<raw stem>.<unix time>.jsonl` next to `raw_path`."""
    p = Path(raw_path)
    return {"VERL_FILE_LOGGER_PATH": str(p.with_name(f"{p.stem}.{int(time.time())}{p.suffix}"))}


def _parts(raw_path: Path) -> list[Path]:
    return sorted(raw_path.parent.glob(f"{raw_path.stem}.*{raw_path.suffix}"),
                  key=lambda q: int(q.stem.rsplit(".", 1)[-1]) if q.stem.rsplit(".", 1)[-1].isdigit() else -1)


def read_file_logger(raw_path: str | os.PathLike) -> dict[int, dict[str, float]]:
    """{step: {verl metric: value}} merged over every attempt's part file (numeric values only)."""
    out: dict[int, dict[str, float]] = defaultdict(dict)
    raw_path = Path(raw_path)
    for part in _parts(raw_path) + ([raw_path] if raw_path.exists() else []):
        for i, line in enumerate(part.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                if i == len(part.read_text().splitlines()):
                    continue  # a killed job's half-written last line
                raise ValueError(f"{part}:{i}: not JSON") from None
            data = rec.get("data", {})
            for k, v in data.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                    out[int(rec["step"])][k] = float(v)
    return dict(out)


def _dump_steps(directory: Path) -> list[tuple[int, Path]]:
    steps = []
    for p in directory.glob("*.jsonl"):
        if p.stem.isdigit():
            steps.append((int(p.stem), p))
    return sorted(steps)


def _rows(path: Path) -> Iterable[dict[str, Any]]:
    for line in path.read_text().splitlines():
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue  # truncated last line of a killed job


def _correct(row: dict[str, Any]) -> bool:
    v = row.get("acc", row.get("score", 0.0))
    return bool(float(v) > 0.5) if v is not None else False


def solve_rate_cum(rollout_dir: str | os.PathLike, reward_log: str | os.PathLike | None = None) -> dict[int, float]:
    """{step: cumulative solve rate}: distinct training prompts with >= 1 correct rollout up to step t / distinct
    prompts seen up to t.

    Preferred source: the reward log (RSGRPO_REWARD_LOG, rsgrpo.train.verl.reward) which sees every rollout, including
    the all-correct / all-wrong groups that DAPO filtering drops; a log line belongs to the first step whose
    rollout dump `{step}.jsonl` was written at or after it (verl writes one dump per step, after the update).
    Fallback without a reward log: the rollout dumps alone (only the kept groups, keyed by prompt text).
    """
    dumps = _dump_steps(Path(rollout_dir)) if rollout_dir is not None and Path(rollout_dir).is_dir() else []
    seen: set = set()
    solved: set = set()
    out = {}
    if reward_log is not None and Path(reward_log).is_file() and dumps:
        events = sorted((r["t"], r["index"], r["correct"]) for r in _rows(Path(reward_log)))
        i = 0
        for step, path in dumps:
            end = path.stat().st_mtime
            while i < len(events) and events[i][0] <= end:
                _, idx, ok = events[i]
                seen.add(idx)
                if ok:
                    solved.add(idx)
                i += 1
            if seen:
                out[step] = len(solved) / len(seen)
        return out
    for step, path in dumps:
        for row in _rows(path):
            key = row.get("input")
            seen.add(key)
            if _correct(row):
                solved.add(key)
        if seen:
            out[step] = len(solved) / len(seen)
    return out


def validation_passk(validation_dir: str | os.PathLike, ks: tuple[int, ...] = (1, 32)) -> dict[int, dict[str, float]]:
    """{step: {val/pass@k, val/{benchmark}/pass@k}} from verl's validation dumps (input, score/acc, data_source)."""
    from rsgrpo.eval.passk import pass_at_k

    out: dict[int, dict[str, float]] = {}
    for step, path in _dump_steps(Path(validation_dir)):
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for row in _rows(path):
            nc = counts[(str(row.get("data_source", "val")), row.get("input"))]
            nc[0] += 1
            nc[1] += int(_correct(row))
        by_bench: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for (bench, _), (n, c) in counts.items():
            by_bench[bench].append((n, c))
        rec: dict[str, float] = {}
        for k in ks:
            means = {}
            for bench, nc in by_bench.items():
                n = np.array([x[0] for x in nc])
                c = np.array([x[1] for x in nc])
                if (n >= k).all():
                    means[bench] = float(np.mean(pass_at_k(n, c, k)))
                    rec[f"val/{bench}/pass@{k}"] = means[bench]
            use = {b: v for b, v in means.items() if k == 1 or b not in PASS32_EXCLUDES}
            if use:
                rec[f"val/pass@{k}"] = float(np.mean(list(use.values())))
        if rec:
            out[step] = rec
    return out


def build_mirror(raw_path: str | os.PathLike, validation_dir: str | os.PathLike | None = None,
                 rollout_dir: str | os.PathLike | None = None, reward_log: str | os.PathLike | None = None,
                 train_batch_size: int | None = None) -> list[dict[str, Any]]:
    """Records of metrics.jsonl (sorted by step): contract keys plus every verl metric under `verl/`.

    train/groups_kept = train_batch_size / (train_batch_size + groups evicted by DAPO filtering that step)
    (verl V1 logs `training/filter_groups/evicted_samples`, counted in prompt groups).
    """
    steps: dict[int, dict[str, Any]] = defaultdict(dict)
    for step, data in read_file_logger(raw_path).items():
        rec = steps[step]
        for k, v in data.items():
            rec[f"verl/{k}"] = v
            if k in METRIC_MAP:
                rec[METRIC_MAP[k]] = v
        if train_batch_size:
            evicted = data.get(EVICTED_KEY, 0.0)
            rec["train/groups_kept"] = train_batch_size / (train_batch_size + evicted)
    for step, v in solve_rate_cum(rollout_dir, reward_log).items():
        steps[step]["train/solve_rate_cum"] = v
    if validation_dir is not None and Path(validation_dir).is_dir():
        for step, rec in validation_passk(validation_dir).items():
            steps[step].update(rec)
    return [{"step": s, **steps[s]} for s in sorted(steps)]
