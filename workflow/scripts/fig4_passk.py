"""fig4_passk: pass@k curves with bootstrap CI bands from results/eval/{run}/{benchmark}/counts.parquet."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.passk_figures import passk_curves, plot_passk_grid  # noqa: E402

p = snakemake.params  # noqa: F821
curves = passk_curves([tuple(e) for e in p.entries], n_boot=int(p.fig4["n_boot"]), level=float(p.fig4["level"]),
                      pool_seeds=bool(p.fig4.get("pool_seeds", True)))
plot_passk_grid(curves, snakemake.output.pdf, snakemake.output.png, benchmarks=list(p.benchmarks),  # noqa: F821
                table=snakemake.output.table)  # noqa: F821
