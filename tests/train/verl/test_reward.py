"""rsgrpo.train.verl.reward: the paper's 1/0 Math-Verify reward for verl, safe in threads, never silently 0."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from rsgrpo.train.verl import reward as R


def test_scores_and_extra_info():
    ok = R.compute_score("math12k", "so the answer is \\boxed{\\frac{3}{4}}", "0.75")
    assert ok["score"] == 1.0 and ok["acc"] == 1.0 and ok["pred"] == "\\frac{3}{4}"
    assert ok["grade_status"] == "ok" and ok["data_source"] == "math12k"
    wrong = R.compute_score("math12k", "\\boxed{12}", "11")
    assert wrong["score"] == 0.0 and wrong["grade_status"] == "ok"
    none = R.compute_score("math12k", "no box here", "11")
    assert none["score"] == 0.0 and none["grade_status"] == "no_answer" and none["pred"] == ""


def test_safe_in_worker_threads():
    # verl's naive reward manager calls compute_score via run_in_executor (threads); Math-Verify's signal-based
    # timeouts fail there, our grading runs in worker processes
    cases = [("\\boxed{\\sqrt{2}/2}", "\\frac{\\sqrt{2}}{2}", 1.0), ("\\boxed{(1,2)}", "(1,2]", 0.0),
             ("\\boxed{0.5}", "\\frac{1}{2}", 1.0), ("\\boxed{7}", "7", 1.0)] * 3
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda c: R.compute_score("d", c[0], c[1]), cases))
    assert [g["score"] for g in got] == [c[2] for c in cases]
    assert all(g["grade_status"] == "ok" for g in got)


def test_grader_failure_propagates(monkeypatch):
    import rsgrpo.eval.grading as G

    def broken(*a, **k):
        raise RuntimeError("pool died")

    monkeypatch.setattr(G, "grade", broken)
    with pytest.raises(RuntimeError, match="pool died"):
        R.compute_score("d", "\\boxed{1}", "1")


def test_error_streak_raises(monkeypatch):
    import rsgrpo.eval.grading as G

    monkeypatch.setattr(G, "grade", lambda texts, golds, timeout: [
        SimpleNamespace(correct=False, answer="x", status="error") for _ in texts])
    monkeypatch.setattr(R, "_streak", 0)
    monkeypatch.setattr(R, "ERROR_STREAK", 5)
    for _ in range(4):
        assert R.compute_score("d", "\\boxed{x}", "1")["grade_status"] == "error"
    with pytest.raises(R.GradingFailure, match="last 5 answers all failed"):
        R.compute_score("d", "\\boxed{x}", "1")
    monkeypatch.setattr(R, "_streak", 0)


def test_reward_log_only_for_training_rows(tmp_path, monkeypatch):
    log = tmp_path / "reward_log.jsonl"
    monkeypatch.setenv("RSGRPO_REWARD_LOG", str(log))
    R.compute_score("math12k", "\\boxed{11}", "11", {"index": 3, "split": "train"})
    R.compute_score("AIME24", "\\boxed{11}", "11", {"index": 0, "split": "test"})
    R.compute_score("math12k", "\\boxed{10}", "11", {"index": 4, "split": "train"})
    rows = [json.loads(x) for x in log.read_text().splitlines()]
    assert [(r["index"], r["correct"]) for r in rows] == [(3, 1), (4, 0)]
