# Section 5: the 100-armed bandit at paper scale and the Lemma 2-4 checks (issue 3). CPU only.
#   bandit_run            results/bandit/{summary.csv,curves.npz,manifest.json}   every (method, beta, seed)
#   fig1_bandit_snapshots paper_figures/fig1_bandit_snapshots.{pdf,png}           paper Fig. 1
#   fig3_bandit           paper_figures/fig3_bandit.{pdf,png}                     paper Fig. 3 (+ escape panel)
#   fig3_bandit_methods   paper_figures/fig3_bandit_methods.{pdf,png}             every estimator (harness extension)
#   lemmas                paper_figures/lemmas.{pdf,png} + results/bandit/lemmas.json   Sec. 5.2
BANDIT = config["bandit"]
# keys of config["bandit"] that are figure settings, not rsgrpo.bandit.BanditConfig fields
_BANDIT_FIGURE_KEYS = ("figures", "lemmas")


rule bandit_run:
    """All bandit runs in one vectorised program (rsgrpo.bandit.run); summaries only, never the theta history."""
    output:
        summary="results/bandit/summary.csv",
        curves="results/bandit/curves.npz",
        manifest="results/bandit/manifest.json",
    log:
        "logs/bandit/bandit_run.log",
    params:
        bandit={k: v for k, v in BANDIT.items() if k not in _BANDIT_FIGURE_KEYS},
    threads: 1
    resources:
        runtime=120,
        mem_mb=4000,
    conda:
        CONDA_ENV
    script:
        "../scripts/bandit_run.py"


rule fig1_bandit_snapshots:
    """Fig. 1: policy snapshots over training, standard (beta 0) vs risk-sensitive RL, over the landscape."""
    input:
        curves=rules.bandit_run.output.curves,
    output:
        pdf=report(
            "paper_figures/fig1_bandit_snapshots.pdf",
            caption="../report/fig1_bandit_snapshots.rst",
            category="Paper figures",
        ),
        png="paper_figures/fig1_bandit_snapshots.png",
    log:
        "logs/figures/fig1_bandit_snapshots.log",
    params:
        betas=BANDIT.get("figures", {}).get("fig1_betas", [0, 8]),
        seed=BANDIT.get("figures", {}).get("fig1_seed", 43),
    conda:
        CONDA_ENV
    script:
        "../scripts/fig1_bandit_snapshots.py"


rule fig3_bandit:
    """Fig. 3: (a) landscape + initial policy, (b) MA reward per beta over seeds, (c) escape step vs beta."""
    input:
        summary=rules.bandit_run.output.summary,
        curves=rules.bandit_run.output.curves,
    output:
        pdf=report(
            "paper_figures/fig3_bandit.pdf",
            caption="../report/fig3_bandit.rst",
            category="Paper figures",
        ),
        png="paper_figures/fig3_bandit.png",
    log:
        "logs/figures/fig3_bandit.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/fig3_bandit.py"


rule fig3_bandit_methods:
    """The Fig. 3 curves for every estimator of the config (RS-GRPO betas and the baselines)."""
    input:
        summary=rules.bandit_run.output.summary,
        curves=rules.bandit_run.output.curves,
    output:
        pdf=report(
            "paper_figures/fig3_bandit_methods.pdf",
            caption="../report/fig3_bandit_methods.rst",
            category="Paper figures",
        ),
        png="paper_figures/fig3_bandit_methods.png",
    log:
        "logs/figures/fig3_bandit_methods.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/fig3_bandit_methods.py"


rule lemmas:
    """Lemmas 2-4 (Sec. 5.2) with exact one-step softmax updates (rsgrpo.theory); no sampling, no inputs."""
    output:
        pdf=report(
            "paper_figures/lemmas.pdf",
            caption="../report/lemmas.rst",
            category="Paper figures",
        ),
        png="paper_figures/lemmas.png",
        json="results/bandit/lemmas.json",
    log:
        "logs/figures/lemmas.log",
    params:
        lemmas=BANDIT.get("lemmas", {}),
        bandit={k: v for k, v in BANDIT.items() if k not in _BANDIT_FIGURE_KEYS},
    conda:
        CONDA_ENV
    script:
        "../scripts/lemmas.py"


ALL_TARGETS.extend(
    [
        *rules.bandit_run.output,
        *rules.fig1_bandit_snapshots.output,
        *rules.fig3_bandit.output,
        *rules.fig3_bandit_methods.output,
        *rules.lemmas.output,
    ]
)
