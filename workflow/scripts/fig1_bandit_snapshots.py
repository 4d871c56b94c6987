"""fig1_bandit_snapshots: paper Fig. 1, policy snapshots for standard vs risk-sensitive RL (one seed)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.bandit import load_curves  # noqa: E402
from rsgrpo.reports.bandit_figures import plot_fig1  # noqa: E402

p = snakemake.params  # noqa: F821
plot_fig1(load_curves(snakemake.input.curves), [float(b) for b in p.betas], int(p.seed),  # noqa: F821
          snakemake.output.pdf, snakemake.output.png)  # noqa: F821
