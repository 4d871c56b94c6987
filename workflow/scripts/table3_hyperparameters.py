"""Leaf: paper Table 3 (training hyper-parameters) from the train config. Rule: table3_hyperparameters."""
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from rsgrpo.io import atomic_write_text  # noqa: E402
from rsgrpo.reports.table3 import table3_rows, to_latex, to_markdown  # noqa: E402

hp = dict(snakemake.params.hyperparameters)  # noqa: F821
rows = table3_rows(hp, hp["group_size"], snakemake.params.models)  # noqa: F821
atomic_write_text(snakemake.output.md, to_markdown(rows))  # noqa: F821
atomic_write_text(snakemake.output.tex, to_latex(rows))  # noqa: F821
