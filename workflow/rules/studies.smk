# Studies beyond the paper, each a named target outside the default one (README "Beyond the paper").
#   bandit_beta_schedules   results/bandit_beta_schedules/{summary.csv,curves.npz,manifest.json}
#   beta_schedules          paper_figures/beta_schedules.{md,csv}, fig_beta_schedules.{pdf,png}   (App. A)
# The study's CPU runs are the train.experiments entries with `study: beta_schedules`; the train and eval rules
# build them as they build every run. Its bandit runs start from the bandit section (BANDIT_RUN, common.smk).
STUDY = config.get("beta_schedules") or {}
STUDY_BANDIT = {**BANDIT_RUN, **(STUDY.get("bandit") or {})}  # rsgrpo.bandit.BanditConfig fields of its runs
STUDY_RUNS = JOBS.study_runs("beta_schedules")  # [] for a config without the study's entry (config/paper.yaml)
STUDY_EVALS = [(r, b) for r, b in JOBS.evals if r in STUDY_RUNS]


rule bandit_beta_schedules:
    """The Sec. 5.1 bandit with the study's fixed betas and beta schedules (rsgrpo.bandit.run, 32 seeds)."""
    output:
        summary=f"{paths.BANDIT_BETA_SCHEDULES}/summary.csv",
        curves=f"{paths.BANDIT_BETA_SCHEDULES}/curves.npz",
        manifest=f"{paths.BANDIT_BETA_SCHEDULES}/manifest.json",
    log:
        "logs/bandit/bandit_beta_schedules.log",
    params:
        bandit=STUDY_BANDIT,
    threads: 1
    resources:
        runtime=120,
        mem_mb=4000,
    conda:
        CONDA_ENV
    script:
        "../scripts/bandit_run.py"


rule beta_schedules:
    """Do beta schedules beat the best fixed beta? The verdict, its table and figure (rsgrpo.reports.beta_schedules)."""
    input:
        bandit=rules.bandit_beta_schedules.output.summary,
        curves=rules.bandit_beta_schedules.output.curves,
        counts=[paths.eval_counts(r, b) for r, b in STUDY_EVALS],
        metrics=[paths.train_metrics(r) for r in STUDY_RUNS],
    output:
        md=report("paper_figures/beta_schedules.md", caption="../report/beta_schedules.rst", category="Studies"),
        csv="paper_figures/beta_schedules.csv",
        pdf="paper_figures/fig_beta_schedules.pdf",
        png=report("paper_figures/fig_beta_schedules.png", caption="../report/beta_schedules.rst",
                   category="Studies"),
    log:
        "logs/report/beta_schedules.log",
    params:
        study=STUDY,
        n_samples=int(STUDY_BANDIT["n_samples"]),
    conda:
        CONDA_ENV
    script:
        "../scripts/beta_schedules.py"
