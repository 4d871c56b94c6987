# Evaluation (paper Sec. 6.1, App. E; DATA_AND_EVAL.md §4): n samples per problem from each configured run on
# each configured benchmark, sharded (eval_shard) and merged + graded (eval_merge) into
#   results/eval/{run}/{benchmark}/{samples,counts}.parquet + manifest.json
# and the figures built from them: fig4_passk (pass@k curves) and fig7_diversity (unique answers, transitions).
# The runs x benchmarks grid is data (config `eval.runs`, `eval.benchmarks`); nothing is added to ALL_TARGETS
# while `eval.runs` is empty.
include: "eval_functions.smk"


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
    conda:
        CONDA_ENV
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
    conda:
        CONDA_ENV
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
    conda:
        CONDA_ENV
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
    conda:
        CONDA_ENV
    script:
        "../scripts/fig7_diversity.py"


if EVAL_RUNS:
    ALL_TARGETS += eval_counts_all()
    ALL_TARGETS += ["paper_figures/fig4_passk.pdf", "paper_figures/fig4_passk.png"]
    if EVAL.get("fig7"):
        ALL_TARGETS += ["paper_figures/fig7_diversity.pdf", "paper_figures/fig7_diversity.png"]
