# Tables and figures from results/ alone (issue 7; cache format and commands in results/README.md):
#   table2              paper_figures/table2.{csv,md,tex}      Table 2 next to the paper's values
#   fig5_beta_ablation  paper_figures/fig5_beta_ablation.*     Fig. 5 (training dynamics per beta)
#   fig6_baselines      paper_figures/fig6_baselines.*         Fig. 6 (RS-GRPO vs pass@k baselines)
#   fig_entropy         paper_figures/fig_entropy.*            App. D.1 (entropy per beta)
#   provenance_table    paper_figures/PROVENANCE.md            one row per result
#   tables              Tables 1-3 together
# Inputs. `report.source: dag` (default): the results the config's stages will write are real inputs (the rules
# wait for eval/training), and results already under results/ that the config does not name are read too.
# `report.source: results` (an imported cache): the rules read ONLY files that exist and declare no input that
# a training or evaluation rule could make, so nothing upstream is ever scheduled:
#     snakemake --cores 1 table2 --config 'report={source: results}'
# Files read but not declared as inputs are fingerprinted (path, size, mtime) in `params`, so Snakemake's
# params trigger re-runs a table when an import changes them. Figures are scheduled only when a matching run
# exists or is configured (an empty selection never makes a placeholder figure).
include: "tables_functions.smk"


rule table2:
    """Table 2: Pass@1/Pass@32 (%) per benchmark and average, with the paper's value, difference, bootstrap CI."""
    input:
        paper=REPORT.get("paper_table2", "config/reference/table2_paper.csv"),
        counts=lambda w: [ancient(p) for p in _counts()[0]],
    output:
        csv=report("paper_figures/table2.csv", caption="../report/table2.rst", category="Paper tables"),
        md=report("paper_figures/table2.md", caption="../report/table2.rst", category="Paper tables"),
        tex="paper_figures/table2.tex",
    log:
        "logs/report/table2.log",
    params:
        counts=lambda w: _counts()[1],
        fingerprint=lambda w: fingerprint(_counts()[1], _counts()[0]),
        labels=REPORT_LABELS,
        table2=REPORT.get("table2", {}),
    conda:
        CONDA_ENV
    script:
        "../scripts/table2.py"


for _kind, _caption in (("fig5_beta_ablation", "fig5_beta_ablation.rst"), ("fig6_baselines", "fig6_baselines.rst"),
                        ("fig_entropy", "fig_entropy.rst")):

    rule:
        name:
            _kind
        input:
            metrics=lambda w, kind=_kind: [ancient(p) for p in _metrics(kind)[0]],
        output:
            pdf=report(f"paper_figures/{_kind}.pdf", caption=f"../report/{_caption}", category="Training dynamics"),
            png=f"paper_figures/{_kind}.png",
        log:
            f"logs/report/{_kind}.log",
        params:
            kind=_kind,
            metrics=lambda w, kind=_kind: _metrics(kind)[1],
            fingerprint=lambda w, kind=_kind: fingerprint(_metrics(kind)[1], _metrics(kind)[0]),
            spec=REPORT.get("fig6" if _kind == "fig6_baselines" else "fig5", {}),
            labels=REPORT_LABELS,
            metric_keys=REPORT_METRIC_KEYS,
        conda:
            CONDA_ENV
        script:
            "../scripts/dynamics_figure.py"


rule provenance_table:
    """paper_figures/PROVENANCE.md: run, hardware, library versions, harness commit, config hash, W&B link."""
    input:
        lambda w: [ancient(p) for p in _provenance_files()[0][0] + _provenance_files()[1][0]],
    output:
        md=report("paper_figures/PROVENANCE.md", caption="../report/provenance.rst", category="Provenance"),
    log:
        "logs/report/provenance_table.log",
    params:
        train=lambda w: _provenance_files()[0][1],
        eval=lambda w: _provenance_files()[1][1],
        other=lambda w: _provenance_files()[2],
        fingerprint=lambda w: fingerprint(sum((f[1] for f in _provenance_files()[:2]), []) + _provenance_files()[2],
                                          _provenance_files()[0][0] + _provenance_files()[1][0]),
    conda:
        CONDA_ENV
    script:
        "../scripts/provenance_table.py"


# Targets: each artefact only when it has something to show (configured or present), so the embedded default
# stays green when a stage makes no runs.
REPORT_TARGETS = ["paper_figures/PROVENANCE.md"]
if _counts()[1]:
    REPORT_TARGETS += ["paper_figures/table2.csv", "paper_figures/table2.md", "paper_figures/table2.tex"]
for _kind in DYNAMICS:
    if _metrics(_kind)[1]:
        REPORT_TARGETS += [f"paper_figures/{_kind}.pdf", f"paper_figures/{_kind}.png"]
ALL_TARGETS += REPORT_TARGETS


rule tables:
    """Tables 1-3 (those this config can make)."""
    input:
        [t for t in ALL_TARGETS if _os.path.basename(t).startswith(("table1", "table2", "table3"))],


rule report_artefacts:
    """Every table and figure made from results/ by this file (no training or evaluation in results mode)."""
    input:
        REPORT_TARGETS,
