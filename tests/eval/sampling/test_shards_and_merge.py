"""Sharded evaluation end to end on the fixture benchmark with a tiny real model (hf backend):
generation -> shards -> merge + grading -> samples/counts/manifest; kill + resume; pass@k from the dump."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rsgrpo.data.benchmarks import build_prompt, load_benchmark
from rsgrpo.eval.passk import pass_at_k_curve
from rsgrpo.io.provenance import read_manifest, verify_manifest
from rsgrpo.eval.sampling import SamplingSpec, get_backend
from rsgrpo.eval.sampling.merge import collect_shards, merge_eval
from rsgrpo.eval.sampling.shards import EvalPlan, read_shard, run_eval, run_shard


RUN = "tiny__base"
SRC = str(Path(__file__).resolve().parents[3] / "src")


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory, build_tiny_lm):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="module")
def bench():
    df = load_benchmark("fixture")
    return df["problem_id"].tolist(), [build_prompt(p) for p in df["problem"]], df["answer"].tolist()


@pytest.fixture(scope="module")
def hf(tiny_lm):
    return get_backend("hf", str(tiny_lm), device="cpu", batch_size=32, progress=False)


def plan_(**kw):
    base = dict(run=RUN, benchmark="fixture", n=8, spec=SamplingSpec(n=1, max_tokens=12, seed=3),
                samples_per_shard=3, problem_shards=2)
    return EvalPlan(**{**base, **kw})


class Flaky:
    """Wraps a backend; raises on the `fail_on`-th generate call (a shard dying mid-run)."""

    def __init__(self, inner, fail_on):
        self.inner, self.fail_on, self.calls, self.name = inner, fail_on, 0, "hf"

    def generate(self, prompts, spec):
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("worker died")
        return self.inner.generate(prompts, spec)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, hf, bench):
    """An uninterrupted run: shards + merge."""
    ids, prompts, golds = bench
    d = tmp_path_factory.mktemp("fresh")
    plan = plan_()
    shards = run_eval(plan, ids, prompts, hf, d / "shards")
    paths = merge_eval(plan, ids, golds, shards, d, model="tiny")
    return plan, shards, paths


def test_merge_writes_the_contract(fresh, bench):
    plan, shards, paths = fresh
    ids, _, golds = bench
    assert plan.num_shards == 6 and len(shards) == 6
    s = pd.read_parquet(paths["samples"])
    c = pd.read_parquet(paths["counts"])
    assert {"problem_id", "sample_idx", "text", "text_sha1", "answer", "correct", "status"} <= set(s.columns)
    assert list(c.columns) == ["problem_id", "n", "c"]
    assert c["problem_id"].tolist() == ids and str(c["n"].dtype) == "int64" and (c["n"] == 8).all()
    # exactly n samples per problem, each index once, in benchmark order
    assert len(s) == 8 * len(ids) and not s.duplicated(["problem_id", "sample_idx"]).any()
    assert s.groupby("problem_id")["sample_idx"].apply(sorted).map(lambda v: v == list(range(8))).all()
    assert (s.groupby("problem_id", sort=False)["correct"].sum().reindex(ids).to_numpy() == c["c"].to_numpy()).all()
    assert set(s["status"]) <= {"ok", "no_answer", "timeout", "error"}
    # the tiny model's vocabulary makes the grading non-trivial: some right, some wrong, some unboxed
    assert s["correct"].any() and not s["correct"].all()
    m = read_manifest(paths["counts"].parent)
    assert verify_manifest(paths["counts"].parent) == []
    assert m["sampling"]["n"] == 8 and m["sampling"]["top_p"] == 0.7 and m["sampling"]["temperature"] == 1.0
    assert "math-verify" in m["grader"]["versions"] and m["run"] == RUN and m["benchmark"] == "fixture"
    assert len(m["shards"]) == 6 and len({sh["seed"] for sh in m["shards"]}) == 6


def _subsets_pass_at_k(correct: list[bool], k: int) -> float:
    """Definition of pass@k by brute force: the share of k-subsets of the n samples with a correct one."""
    subsets = list(itertools.combinations(correct, k))
    return sum(any(s) for s in subsets) / len(subsets)


def test_pass_at_k_from_the_dump_equals_the_estimator_on_the_counts(fresh):
    _, _, paths = fresh
    s = pd.read_parquet(paths["samples"])
    c = pd.read_parquet(paths["counts"])
    ks = [1, 2, 4, 8]
    est = pass_at_k_curve(c["n"].to_numpy(), c["c"].to_numpy(), ks)  # (P, K)
    for i, pid in enumerate(c["problem_id"]):
        corr = s.loc[s["problem_id"] == pid].sort_values("sample_idx")["correct"].tolist()
        brute = [_subsets_pass_at_k(corr, k) for k in ks]
        np.testing.assert_allclose(est[i], brute, rtol=0, atol=1e-12)


def test_a_failed_shard_is_rerun_and_the_result_equals_an_uninterrupted_run(tmp_path, hf, bench, fresh):
    ids, prompts, golds = bench
    plan = plan_()
    flaky = Flaky(hf, fail_on=4)
    with pytest.raises(RuntimeError, match="worker died"):
        run_eval(plan, ids, prompts, flaky, tmp_path / "shards")
    left = sorted(p.name for p in (tmp_path / "shards").iterdir())
    assert left == ["00000.parquet", "00001.parquet", "00002.parquet"]  # whole shards only, no temp file
    with pytest.raises(ValueError, match="shard files"):
        merge_eval(plan, ids, golds, sorted((tmp_path / "shards").iterdir()), tmp_path)
    shards = run_eval(plan, ids, prompts, hf, tmp_path / "shards")  # resume: only the missing shards
    paths = merge_eval(plan, ids, golds, shards, tmp_path)
    a = pd.read_parquet(paths["samples"]).drop(columns=[])
    b = pd.read_parquet(fresh[2]["samples"])
    pd.testing.assert_frame_equal(a, b)  # per-shard seeds: the resumed run is the same run
    pd.testing.assert_frame_equal(pd.read_parquet(paths["counts"]), pd.read_parquet(fresh[2]["counts"]))


CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {src!r})
    from rsgrpo.data.benchmarks import build_prompt, load_benchmark
    from rsgrpo.eval.sampling import SamplingSpec, get_backend
    from rsgrpo.eval.sampling.shards import EvalPlan, run_eval

    class Slow:
        name = "hf"
        def __init__(self, inner): self.inner, self.calls = inner, 0
        def generate(self, prompts, spec):
            self.calls += 1
            if self.calls >= 3:
                print("STUCK", flush=True)
                time.sleep(600)
            return self.inner.generate(prompts, spec)

    df = load_benchmark("fixture")
    plan = EvalPlan.from_dict({plan!r})
    hf = get_backend("hf", {model!r}, device="cpu", batch_size=32, progress=False)
    run_eval(plan, df["problem_id"].tolist(), [build_prompt(p) for p in df["problem"]], Slow(hf), {out!r})
""")


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_loses_and_duplicates_nothing(tmp_path, tiny_lm, hf, bench, fresh):
    ids, prompts, golds = bench
    plan = plan_()
    shard_dir = tmp_path / "shards"
    code = CHILD.format(src=SRC, plan=plan.to_dict(), model=str(tiny_lm), out=str(shard_dir))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    try:
        deadline = time.time() + 240
        line = ""
        while time.time() < deadline and "STUCK" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
        assert "STUCK" in line, "the child never reached its third shard"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert sorted(p.name for p in shard_dir.iterdir()) == ["00000.parquet", "00001.parquet"]
    # a writer killed inside atomic_path leaves a hidden temp file: it is never merged, and the re-run removes it
    (shard_dir / ".00002.parquet.abc123.parquet").write_bytes(b"half a parquet file")
    shards = run_eval(plan, ids, prompts, hf, shard_dir)
    assert not list(shard_dir.glob(".*"))
    paths = merge_eval(plan, ids, golds, shards, tmp_path)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["samples"]), pd.read_parquet(fresh[2]["samples"]))


def test_merge_refuses_stale_partial_and_duplicated_shards(tmp_path, fresh, bench, hf):
    ids, prompts, golds = bench
    plan, shards, _ = fresh
    # a shard made under other settings (here: another temperature) is stale
    other = plan_(spec=SamplingSpec(n=1, max_tokens=12, seed=3, temperature=0.5))
    stale = run_shard(other, 0, ids, prompts, hf, tmp_path / "00000.parquet")
    with pytest.raises(ValueError, match="stale shard"):
        collect_shards(plan, ids, [stale] + list(shards[1:]))
    # a shard with a row missing, or a row repeated, is refused by name
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(shards[1])
    for bad_rows, tag in ((t.slice(0, t.num_rows - 1), "short"), (pa.concat_tables([t, t.slice(0, 1)]), "dup")):
        path = tmp_path / f"{tag}.parquet"
        pq.write_table(bad_rows.replace_schema_metadata(t.schema.metadata), path)
        with pytest.raises(ValueError, match=f"{tag}.parquet: shard 1 has"):
            collect_shards(plan, ids, [shards[0], path] + list(shards[2:]))
    # the benchmark changed under the shards (a problem removed)
    with pytest.raises(ValueError, match="other problems"):
        collect_shards(plan, ids[:-1], shards)
    with pytest.raises(ValueError, match="not an rsgrpo eval shard"):
        pq.write_table(pa.table({"x": [1]}), tmp_path / "plain.parquet")
        read_shard(tmp_path / "plain.parquet")


def test_text_can_be_dropped_keeping_its_hash(tmp_path, fresh, bench):
    ids, _, golds = bench
    plan, shards, paths = fresh
    p = merge_eval(plan, ids, golds, shards, tmp_path, store_text=False)
    s = pd.read_parquet(p["samples"])
    assert "text" not in s.columns
    full = pd.read_parquet(paths["samples"])
    assert s["text_sha1"].tolist() == full["text_sha1"].tolist()
    assert json.loads((tmp_path / "manifest.json").read_text())["text_stored"] is False


@pytest.mark.slow
def test_snakemake_rules_build_eval_results_and_figures_4_and_7(tmp_path, tiny_lm, build_tiny_lm):
    """eval_shard x N -> eval_merge -> fig4_passk + fig7_diversity for three runs, through Snakemake."""
    import yaml

    root = Path(__file__).resolve().parents[3]
    grpo, rs = "tiny__fixture__grpo__s0", "tiny__fixture__rs_grpo-b2__s0"
    models = {r: str(build_tiny_lm(tmp_path / "models" / r, seed=s)) for r, s in ((grpo, 1), (rs, 2))}
    cfg = {"eval": {
        "max_tokens": 12, "samples_per_shard": 4, "problem_shards": 2,
        "backend_options": {"device": "cpu", "batch_size": 64, "progress": False},
        "benchmarks": {"fixture": {"n": 8}},
        "runs": [{"run": "tiny__base", "model": str(tiny_lm)}, {"run": grpo, "model": models[grpo]},
                 {"run": rs, "model": models[rs]}]},
        "train": {"models": {}, "datasets": {}, "experiments": []},  # evaluation of imported models only
        "report": {"suffix": "", "fig4": {"n_boot": 200}, "mini_summary": None,
                   "fig7": {"baseline": "grpo", "treatment": "rs_grpo-b2", "runs": ["base"]}}}
    (tmp_path / "eval.yaml").write_text(yaml.safe_dump(cfg))
    shutil.copytree(root / "config", tmp_path / "config")  # `configfile:` is relative to the working directory
    targets = ["paper_figures/fig4_passk.png", "paper_figures/fig7_diversity.png"]
    cmd = [sys.executable, "-m", "snakemake", "-s", str(root / "Snakefile"), "-d", str(tmp_path),
           "--configfile", str(tmp_path / "eval.yaml"), "--cores", "2"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    r = subprocess.run(cmd + targets, capture_output=True, text=True, env=env, cwd=root, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    for run in ("tiny__base", grpo, rs):
        d = tmp_path / "results" / "eval" / run / "fixture"
        assert verify_manifest(d) == []
        assert sorted(p.name for p in (d / "shards").iterdir()) == [f"0000{i}.parquet" for i in range(4)]
        assert (pd.read_parquet(d / "counts.parquet")["n"] == 8).all()
    for t in targets + ["paper_figures/fig4_passk.pdf", "paper_figures/fig7_diversity.pdf"]:
        assert (tmp_path / t).stat().st_size > 1000
    curves = pd.read_csv(tmp_path / "paper_figures" / "fig4_passk.csv")
    assert sorted(curves["k"].unique()) == [1, 2, 4, 8] and curves["run"].nunique() == 3
    assert ((curves["lo"] <= curves["pass_at_k"] + 1e-12) & (curves["pass_at_k"] <= curves["hi"] + 1e-12)).all()
    div = pd.read_csv(tmp_path / "paper_figures" / "fig7_diversity.csv")
    share = div.loc[div["kind"] == "transition_share", "value"].sum()
    assert abs(share - 1.0) < 1e-5  # the CSV carries 6 significant digits (%.6g) per cell
    # a second invocation has nothing to do (outputs are complete and up to date)
    r2 = subprocess.run(cmd + ["--dry-run", *targets], capture_output=True, text=True, env=env, cwd=root)
    assert r2.returncode == 0 and "Nothing to be done" in (r2.stdout + r2.stderr)
