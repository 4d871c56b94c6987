"""rsgrpo.data.tasks: the skewed-marker ops task (schemas, split, skew, biased SFT data, grading)."""

import numpy as np
import pytest

from rsgrpo.data import tasks as T


def _loop_op(op, a, b, m=16):  # reference for apply_op
    return [(a + b) % m, (a - b) % m, (a * b) % m, (a ^ b) % m][op]


def test_apply_op_matches_loop_reference():
    rng = np.random.default_rng(0)
    op, a, b = rng.integers(0, 4, 500), rng.integers(0, 16, 500), rng.integers(0, 16, 500)
    got = T.apply_op(op, a, b, 16)
    assert got.tolist() == [_loop_op(o, x, y) for o, x, y in zip(op, a, b)]
    assert T.apply_op(1, 3, 5) == 14
    with pytest.raises(ValueError):
        T.apply_op(4, 1, 1)


def test_split_is_by_pair_disjoint_and_complete():
    task = T.variant()
    train, test = T.split_pairs(task)
    tr, te = {tuple(p) for p in train}, {tuple(p) for p in test}
    assert len(tr) == len(te) == 128 and not tr & te and len(tr | te) == 256
    # a different split seed gives a different split; the same seed the same one
    assert {tuple(p) for p in T.split_pairs(T.variant(split_seed=1))[1]} != te
    assert np.array_equal(T.split_pairs(T.variant())[1], test)


def test_benchmark_frame_schema_and_heldout():
    task = T.variant(test_per_type=8)
    test = T.benchmark_frame(task, "test")
    assert list(test.columns[:3]) == ["problem_id", "problem", "answer"]
    assert len(test) == 32 and test["problem_id"].is_unique
    assert test.groupby("type").size().tolist() == [8, 8, 8, 8]
    train_pairs = {tuple(p) for p in T.split_pairs(task)[0]}
    assert not any((a, b) in train_pairs for a, b in zip(test["a"], test["b"]))
    row = test.iloc[0]
    assert row["problem"] == f"T{row['type']} {row['a']} {row['b']} ="
    assert row["answer"] == str(_loop_op(row["type"], row["a"], row["b"]))
    with pytest.raises(ValueError):
        T.benchmark_frame(task, "valid")


def test_training_frame_is_verl_style_and_skewed():
    task = T.variant()
    df = T.training_frame(task)
    for col in ("data_source", "prompt", "ability", "reward_model", "extra_info"):
        assert col in df.columns
    r = df.iloc[0]
    assert r["prompt"][0]["role"] == "user" and r["prompt"][0]["content"] == T.prompt_text(r["problem"])
    assert r["reward_model"]["ground_truth"] == r["answer"] and r["data_source"] == "ops"
    assert df["extra_info"].map(lambda e: e["index"]).tolist() == list(range(len(df)))
    types = df["extra_info"].map(lambda e: e["type"]).value_counts().sort_index().tolist()
    assert types == [13 * 128, 128, 128, 128]  # 13:1:1:1 by repetition
    assert df["problem_id"].nunique() == 4 * 128
    test_ids = set(T.benchmark_frame(T.variant(test_per_type=None), "test")["problem_id"])
    assert not test_ids & set(df["problem_id"])


def test_sft_batch_bias_matches_design():
    task = T.variant("skewed")
    b = T.sft_batch(task, 200_000, np.random.default_rng(0))
    assert np.array_equal(b["answer"], T.apply_op(b["op"], b["a"], b["b"]))  # always executed correctly
    for m in range(4):
        sel = b["type"] == m
        p_add = np.mean(b["op"][sel] == 0)
        assert abs(p_add - 0.85) < 0.01, (m, p_add)
        if m:
            assert abs(np.mean(b["op"][sel] == m) - (0.02 + 0.18 / 4)) < 0.005


def test_variant_d_adds_answer_noise():
    task = T.variant("D")
    assert task.answer_noise == 0.3
    b = T.sft_batch(task, 100_000, np.random.default_rng(1))
    wrong = np.mean(b["answer"] != T.apply_op(b["op"], b["a"], b["b"]))
    assert abs(wrong - 0.3 * 15 / 16) < 0.01
    with pytest.raises(ValueError):
        T.variant("Z")
    with pytest.raises(ValueError, match="answer_noise_ops"):
        T.variant(answer_noise_ops=[4])


def test_noisy_add_variant_is_the_default_and_noises_only_add():
    task = T.variant()
    assert T.DEFAULT_VARIANT == "noisy-add" and T.from_config("ops", {}) == task
    assert (task.answer_noise, task.answer_noise_ops) == (0.5, (0,))
    assert T.from_config("ops", {"variant": "noisy-add", "answer_noise_ops": [0, 1]}).answer_noise_ops == (0, 1)
    b = T.sft_batch(task, 200_000, np.random.default_rng(2))
    wrong = b["answer"] != T.apply_op(b["op"], b["a"], b["b"])
    assert not wrong[b["op"] != 0].any()  # the minority strategies are demonstrated cleanly
    assert abs(wrong[b["op"] == 0].mean() - 0.5 * 15 / 16) < 0.01
    assert task.to_dict()["answer_noise_ops"] == [0]
    with pytest.raises(ValueError):
        T.variant(type_weights=[1, 1])


def test_vocabulary_covers_prompts_and_responses():
    task = T.variant()
    vocab = set(T.vocabulary(task))
    assert len(vocab) == len(T.vocabulary(task))
    for text in (T.prompt_text(T.problem_text(3, 15, 0)), T.response_text(2, 9)):
        assert set(text.split()) <= vocab, text


def test_responses_grade_with_the_real_grader():
    from rsgrpo.eval.grading import grade

    texts = [T.response_text(1, 14), T.response_text(0, 8), "add", "\\boxed{3} sub", "xor \\boxed{14} \\boxed{2}"]
    golds = ["14", "14", "14", "3", "2"]
    got = [r.correct for r in grade(texts, golds, timeout=5)]
    assert got == [T.reference_correct(t, g) for t, g in zip(texts, golds)] == [True, False, False, True, True]


def test_variant_name_and_task_name_are_separate():
    """The workflow passes the dataset slug as the task's `name` next to the variant (mini_task_data.py)."""
    task = T.variant("D", name="ops-d", test_per_type=8)
    assert (task.name, task.answer_noise, task.test_per_type) == ("ops-d", 0.3, 8)
    assert T.variant(name="ops2").name == "ops2"
