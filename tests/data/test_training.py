"""rsgrpo.data.training: the three training sets -> verl parquet (fixtures made by the project)."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from rsgrpo.data import training as T
from rsgrpo.data.benchmarks import PROMPT_SUFFIX

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "training"


def test_suffix_is_the_papers():
    assert T.PROMPT_SUFFIX == "\nPlease reason step by step, and put your final answer within \\boxed{}"
    assert T.PROMPT_SUFFIX is PROMPT_SUFFIX  # one source of truth with evaluation


def test_math12k_local_to_verl(tmp_path):
    out = tmp_path / "math12k.parquet"
    counts = T.prepare_training_set("math12k", out, FIX / "math12k.jsonl")
    assert counts["raw"] == 6 and counts["dropped_empty"] == 1 and counts["rows"] == 5
    assert counts["duplicates_kept"] == 1  # reported, not removed outside DAPO
    df = pd.read_parquet(out)
    assert list(df.columns) == ["prompt", "data_source", "ability", "reward_model", "extra_info"]
    first = df.iloc[0]
    msgs = list(first["prompt"])
    assert len(msgs) == 1 and msgs[0]["role"] == "user"
    assert msgs[0]["content"] == "What is $3+4\\cdot 2$?" + PROMPT_SUFFIX
    assert first["data_source"] == "math12k" and first["ability"] == "math"
    assert first["reward_model"] == {"style": "rule", "ground_truth": "11"}
    assert [e["index"] for e in df["extra_info"]] == list(range(5))
    assert df.iloc[1]["reward_model"]["ground_truth"] == "\\frac{3}{4}"


def test_deepmath_columns_and_missing_answer(tmp_path):
    df, counts = T.load_training_set("deepmath103k", FIX / "deepmath103k.jsonl")
    assert counts["rows"] == 3 and counts["dropped_empty"] == 1
    assert df["problem"].tolist()[1] == "How many primes are below 20?"
    assert df["answer"].tolist() == ["e", "8", "1"]


def test_dapo_template_stripped_and_deduplicated(tmp_path):
    df, counts = T.load_training_set("dapo17k", FIX / "dapo17k_raw.jsonl")
    assert counts["raw"] == 10
    assert counts["duplicates_removed"] == 6 and counts["rows"] == 4
    for p in df["problem"]:
        assert "Answer:" not in p and "Solve the following" not in p and "Remember" not in p
    assert df["problem"].tolist()[0] == "Let $a+b=10$ and $a-b=2$. Find $ab$."
    assert df["answer"].tolist() == ["24", "9", "2", "120"]
    assert df["source_id"].tolist()[0] == "uuid-0000"
    verl = T.to_verl(df, "dapo17k")
    content = verl.iloc[3]["prompt"][0]["content"]
    assert content == "Compute $5!$." + PROMPT_SUFFIX  # one answer format only: the paper's


def test_dapo_openr1_copy(tmp_path):
    df, counts = T.load_training_set("dapo17k-openr1", FIX / "dapo17k_openr1.jsonl")
    assert counts["dataset"] == "dapo17k" and counts["rows"] == 3
    assert "Answer:" not in df["problem"].iloc[0]


def test_strip_dapo_template_leaves_plain_text():
    assert T.strip_dapo_template("  What is 1+1?  ") == "What is 1+1?"


def test_hub_path_uses_load_dataset(monkeypatch, tmp_path):
    calls = []

    class FakeDS:
        def __init__(self, rows):
            self.rows = rows

        def to_pandas(self):
            return pd.DataFrame(self.rows)

    def load_dataset(hub_id, config=None, split=None, revision=None):
        calls.append((hub_id, config, split, revision))
        rows = [json.loads(line) for line in (FIX / "deepmath103k.jsonl").read_text().splitlines()]
        return FakeDS(rows)

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    counts = T.prepare_training_set("deepmath103k", tmp_path / "d.parquet", revision="0406dc9")
    assert calls == [("zwhe99/DeepMath-103K", None, "train", "0406dc9")]
    assert counts["rows"] == 3 and counts["source"].startswith("zwhe99/DeepMath-103K@0406dc9")


def test_hub_failure_names_dataset(monkeypatch, tmp_path):
    def load_dataset(*a, **k):
        raise ConnectionError("offline")

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    with pytest.raises(ValueError, match="math12k.*hiyouga/math12k.*local"):
        T.load_training_set("math12k")


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="unknown training set"):
        T.get_source("gsm8k")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "x", "answer": "1"}) + "\n")
    with pytest.raises(ValueError, match="missing column 'problem'"):
        T.load_training_set("math12k", bad)


def test_benchmarks_to_verl_and_overlap():
    b = pd.DataFrame({"problem_id": ["a", "b"], "problem": ["P one", "P two"], "answer": ["1", "2"],
                      "benchmark": "AIME24"})
    v = T.benchmarks_to_verl([b])
    assert v["data_source"].tolist() == ["AIME24", "AIME24"]
    assert v.iloc[1]["extra_info"]["problem_id"] == "b"
    assert T.overlap_counts(["P one", "p  TWO", "x"], ["P one", "P two"]) == {"exact": 1, "normalised": 2}
