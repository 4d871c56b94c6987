"""Shared helpers of the test suite, as fixtures (the tests mirror the packages: tests/<package>/test_<module>.py;
tests/workflow/ covers the Snakemake workflow and workflow/lib/, tests/test_mini_experiment.py the CPU experiment).

    copy_workflow(dest, subs)      a copy of the Snakefile, environment.yml and workflow/, config/, profiles/
    build_tiny_lm(dir, arch, seed) a tiny real HF causal LM whose samples contain right, wrong and no boxed answers
    ROOT                           the project root (also `root` as a fixture)
    paper                          config/paper.yaml as `--configfile config/paper.yaml` sees it, validated

workflow/lib/ (the workflow's plain-Python helpers) is put on sys.path here, as the Snakefile does.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "workflow" / "lib"))


def _copy_workflow(dest: Path, subs: tuple[str, ...] = ("workflow", "config", "profiles")) -> Path:
    """Copy the Snakefile, environment.yml (every rule names it in `conda:`) and the folders `subs` into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for top in ("Snakefile", "environment.yml"):
        shutil.copy2(ROOT / top, dest / top)
    for sub in subs:
        shutil.copytree(ROOT / sub, dest / sub, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


# A tiny real HF causal LM that writes boxed answers: the vocabulary holds filler words and one whole-word token
# `\\boxed{<answer>}` per fixture gold (whitespace removed) plus a few wrong answers, so a randomly initialised
# model's samples contain a mix of correct, wrong and missing answers (the graded counts are non-trivial).
FILLERS = ["so", "the", "answer", "is", "we", "get", "thus", "=", "+", "1", "2"]
WRONG = ["\\boxed{7}", "\\boxed{\\frac{1}{2}}", "\\boxed{99}", "\\boxed{x=4}"]


def _fixture_golds() -> list[str]:
    from rsgrpo.data.benchmarks import load_benchmark

    return load_benchmark("fixture")["answer"].tolist()


def _build_tiny_lm(directory: str | os.PathLike, arch: str = "llama", seed: int = 0) -> Path:
    """Save a ~0.1 M-parameter causal LM + tokenizer into `directory` (HF format) and return it."""
    from rsgrpo.models.tiny import build_model, build_tokenizer, save_pretrained_atomic

    boxed = list(dict.fromkeys("\\boxed{" + re.sub(r"\s+", "", g) + "}" for g in _fixture_golds()))
    words = FILLERS + [w for w in boxed + WRONG if w not in FILLERS]
    words = list(dict.fromkeys(words))
    tok = build_tokenizer(words)
    model = build_model(tok, arch=arch, seed=seed, hidden=64, layers=2, heads=2, intermediate=128,
                        max_positions=256)
    return save_pretrained_atomic(model, tok, directory)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def copy_workflow():
    return _copy_workflow


@pytest.fixture(scope="session")
def build_tiny_lm():
    return _build_tiny_lm


@pytest.fixture(scope="session")
def paper() -> dict:
    import yaml

    import configs
    from rsgrpo.config.check import validate_config

    schema = yaml.safe_load((ROOT / configs.SCHEMA).read_text())
    return validate_config(configs.from_files([ROOT / "config" / "paper.yaml"], ROOT), schema)
