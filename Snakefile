# rsgrpo: one DAG for the RS-GRPO paper (arXiv 2509.24261); README "Architecture" draws it.
#   snakemake --cores all                                   the embedded CPU default (config/config.yaml)
#   snakemake --cores all --configfile config/paper.yaml    the paper grid (GPUs; add --profile slurm)
# Stages, each in its own rule file, connected by files only (rsgrpo.io.paths):
#   bandit -> results/bandit/ | data -> results/data/ | train -> results/train/{run}/
#   eval -> results/eval/{run}/{benchmark}/ | report -> paper_figures/
# Studies beyond the paper are named targets (studies.smk): snakemake --cores all beta_schedules
import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")
sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "lib"))  # the workflow's plain-Python helpers

if not workflow.overwrite_configfiles:  # a --configfile replaces the sections it states (workflow/lib/configs.py)

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/bandit.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/eval.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/studies.smk"


rule all:
    """Every artefact of this config: the bandit, the grid's training and evaluation, every table and figure."""
    default_target: True
    input:
        all_targets,
