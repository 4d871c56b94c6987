"""The CPU experiment is one more training grid: its runs go through the paper grid's rules (base_model ->
train_cpu -> eval_shard -> eval_merge -> the report rules with a suffix), at a size that runs in a minute."""

import json
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


def _small(cfg: dict) -> dict:
    """config/config.yaml's train/eval/report at smoke size (same structure, fewer steps and samples)."""
    train, ev, rep = cfg["train"], cfg["eval"], cfg["report"]
    train["seeds"] = [0]
    train["cpu"].update(steps=2, prompts_per_step=4, ckpt_every=1, val_every=1, val_ks=[1, 4])
    model = train["models"]["tiny-ops"]
    model["build"]["sft"].update(steps=5, batch=16)
    train["datasets"]["ops"]["task"]["test_per_type"] = 2
    exp = train["experiments"][0]
    exp["methods"] = [{"estimator": "base"}, {"estimator": "grpo"}, {"estimator": "rs_grpo", "params": {"beta": 2}}]
    ev["benchmarks"]["ops_test"]["n"] = 8
    ev.update(samples_per_shard=4, problem_shards=2, backend_options={"batch_size": 64})
    rep["table2"].update(ks=[1, 8], n_boot=50)
    rep["fig4"]["n_boot"] = 50
    rep["mini_summary"].update(ks=[1, 8], n_boot=100)
    rep["fig5"] = {"betas": [2]}
    rep["fig6"] = {"methods": {"grpo": "GRPO", "rs_grpo-b2": "RS-GRPO"}}
    return {"train": train, "eval": ev, "report": rep}


@pytest.mark.slow
def test_cpu_grid_runs_through_the_paper_rules(tmp_path, copy_workflow, root):
    d = copy_workflow(tmp_path / "w", subs=("workflow", "config"))
    cfg = _small(yaml.safe_load((root / "config" / "config.yaml").read_text()))
    (d / "config" / "small.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    cmd = [str(SNAKEMAKE), "table2", "fig4_passk", "fig7_diversity", "mini_summary", "fig6_baselines",
           "--cores", "2", "--configfile", "config/small.yaml"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "WANDB_MODE": "disabled"}
    proc = subprocess.run(cmd, cwd=d, capture_output=True, text=True, env=env, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    ran = set(re.findall(r"^(?:local)?rule (\w+):", out, flags=re.M))
    assert {"task_benchmark", "training_data", "base_model", "train_cpu", "eval_shard", "eval_merge",
            "table2", "fig4_passk", "fig7_diversity", "mini_summary", "fig6_baselines"} <= ran, sorted(ran)
    assert "train_verl" not in ran
    runs = ["tiny-ops__base", "tiny-ops__ops__grpo__s0", "tiny-ops__ops__rs_grpo-b2__s0"]
    for run in runs:
        e = d / "results" / "eval" / run / "ops_test"
        assert sorted(p.name for p in (e / "shards").iterdir()) == [f"{i:05d}.parquet" for i in range(4)]
        counts = pd.read_parquet(e / "counts.parquet")
        assert len(counts) == 8 and (counts["n"] == 8).all()
    for run in runs[1:]:  # the train stage's contract, as verl's runs write it
        t = d / "results" / "train" / run
        assert (t / "model" / "config.json").exists() and json.loads((t / "provenance.json").read_text())
        steps = [json.loads(line)["step"] for line in (t / "metrics.jsonl").read_text().splitlines()]
        assert steps and steps[-1] == 2
    pf = d / "paper_figures"
    for name in ("table2_mini.csv", "table2_mini.md", "fig4_passk_mini.png", "fig7_diversity_mini.png",
                 "fig6_baselines_mini.png", "mini_summary.md", "mini_summary.csv"):
        assert (pf / name).stat().st_size > 0, name
    table = pd.read_csv(pf / "mini_summary.csv")
    assert set(table["method"]) == {"base", "grpo", "rs_grpo-b2"}
