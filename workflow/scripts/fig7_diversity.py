"""fig7_diversity: unique-answer ratio per method + baseline -> treatment accuracy-transition heatmap."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.diversity_figures import plot_diversity  # noqa: E402

p = snakemake.params  # noqa: F821
f7, opts = dict(p.fig7), dict(p.options)
entries = [(run, bench, s, c) for (run, bench), s, c in zip(f7["entries"], p.samples, p.counts)]
plot_diversity(entries, baseline=f7["baseline"], treatment=f7["treatment"], pdf=snakemake.output.pdf,  # noqa: F821
               png=snakemake.output.png, table=snakemake.output.table,  # noqa: F821
               no_answer=opts.get("no_answer", "class"), edges=opts.get("edges", [0.2, 0.4, 0.6, 0.8]))
