# Report: every table and figure of paper_figures/, each made by the rule of its name (the suffix
# `report.suffix` marks the artefacts of this config's runs: "_mini" for the CPU experiment, "" for the paper
# grid) from the files of the stages before it; each script is a thin leaf over rsgrpo.reports.
#   closed forms     fig2_rs_advantage, fig8_advantage_methods, table1_properties (config advantage_figures)
#   bandit           fig1_bandit_snapshots, fig3_bandit, fig3_bandit_methods, lemmas   (results/bandit/)
#   config           table3_hyperparameters                                           (config train)
#   runs             table2, fig4_passk, fig5_beta_ablation, fig6_baselines, fig_entropy, fig7_diversity,
#                    mini_summary, PROVENANCE                      (results/eval/, results/train/)
# The run artefacts read the config's results (`report.source: dag`: the rules wait for them) or exactly the
# files an imported cache holds (`results`: nothing upstream is ever scheduled):
#     snakemake --cores 1 table2 --config 'report={source: results}'
# Files read but not declared (results mode) are fingerprinted in `params`, so an import re-runs the tables.
ADV_FIGS = config["advantage_figures"]


rule fig2_rs_advantage:
    """Fig. 2: RS-GRPO advantage vs reward (continuous) and A+, A-, sum|A| vs accuracy (binary) per beta."""
    output:
        pdf=report("paper_figures/fig2_rs_advantage.pdf", caption="../report/fig2_rs_advantage.rst",
                   category="Paper figures"),
        png="paper_figures/fig2_rs_advantage.png",
    log:
        "logs/report/fig2_rs_advantage.log",
    params:
        group_size=ADV_FIGS["group_size"],
        betas_binary=ADV_FIGS["betas_binary"],
        betas_continuous=ADV_FIGS["betas_continuous"],
    conda:
        CONDA_ENV
    script:
        "../scripts/fig2_rs_advantage.py"


rule fig8_advantage_methods:
    """Fig. 8: positive, negative and cumulative advantage vs accuracy for every configured method."""
    output:
        pdf=report("paper_figures/fig8_advantage_methods.pdf", caption="../report/fig8_advantage_methods.rst",
                   category="Paper figures"),
        png="paper_figures/fig8_advantage_methods.png",
    log:
        "logs/report/fig8_advantage_methods.log",
    params:
        group_size=ADV_FIGS["group_size"],
        methods=ADV_FIGS["methods"],
    conda:
        CONDA_ENV
    script:
        "../scripts/fig8_advantage_methods.py"


rule table1_properties:
    """Table 1: binary / continuous / dense-signal ticks, each derived by probing the registry."""
    output:
        md=report("paper_figures/table1_properties.md", caption="../report/table1_properties.rst",
                  category="Paper tables"),
        tex="paper_figures/table1_properties.tex",
    log:
        "logs/report/table1_properties.log",
    params:
        group_size=ADV_FIGS["group_size"],
        methods=ADV_FIGS["methods"],
    conda:
        CONDA_ENV
    script:
        "../scripts/table1_properties.py"


rule table3_hyperparameters:
    """Table 3: the verl training hyper-parameters of the config (the paper's values and our explicit choices)."""
    output:
        md=report("paper_figures/table3_hyperparameters.md", caption="../report/table3_hyperparameters.rst",
                  category="Paper tables"),
        tex="paper_figures/table3_hyperparameters.tex",
    log:
        "logs/report/table3_hyperparameters.log",
    params:
        hyperparameters=lambda w: table3_jobs().verl_hyperparameters(),
        models=lambda w: table3_jobs().train.get("models") or {},
    conda:
        CONDA_ENV
    script:
        "../scripts/table3_hyperparameters.py"


rule fig1_bandit_snapshots:
    """Fig. 1: policy snapshots over training, standard (beta 0) vs risk-sensitive RL, over the landscape."""
    input:
        curves=rules.bandit_run.output.curves,
    output:
        pdf=report("paper_figures/fig1_bandit_snapshots.pdf", caption="../report/fig1_bandit_snapshots.rst",
                   category="Paper figures"),
        png="paper_figures/fig1_bandit_snapshots.png",
    log:
        "logs/report/fig1_bandit_snapshots.log",
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
        pdf=report("paper_figures/fig3_bandit.pdf", caption="../report/fig3_bandit.rst", category="Paper figures"),
        png="paper_figures/fig3_bandit.png",
    log:
        "logs/report/fig3_bandit.log",
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
        pdf=report("paper_figures/fig3_bandit_methods.pdf", caption="../report/fig3_bandit_methods.rst",
                   category="Paper figures"),
        png="paper_figures/fig3_bandit_methods.png",
    log:
        "logs/report/fig3_bandit_methods.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/fig3_bandit_methods.py"


rule lemmas:
    """Lemmas 2-4 (Sec. 5.2): Delta(beta) of the exact one-step update and the random-case thresholds."""
    input:
        json=rules.lemma_checks.output.json,
    output:
        pdf=report("paper_figures/lemmas.pdf", caption="../report/lemmas.rst", category="Paper figures"),
        png="paper_figures/lemmas.png",
    log:
        "logs/report/lemmas.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/lemmas.py"


rule table2:
    """Table 2: pass@k (%) per benchmark and average, with the paper's value, difference, bootstrap CI."""
    input:
        paper=REPORT["paper_table2"],
        counts=[ancient(p) for p in SEL.counts()[0]],
    output:
        csv=report(f"paper_figures/table2{SUFFIX}.csv", caption="../report/table2.rst", category="Paper tables"),
        md=report(f"paper_figures/table2{SUFFIX}.md", caption="../report/table2.rst", category="Paper tables"),
        tex=f"paper_figures/table2{SUFFIX}.tex",
    log:
        f"logs/report/table2{SUFFIX}.log",
    params:
        counts=SEL.counts()[1],
        fingerprint=fingerprint(SEL.counts()[1], SEL.counts()[0]),
        labels=REPORT["labels"],
        table2=REPORT["table2"],
    conda:
        CONDA_ENV
    script:
        "../scripts/table2.py"


rule fig4_passk:
    """Fig. 4: pass@k curves (rows = models, columns = benchmarks, lines = methods) with bootstrap CI bands."""
    input:
        counts=[ancient(p) for p in SEL.counts()[0]],
    output:
        pdf=report(f"paper_figures/fig4_passk{SUFFIX}.pdf", caption="../report/fig4_passk.rst",
                   category="Evaluation"),
        png=f"paper_figures/fig4_passk{SUFFIX}.png",
        table=f"paper_figures/fig4_passk{SUFFIX}.csv",
    log:
        f"logs/report/fig4_passk{SUFFIX}.log",
    params:
        entries=[list(e) for e in SEL.fig4_entries()],
        fingerprint=fingerprint(SEL.counts()[1], SEL.counts()[0]),
        benchmarks=list(JOBS.benchmarks),
        fig4=REPORT["fig4"],
    conda:
        CONDA_ENV
    script:
        "../scripts/fig4_passk.py"


rule fig5_beta_ablation:
    """Fig. 5: cumulative training solve rate, training reward, test pass@1 / pass@32 vs step, one line per beta."""
    input:
        metrics=[ancient(p) for p in SEL.metrics("fig5_beta_ablation")[0]],
    output:
        pdf=report(f"paper_figures/fig5_beta_ablation{SUFFIX}.pdf", caption="../report/fig5_beta_ablation.rst",
                   category="Training dynamics"),
        png=f"paper_figures/fig5_beta_ablation{SUFFIX}.png",
    log:
        f"logs/report/fig5_beta_ablation{SUFFIX}.log",
    params:
        metrics=SEL.metrics("fig5_beta_ablation")[1],
        fingerprint=fingerprint(SEL.metrics("fig5_beta_ablation")[1], SEL.metrics("fig5_beta_ablation")[0]),
        fig5=REPORT["fig5"],
        labels=REPORT["labels"],
        metric_keys=REPORT["metric_keys"],
    conda:
        CONDA_ENV
    script:
        "../scripts/fig5_beta_ablation.py"


rule fig6_baselines:
    """Fig. 6: test pass@1 and pass@32 vs step, RS-GRPO against the pass@k baselines."""
    input:
        metrics=[ancient(p) for p in SEL.metrics("fig6_baselines")[0]],
    output:
        pdf=report(f"paper_figures/fig6_baselines{SUFFIX}.pdf", caption="../report/fig6_baselines.rst",
                   category="Training dynamics"),
        png=f"paper_figures/fig6_baselines{SUFFIX}.png",
    log:
        f"logs/report/fig6_baselines{SUFFIX}.log",
    params:
        metrics=SEL.metrics("fig6_baselines")[1],
        fingerprint=fingerprint(SEL.metrics("fig6_baselines")[1], SEL.metrics("fig6_baselines")[0]),
        fig6=REPORT["fig6"],
        labels=REPORT["labels"],
        metric_keys=REPORT["metric_keys"],
    conda:
        CONDA_ENV
    script:
        "../scripts/fig6_baselines.py"


rule fig_entropy:
    """App. D.1: policy entropy vs step, one line per beta."""
    input:
        metrics=[ancient(p) for p in SEL.metrics("fig_entropy")[0]],
    output:
        pdf=report(f"paper_figures/fig_entropy{SUFFIX}.pdf", caption="../report/fig_entropy.rst",
                   category="Training dynamics"),
        png=f"paper_figures/fig_entropy{SUFFIX}.png",
    log:
        f"logs/report/fig_entropy{SUFFIX}.log",
    params:
        metrics=SEL.metrics("fig_entropy")[1],
        fingerprint=fingerprint(SEL.metrics("fig_entropy")[1], SEL.metrics("fig_entropy")[0]),
        fig5=REPORT["fig5"],
        labels=REPORT["labels"],
        metric_keys=REPORT["metric_keys"],
    conda:
        CONDA_ENV
    script:
        "../scripts/fig_entropy.py"


rule fig7_diversity:
    """Fig. 7: unique-answer ratio per method and the baseline -> treatment accuracy-transition heatmap."""
    input:
        samples=[] if RESULTS_MODE else [ancient(p) for p in SEL.fig7_files("samples")],
        counts=[] if RESULTS_MODE else [ancient(p) for p in SEL.fig7_files("counts")],
    output:
        pdf=report(f"paper_figures/fig7_diversity{SUFFIX}.pdf", caption="../report/fig7_diversity.rst",
                   category="Evaluation"),
        png=f"paper_figures/fig7_diversity{SUFFIX}.png",
        table=f"paper_figures/fig7_diversity{SUFFIX}.csv",
    log:
        f"logs/report/fig7_diversity{SUFFIX}.log",
    params:
        fig7=SEL.fig7(),
        samples=SEL.fig7_files("samples"),
        counts=SEL.fig7_files("counts"),
        fingerprint=fingerprint(SEL.fig7_files("samples") + SEL.fig7_files("counts"), []),
        options=REPORT.get("fig7") or {},
    conda:
        CONDA_ENV
    script:
        "../scripts/fig7_diversity.py"


rule mini_summary:
    """The CPU experiment's verdict, computed from its table (paper_figures/mini_summary.md + .csv)."""
    input:
        counts=[ancient(p) for p in SEL.counts()[0]],
        metrics=[ancient(p) for p in SEL.metrics("mini_summary")[0]],
    output:
        md=report("paper_figures/mini_summary.md", caption="../report/mini_summary.rst", category="Mini experiment"),
        csv="paper_figures/mini_summary.csv",
    log:
        "logs/report/mini_summary.log",
    params:
        counts=SEL.counts()[1],
        metrics=SEL.metrics("mini_summary")[1],
        fingerprint=fingerprint(SEL.counts()[1] + SEL.metrics("mini_summary")[1],
                                SEL.counts()[0] + SEL.metrics("mini_summary")[0]),
        summary=REPORT.get("mini_summary") or {},
        spec=SEL.mini_spec(),
        eval=JOBS.eval,
    conda:
        CONDA_ENV
    script:
        "../scripts/mini_summary.py"


rule PROVENANCE:
    """paper_figures/PROVENANCE.md: run, hardware, library versions, harness commit, config hash, W&B link."""
    input:
        [ancient(p) for p in SEL.provenance()[0][0] + SEL.provenance()[1][0]],
        rules.bandit_run.output.manifest if BANDIT_IN_DAG and not RESULTS_MODE else [],
    output:
        md=report("paper_figures/PROVENANCE.md", caption="../report/provenance.rst", category="Provenance"),
    log:
        "logs/report/PROVENANCE.log",
    params:
        train=SEL.provenance()[0][1],
        eval=SEL.provenance()[1][1],
        other=[p for p in SEL.provenance()[2] if BANDIT_IN_DAG or RESULTS_MODE or os.path.exists(p)],
        fingerprint=fingerprint(SEL.provenance()[0][1] + SEL.provenance()[1][1] + SEL.provenance()[2],
                                SEL.provenance()[0][0] + SEL.provenance()[1][0]),
    conda:
        CONDA_ENV
    script:
        "../scripts/PROVENANCE.py"


rule tables:
    """Tables 1-3 (those this config can make)."""
    input:
        [t for t in report_targets() if os.path.basename(t).startswith(("table1", "table2", "table3"))],


rule report_artefacts:
    """Every table and figure made from run results (results mode: from the imported cache alone)."""
    input:
        results_targets(),


localrules:
    fig2_rs_advantage,
    fig8_advantage_methods,
    table1_properties,
    table3_hyperparameters,
    PROVENANCE,
