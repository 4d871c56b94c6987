"""rsgrpo.train.verl.metrics: the local metrics.jsonl mirror built from verl's file logger and dumps (no verl needed)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from rsgrpo.train.verl import metrics as M
from rsgrpo.eval.passk import pass_at_k


def _jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_file_logger_parts_merge_across_resumes(tmp_path):
    raw = tmp_path / "verl_metrics.jsonl"
    env = M.file_logger_env(raw)["VERL_FILE_LOGGER_PATH"]
    assert env.startswith(str(tmp_path / "verl_metrics.")) and env.endswith(".jsonl")
    # attempt 1 logged steps 1-2 (killed mid-line), attempt 2 resumed at step 2
    (tmp_path / "verl_metrics.100.jsonl").write_text(
        json.dumps({"step": 1, "data": {"critic/score/mean": 0.1, "actor/entropy": 1.5}}) + "\n"
        + json.dumps({"step": 2, "data": {"critic/score/mean": 0.2}}) + "\n" + '{"step": 3, "da')
    _jsonl(tmp_path / "verl_metrics.200.jsonl", [
        {"step": 2, "data": {"critic/score/mean": 0.25, "actor/entropy": 1.2,
                             "training/filter_groups/evicted_samples": 512, "note": "text"}},
        {"step": 3, "data": {"critic/score/mean": 0.3, "actor/entropy": 1.1}}])
    recs = M.build_mirror(raw, train_batch_size=512)
    assert [r["step"] for r in recs] == [1, 2, 3]
    assert recs[1]["train/reward_mean"] == 0.25 and recs[1]["train/entropy"] == 1.2  # the later attempt wins
    assert recs[1]["train/groups_kept"] == 0.5 and recs[0]["train/groups_kept"] == 1.0
    assert recs[1]["verl/critic/score/mean"] == 0.25 and "verl/note" not in recs[1]


def test_solve_rate_from_reward_log_counts_filtered_groups(tmp_path):
    rollouts = tmp_path / "rollouts"
    log = tmp_path / "reward_log.jsonl"
    # step 1: prompts 0 (solved, all-correct group -> filtered, absent from the dump) and 1 (unsolved)
    # step 2: prompt 1 solved, prompt 2 unsolved
    _jsonl(log, [{"t": 10, "index": 0, "correct": 1}, {"t": 10, "index": 0, "correct": 1},
                 {"t": 11, "index": 1, "correct": 0}, {"t": 30, "index": 1, "correct": 1},
                 {"t": 31, "index": 2, "correct": 0}])
    for step, t in ((1, 20), (2, 40)):
        _jsonl(rollouts / f"{step}.jsonl", [{"input": "p1", "score": 0.0}])
        os.utime(rollouts / f"{step}.jsonl", (t, t))
    assert M.solve_rate_cum(rollouts, log) == {1: 0.5, 2: 2 / 3}
    # fallback without a reward log: kept groups only, keyed by prompt text
    assert M.solve_rate_cum(rollouts) == {1: 0.0, 2: 0.0}


def test_validation_passk_per_benchmark(tmp_path):
    val = tmp_path / "validation"
    rows = []
    for bench, probs in (("AIME24", [(32, 3), (32, 0)]), ("MATH500", [(32, 20)])):
        for pi, (n, c) in enumerate(probs):
            rows += [{"input": f"{bench}-{pi}", "score": float(i < c), "acc": float(i < c), "data_source": bench}
                     for i in range(n)]
    _jsonl(val / "0.jsonl", rows)
    _jsonl(val / "25.jsonl", rows[:10])  # too few samples for pass@32 -> only pass@1
    out = M.validation_passk(val)
    aime1 = np.mean(pass_at_k(np.array([32, 32]), np.array([3, 0]), 1))
    aime32 = np.mean(pass_at_k(np.array([32, 32]), np.array([3, 0]), 32))
    assert out[0]["val/AIME24/pass@1"] == pytest.approx(aime1)
    assert out[0]["val/pass@1"] == pytest.approx((aime1 + 20 / 32) / 2)
    assert out[0]["val/pass@32"] == pytest.approx(aime32)  # MATH500 excluded from pass@32 (Figs. 5-6)
    assert "val/pass@32" not in out[25] and "val/pass@1" in out[25]


def test_mirror_combines_everything(tmp_path):
    _jsonl(tmp_path / "verl_metrics.1.jsonl", [{"step": 0, "data": {"val-core/x": 1.0}},
                                               {"step": 1, "data": {"critic/score/mean": 0.5}}])
    _jsonl(tmp_path / "validation" / "0.jsonl", [{"input": "a", "score": 1.0, "data_source": "AIME24"}])
    recs = M.build_mirror(tmp_path / "verl_metrics.jsonl", tmp_path / "validation", tmp_path / "rollouts")
    assert recs[0]["step"] == 0 and recs[0]["val/pass@1"] == 1.0
    assert all("step" in r for r in recs)
