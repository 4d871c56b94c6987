"""table1_properties: paper Table 1, each tick derived by probing the estimator registry."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.table1 import table1_rows, to_markdown, write_table1  # noqa: E402

p = snakemake.params  # noqa: F821
rows = table1_rows(list(p.methods), int(p.group_size))
write_table1(rows, snakemake.output.md, snakemake.output.tex, int(p.group_size))  # noqa: F821
print(to_markdown(rows, int(p.group_size)), file=sys.stderr)
