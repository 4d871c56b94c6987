"""After a crash the plain command continues (issue 15): a long job is SIGKILLed at a random point, the same
`snakemake --cores 1 TARGET` is run again (profiles/default sets rerun-incomplete), and the final outputs equal
an uninterrupted run's, with no completed work redone beyond the last checkpoint.

    CPU trainer    metrics.jsonl equal to the uninterrupted run's (time/* aside); the rerun resumes from the
                   checkpoint that existed at the kill (or a later one), never from step 0
    eval shard     counts.parquet identical; the shards written before the kill are kept (not rewritten)
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytest.importorskip("torch")
pytest.importorskip("transformers")
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")]
RUN = "tiny-ops__ops__grpo__s0"
METRICS = f"results/train/{RUN}/metrics.jsonl"
COUNTS = "results/eval/tiny-ops__base/ops_test/counts.parquet"
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "WANDB_MODE": "disabled"}


def _config(root: Path) -> dict:
    cfg = yaml.safe_load((root / "config" / "config.yaml").read_text())
    train, ev = cfg["train"], cfg["eval"]
    train["seeds"] = [0]
    train["cpu"].update(steps=40, prompts_per_step=8, ckpt_every=5, val_every=20, val_ks=[1, 4])
    train["models"]["tiny-ops"]["build"]["sft"].update(steps=20, batch=32)
    train["datasets"]["ops"]["task"]["test_per_type"] = 2
    train["experiments"][0]["methods"] = [{"estimator": "base"}, {"estimator": "grpo"}]
    ev["benchmarks"]["ops_test"]["n"] = 64
    ev.update(samples_per_shard=8, problem_shards=1, backend_options={"batch_size": 64})
    return {"train": train, "eval": ev}


def _snakemake(d: Path, target: str, **kw):
    return [str(SNAKEMAKE), target, "--cores", "1", "--configfile", "config/small.yaml"], dict(cwd=d, env=ENV, **kw)


def _run(d: Path, target: str) -> str:
    cmd, kw = _snakemake(d, target)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    return out


def _job_pids(d: Path, script: str) -> list[int]:
    """Processes running workflow/scripts/{script} with working directory d (from /proc)."""
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes().decode(errors="replace")
            if script in cmd and "snakemake" not in cmd.split("\0")[0] and Path(os.readlink(p / "cwd")) == d:
                out.append(int(p.name))
        except (OSError, ValueError):
            continue
    return out


def _kill_when(d: Path, target: str, script: str, ready, at_job_start: bool = False, timeout: float = 600):
    """Start the plain command, wait until ready() returns a value, SIGKILL the running job; return that value.

    at_job_start: kill a job whose value was ready when the job was first seen (with --cores 1 the jobs run one
    after the other, so what exists then was written by jobs Snakemake has already finished)."""
    cmd, kw = _snakemake(d, target)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    t0, seen, first = time.time(), None, {}
    while time.time() - t0 < timeout and proc.poll() is None:
        pids = _job_pids(d, script)
        value = ready()
        for pid in pids:
            first.setdefault(pid, value)
        victims = [pid for pid in pids if (first[pid] if at_job_start else value) is not None]
        if victims:
            seen = first[victims[0]] if at_job_start else value
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    out = proc.communicate(timeout=300)[0]
    assert seen is not None and proc.returncode != 0, out[-3000:]  # the kill happened while the job ran
    return seen


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, copy_workflow, root):
    """A workflow copy with the data and the SFT base built (shared by the uninterrupted and the killed runs)."""
    d = copy_workflow(tmp_path_factory.mktemp("crash") / "prep")
    (d / "config" / "small.yaml").write_text(yaml.safe_dump(_config(root), sort_keys=False))
    _run(d, "results/train/tiny-ops__base/model")
    return d


def _clone(prepared: Path, dest: Path) -> Path:
    shutil.copytree(prepared, dest, symlinks=True)
    return dest


def _strip_times(path: Path) -> list[dict]:
    return [{k: v for k, v in json.loads(line).items() if not k.startswith("time/")}
            for line in path.read_text().splitlines()]


def test_killed_cpu_training_resumes_with_the_plain_command(prepared, tmp_path):
    ref, crash = _clone(prepared, tmp_path / "ref"), _clone(prepared, tmp_path / "crash")
    _run(ref, METRICS)
    want = random.Random(os.getpid()).choice([2, 3, 4, 5])  # checkpoints (of 8) present when the job is killed
    partial = crash / "results" / "train" / RUN / "state" / "metrics.partial.jsonl"

    def ready():
        try:
            steps = [json.loads(line)["step"] for line in partial.read_text().splitlines()]
        except (OSError, ValueError):
            return None
        return steps[-1] if steps and steps[-1] >= 5 * want else None

    at_kill = _kill_when(crash, METRICS, "train_cpu", ready)
    assert not (crash / METRICS).exists()
    out = _run(crash, METRICS)  # the same plain command: no --rerun-incomplete typed
    log = (crash / "logs" / "train" / f"{RUN}.log").read_text()
    resumed = [int(line.rsplit(" ", 1)[1]) for line in log.splitlines() if line.startswith("resumed from")]
    assert resumed and resumed[0] >= at_kill, (resumed, at_kill, out[-2000:])
    assert _strip_times(crash / METRICS) == _strip_times(ref / METRICS)


def test_killed_eval_shard_reruns_alone_with_the_plain_command(prepared, tmp_path):
    ref, crash = _clone(prepared, tmp_path / "ref"), _clone(prepared, tmp_path / "crash")
    _run(ref, COUNTS)
    shards = crash / "results" / "eval" / "tiny-ops__base" / "ops_test" / "shards"
    want = random.Random(os.getpid() + 1).choice([2, 3, 4, 5])  # shards (of 8) written when a shard job is killed

    def ready():
        done = sorted(shards.glob("*.parquet")) if shards.exists() else []
        return {p.name: p.stat().st_mtime_ns for p in done} if len(done) >= want else None

    before = _kill_when(crash, COUNTS, "eval_shard", ready, at_job_start=True)
    _run(crash, COUNTS)
    after = {p.name: p.stat().st_mtime_ns for p in shards.glob("*.parquet")}
    assert len(after) == 8 and all(after[name] == t for name, t in before.items())  # completed shards kept
    pd.testing.assert_frame_equal(pd.read_parquet(crash / COUNTS), pd.read_parquet(ref / COUNTS))
