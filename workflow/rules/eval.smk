# Evaluation (paper Sec. 6.1, App. E; DATA_AND_EVAL.md §4): n samples per problem from each configured run on
# each configured benchmark, sharded (eval_shard) and merged + graded (eval_merge) into
#   results/eval/{run}/{benchmark}/{samples,counts}.parquet + manifest.json
# and the figures built from them: fig4_passk (pass@k curves) and fig7_diversity (unique answers, transitions).
# The runs x benchmarks grid is data (config `eval.runs`, `eval.benchmarks`); nothing is added to ALL_TARGETS
# while `eval.runs` is empty.
import json
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


EVAL_WILDCARDS = dict(run=r"[^/]+", benchmark=r"[^/]+", shard=r"[0-9]{5}")


rule eval_shard:
    """Generate one shard (problem range x sample range) of {run} on {benchmark}; written whole or not at all."""
    wildcard_constraints:
        run=EVAL_WILDCARDS["run"],
        benchmark=EVAL_WILDCARDS["benchmark"],
        shard=EVAL_WILDCARDS["shard"],
    input:
        unpack(lambda w: _local_inputs(w.run, w.benchmark)),
    output:
        shard="results/eval/{run}/{benchmark}/shards/{shard}.parquet",
    log:
        "logs/eval/{run}/{benchmark}/shard_{shard}.log",
    params:
        plan=lambda w: eval_plan(w.run, w.benchmark).to_dict(),
        model=lambda w: eval_model(w.run),
        chat_template=lambda w: bool(eval_run(w.run).get("chat_template", False)),
        benchmark_file=lambda w: eval_benchmark(w.benchmark).get("file"),
        backend=EVAL.get("backend", "hf"),
        backend_options=lambda w: {**EVAL.get("backend_options", {}), **(eval_run(w.run).get("backend_options") or {})},
        backend_python=EVAL.get("backend_python"),
    script:
        "../scripts/eval_shard.py"


rule eval_merge:
    """Check every shard is present and complete, grade, write samples/counts/manifest of {run} on {benchmark}."""
    wildcard_constraints:
        run=EVAL_WILDCARDS["run"],
        benchmark=EVAL_WILDCARDS["benchmark"],
    input:
        unpack(lambda w: {k: v for k, v in _local_inputs(w.run, w.benchmark).items() if k == "benchmark_file"}),
        shards=lambda w: expand("results/eval/{run}/{benchmark}/shards/{shard}.parquet", run=w.run,
                                benchmark=w.benchmark, shard=eval_plan(w.run, w.benchmark).shard_names()),
    output:
        samples="results/eval/{run}/{benchmark}/samples.parquet",
        counts="results/eval/{run}/{benchmark}/counts.parquet",
        manifest="results/eval/{run}/{benchmark}/manifest.json",
    log:
        "logs/eval/{run}/{benchmark}/merge.log",
    params:
        plan=lambda w: eval_plan(w.run, w.benchmark).to_dict(),
        model=lambda w: eval_model(w.run),
        benchmark_file=lambda w: eval_benchmark(w.benchmark).get("file"),
        store_text=EVAL.get("store_text", True),
        grade_timeout=EVAL.get("grade_timeout", 5.0),
        eval_config=lambda w: {k: v for k, v in EVAL.items() if k not in ("runs", "fig4", "fig7")},
    script:
        "../scripts/eval_merge.py"


rule fig4_passk:
    """Fig. 4: pass@k curves (rows = models, columns = benchmarks, lines = methods) with bootstrap CI bands."""
    input:
        counts=lambda w: [f"{eval_dir(r, b)}/counts.parquet" for r, b in fig4_entries()],
    output:
        pdf=report("paper_figures/fig4_passk.pdf", caption="../report/fig4_passk.rst", category="Evaluation"),
        png="paper_figures/fig4_passk.png",
        table="paper_figures/fig4_passk.csv",
    log:
        "logs/figures/fig4_passk.log",
    params:
        entries=lambda w: [list(e) for e in fig4_entries()],
        benchmarks=lambda w: list(EVAL.get("benchmarks", {})),
        n_boot=EVAL.get("fig4", {}).get("n_boot", 1000),
        level=EVAL.get("fig4", {}).get("level", 0.95),
    script:
        "../scripts/fig4_passk.py"


rule fig7_diversity:
    """Fig. 7: unique-answer ratio per method and the baseline -> treatment accuracy-transition heatmap."""
    input:
        samples=lambda w: [f"{eval_dir(r, b)}/samples.parquet" for r, b in fig7_entries()],
        counts=lambda w: [f"{eval_dir(r, b)}/counts.parquet" for r, b in fig7_entries()],
    output:
        pdf=report("paper_figures/fig7_diversity.pdf", caption="../report/fig7_diversity.rst", category="Evaluation"),
        png="paper_figures/fig7_diversity.png",
        table="paper_figures/fig7_diversity.csv",
    log:
        "logs/figures/fig7_diversity.log",
    params:
        entries=lambda w: [list(e) for e in fig7_entries()],
        fig7=lambda w: EVAL["fig7"],
    script:
        "../scripts/fig7_diversity.py"


if EVAL_RUNS:
    ALL_TARGETS += eval_counts_all()
    ALL_TARGETS += ["paper_figures/fig4_passk.pdf", "paper_figures/fig4_passk.png"]
    if EVAL.get("fig7"):
        ALL_TARGETS += ["paper_figures/fig7_diversity.pdf", "paper_figures/fig7_diversity.png"]
