"""verl 0.9.1's real trainer, end to end on this CPU, through the paper grid's own rules (config/ci_verl.yaml).

`snakemake --cores all --configfile config/ci_verl.yaml` on a copy of the workflow: training_data -> train_verl
(python -m verl.trainer.main_ppo on rsgrpo's CPU platform with the hf rollout) -> verl's model merger ->
eval_shard/eval_merge -> table2. Then the advantages verl computed are recomputed with rsgrpo.estimators from the
dumped rewards and groups (rsgrpo.train.verl.plugin.dump_call), and a pass@k run is killed after its first
checkpoint and resumed by re-running the same command. About 6 minutes on 2 cores.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

pytestmark = [pytest.mark.verl, pytest.mark.verl_e2e, pytest.mark.slow]
pytest.importorskip("verl")
pytest.importorskip("transfer_queue")

RUNS = {"tiny-ops-ci__ops-ci__grpo__s0": None, "tiny-ops-ci__ops-ci__rs_grpo-b2__s0": ("rs_grpo", {"beta": 2.0})}
RESUME_RUN = "tiny-ops-ci__ops-ci__pkpo-k4__s0"


def _snakemake(cwd: Path, *args: str, timeout: int = 1500, **kw) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "snakemake", "--cores", "all", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kw)


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory, copy_workflow):
    wd = copy_workflow(tmp_path_factory.mktemp("verl_e2e"))
    t0 = time.time()
    out = _snakemake(wd, "--configfile", "config/ci_verl.yaml")
    assert out.returncode == 0, (out.stdout + out.stderr)[-6000:]
    print(f"verl CI grid: {time.time() - t0:.0f} s", file=sys.stderr)
    return wd


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _recompute(dump: dict, estimator: str, params: dict) -> np.ndarray:
    """The advantages rsgrpo.estimators gives the dumped rewards, grouped by verl's uid (loop reference)."""
    import torch

    from rsgrpo import estimators

    uid, score = np.asarray(dump["uid"], dtype=object), np.asarray(dump["score"], dtype=float)
    out = np.full(len(uid), np.nan)
    for u in dict.fromkeys(uid):
        rows = np.flatnonzero(uid == u)
        out[rows] = estimators.compute(estimator, torch.tensor(score[rows][None, :]), **params).numpy()[0]
    return out


def test_both_runs_trained_exported_evaluated_and_tabled(ci_run):
    from transformers import AutoModelForCausalLM

    for run in RUNS:
        d = ci_run / "results" / "train" / run
        recs = _records(d / "metrics.jsonl")
        assert [r["step"] for r in recs] == [1, 2], run
        for r in recs:
            assert {"train/reward_mean", "train/entropy", "verl/critic/score/mean", "verl/actor/entropy"} <= set(r)
            assert 0.0 <= r["train/reward_mean"] <= 1.0 and r["train/entropy"] > 0
        model = AutoModelForCausalLM.from_pretrained(d / "model")
        assert model.num_parameters() > 0
        assert json.loads((d / "provenance.json").read_text())["step"] == 2
        counts = ci_run / "results" / "eval" / run / "ops_ci_test" / "counts.parquet"
        assert counts.is_file(), run
    base = ci_run / "results" / "train" / "tiny-ops-ci__base" / "model"  # an input, untouched by the export
    assert AutoModelForCausalLM.from_pretrained(base).num_parameters() == model.num_parameters()
    import pandas as pd

    table = pd.read_csv(ci_run / "paper_figures" / "table2_ci_verl.csv")
    assert {"grpo", "rs_grpo", "base"} <= set(table.astype(str).stack().unique())


def test_verl_ran_our_estimator_with_our_beta(ci_run):
    run_dir = ci_run / "results" / "train" / "tiny-ops-ci__ops-ci__rs_grpo-b2__s0"
    dump = _records(run_dir / "advantage_dump.jsonl")[0]
    assert dump["estimator"] == "rs_grpo" and dump["params"] == {"beta": 2.0}
    adv = np.asarray(dump["advantage"])
    groups = len(set(dump["uid"]))
    assert len(adv) == 4 * groups and groups >= 1
    np.testing.assert_allclose(adv, _recompute(dump, "rs_grpo", {"beta": 2.0}), atol=1e-6)
    wrong = _recompute(dump, "rs_grpo", {"beta": 1.0})  # the check can fail: another beta gives other values
    assert np.max(np.abs(adv - wrong)) > 1e-3
    # verl trained on these values: its own advantage statistics of step 1 are those of the dump (token level)
    step1 = _records(run_dir / "metrics.jsonl")[0]
    tokens = np.repeat(adv, np.asarray(dump["response_len"]))
    assert step1["verl/critic/advantages/max"] == pytest.approx(tokens.max(), abs=1e-5)
    assert step1["verl/critic/advantages/min"] == pytest.approx(tokens.min(), abs=1e-5)
    assert step1["verl/critic/advantages/mean"] == pytest.approx(tokens.mean(), abs=1e-5)


def _logged_steps(run_dir: Path) -> set[int]:
    """Steps verl's file logger has written so far (every attempt's part file)."""
    steps = set()
    for part in run_dir.glob("verl_metrics.*.jsonl"):
        for line in part.read_text().splitlines():
            if line.strip().endswith("}"):
                steps.add(json.loads(line)["step"])
    return steps


def _kill_training(run: str) -> int:
    """SIGKILL the verl driver of `run` (python -m verl.trainer.main_ppo ... experiment_name=<run>) and the Ray
    cluster it started: what a node failure does to a training job. Returns the number of processes killed."""
    import psutil

    victims = [p for p in psutil.process_iter(["cmdline"])
               if "verl.trainer.main_ppo" in " ".join(p.info["cmdline"] or [])
               and f"trainer.experiment_name={run}" in (p.info["cmdline"] or [])]
    for p in victims:
        p.kill()
    subprocess.run(["ray", "stop", "--force"], capture_output=True, timeout=120)  # raylet, GCS, workers
    return len(victims)


def test_kill_after_first_checkpoint_then_rerun_resumes(ci_run):
    """A pass@k run (PKPO, k = 4) is SIGKILLed once verl has saved and logged step 1; re-running the same command
    continues from verl's checkpoint: steps 1..3 once each in metrics.jsonl, and verl ran PKPO with k = 4."""
    cfg = yaml.safe_load((ci_run / "config" / "ci_verl.yaml").read_text())
    cfg["train"]["hyperparameters"]["total_training_steps"] = 3
    cfg["train"]["experiments"][0]["methods"] = [{"estimator": "pkpo", "params": {"k": 4, "baseline": "loo-1"}}]
    (ci_run / "config" / "ci_verl_resume.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    target = f"results/train/{RESUME_RUN}/model"
    args = [target, "--configfile", "config/ci_verl_resume.yaml"]  # (--configfile takes several files)
    ckpt = ci_run / "checkpoints" / RESUME_RUN / "latest_checkpointed_iteration.txt"
    first = ci_run / "first_attempt.log"
    with first.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "all", *args], cwd=ci_run,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 900
        run_dir = ci_run / "results" / "train" / RESUME_RUN
        while not (ckpt.is_file() and ckpt.read_text().strip() == "1" and _logged_steps(run_dir) >= {1}):
            assert proc.poll() is None, f"ended before its first checkpoint: {first.read_text()[-4000:]}"
            assert time.time() < deadline, "no checkpoint after 15 minutes"
            time.sleep(0.5)
        assert _kill_training(RESUME_RUN) >= 1
        assert proc.wait(timeout=300) != 0  # Snakemake saw the job die
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not (ci_run / target).exists()
    out = _snakemake(ci_run, *args)
    assert out.returncode == 0, (out.stdout + out.stderr)[-6000:]
    run_dir = ci_run / "results" / "train" / RESUME_RUN
    assert [r["step"] for r in _records(run_dir / "metrics.jsonl")] == [1, 2, 3]
    log = (ci_run / "logs" / "train" / f"{RESUME_RUN}.log").read_text()
    assert f"Resuming from {ci_run / 'checkpoints' / RESUME_RUN / 'global_step_1'}" in log and json.loads((run_dir / "provenance.json").read_text())["step"] == 3
    for dump in _records(run_dir / "advantage_dump.jsonl"):  # the first call of each attempt
        assert dump["estimator"] == "pkpo" and dump["params"] == {"k": 4, "baseline": "loo-1"}
        np.testing.assert_allclose(dump["advantage"], _recompute(dump, "pkpo", dump["params"]), atol=1e-6)
