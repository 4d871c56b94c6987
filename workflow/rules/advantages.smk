# Closed-form advantage artefacts (issue 2): no training, no results/ inputs; everything is computed by calling
# the estimator registry rsgrpo.advantages with the settings of config["advantage_figures"].
#   fig2_rs_advantage       paper_figures/fig2_rs_advantage.{pdf,png}       paper Fig. 2
#   fig8_advantage_methods  paper_figures/fig8_advantage_methods.{pdf,png}  paper Fig. 8 / App. B
#   table1_properties       paper_figures/table1_properties.{md,tex}        paper Table 1
ADV_FIGS = config["advantage_figures"]


rule fig2_rs_advantage:
    """Fig. 2: RS-GRPO advantage vs reward (continuous) and A+, A-, sum|A| vs accuracy (binary) per beta."""
    output:
        pdf=report(
            "paper_figures/fig2_rs_advantage.pdf",
            caption="../report/fig2_rs_advantage.rst",
            category="Paper figures",
        ),
        png="paper_figures/fig2_rs_advantage.png",
    log:
        "logs/figures/fig2_rs_advantage.log",
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
        pdf=report(
            "paper_figures/fig8_advantage_methods.pdf",
            caption="../report/fig8_advantage_methods.rst",
            category="Paper figures",
        ),
        png="paper_figures/fig8_advantage_methods.png",
    log:
        "logs/figures/fig8_advantage_methods.log",
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
        md=report(
            "paper_figures/table1_properties.md",
            caption="../report/table1_properties.rst",
            category="Paper tables",
        ),
        tex="paper_figures/table1_properties.tex",
    log:
        "logs/figures/table1_properties.log",
    params:
        group_size=ADV_FIGS["group_size"],
        methods=ADV_FIGS["methods"],
    conda:
        CONDA_ENV
    script:
        "../scripts/table1_properties.py"


ALL_TARGETS.extend(
    [
        *rules.fig2_rs_advantage.output,
        *rules.fig8_advantage_methods.output,
        *rules.table1_properties.output,
    ]
)
