# Paper-scale training with verl 0.9.1 (issue 5; paper Sec. 6, App. E, Tables 2-3).
#   training_data        results/data/training/{dataset}.parquet       verl parquet of a training set (CPU)
#   training_val_data    results/data/training/validation.parquet      the six benchmarks as verl val set (CPU)
#   train_verl           results/train/{run}/{model/,metrics.jsonl,provenance.json}   one GPU job per run
#   table3_hyperparameters  paper_figures/table3_hyperparameters.{md,tex}  (default target; no GPU)
# Active only when config["train"]["experiments"] is non-empty (config/paper.yaml). GPUs, memory, runtime and
# nodes come from the workflow profile (profiles/default/config.yaml) / the cluster profile, not from config.
include: "train_functions.smk"


rule training_data:
    output:
        parquet="results/data/training/{dataset}.parquet",
        counts="results/data/training/{dataset}.counts.json",
    params:
        spec=lambda wc: _TRAIN["datasets"][wc.dataset],
    wildcard_constraints:
        dataset=_alternatives(_TRAIN_DATASETS),
    log:
        "logs/train/training_data_{dataset}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/training_data.py"


rule training_val_data:
    output:
        parquet="results/data/training/validation.parquet",
    params:
        benchmarks=lambda wc: (_TRAIN.get("validation") or {}).get("benchmarks") or {},
    log:
        "logs/train/training_val_data.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/training_val_data.py"


rule train_verl:
    input:
        train=lambda wc: f"results/data/training/{TRAIN_RUNS[wc.run].dataset}.parquet",
        val="results/data/training/validation.parquet",
    output:
        model=directory("results/train/{run}/model"),
        metrics="results/train/{run}/metrics.jsonl",
        provenance="results/train/{run}/provenance.json",
    params:
        job=_train_params,
    wildcard_constraints:
        run=_alternatives(TRAIN_RUNS),
    resources:
        # GPUs (gpu / gpu_model or gres), cpus_per_gpu, mem_mb, runtime: profiles/default/config.yaml
        nodes=1,
    log:
        "logs/train/{run}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/train_verl.py"


rule table3_hyperparameters:
    """Table 3: training hyper-parameters from the config (the paper's values and our explicit choices)."""
    output:
        md=report(
            "paper_figures/table3_hyperparameters.md",
            caption="../report/table3_hyperparameters.rst",
            category="Paper tables",
        ),
        tex="paper_figures/table3_hyperparameters.tex",
    params:
        hyperparameters=lambda wc: traingrid.hyperparameters(_TRAIN),
        models=lambda wc: _TRAIN.get("models") or {},
    log:
        "logs/train/table3_hyperparameters.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/table3_hyperparameters.py"


localrules: training_val_data, table3_hyperparameters

ALL_TARGETS.extend(["paper_figures/table3_hyperparameters.md", "paper_figures/table3_hyperparameters.tex"])
ALL_TARGETS.extend(f"results/train/{name}/model" for name in TRAIN_RUNS)
