"""`snakemake beta_schedules` builds the β-schedule study (bandit + CPU runs + report) at smoke size from a copy
of the workflow, leaves the default runs alone, and its markdown's verdict lines are the ones its table gives."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

pytest.importorskip("torch")
pytest.importorskip("transformers")
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
pytestmark = pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")

COS = {"schedule": "cosine", "beta_start": 8, "beta_end": 2, "warmup_steps": 1, "decay_steps": 2}
DIF = {"schedule": "difficulty", "beta_max": 8, "beta_min": 2}


def _small(cfg: dict) -> dict:
    train, ev = cfg["train"], cfg["eval"]
    train["seeds"] = [0, 1]
    train["cpu"].update(steps=3, prompts_per_step=4, ckpt_every=1, val_every=3, val_ks=[1, 4])
    train["models"]["tiny-ops"]["build"]["sft"].update(steps=5, batch=16)
    train["datasets"]["ops"]["task"]["test_per_type"] = 2
    main, study = train["experiments"]
    main["methods"] = [{"estimator": "base"}, {"estimator": "grpo"}, {"estimator": "rs_grpo", "params": {"beta": 4}}]
    study["methods"] = [{"estimator": "rs_grpo", "params": {"beta": 2}}, {"estimator": "rs_grpo", "params": {"beta": 4}},
                        {"estimator": "rs_grpo", "params": {"beta": COS}}, {"estimator": "rs_grpo", "params": {"beta": DIF}}]
    ev["benchmarks"]["ops_test"]["n"] = 8
    ev.update(samples_per_shard=8, problem_shards=1, backend_options={"batch_size": 64})
    bandit = cfg["bandit"]
    bandit.update(n_samples=3200, n_seeds=3, ma_window=100, curve_every=5, snapshot_every=50, escape_threshold=0.62)
    bs = cfg["beta_schedules"]
    bs["bandit"]["methods"] = [{"estimator": "rs_grpo", "params": {"beta": COS}},
                               {"estimator": "rs_grpo", "params": {"beta": DIF}}]
    bs.update(ks=[1, 8], n_boot=50)
    return {"train": train, "eval": ev, "bandit": bandit, "beta_schedules": bs}


@pytest.mark.slow
def test_beta_schedules_target_builds_the_study(tmp_path, copy_workflow, root):
    d = copy_workflow(tmp_path / "w", subs=("workflow", "config"))
    cfg = _small(yaml.safe_load((root / "config" / "config.yaml").read_text()))
    (d / "config" / "small.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    cmd = [str(SNAKEMAKE), "beta_schedules", "--cores", "2", "--configfile", "config/small.yaml"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "WANDB_MODE": "disabled"}
    proc = subprocess.run(cmd, cwd=d, capture_output=True, text=True, env=env, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    trained = sorted(p.name for p in (d / "results" / "train").iterdir() if p.name != "tiny-ops__base")
    tags = ["rs_grpo-b2", "rs_grpo-b4", "rs_grpo-cos8to2w1d2", "rs_grpo-dif8to2"]
    assert trained == sorted(f"tiny-ops__ops__{t}__s{s}" for t in tags for s in (0, 1))  # not the default grpo
    pf = d / "paper_figures"
    for name in ("beta_schedules.md", "beta_schedules.csv", "fig_beta_schedules.pdf", "fig_beta_schedules.png"):
        assert (pf / name).stat().st_size > 0, name
    table = pd.read_csv(pf / "beta_schedules.csv")
    assert set(table.loc[table.part == "cpu", "method"]) == set(tags)
    assert set(table.loc[table.part == "bandit", "method"]) == {"rs_grpo-b2", "rs_grpo-b4", "rs_grpo-b8",
                                                                "rs_grpo-cos8to2w1d2", "rs_grpo-dif8to2"}
    from rsgrpo.reports import beta_schedules as bs

    md = (pf / "beta_schedules.md").read_text()
    v = bs.verdict(table)
    verdict_lines = [ln for ln in bs.render(table, v).splitlines() if ln.startswith(("- `", "**Answer"))]
    assert len(verdict_lines) == 2 + 2 + 2  # two schedules and an answer per part
    assert all(line in md for line in verdict_lines)
    assert re.search(r"`rs_grpo-cos8to2w1d2` beats `rs_grpo-b[24]` on pass@1 without losing pass@8: \*\*", md)
