"""Benchmark registry, local/Hub loading, gold checks and prompts (docs/evaluation.md §1, §3)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rsgrpo.data import benchmarks as bm
from rsgrpo.eval.grading import parse_golds

SIX = ["MATH500", "AIME24", "AIME25", "HMMT_Feb24", "HMMT_Feb25", "CMIMC25"]


def test_registry_matches_the_paper():
    assert list(bm.BENCHMARKS) == SIX
    assert bm.BENCHMARKS["MATH500"].hub_id == "math-ai/math500" and bm.BENCHMARKS["MATH500"].split == "test"
    assert bm.BENCHMARKS["AIME24"].hub_id == "HuggingFaceH4/aime_2024"
    assert bm.BENCHMARKS["AIME25"].hub_id == "math-ai/aime25"
    assert bm.BENCHMARKS["CMIMC25"].split == "train"
    for name, spec in bm.BENCHMARKS.items():
        assert spec.name == name and spec.problem_col == "problem" and spec.answer_col == "answer"
        assert spec.k_max <= spec.n_samples
    assert bm.BENCHMARKS["MATH500"].n_samples == 32 and bm.BENCHMARKS["AIME24"].n_samples == 1024
    with pytest.raises(ValueError, match="unknown benchmark"):
        bm.get_spec("GSM8K")


def test_prompt_suffix_exact():
    assert bm.PROMPT_SUFFIX == "\nPlease reason step by step, and put your final answer within \\boxed{}"
    assert bm.build_prompt("What is 1+1?") == "What is 1+1?" + bm.PROMPT_SUFFIX
    assert bm.prompt_messages("Q") == [{"role": "user", "content": "Q" + bm.PROMPT_SUFFIX}]


class _FakeTokenizer:
    chat_template = "fake"
    name_or_path = "fake"

    def apply_chat_template(self, messages, tokenize, add_generation_prompt):
        assert tokenize is False and add_generation_prompt is True
        return "".join(f"<|{m['role']}|>{m['content']}<|end|>" for m in messages) + "<|assistant|>"


def test_build_prompt_chat_template():
    p = bm.build_prompt("Q", _FakeTokenizer(), chat_template=True)
    assert p == "<|user|>Q" + bm.PROMPT_SUFFIX + "<|end|><|assistant|>"
    with pytest.raises(ValueError):
        bm.build_prompt("Q", None, chat_template=True)
    no_tpl = _FakeTokenizer()
    no_tpl.chat_template = None
    with pytest.raises(ValueError, match="no chat template"):
        bm.build_prompt("Q", no_tpl, chat_template=True)


def test_fixture_loads_and_all_golds_parse():
    df = bm.load_benchmark("fixture", gold_parser=parse_golds)
    assert list(df.columns) == bm.COLUMNS
    assert len(df) >= 10 and df["problem_id"].is_unique
    assert (df["benchmark"] == "fixture").all()
    assert df["answer_canonical"].notna().all()
    assert set(df["problem_id"]) >= {"fx-01", "fx-12"}


def _rows():
    return [{"id": "a1", "problem": "What is 2+2?", "answer": 4, "solution": "..."},
            {"id": "a2", "problem": "What is 1/2 of 1?", "answer": "\\frac{1}{2}", "solution": "..."}]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_local_file(tmp_path, fmt):
    path = tmp_path / f"aime.{fmt}"
    rows = _rows()
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        pd.DataFrame(rows).astype({"answer": str}).to_parquet(path)
    df = bm.load_benchmark("AIME24", path, gold_parser=parse_golds)
    assert df["problem_id"].tolist() == ["a1", "a2"]
    assert df["answer"].tolist() == ["4", "\\frac{1}{2}"]  # int answers become strings
    assert df["benchmark"].unique().tolist() == ["AIME24"]
    assert df["answer_canonical"].tolist()[0] == "4"


def test_local_file_with_normalised_columns_and_limit(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps({"problem_id": i, "problem": f"Q{i}", "answer": str(i)}) + "\n"
                            for i in range(5)))
    df = bm.load_benchmark("HMMT_Feb25", path, limit=3)
    assert df["problem_id"].tolist() == ["0", "1", "2"]


def test_unregistered_name_needs_a_local_file(tmp_path):
    """A task benchmark (not in the registry, e.g. the CPU experiment's ops_test) loads from its local file."""
    path = tmp_path / "ops_test.parquet"
    pd.DataFrame({"problem_id": ["T0-1-2", "T1-3-4"], "problem": ["Q0", "Q1"], "answer": ["3", "7"]}).to_parquet(path)
    df = bm.load_benchmark("ops_test", path)
    assert df["problem_id"].tolist() == ["T0-1-2", "T1-3-4"] and df["answer"].tolist() == ["3", "7"]
    with pytest.raises(ValueError, match="ops_test"):
        bm.load_benchmark("ops_test")


def test_bad_gold_names_benchmark_and_problem(tmp_path):
    path = tmp_path / "bad.jsonl"
    rows = _rows() + [{"id": "a3", "problem": "Broken", "answer": "\\frac{"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match=r"AIME24.*a3"):
        bm.load_benchmark("AIME24", path, gold_parser=parse_golds, timeout=2)


@pytest.mark.parametrize("rows,match", [
    ([{"id": "1", "problem": "Q", "answer": "1"}, {"id": "1", "problem": "Q2", "answer": "2"}], "duplicate"),
    ([{"id": "1", "problem": "Q", "answer": ""}], "empty answer"),
    ([{"id": "1", "problem": "", "answer": "3"}], "empty or non-text problem"),
    ([{"id": "1", "question": "Q", "answer": "3"}], "missing column"),
])
def test_bad_tables(tmp_path, rows, match):
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match=match):
        bm.load_benchmark("AIME25", path)


def test_missing_file_and_format(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        bm.load_benchmark("AIME25", tmp_path / "nope.jsonl")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(ValueError, match="unsupported format"):
        bm.load_benchmark("AIME25", tmp_path / "x.txt")


def test_hub_path_is_called_with_spec(monkeypatch):
    datasets = pytest.importorskip("datasets")
    calls = []

    class _DS:
        def to_pandas(self):
            return pd.DataFrame({"problem_idx": [1, 2], "problem": ["P1", "P2"],
                                 "answer": ["\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}", "2^{25} \\cdot 26!"],
                                 "problem_type": [["Algebra"], ["Combinatorics"]]})

    def fake_load(path, name=None, split=None, revision=None, **kw):
        calls.append((path, name, split, revision))
        return _DS()

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    df = bm.load_benchmark("HMMT_Feb25", revision="abc123")
    assert calls == [("MathArena/hmmt_feb_2025", None, "train", "abc123")]
    assert df["problem_id"].tolist() == ["1", "2"] and (df["benchmark"] == "HMMT_Feb25").all()


def test_hub_failure_says_how_to_work_offline(monkeypatch):
    datasets = pytest.importorskip("datasets")

    def boom(*a, **k):
        raise ConnectionError("unreachable")

    monkeypatch.setattr(datasets, "load_dataset", boom)
    with pytest.raises(ValueError, match="MATH500.*local Parquet/JSONL"):
        bm.load_benchmark("MATH500")
