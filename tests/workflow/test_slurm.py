"""The workflow through a real (local, single-node) Slurm with the project's cluster profile profiles/slurm.

Needs the Slurm of `ci/slurm/start.sh` (root; .ci/run starts it): partitions `debug` (CPU) and `gpu` (fake typed
GPUs `h100`, dummy device files). Skips with a reason when no Slurm answers. Every snakemake run is wrapped in
`timeout -s INT -k 30` (a hung Slurm-executor Snakemake ignores SIGTERM). Account and CPU partition reach the
profile through the environment (RSGRPO_SLURM_ACCOUNT / RSGRPO_SLURM_PARTITION); only the polling intervals
are shortened on the command line. Each Slurm job costs ~12 s (in-job Snakemake start + polling).
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml


ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
FIXTURE = ROOT / "tests" / "fixtures" / "slurm" / "Snakefile"
PROFILE = ROOT / "profiles" / "slurm"
GPU_MODEL = os.environ.get("SLURM_CI_GPU_MODEL", "h100")


def _slurm_problem():
    if not SNAKEMAKE.exists():
        return "snakemake is not installed in this environment"
    if not shutil.which("sinfo") or not shutil.which("sbatch"):
        return "no Slurm client (sinfo/sbatch); start a local Slurm with ci/slurm/start.sh (as root)"
    if not Path("/etc/slurm/slurm.conf").exists():
        return "no /etc/slurm/slurm.conf: local Slurm not started (ci/slurm/start.sh, as root)"
    try:
        out = subprocess.run(["sinfo", "-h", "-o", "%P %t"], capture_output=True, text=True, timeout=15).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"sinfo did not answer ({exc})"
    states = dict(line.split()[:2] for line in out.splitlines() if len(line.split()) >= 2)
    if not any(s.startswith(("idle", "mix", "alloc")) for s in states.values()):
        return f"no usable Slurm node (sinfo: {out.strip() or 'nothing'})"
    if "gpu" not in states:
        return "the local Slurm has no `gpu` partition (use ci/slurm/start.sh)"
    return None


_PROBLEM = _slurm_problem()
pytestmark = [pytest.mark.slurm, pytest.mark.slow,
              pytest.mark.skipif(_PROBLEM is not None, reason=f"Slurm tests skipped: {_PROBLEM}")]

FAST_POLLING = ["--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "1",
                "--latency-wait", "5"]


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    env.update(RSGRPO_SLURM_ACCOUNT="ci", RSGRPO_SLURM_PARTITION="debug", OMP_NUM_THREADS="1")
    return env


def _snakemake(workdir, *args, limit=240, env=None):
    cmd = ["timeout", "-s", "INT", "-k", "30", str(limit), str(SNAKEMAKE), "--profile", str(PROFILE), "--jobs", "2",
           *FAST_POLLING, *args]
    return subprocess.run(cmd, cwd=workdir, env={**_env(), **(env or {})}, capture_output=True, text=True,
                          timeout=limit + 60)


def _slurm_job_ids(text):
    """Slurm job ids of the submissions Snakemake logged ("... submitted with SLURM jobid 17 ...")."""
    return [int(x) for x in re.findall(r"SLURM jobid (\d+)", text)]


def _job_field(job_id, field):
    out = subprocess.run(["scontrol", "show", "job", str(job_id)], capture_output=True, text=True).stdout
    m = re.search(rf"\b{field}=(\S+)", out)
    return m.group(1) if m else None


def test_real_workflow_bandit_figure_through_sbatch(tmp_path, copy_workflow):
    """fig3_bandit (bandit_run -> fig3_bandit) of the real workflow, reduced, as two sbatch jobs on `debug`."""
    wf = copy_workflow(tmp_path / "wf")
    small = {"bandit": {"n_samples": 480, "betas": [0, 8], "methods": [], "n_seeds": 2, "ma_window": 100,
                        "curve_every": 5, "snapshot_every": 10, "escape_threshold": 0.35}}
    (wf / "config" / "slurm_small.yaml").write_text(yaml.safe_dump(small))
    proc = _snakemake(wf, "fig3_bandit", "--configfile", "config/config.yaml", "config/slurm_small.yaml")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    ids = _slurm_job_ids(out)
    assert len(set(ids)) == 2, out[-4000:]  # bandit_run and fig3_bandit, each its own Slurm job
    for job_id in ids:  # MinJobAge=300 keeps finished jobs visible to scontrol
        assert _job_field(job_id, "JobState") == "COMPLETED"
        assert _job_field(job_id, "Partition") == "debug"  # CPU jobs stay on the CPU partition
    logs = sorted((wf / "logs" / "slurm").rglob("*.log"))
    assert {int(p.stem) for p in logs} >= set(ids), logs  # the profile's slurm-logdir, one log per job id
    png = (wf / "paper_figures" / "fig3_bandit.png").read_bytes()
    pdf = (wf / "paper_figures" / "fig3_bandit.pdf").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    summary = (wf / "results" / "bandit" / "summary.csv").read_text().splitlines()
    assert len(summary) == 1 + 2 * 2, summary  # header + betas x seeds
    assert not list(wf.rglob(".*.tmp*")) and not list((wf / "results").rglob(".summary*"))


def test_failed_job_is_retried_per_profile(tmp_path):
    """`retries: 1` in the profile: a job that fails on its first attempt is resubmitted as a new Slurm job."""
    proc = _snakemake(tmp_path, "-s", str(FIXTURE), "flaky.txt")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    attempts = (tmp_path / "flaky.attempts").read_text().splitlines()
    assert [a.split()[1] for a in attempts] == ["1", "2"], attempts
    ids = _slurm_job_ids(out)
    assert len(set(ids)) == 2, out[-4000:]
    assert _job_field(ids[0], "JobState") == "FAILED" and _job_field(ids[1], "JobState") == "COMPLETED"
    assert (tmp_path / "flaky.txt").read_text().strip() == "attempt 2"


def test_cancelled_job_leaves_no_half_written_output(tmp_path):
    """scancel while the job is half-way through writing: Snakemake notices and removes the partial output."""
    cmd = ["timeout", "-s", "INT", "-k", "30", "240", str(SNAKEMAKE), "--profile", str(PROFILE), "--jobs", "1",
           *FAST_POLLING, "--retries", "0", "-s", str(FIXTURE), "slow.txt"]
    p = subprocess.Popen(cmd, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        started = tmp_path / "slow.started"
        deadline = time.monotonic() + 180
        while not (started.exists() and started.read_text().strip()) and time.monotonic() < deadline:
            assert p.poll() is None, p.stdout.read()[-4000:]
            time.sleep(0.5)
        assert (tmp_path / "slow.txt").read_text() == "first half\n"  # the job is mid-way
        queued = subprocess.run(["squeue", "-h", "-o", "%i %k"], capture_output=True, text=True).stdout
        ids = [line.split()[0] for line in queued.splitlines() if "slow" in line]
        assert ids, queued
        subprocess.run(["scancel", *ids], check=True)
        out, _ = p.communicate(timeout=200)
    finally:
        if p.poll() is None:
            p.send_signal(2)
            p.wait(timeout=60)
    assert p.returncode not in (0, 124), out[-4000:]
    assert not (tmp_path / "slow.txt").exists(), "half-written output left behind"
    assert _job_field(ids[0], "JobState") == "CANCELLED"


def test_gpu_job_request_and_in_job_gpu_check(tmp_path, copy_workflow):
    """train_verl (paper grid) on the fake GPU partition: the sbatch call carries --gpus=<model>:<count> from the
    workflow profile's count and the cluster's model, and the job's GPU-count check fails fast naming both
    numbers (the fake node has no usable GPU). The count is the workflow profile's (profiles/default)."""
    wf = copy_workflow(tmp_path / "wf")
    wprof = wf / "profiles" / "default" / "config.yaml"
    wanted = yaml.safe_load(wprof.read_text())["set-resources"]["train_verl"]
    count = int(wanted["gpu"])
    # fit the fake node (2 CPUs, ~19 GB) the way a user adapts the workflow profile to a cluster; a command-line
    # --set-resources train_verl:... would replace the profile's whole train_verl block, GPU count included
    text = wprof.read_text()
    assert "cpus_per_gpu: 12" in text and "mem_mb: 512000" in text
    wprof.write_text(text.replace("cpus_per_gpu: 12", "cpus_per_gpu: 0").replace("mem_mb: 512000", "mem_mb: 500"))
    run = "qwen25-math-1.5b__deepmath103k__grpo__s0"
    for name in ("deepmath103k.parquet", "validation.parquet"):  # inputs exist; the job stops before reading them
        p = wf / "results" / "data" / "training" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"placeholder")
    # the cluster side of a GPU rule, as the README documents it: partition and GPU model from the environment
    proc = _snakemake(
        wf, f"results/train/{run}/model", "--configfile", "config/paper.yaml", "--retries", "0", "--verbose",
        limit=240, env={"RSGRPO_SLURM_GPU_PARTITION": "gpu", "RSGRPO_SLURM_GPU_MODEL": GPU_MODEL})
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-4000:]
    sbatch = [line for line in out.splitlines() if "sbatch" in line and "--gpus" in line]
    assert sbatch and f"--gpus={GPU_MODEL}:{count}" in sbatch[0], out[-4000:]
    ids = _slurm_job_ids(out)
    assert ids and _job_field(ids[0], "Partition") == "gpu" and _job_field(ids[0], "JobState") == "FAILED"
    log = (wf / "logs" / "train" / f"{run}.log").read_text()
    assert f"requested {count} GPU(s) but 0 are visible" in log, log[-3000:]
    assert not (wf / "results" / "train" / run / "model").exists()
