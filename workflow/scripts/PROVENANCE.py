"""PROVENANCE: paper_figures/PROVENANCE.md from the provenance files under results/."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.io import atomic_write_text  # noqa: E402
from rsgrpo.reports.provenance_table import collect_rows, to_markdown  # noqa: E402

p = snakemake.params  # noqa: F821
rows = collect_rows(p.train, p.eval, p.other)
print(f"provenance: {len(rows)} row(s)", file=sys.stderr)
atomic_write_text(snakemake.output.md, to_markdown(rows))  # noqa: F821
