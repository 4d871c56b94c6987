# Training: every run of the grid (config train.experiments), by the trainer its experiment names; both write
# the same contract results/train/{run}/{model/, metrics.jsonl, provenance.json} (rsgrpo.io.paths).
#   base_model   results/train/{model}__base/model     a tiny model SFT-ed on its task (train.models.*.build)
#   train_cpu    results/train/{run}/...               rsgrpo.train.cpu (trainer: cpu; one core, minutes)
#   train_verl   results/train/{run}/...               verl 0.9.1 (trainer: verl; GPUs, memory, runtime and
#                                                      nodes come from the workflow / cluster profile)


rule base_model:
    """Tiny HF causal LM + word-level tokenizer, SFT on its task's biased demonstrations (the base policy)."""
    output:
        model=directory(paths.train_model("{model}__base")),
    wildcard_constraints:
        model=alternatives(JOBS.built_models),
    params:
        job=lambda w: JOBS.base_model_job(w.model),
    log:
        "logs/train/{model}__base.log",
    threads: 1
    conda:
        CONDA_ENV
    script:
        "../scripts/base_model.py"


rule train_cpu:
    """One CPU RL run: group sampling, the real grader, the registry's advantages, PPO-clip (clip-higher)."""
    input:
        unpack(lambda w: JOBS.train_inputs(w.run)),
    output:
        model=directory(paths.train_model("{run}")),
        metrics=paths.train_metrics("{run}"),
        provenance=paths.train_provenance("{run}"),
    wildcard_constraints:
        run=alternatives(JOBS.runs_of("cpu")),
    params:
        job=lambda w: JOBS.cpu_job(w.run),
    log:
        "logs/train/{run}.log",
    threads: 1
    conda:
        CONDA_ENV
    script:
        "../scripts/train_cpu.py"


rule train_verl:
    """One verl run: python -m verl.trainer.main_ppo (resume_mode=auto), HF export, metrics mirror, provenance."""
    input:
        unpack(lambda w: JOBS.train_inputs(w.run)),
    output:
        model=directory(paths.train_model("{run}")),
        metrics=paths.train_metrics("{run}"),
        provenance=paths.train_provenance("{run}"),
    wildcard_constraints:
        run=alternatives(JOBS.runs_of("verl")),
    params:
        job=lambda w: JOBS.verl_job(w.run),
    resources:
        # GPUs (gpu / gpu_model or gres), cpus_per_gpu, mem_mb, runtime: profiles/default/config.yaml
        nodes=1,
    log:
        "logs/train/{run}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/train_verl.py"
