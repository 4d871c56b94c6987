"""The Snakemake skeleton: lint, config validation before any job (one-line errors), the default target.

Runs `snakemake` in the repository root through subprocess (dry runs only, `--nolock`, never executing a job).
Skipped when snakemake is not installed.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = shutil.which("snakemake") or str(Path(sys.executable).with_name("snakemake"))
pytestmark = pytest.mark.skipif(not Path(SNAKEMAKE).exists(), reason="snakemake is not installed")
MY_RULES = ("fig2_rs_advantage", "fig8_advantage_methods", "table1_properties")


def _snakemake(*args, timeout=900) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([SNAKEMAKE, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


def _config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def _dry_run_with(tmp_path, config) -> subprocess.CompletedProcess:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return _snakemake("-n", "--nolock", "--cores", "1", "--configfile", str(path))


@pytest.mark.slow
def test_lint_has_no_errors():
    res = _snakemake("--lint", "--nolock")
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]


def _mutate(kind: str) -> tuple[dict, str]:
    cfg = copy.deepcopy(_config())
    methods = cfg["advantage_figures"]["methods"]
    if kind == "unknown":
        methods[0] = {"estimator": "no_such_estimator"}
        return cfg, "advantage_figures.methods[0].estimator"
    if kind == "beta":
        i = next(i for i, m in enumerate(methods) if m["estimator"] == "rs_grpo")
        methods[i] = {"estimator": "rs_grpo", "params": {"beta": -1.0}}
        return cfg, f"advantage_figures.methods[{i}].params.beta"
    i = next(i for i, m in enumerate(methods) if m["estimator"] == "chen")
    methods[i] = {"estimator": "chen", "params": {"k": cfg["advantage_figures"]["group_size"] + 1}}
    return cfg, f"advantage_figures.methods[{i}].params.k"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["unknown", "beta", "k"])
def test_invalid_config_stops_before_any_job(tmp_path, kind):
    cfg, key = _mutate(kind)
    res = _dry_run_with(tmp_path, cfg)
    assert res.returncode != 0
    # Snakemake's own notice of the workflow profile goes to stderr in recent releases; ours is the only other line
    lines = [line for line in res.stderr.splitlines()
             if line.strip() and not line.startswith("Using workflow specific profile")]
    assert len(lines) == 1, res.stderr  # ONE line, no traceback
    assert lines[0].startswith("rsgrpo: invalid config:") and f"'{key}'" in lines[0]
    assert "Job stats" not in res.stdout + res.stderr and "rule " not in res.stdout + res.stderr


@pytest.mark.slow
def test_default_target_dry_run_lists_the_three_rules():
    # --forcerun: list the rules even when their outputs already exist (they must be in the default DAG)
    res = _snakemake("-n", "--nolock", "--cores", "1", "--forcerun", *MY_RULES)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    out = res.stdout + res.stderr  # where Snakemake logs the jobs depends on its release
    for rule in MY_RULES:
        assert f"rule {rule}:" in out or f"localrule {rule}:" in out, rule


def test_ci_verl_default_target_is_the_grid_alone():
    """config/ci_verl.yaml: default_target leaves out the bandit and the closed forms; the grid's two verl runs,
    their evaluations and Table 2 remain (the run itself: tests/train/verl/test_verl_e2e.py)."""
    import re

    res = _snakemake("-n", "--nolock", "--cores", "1", "--configfile", "config/ci_verl.yaml", "--forceall")
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", res.stdout, re.M))
    assert jobs.get("train_verl") == "2" and jobs.get("table2") == "1" and jobs.get("eval_merge") == "3"
    assert not {"bandit_run", "lemma_checks", "fig2_rs_advantage", "table1_properties", "train_cpu"} & set(jobs)
