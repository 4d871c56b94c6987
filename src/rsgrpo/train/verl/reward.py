"""The paper's reward for verl: 1 if Math-Verify accepts the final answer, else 0 (paper App. E).

verl config (V1 reward keys, docs/verl.md §9; the legacy top-level `custom_reward_function.*` is ignored on V1)::

    reward.custom_reward_function.path=<site-packages>/rsgrpo/train/verl/reward.py
    reward.custom_reward_function.name=compute_score

`compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)` returns a dict with
`score` (1.0 / 0.0), `acc` (same), `pred` (the extracted answer or ""), `grade_status` (ok, no_answer,
timeout, error) and `data_source`; they reach verl's `reward_extra_info` and its validation dumps (string
values are skipped by verl's metric code), so the metric mirror can compute pass@k per benchmark.

Solve-rate log: with `RSGRPO_REWARD_LOG=<file>` every *training* rollout (extra_info.split == "train"),
including groups that DAPO filtering later drops, appends `{"t", "index", "correct"}` to that file (one short
line per call, O_APPEND) for `train/solve_rate_cum` (rsgrpo.train.verl.metrics).

Thread safety: verl's naive reward manager calls `compute_score` in executor *threads*. Grading goes through
`rsgrpo.eval.grading.grade`, which runs Math-Verify in worker processes (its signal-based timeouts only work in a
main thread), so nothing here depends on the calling thread. Exceptions are never swallowed: a failure of the
grading machinery propagates, and a run of `ERROR_STREAK` consecutive `error` verdicts raises instead of
silently training on zero rewards. Per-sample timeouts/errors score 0 and are counted (docs/evaluation.md §5.3).
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

__all__ = ["compute_score", "compute_score_batch", "GradingFailure", "ERROR_STREAK", "TIMEOUT_S",
           "status_counts"]

TIMEOUT_S = 5.0  # per-answer grading timeout (seconds), as in evaluation (rsgrpo.eval.grading default)
ERROR_STREAK = 256  # consecutive `error` verdicts that mean the grader is broken, not the answers

_lock = threading.Lock()
_streak = 0
_counts: dict[str, int] = {}


class GradingFailure(RuntimeError):
    """The grader returned `error` for every one of the last ERROR_STREAK answers."""


def status_counts() -> dict[str, int]:
    """Grading statuses seen by this process so far (for logs and tests)."""
    with _lock:
        return dict(_counts)


def _record(statuses: list[str]) -> None:
    global _streak
    with _lock:
        for s in statuses:
            _counts[s] = _counts.get(s, 0) + 1
            _streak = _streak + 1 if s == "error" else 0
        streak = _streak
    if streak >= ERROR_STREAK:
        raise GradingFailure(
            f"rsgrpo reward: the last {streak} answers all failed to grade (status 'error'); the grader is "
            f"broken in this process, refusing to train on all-zero rewards. Status counts: {status_counts()}")


def _result_dict(res: Any, data_source: str) -> dict[str, Any]:
    correct = bool(res.correct)
    return {"score": float(correct), "acc": float(correct), "pred": res.answer or "",
            "grade_status": str(res.status), "data_source": str(data_source)}


def _log_training_rewards(extra_infos: list[Any] | None, out: list[dict[str, Any]]) -> None:
    path = os.environ.get("RSGRPO_REWARD_LOG")
    if not path or not extra_infos:
        return
    now = time.time()
    lines = []
    for info, o in zip(extra_infos, out):
        if isinstance(info, dict) and info.get("split", "train") == "train" and "index" in info:
            lines.append(json.dumps({"t": now, "index": int(info["index"]), "correct": int(o["acc"])}) + "\n")
    if lines:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            for line in lines:  # one write per line: appends of < 4 KiB do not interleave
                os.write(fd, line.encode())
        finally:
            os.close(fd)


def compute_score_batch(data_sources: list[str], solution_strs: list[str], ground_truths: list[str],
                        extra_infos: list[Any] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    """Batched form (verl's `batch` reward manager): one `grade` call, deduplicated by the grader."""
    from rsgrpo.eval.grading import grade

    if not (len(data_sources) == len(solution_strs) == len(ground_truths)):
        raise ValueError(f"reward batch lengths differ: {len(data_sources)} data sources, "
                         f"{len(solution_strs)} solutions, {len(ground_truths)} ground truths")
    results = grade(list(solution_strs), [str(g) for g in ground_truths], timeout=kwargs.get("timeout", TIMEOUT_S))
    if len(results) != len(solution_strs):
        raise GradingFailure(f"grader returned {len(results)} results for {len(solution_strs)} answers")
    out = [_result_dict(r, ds) for r, ds in zip(results, data_sources)]
    _record([o["grade_status"] for o in out])
    _log_training_rewards(extra_infos, out)
    return out


def compute_score(data_source: str, solution_str: str, ground_truth: str, extra_info: Any = None,
                  **kwargs: Any) -> dict[str, Any]:
    """verl custom reward: {'score': 1.0 or 0.0, 'acc', 'pred', 'grade_status'} for one response."""
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], **kwargs)[0]
