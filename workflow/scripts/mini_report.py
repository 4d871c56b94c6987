"""mini_report: the mini experiment's Table-2-style table, its verdict (paper_figures/mini_summary.md) and
Fig. 4-style pass@k curves, all from results/eval/{run}/{benchmark}/counts.parquet."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.mini_summary import write_mini  # noqa: E402
from rsgrpo.reports.passk_figures import passk_curves, plot_passk_grid  # noqa: E402

p = snakemake.params  # noqa: F821
o = snakemake.output  # noqa: F821
counts = list(snakemake.input.counts)  # noqa: F821
v = write_mini(list(zip(p.runs, counts)), o.csv, o.md, o.summary, ks=list(p.ks), n_boot=int(p.n_boot),
               title=p.title, notes=p.notes)
print(v, file=sys.stderr)
curves = passk_curves([(r, p.benchmark, c) for r, c in zip(p.runs, counts)], n_boot=int(p.n_boot))
plot_passk_grid(curves, o.fig_pdf, o.fig_png, benchmarks=[p.benchmark], table=o.fig_csv)
