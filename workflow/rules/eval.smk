# Evaluation (paper Sec. 6.1, App. E; docs/evaluation.md §4): n samples per problem for every (run, benchmark)
# of the config (rsgrpo.config.jobs.Jobs.evals: the grid's runs and base models on their experiments'
# benchmarks, plus eval.runs), sharded and merged the same way whichever trainer made the checkpoint:
#   eval_shard   results/eval/{run}/{benchmark}/shards/{shard}.parquet      one shard, written whole or not at all
#   eval_merge   results/eval/{run}/{benchmark}/{samples,counts}.parquet + manifest.json   checked, graded
EVAL = config["eval"]
EVAL_RUNS = JOBS.eval_runs()
EVALS = JOBS.evals  # {(run, benchmark): rsgrpo.config.jobs.EvalJob}


rule eval_shard:
    """Generate one shard (problem range x sample range) of {run} on {benchmark}; written whole or not at all."""
    input:
        unpack(lambda w: JOBS.eval_inputs(w.run, w.benchmark)),
    output:
        shard=paths.eval_shard("{run}", "{benchmark}", "{shard}"),
    wildcard_constraints:
        run=alternatives(EVAL_RUNS),
        benchmark=alternatives(JOBS.benchmarks),
        shard=r"[0-9]{5}",
    params:
        plan=lambda w: EVALS[w.run, w.benchmark].plan.to_dict(),
        model=lambda w: EVALS[w.run, w.benchmark].model,
        chat_template=lambda w: EVALS[w.run, w.benchmark].chat_template,
        benchmark_file=lambda w: EVALS[w.run, w.benchmark].benchmark_file,
        backend=EVAL["backend"],
        backend_options=lambda w: EVALS[w.run, w.benchmark].backend_options,
        backend_python=EVAL.get("backend_python"),
    log:
        "logs/eval/{run}/{benchmark}/shard_{shard}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/eval_shard.py"


rule eval_merge:
    """Check every shard is present and complete, grade, write samples/counts/manifest of {run} on {benchmark}."""
    input:
        unpack(lambda w: {k: v for k, v in JOBS.eval_inputs(w.run, w.benchmark).items() if k != "model"}),
        shards=lambda w: [paths.eval_shard(w.run, w.benchmark, s) for s in EVALS[w.run, w.benchmark].plan.shard_names()],
    output:
        samples=paths.eval_samples("{run}", "{benchmark}"),
        counts=paths.eval_counts("{run}", "{benchmark}"),
        manifest=paths.eval_manifest("{run}", "{benchmark}"),
    wildcard_constraints:
        run=alternatives(EVAL_RUNS),
        benchmark=alternatives(JOBS.benchmarks),
    params:
        plan=lambda w: EVALS[w.run, w.benchmark].plan.to_dict(),
        model=lambda w: EVALS[w.run, w.benchmark].model,
        benchmark_file=lambda w: EVALS[w.run, w.benchmark].benchmark_file,
        store_text=EVAL["store_text"],
        grade_timeout=EVAL["grade_timeout"],
        eval_config={k: v for k, v in EVAL.items() if k != "runs"},
    log:
        "logs/eval/{run}/{benchmark}/merge.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/eval_merge.py"
