# The paper's LLM experiment at CPU scale (issue 6; MINI_EXPERIMENT.md): ops task data -> tiny base model (SFT)
# -> one CPU RL run per (method, seed) -> sampled evaluation on the held-out problems -> table, verdict, figures.
#   results/data/{dataset}_train.parquet, results/data/{benchmark}.parquet            mini_task_data
#   results/train/{model}__base/model/                                                 mini_base_model
#   results/train/{run}/{model/,metrics.jsonl,provenance.json}                         mini_train
#   results/eval/{run}/{benchmark}/{samples,counts}.parquet + manifest.json           mini_eval
#   paper_figures/{mini_summary.md, table2_mini.{csv,md}, fig4_passk_mini.*}           mini_report
#   paper_figures/{fig5_beta_ablation,fig6_baselines,fig_entropy}_mini.{pdf,png}       mini_dynamics
# Nothing is built when the config has no `mini:` section or `grid: paper`.
include: "mini_functions.smk"


if MINI_ON:

    rule mini_task_data:
        """The ops task: verl-style RL rows (skewed marker mix) and the held-out test benchmark."""
        output:
            train=MINI_TRAIN_DATA,
            test=MINI_TEST_DATA,
        log:
            "logs/mini/task_data.log",
        params:
            task=MINI["task"],
            dataset=MINI["dataset"],
        conda:
            CONDA_ENV
        script:
            "../scripts/mini_task_data.py"

    rule mini_base_model:
        """Tiny HF causal LM + word-level tokenizer, SFT on the task's biased demonstrations (the base policy)."""
        output:
            model=directory(f"results/train/{MINI_BASE}/model"),
        log:
            f"logs/mini/{MINI_BASE}.log",
        threads: 1
        params:
            task=MINI["task"],
            dataset=MINI["dataset"],
            model_config=MINI.get("model_config", {}),
            sft=MINI.get("sft", {}),
        conda:
            CONDA_ENV
        script:
            "../scripts/mini_base_model.py"

    rule mini_train:
        """One CPU RL run (method x seed) from the SFT base: group sampling, real grader, registry advantages."""
        wildcard_constraints:
            run=_MINI_TRAINED_RE,
        input:
            model=rules.mini_base_model.output.model,
            train=MINI_TRAIN_DATA,
            test=MINI_TEST_DATA,
        output:
            model=directory("results/train/{run}/model"),
            metrics="results/train/{run}/metrics.jsonl",
            provenance="results/train/{run}/provenance.json",
        log:
            "logs/mini/{run}.log",
        threads: 1
        params:
            task=MINI["task"],
            dataset=MINI["dataset"],
            rl=lambda w: mini_rl(w.run),
            val_ks=MINI.get("val_ks", [1, 32, 1024]),
            wandb_mode=MINI.get("rl", {}).get("wandb", "offline"),
            group=f"{MINI['model']}/{MINI['dataset']}",
        conda:
            CONDA_ENV
        script:
            "../scripts/mini_train.py"

    rule mini_eval:
        """n samples per held-out problem (rsgrpo.sampling hf backend), graded -> the evaluation contract."""
        wildcard_constraints:
            run=_MINI_ALL_RE,
            benchmark=re.escape(MINI_BENCH),
        input:
            model="results/train/{run}/model",
            benchmark=MINI_TEST_DATA,
        output:
            samples="results/eval/{run}/{benchmark}/samples.parquet",
            counts="results/eval/{run}/{benchmark}/counts.parquet",
            manifest="results/eval/{run}/{benchmark}/manifest.json",
        log:
            "logs/mini/eval/{run}/{benchmark}.log",
        threads: 1
        params:
            eval=MINI.get("eval", {}),
        conda:
            CONDA_ENV
        script:
            "../scripts/mini_eval.py"

    if "eval_merge" in dir(rules):
        ruleorder: mini_eval > eval_merge

    rule mini_report:
        """Table-2-style mini table, the verdict (mini_summary.md) and Fig. 4-style pass@k curves."""
        input:
            counts=[f"results/eval/{r}/{MINI_BENCH}/counts.parquet" for r in MINI_RUNS],
        output:
            summary=report("paper_figures/mini_summary.md", caption="../report/mini_summary.rst", category="Mini experiment"),
            csv="paper_figures/table2_mini.csv",
            md=report("paper_figures/table2_mini.md", caption="../report/table2_mini.rst", category="Mini experiment"),
            fig_pdf=report("paper_figures/fig4_passk_mini.pdf", caption="../report/fig4_passk_mini.rst", category="Mini experiment"),
            fig_png="paper_figures/fig4_passk_mini.png",
            fig_csv="paper_figures/fig4_passk_mini.csv",
        log:
            "logs/mini/report.log",
        params:
            runs=MINI_RUNS,
            benchmark=MINI_BENCH,
            ks=MINI.get("report", {}).get("ks", [1, 32, 256, 1024]),
            n_boot=MINI.get("report", {}).get("n_boot", 1000),
            title=f"Mini experiment: {MINI['model']} on the ops task ({MINI.get('task', {}).get('variant', 'skewed')})",
            notes=("Runs: " + ", ".join(MINI_RUNS) + f". Held-out problems: {MINI_TEST_DATA}; n = "
                   f"{MINI.get('eval', {}).get('n', 1024)} samples per problem, temperature "
                   f"{MINI.get('eval', {}).get('temperature', 1.0)}, top-p {MINI.get('eval', {}).get('top_p', 1.0)}."),
        conda:
            CONDA_ENV
        script:
            "../scripts/mini_report.py"

    rule mini_dynamics:
        """Fig. 5/6-style training dynamics and the entropy figure from the mini runs' metrics.jsonl."""
        wildcard_constraints:
            kind="fig5_beta_ablation|fig6_baselines|fig_entropy",
        input:
            metrics=[f"results/train/{r}/metrics.jsonl" for r in MINI_TRAINED],
        output:
            pdf=report("paper_figures/{kind}_mini.pdf", caption="../report/mini_dynamics.rst", category="Mini experiment"),
            png="paper_figures/{kind}_mini.png",
        log:
            "logs/mini/{kind}.log",
        params:
            kind=lambda w: w.kind,
            spec=lambda w: _MINI_DYN[w.kind],
            metrics=lambda w, input: list(input.metrics),
            labels=config.get("report", {}).get("labels", {}).get("methods", {}),
            metric_keys=None,
        conda:
            CONDA_ENV
        script:
            "../scripts/dynamics_figure.py"

    rule mini_diversity:
        """Fig. 7-style: unique-answer ratio per method and the baseline -> treatment accuracy transitions."""
        input:
            samples=[f"results/eval/{r}/{MINI_BENCH}/samples.parquet" for r in MINI_FIG7_RUNS],
            counts=[f"results/eval/{r}/{MINI_BENCH}/counts.parquet" for r in MINI_FIG7_RUNS],
        output:
            pdf=report("paper_figures/fig7_diversity_mini.pdf", caption="../report/fig7_diversity_mini.rst", category="Mini experiment"),
            png="paper_figures/fig7_diversity_mini.png",
            table="paper_figures/fig7_diversity_mini.csv",
        log:
            "logs/mini/fig7_diversity.log",
        params:
            entries=[[r, MINI_BENCH] for r in MINI_FIG7_RUNS],
            fig7={"baseline": MINI_FIG7_BASELINE, "treatment": MINI_FIG7_TREATMENT},
        conda:
            CONDA_ENV
        script:
            "../scripts/fig7_diversity.py"

    # Hand the mini results to the report rules (tables.smk reads these input functions): mini_functions.smk.
    _chain("eval_counts_all", lambda: [f"results/eval/{r}/{MINI_BENCH}/counts.parquet" for r in MINI_RUNS])
    _chain("eval_manifests_all", lambda: [f"results/eval/{r}/{MINI_BENCH}/manifest.json" for r in MINI_RUNS])
    _chain("train_metrics_all", lambda: [f"results/train/{r}/metrics.jsonl" for r in MINI_TRAINED])
    _chain("train_provenance_all", lambda: [f"results/train/{r}/provenance.json" for r in MINI_TRAINED])

    ALL_TARGETS += rules.mini_report.output
    ALL_TARGETS += rules.mini_diversity.output
    ALL_TARGETS += [f"paper_figures/{k}_mini.{ext}" for k in _MINI_DYN for ext in ("pdf", "png")]
