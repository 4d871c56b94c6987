# rsgrpo: one DAG for the RS-GRPO paper (arXiv 2509.24261). See README.md and DESIGN in the reference folder.
#   snakemake --cores all                                   embedded CPU default (config/config.yaml)
#   snakemake --cores all --configfile config/paper.yaml    the paper grid (GPUs; use --profile slurm)
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


# common.smk validates the config (one-line error, before any job) and defines ALL_TARGETS.
include: "workflow/rules/common.smk"
# stage rule files: each appends what it makes to ALL_TARGETS
include: "workflow/rules/advantages.smk"
include: "workflow/rules/eval.smk"
include: "workflow/rules/mini.smk"
include: "workflow/rules/bandit.smk"
include: "workflow/rules/train.smk"
# tables.smk reads the other stages' target lists: keep it the LAST include (stage files go above it).
include: "workflow/rules/tables.smk"


rule all:
    default_target: True
    input:
        ALL_TARGETS,
