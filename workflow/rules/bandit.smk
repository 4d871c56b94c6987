# Section 5 (paper): the 100-armed bandit at paper scale and the Lemma 2-4 checks. CPU only; figures: report.smk.
#   bandit_run     results/bandit/{summary.csv,curves.npz,manifest.json}   every (method, beta, seed)
#   lemma_checks   results/bandit/lemmas.json                               exact one-step checks (Sec. 5.2)
BANDIT = config["bandit"]  # BANDIT_RUN (its rsgrpo.bandit.BanditConfig fields): common.smk


rule bandit_run:
    """All bandit runs in one vectorised program (rsgrpo.bandit.run); summaries only, never the theta history."""
    output:
        summary=f"{paths.BANDIT}/summary.csv",
        curves=f"{paths.BANDIT}/curves.npz",
        manifest=f"{paths.BANDIT}/manifest.json",
    log:
        "logs/bandit/bandit_run.log",
    params:
        bandit=BANDIT_RUN,
    threads: 1
    resources:
        runtime=120,
        mem_mb=4000,
    conda:
        CONDA_ENV
    script:
        "../scripts/bandit_run.py"


rule lemma_checks:
    """Lemmas 2-4 (Sec. 5.2) with exact one-step softmax updates (rsgrpo.bandit.lemmas); no sampling."""
    output:
        json=f"{paths.BANDIT}/lemmas.json",
    log:
        "logs/bandit/lemma_checks.log",
    params:
        lemmas=BANDIT.get("lemmas", {}),
        bandit=BANDIT_RUN,
    conda:
        CONDA_ENV
    script:
        "../scripts/lemma_checks.py"
