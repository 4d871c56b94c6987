"""Shared helpers of the evaluation tests: a tiny real HF causal LM that writes boxed answers.

The vocabulary holds filler words and one whole-word token `\\boxed{<answer>}` per fixture gold (whitespace
removed) plus a few wrong answers, so a randomly initialised model's samples contain a mix of correct, wrong and
missing answers: the graded counts are non-trivial. Built with rsgrpo.models.tiny (offline tokenizer).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

FILLERS = ["so", "the", "answer", "is", "we", "get", "thus", "=", "+", "1", "2"]
WRONG = ["\\boxed{7}", "\\boxed{\\frac{1}{2}}", "\\boxed{99}", "\\boxed{x=4}"]


def fixture_golds() -> list[str]:
    from rsgrpo.data.benchmarks import load_benchmark

    return load_benchmark("fixture", check_golds=False)["answer"].tolist()


def build_tiny_lm(directory: str | os.PathLike, arch: str = "llama", seed: int = 0) -> Path:
    """Save a ~0.1 M-parameter causal LM + tokenizer into `directory` (HF format) and return it."""
    from rsgrpo.models.tiny import build_model, build_tokenizer, save_pretrained_atomic

    boxed = list(dict.fromkeys("\\boxed{" + re.sub(r"\s+", "", g) + "}" for g in fixture_golds()))
    words = FILLERS + [w for w in boxed + WRONG if w not in FILLERS]
    words = list(dict.fromkeys(words))
    tok = build_tokenizer(words)
    model = build_model(tok, arch=arch, seed=seed, hidden=64, layers=2, heads=2, intermediate=128,
                        max_positions=256)
    return save_pretrained_atomic(model, tok, directory)
