# Data: every dataset the config's jobs read, in one parquet schema each (rsgrpo.data; paths: rsgrpo.io.paths).
#   training_data       results/data/training/{dataset}.parquet (+ .counts.json)   a training set in verl's rows
#   task_benchmark      results/data/benchmarks/{benchmark}.parquet                 a task's held-out problems
#   training_val_data   results/data/training/validation.parquet                    verl's validation set


rule training_data:
    """One training set of the grid: a Hub/local source (cleaned, deduplicated) or the ops task's RL rows."""
    output:
        parquet=paths.training_data("{dataset}"),
        counts=paths.training_counts("{dataset}"),
    wildcard_constraints:
        dataset=alternatives(JOBS.datasets),
    params:
        spec=lambda w: JOBS.datasets[w.dataset],
    log:
        "logs/data/training_data_{dataset}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/training_data.py"


rule task_benchmark:
    """The held-out split of a synthetic task as an evaluation benchmark (problem_id, problem, answer)."""
    output:
        parquet=paths.benchmark_data("{benchmark}"),
    wildcard_constraints:
        benchmark=alternatives(JOBS.task_benchmarks),
    params:
        dataset=lambda w: JOBS.task_benchmarks[w.benchmark],
        task=lambda w: JOBS.datasets[JOBS.task_benchmarks[w.benchmark]]["task"],
    log:
        "logs/data/task_benchmark_{benchmark}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/task_benchmark.py"


rule training_val_data:
    """verl's validation set (the training curves of Figs. 5-6): the configured benchmarks, one verl parquet."""
    input:
        [f for f in JOBS.validation_files().values() if f and f.startswith(paths.RESULTS)],
    output:
        parquet=paths.validation_data(),
    params:
        benchmarks=JOBS.validation_files(),
    log:
        "logs/data/training_val_data.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/training_val_data.py"


localrules:
    task_benchmark,
    training_val_data,
