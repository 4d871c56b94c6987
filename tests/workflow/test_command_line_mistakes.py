"""The five most common mistakes typed on the command line (`snakemake --config ...`): each is answered in one
line that names the key, the value as typed and the rule it breaks, before any job runs (issue 15)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
pytestmark = pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")

MISTAKES = [
    # (what was typed, the one line expected)
    ("bandit={betas: [-1]}", "config key 'bandit.betas[0]': must be >= 0, got -1"),
    ("advantage_figures={methods: [{estimator: pkpo, params: {k: 20}}]}",
     "config key 'advantage_figures.methods[0].params.k': estimator 'pkpo': parameter k=20 must be <= the group "
     "size 16"),
    ("advantage_figures={methods: [{estimator: rs_grp, params: {beta: 2}}]}",
     "config key 'advantage_figures.methods[0].estimator': unknown estimator 'rs_grp'; did you mean 'rs_grpo'?"),
    ("bandit={beta: [1, 2]}", "config key 'bandit.beta': unknown key; did you mean 'betas'?"),
    ("train={datasets: {ops: {source: task, path: /no/such/ops.parquet}}}",
     "config key 'train.datasets.ops.path': local dataset file '/no/such/ops.parquet' does not exist"),
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, copy_workflow):
    return copy_workflow(tmp_path_factory.mktemp("mistakes") / "w")


@pytest.mark.parametrize("typed, line", MISTAKES, ids=["negative-beta", "k-gt-group", "unknown-estimator",
                                                       "misspelled-key", "missing-path"])
def test_command_line_mistake_is_one_clear_line_and_nothing_runs(workdir, typed, line):
    env = {**os.environ, "WANDB_MODE": "disabled"}
    proc = subprocess.run([str(SNAKEMAKE), "--cores", "1", "--config", typed], cwd=workdir, capture_output=True,
                          text=True, env=env, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-2000:]
    ours = [x for x in out.splitlines() if x.startswith("rsgrpo: invalid config:")]
    assert len(ours) == 1, out[-2000:]
    assert ours[0].startswith(f"rsgrpo: invalid config: {line}"), ours[0]
    assert "Traceback" not in out and "rule " not in out  # no stack, no job scheduled
    assert not (workdir / "results").exists() and not (workdir / "paper_figures").exists()
