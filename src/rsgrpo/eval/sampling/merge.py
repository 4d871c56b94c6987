"""Merge the shards of one (run, benchmark), grade them, and write the evaluation contract (README, "Architecture"):

    {out_dir}/samples.parquet   problem_id:str, sample_idx:int64, text:str (if kept), text_sha1:str,
                                answer:str|null, canonical:str|null, correct:bool, status:str
    {out_dir}/counts.parquet    problem_id:str, n:int64, c:int64          (benchmark order)
    {out_dir}/manifest.json     checksums, provenance, plan, sampling settings, backend, grader versions

Completeness is checked before anything is written: every shard of the plan is present and was made under the
same plan (stale shards from other settings are refused, naming the file), covers exactly its problem and
sample ranges, and the union has exactly n samples per problem with no duplicate (problem_id, sample_idx).
Grading goes through `rsgrpo.eval.grading.grade` (dedup + killable Math-Verify workers).
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from rsgrpo.io import atomic_path
from rsgrpo.eval.sampling.shards import EvalPlan, read_shard

__all__ = ["collect_shards", "merge_eval"]


def collect_shards(plan: EvalPlan, problem_ids: Sequence[str], shard_paths: Sequence[str | Path]):
    """Concatenate and validate the shards of `plan`: (DataFrame problem_id, sample_idx, text; [shard meta]).

    Raises ValueError naming the shard or the problem on any missing, stale, partial or duplicate sample.
    """
    import pandas as pd

    problem_ids = [str(p) for p in problem_ids]
    if len(set(problem_ids)) != len(problem_ids):
        raise ValueError(f"{plan.benchmark}: duplicate problem ids in the benchmark")
    if len(shard_paths) != plan.num_shards:
        raise ValueError(f"{plan.run}/{plan.benchmark}: {len(shard_paths)} shard files for {plan.num_shards} shards")
    want = plan.to_dict()
    frames, metas = [], []
    for path in shard_paths:
        df, meta = read_shard(path)
        i = meta.get("index")
        if meta.get("plan") != want:
            raise ValueError(f"{path}: stale shard, written under a different plan ({meta.get('plan')} != {want}); "
                             f"delete it and re-run")
        p0, p1 = plan.problem_range(i, len(problem_ids))
        s0, s1 = plan.sample_range(i)
        if meta.get("problem_ids") != problem_ids[p0:p1]:
            raise ValueError(f"{path}: shard {i} covers other problems than the benchmark's positions {p0}:{p1} "
                             f"(benchmark file changed?); delete it and re-run")
        expect = [(pid, s) for pid in problem_ids[p0:p1] for s in range(s0, s1)]
        got = list(zip(df["problem_id"].astype(str), df["sample_idx"].astype(int)))
        if got != expect:
            raise ValueError(f"{path}: shard {i} has {len(got)} rows, expected exactly {len(expect)} "
                             f"(problems {p0}:{p1} x samples {s0}:{s1})")
        frames.append(df)
        metas.append(meta)
    samples = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"problem_id": [], "sample_idx": [], "text": []})
    dup = samples.duplicated(["problem_id", "sample_idx"])
    if dup.any():
        row = samples[dup].iloc[0]
        raise ValueError(f"{plan.run}/{plan.benchmark}: duplicate sample ({row.problem_id}, {row.sample_idx})")
    per = samples.groupby("problem_id")["sample_idx"].agg(["count", "min", "max"])
    for pid in problem_ids:
        if pid not in per.index or tuple(per.loc[pid]) != (plan.n, 0, plan.n - 1):
            got = int(per.loc[pid, "count"]) if pid in per.index else 0
            raise ValueError(f"{plan.run}/{plan.benchmark}: problem {pid} has {got} samples, expected {plan.n}")
    extra = set(per.index) - set(problem_ids)
    if extra:
        raise ValueError(f"{plan.run}/{plan.benchmark}: samples for unknown problems {sorted(extra)[:5]}")
    order = {pid: k for k, pid in enumerate(problem_ids)}
    samples = samples.assign(_o=samples["problem_id"].map(order)).sort_values(["_o", "sample_idx"])
    return samples.drop(columns="_o").reset_index(drop=True), metas


def merge_eval(plan: EvalPlan, problem_ids: Sequence[str], golds: Sequence[str],
               shard_paths: Sequence[str | Path], out_dir: str | Path, *, store_text: bool = True,
               canonical: bool = True, grade_timeout: float = 5.0, model: str | None = None,
               config: Any | None = None, grade_fn: Callable | None = None) -> dict[str, Path]:
    """Validate + grade the shards of `plan` and write samples/counts/manifest into `out_dir`.

    golds: (P,) gold answers aligned with problem_ids. canonical: also store Math-Verify's canonical form of
    each answer (for the unique-answer ratio, docs/evaluation.md §6). Returns {"samples", "counts", "manifest"}.
    """
    import pandas as pd

    from rsgrpo.eval import grading
    from rsgrpo.io.provenance import write_manifest

    grade_fn = grade_fn or grading.grade
    problem_ids = [str(p) for p in problem_ids]
    if len(golds) != len(problem_ids):
        raise ValueError(f"{len(problem_ids)} problem ids but {len(golds)} golds")
    samples, metas = collect_shards(plan, problem_ids, shard_paths)
    gold_of = dict(zip(problem_ids, golds))
    t0 = time.time()
    texts = samples["text"].tolist()
    results = grade_fn(texts, [gold_of[p] for p in samples["problem_id"]], timeout=grade_timeout,
                       canonical=canonical)
    print(f"[merge {plan.run}/{plan.benchmark}] graded {len(texts)} samples in {time.time() - t0:.1f}s",
          file=sys.stderr, flush=True)
    samples["text_sha1"] = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
    samples["answer"] = pd.array([r.answer for r in results], dtype="string")
    samples["canonical"] = pd.array([getattr(r, "canonical", None) for r in results], dtype="string")
    samples["correct"] = [bool(r.correct) for r in results]
    samples["status"] = [r.status for r in results]
    if not store_text:
        samples = samples.drop(columns="text")
    counts = (samples.groupby("problem_id", sort=False)
              .agg(n=("correct", "size"), c=("correct", "sum"))
              .reindex(pd.Index(problem_ids, name="problem_id")).reset_index())
    counts = counts.astype({"problem_id": str, "n": "int64", "c": "int64"})

    out_dir = Path(out_dir)
    paths = {"samples": out_dir / "samples.parquet", "counts": out_dir / "counts.parquet"}
    with atomic_path(paths["samples"]) as tmp:
        samples.to_parquet(tmp, index=False)
    with atomic_path(paths["counts"]) as tmp:
        counts.to_parquet(tmp, index=False)
    status_counts = samples["status"].value_counts().to_dict()
    settings = grading.grader_settings(timeout=grade_timeout) if hasattr(grading, "grader_settings") else {}
    paths["manifest"] = write_manifest(
        out_dir, ["samples.parquet", "counts.parquet"], config=config if config is not None else plan.to_dict(),
        run=plan.run, benchmark=plan.benchmark, model=model or (metas[0].get("model") if metas else None),
        plan=plan.to_dict(), sampling={**plan.spec.to_dict(), "n": plan.n}, num_problems=len(problem_ids),
        num_samples=int(len(samples)), accuracy=float(samples["correct"].mean()) if len(samples) else None,
        status_counts={str(k): int(v) for k, v in status_counts.items()},
        grader={"versions": grading.grader_versions(), "settings": settings},
        backend=metas[0].get("backend") if metas else None,
        shards=[{"index": m["index"], "seed": m["seed"], "seconds": m.get("seconds")} for m in metas],
        text_stored=store_text)
    return paths
