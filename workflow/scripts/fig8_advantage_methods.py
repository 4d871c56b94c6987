"""fig8_advantage_methods: paper Fig. 8 / App. B, A+ / A- / sum|A| vs accuracy for every configured method."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.advantage_figures import binary_curves, method_k, plot_fig8  # noqa: E402

p = snakemake.params  # noqa: F821
n = int(p.group_size)
curves = [binary_curves(m, n) for m in p.methods]
for cur in curves:
    peak = int(cur.cumulative.argmax())
    print(f"{cur.label}: cumulative advantage peaks at c={peak} (sum|A|={cur.cumulative[peak]:.3f})", file=sys.stderr)
ks = [k for k in (method_k(m) for m in p.methods) if k is not None]
plot_fig8(curves, ks, n, snakemake.output.pdf, snakemake.output.png)  # noqa: F821
