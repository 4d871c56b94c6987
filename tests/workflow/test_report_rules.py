"""`snakemake -n table2` on a results dir holding only a cache schedules report rules only, never training or
evaluation — even when the config names the cached runs (whose checkpoints, shards and data are absent)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rsgrpo.reports.synthetic import make_synthetic_cache


ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
pytestmark = pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")
GRID = [("qwen25-math-1.5b", "deepmath103k", [("grpo", None, None), ("rs_grpo", 2.0, None)])]
BENCH = {"AIME24": (6, 64), "MATH500": (8, 32)}


@pytest.fixture(scope="module")
def laptop(tmp_path_factory, copy_workflow):
    """A copy of the workflow whose results/ holds only a cache, and whose config evaluates those runs."""
    d = tmp_path_factory.mktemp("laptop")
    copy_workflow(d, subs=("workflow", "config"))
    runs = make_synthetic_cache(d / "results", grid=GRID, benchmarks=BENCH, steps=4)
    cfg = yaml.safe_load((d / "config" / "config.yaml").read_text())
    cfg["eval"]["benchmarks"] = {b: {"n": n} for b, (_, n) in BENCH.items()}
    cfg["eval"]["runs"] = [{"run": r} for r in runs]  # models default to results/train/{run}/model: absent
    cfg["train"]["experiments"] = []  # the cached runs only (not the CPU experiment's grid)
    cfg["report"].update(suffix="", mini_summary=None)
    (d / "config" / "cache_test.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return d


def _dry(d, target, *args, ok=True):
    # targets first: --configfile/--config take several values and would swallow a target after them
    proc = subprocess.run([str(SNAKEMAKE), target, "-n", "--cores", "1", "--configfile", "config/cache_test.yaml",
                           *args],
                          cwd=d, capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    if ok:
        assert proc.returncode == 0, out[-3000:]
    # the "Job stats" table: "job  count" rows
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", out, flags=re.M))
    jobs.pop("total", None)
    return (jobs, out) if ok else (jobs, out, proc.returncode)


def test_cache_mode_schedules_only_report_rules(laptop):
    jobs, out = _dry(laptop, "table2", "--config", "report={source: results}")
    assert jobs == {"table2": "1"}, out[-3000:]
    jobs, out = _dry(laptop, "report_artefacts", "--config", "report={source: results}")
    assert set(jobs) <= {"table2", "fig4_passk", "fig5_beta_ablation", "fig6_baselines", "fig_entropy",
                         "fig7_diversity", "PROVENANCE", "report_artefacts"}, out[-3000:]
    assert {"table2", "fig4_passk", "fig6_baselines", "PROVENANCE"} <= set(jobs), out[-3000:]
    assert "fig7_diversity" not in jobs  # a cache holds counts, not the samples Fig. 7 needs


def test_dag_mode_would_evaluate_the_configured_runs(laptop):
    """The same config in the default mode waits for evaluation (Fig. 7 needs the samples a cache leaves out):
    the test above can fail."""
    jobs, out, rc = _dry(laptop, "report_artefacts", ok=False)
    # either the evaluation jobs are scheduled, or (no rule makes the absent checkpoints) Snakemake stops on them
    evaluates = {"eval_merge", "eval_shard"} & set(jobs)
    assert evaluates or (rc != 0 and "results/train/" in out), out[-3000:]
