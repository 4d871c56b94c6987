"""Sharded, resumable sample generation for one (run, benchmark).

A plan splits the work into `problem_shards` contiguous problem ranges x ceil(n / samples_per_shard) sample
ranges. The shard count is known from the config alone (the problem axis is split by count, the sample axis by
size), so Snakemake can fan the shards out without loading the benchmark first::

    shard index i = part * num_sample_shards + j
    problems [part * P // problem_shards, (part + 1) * P // problem_shards)   (P = problems in the benchmark)
    samples  [j * samples_per_shard, min(n, (j + 1) * samples_per_shard))

Each shard has a deterministic seed derived from (base seed, run, benchmark, shard index) and is written
whole or not at all (temp file + rename; a temp file left by a killed process is removed on the re-run). Its
Parquet file holds problem_id, sample_idx, text, and the plan in the schema metadata, so the merge step
(`rsgrpo.eval.sampling.merge`) can refuse a shard made under different settings. `run_eval` runs the missing
shards of a plan in-process (resume = run it again).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from rsgrpo.io import atomic_path
from rsgrpo.eval.sampling.base import SamplingSpec

__all__ = ["EvalPlan", "shard_seed", "shard_name", "run_shard", "read_shard", "run_eval", "run_shard_job", "shard_cli",
           "shard_command", "META_KEY"]

META_KEY = b"rsgrpo_shard"


def shard_seed(base_seed: int, run: str, benchmark: str, index: int) -> int:
    """31-bit seed of shard `index` of (run, benchmark): the same inputs always give the same seed."""
    digest = hashlib.sha256(f"{base_seed}|{run}|{benchmark}|{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def shard_name(index: int) -> str:
    """The `{shard}` wildcard value / file stem of shard `index` (zero-padded, sorts in order)."""
    return f"{int(index):05d}"


@dataclass(frozen=True)
class EvalPlan:
    """The sharding of one (run, benchmark): n samples per problem with the sampling settings of `spec`.

    spec.n is ignored (each shard samples its own range); spec.seed is the base seed.
    """

    run: str
    benchmark: str
    n: int
    spec: SamplingSpec = field(default_factory=lambda: SamplingSpec(n=1))
    samples_per_shard: int = 1024
    problem_shards: int = 1

    def __post_init__(self) -> None:
        for key in ("n", "samples_per_shard", "problem_shards"):
            v = getattr(self, key)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"EvalPlan.{key} must be an int >= 1, got {v!r}")

    @property
    def num_sample_shards(self) -> int:
        return math.ceil(self.n / self.samples_per_shard)

    @property
    def num_shards(self) -> int:
        return self.problem_shards * self.num_sample_shards

    def shard_names(self) -> list[str]:
        return [shard_name(i) for i in range(self.num_shards)]

    def _check(self, index: int) -> int:
        index = int(index)
        if not 0 <= index < self.num_shards:
            raise ValueError(f"shard {index} out of range: {self.run}/{self.benchmark} has {self.num_shards} shards")
        return index

    def problem_range(self, index: int, num_problems: int) -> tuple[int, int]:
        """[start, end) positions (in benchmark order) of the problems of shard `index`."""
        part = self._check(index) // self.num_sample_shards
        return part * num_problems // self.problem_shards, (part + 1) * num_problems // self.problem_shards

    def sample_range(self, index: int) -> tuple[int, int]:
        """[start, end) sample indices of shard `index`."""
        j = self._check(index) % self.num_sample_shards
        return j * self.samples_per_shard, min(self.n, (j + 1) * self.samples_per_shard)

    def shard_spec(self, index: int) -> SamplingSpec:
        s0, s1 = self.sample_range(index)
        return self.spec.replace(n=s1 - s0, seed=shard_seed(self.spec.seed, self.run, self.benchmark, index))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["spec"] = {k: v for k, v in self.spec.to_dict().items() if k != "n"}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "EvalPlan":
        spec = SamplingSpec(n=1, **d["spec"])
        return cls(run=d["run"], benchmark=d["benchmark"], n=int(d["n"]), spec=spec,
                   samples_per_shard=int(d["samples_per_shard"]), problem_shards=int(d["problem_shards"]))


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files a killed writer of `path` left behind (atomic_path names them `.{name}.*`)."""
    for tmp in path.parent.glob(f".{path.name}.*"):
        tmp.unlink(missing_ok=True)


def run_shard(plan: EvalPlan, index: int, problem_ids: Sequence[str], prompts: Sequence[str], backend,
              out: str | Path, extra_meta: dict[str, Any] | None = None) -> Path:
    """Generate shard `index` of `plan` over the benchmark (problem_ids, prompts in benchmark order); write `out`.

    Output: Parquet rows (problem_id:str, sample_idx:int64, text:str), problem-major, plus the plan, shard index,
    ranges, seed, backend info and `extra_meta` in the schema metadata under META_KEY.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if len(problem_ids) != len(prompts):
        raise ValueError(f"{len(problem_ids)} problem ids but {len(prompts)} prompts")
    out = Path(out)
    p0, p1 = plan.problem_range(index, len(problem_ids))
    s0, s1 = plan.sample_range(index)
    spec = plan.shard_spec(index)
    t0 = time.time()
    print(f"[shard {plan.run}/{plan.benchmark}/{shard_name(index)}] problems {p0}:{p1} samples {s0}:{s1} "
          f"seed {spec.seed} backend {getattr(backend, 'name', '?')}", file=sys.stderr, flush=True)
    texts = backend.generate(list(prompts[p0:p1]), spec) if p1 > p0 else []
    ids = [str(problem_ids[p]) for p in range(p0, p1) for _ in range(s0, s1)]
    idx = [s for _ in range(p0, p1) for s in range(s0, s1)]
    flat = [t for group in texts for t in group]
    if len(flat) != len(ids):
        raise RuntimeError(f"backend returned {len(flat)} texts for {p1 - p0} prompts x {s1 - s0} samples")
    info = backend.info() if hasattr(backend, "info") else {"backend": getattr(backend, "name", "?")}
    meta = {"plan": plan.to_dict(), "index": int(index), "problem_range": [p0, p1], "sample_range": [s0, s1],
            "problem_ids": [str(p) for p in problem_ids[p0:p1]], "seed": spec.seed, "backend": info,
            "seconds": round(time.time() - t0, 3), **(extra_meta or {})}
    table = pa.table({"problem_id": pa.array(ids, pa.string()), "sample_idx": pa.array(idx, pa.int64()),
                      "text": pa.array(flat, pa.string())})
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta, default=str).encode()})
    _remove_stale_temps(out)
    with atomic_path(out) as tmp:
        pq.write_table(table, tmp)
    print(f"[shard {plan.run}/{plan.benchmark}/{shard_name(index)}] wrote {len(flat)} samples in "
          f"{time.time() - t0:.1f}s -> {out}", file=sys.stderr, flush=True)
    return out


def read_shard(path: str | Path):
    """(pandas DataFrame, metadata dict) of a shard file; ValueError when it is not a shard."""
    import pyarrow.parquet as pq

    path = Path(path)
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise ValueError(f"{path}: not an rsgrpo eval shard (no {META_KEY.decode()} metadata)")
    return table.to_pandas(), json.loads(raw)


def run_eval(plan: EvalPlan, problem_ids: Sequence[str], prompts: Sequence[str], backend,
             shard_dir: str | Path, skip_existing: bool = True) -> list[Path]:
    """Run every shard of `plan` into `shard_dir/{shard}.parquet`; existing shards are kept (resume)."""
    shard_dir = Path(shard_dir)
    paths = []
    for i in range(plan.num_shards):
        path = shard_dir / f"{shard_name(i)}.parquet"
        if not (skip_existing and path.exists()):
            run_shard(plan, i, problem_ids, prompts, backend, path)
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------------------ CLI
def load_prompts(benchmark: str, benchmark_file: str | None, chat_template: bool = False,
                 tokenizer_path: str | None = None) -> tuple[list[str], list[str]]:
    """(problem_ids, prompts) of a benchmark in file order (rsgrpo.data.benchmarks; paper suffix §3)."""
    from rsgrpo.data.benchmarks import build_prompt, load_benchmark

    df = load_benchmark(benchmark, path=benchmark_file)  # golds are parsed at merge
    tokenizer = None
    if chat_template:
        from rsgrpo.models.tiny import load_tokenizer

        tokenizer = load_tokenizer(tokenizer_path)
    prompts = [build_prompt(p, tokenizer=tokenizer, chat_template=chat_template) for p in df["problem"]]
    return [str(p) for p in df["problem_id"]], prompts


def shard_cli(argv: list[str] | None = None, backend: str | None = None) -> int:
    """`--plan JSON --shard I --model M --benchmark-file F --out PATH [--backend-opts JSON] [--chat-template]`."""
    ap = argparse.ArgumentParser(prog="rsgrpo-shard", description="generate one eval shard")
    ap.add_argument("--plan", required=True, help="EvalPlan.to_dict() as JSON")
    ap.add_argument("--shard", required=True, type=int)
    ap.add_argument("--model", required=True, help="HF checkpoint dir or Hub id")
    ap.add_argument("--benchmark-file", default=None, help="local Parquet/JSONL of the benchmark")
    ap.add_argument("--chat-template", action="store_true")
    ap.add_argument("--backend-opts", default="{}", help="JSON keyword arguments of the backend")
    ap.add_argument("--out", required=True)
    if backend is None:
        ap.add_argument("--backend", required=True)
    args = ap.parse_args(argv)
    from rsgrpo.eval.sampling.base import get_backend

    plan = EvalPlan.from_dict(json.loads(args.plan))
    ids, prompts = load_prompts(plan.benchmark, args.benchmark_file, args.chat_template, args.model)
    be = get_backend(backend or args.backend, args.model, **json.loads(args.backend_opts))
    run_shard(plan, args.shard, ids, prompts, be, args.out, extra_meta={"model": args.model})
    return 0


def shard_command(python: str, backend: str, plan: EvalPlan, index: int, model: str, out: str | Path,
                  benchmark_file: str | None = None, chat_template: bool = False,
                  backend_opts: dict[str, Any] | None = None) -> list[str]:
    """argv that runs one shard in another interpreter (e.g. .venv-vllm/bin/python for vLLM's CPU build)."""
    cmd = [python, "-m", "rsgrpo.eval.sampling.vllm_backend" if backend == "vllm" else "rsgrpo.eval.sampling.shards",
           "--plan", json.dumps(plan.to_dict()), "--shard", str(index), "--model", str(model), "--out", str(out),
           "--backend-opts", json.dumps(backend_opts or {})]
    if backend != "vllm":
        cmd += ["--backend", backend]
    if benchmark_file:
        cmd += ["--benchmark-file", str(benchmark_file)]
    if chat_template:
        cmd.append("--chat-template")
    return cmd


def run_shard_job(plan: EvalPlan, index: int, model: str, out: str | Path, backend: str = "hf",
                  backend_opts: dict[str, Any] | None = None, python: str | None = None,
                  benchmark_file: str | None = None, chat_template: bool = False) -> Path:
    """One shard as the workflow runs it: in this process (hf), or in a child interpreter.

    vLLM always runs in a child (`python -m rsgrpo.eval.sampling.vllm_backend`, spawn-safe; `python` defaults to this
    interpreter, `.venv-vllm/bin/python` for vLLM's CPU build). `python` given for hf: also a child.
    """
    import subprocess

    if backend == "vllm" or python:
        cmd = shard_command(python or sys.executable, backend, plan, index, model, out, benchmark_file,
                            chat_template, backend_opts)
        print("[shard] running: " + " ".join(cmd[:3]) + " ...", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr)
        if proc.returncode != 0:
            raise RuntimeError(f"shard {index} of {plan.run}/{plan.benchmark} failed in {cmd[0]} "
                               f"(exit {proc.returncode}); see the log above")
        if not Path(out).exists():
            raise RuntimeError(f"shard {index} of {plan.run}/{plan.benchmark}: {cmd[0]} wrote no {out}")
        return Path(out)
    from rsgrpo.eval.sampling.base import get_backend

    ids, prompts = load_prompts(plan.benchmark, benchmark_file, chat_template, model)
    be = get_backend(backend, model, **(backend_opts or {}))
    return run_shard(plan, index, ids, prompts, be, out, extra_meta={"model": model})


if __name__ == "__main__":
    sys.exit(shard_cli())
