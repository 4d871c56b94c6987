"""fig2_rs_advantage: paper Fig. 2, the RS-GRPO advantage for continuous and binary rewards (registry calls)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.advantage_figures import binary_curves, continuous_curve, plot_fig2  # noqa: E402

p = snakemake.params  # noqa: F821
n = int(p.group_size)
continuous = [(float(b), *continuous_curve(float(b), n)) for b in p.betas_continuous]
binary = [(float(b), binary_curves({"estimator": "rs_grpo", "params": {"beta": float(b)}}, n)) for b in p.betas_binary]
for beta, cur in binary:
    peak = int(cur.cumulative.argmax())
    print(f"beta={beta:g}: cumulative advantage peaks at c={peak} (sum|A|={cur.cumulative[peak]:.3f})", file=sys.stderr)
plot_fig2(continuous, binary, n, snakemake.output.pdf, snakemake.output.png)  # noqa: F821
