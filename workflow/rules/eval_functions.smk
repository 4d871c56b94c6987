# Helpers of eval.smk (config parsing and input functions), kept apart from its rules.
import json
import re
import sys

from rsgrpo.runs import parse_run
from rsgrpo.sampling.base import SamplingSpec
from rsgrpo.sampling.shards import EvalPlan

EVAL = config.get("eval", {})
EVAL_RUNS = {}
for _i, _entry in enumerate(EVAL.get("runs", [])):
    try:
        parse_run(_entry["run"])
    except ValueError as _err:
        sys.stderr.write(f"rsgrpo: invalid config: config key 'eval.runs[{_i}].run': {_err}\n")
        sys.exit(1)
    for _b in _entry.get("benchmarks") or []:
        if _b not in EVAL.get("benchmarks", {}):
            sys.stderr.write(f"rsgrpo: invalid config: config key 'eval.runs[{_i}].benchmarks': {_b!r} is not "
                             f"a key of eval.benchmarks\n")
            sys.exit(1)
    EVAL_RUNS[_entry["run"]] = _entry


def eval_run(run):
    if run not in EVAL_RUNS:
        raise ValueError(f"run {run!r} is not listed in config eval.runs")
    return EVAL_RUNS[run]


def eval_benchmark(benchmark):
    if benchmark not in EVAL.get("benchmarks", {}):
        raise ValueError(f"benchmark {benchmark!r} is not listed in config eval.benchmarks")
    return EVAL["benchmarks"][benchmark]


def eval_benchmarks_of(run):
    """Benchmarks evaluated for `run`: its own list, else every configured benchmark (config order)."""
    return list(eval_run(run).get("benchmarks") or EVAL.get("benchmarks", {}))


def eval_model(run):
    """The checkpoint of `run`: its `model` (path or Hub id), else the trained run's results/train/{run}/model."""
    return eval_run(run).get("model") or f"results/train/{run}/model"


def eval_plan(run, benchmark):
    b, r = eval_benchmark(benchmark), eval_run(run)
    spec = SamplingSpec(n=1, temperature=float(EVAL["temperature"]), top_p=float(EVAL["top_p"]),
                        max_tokens=int(r.get("max_tokens") or b.get("max_tokens") or EVAL["max_tokens"]),
                        seed=int(EVAL["seed"]))
    return EvalPlan(run=run, benchmark=benchmark, n=int(b["n"]), spec=spec,
                    samples_per_shard=int(b.get("samples_per_shard") or EVAL["samples_per_shard"]),
                    problem_shards=int(b.get("problem_shards") or EVAL["problem_shards"]))


def _local_inputs(run, benchmark):
    """Files the shard reads that the DAG knows: the model dir under results/, the local benchmark file."""
    out = {}
    model = eval_model(run)
    if model.startswith("results/"):
        out["model"] = model
    if eval_benchmark(benchmark).get("file"):
        out["benchmark_file"] = eval_benchmark(benchmark)["file"]
    return out


def eval_dir(run, benchmark):
    return f"results/eval/{run}/{benchmark}"


def eval_counts_all():
    return [f"{eval_dir(r, b)}/counts.parquet" for r in EVAL_RUNS for b in eval_benchmarks_of(r)]


def fig4_entries():
    """[(run, benchmark)] of Fig. 4: eval.fig4.runs (default: all runs) x their benchmarks."""
    runs = EVAL.get("fig4", {}).get("runs") or list(EVAL_RUNS)
    return [(r, b) for r in runs for b in eval_benchmarks_of(r)]


def fig7_entries():
    """[(run, benchmark)] of Fig. 7: eval.fig7 runs (baseline, treatment, others) x eval.fig7.benchmarks."""
    f7 = EVAL.get("fig7") or {}
    if not f7:
        raise ValueError("fig7_diversity needs config eval.fig7 (baseline and treatment runs)")
    runs = [f7["baseline"], f7["treatment"]] + [r for r in f7.get("runs", []) if r not in (f7["baseline"], f7["treatment"])]
    bms = f7.get("benchmarks") or eval_benchmarks_of(f7["baseline"])
    return [(r, b) for r in runs for b in bms]


def _alternation(names):
    """A wildcard regex matching exactly `names` (none: a regex that matches nothing)."""
    return "|".join(re.escape(n) for n in sorted(names)) if names else "(?!)"


# Only configured (run, benchmark)s match the eval rules, so other producers of results/eval/ (the mini
# experiment's mini_eval, an imported cache) are never tried against them.
EVAL_WILDCARDS = dict(run=_alternation(EVAL_RUNS), benchmark=_alternation(EVAL.get("benchmarks", {})),
                      shard=r"[0-9]{5}")
