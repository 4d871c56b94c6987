"""fig6_baselines: paper Fig. 6, test pass@1 / pass@32 vs step of RS-GRPO and the pass@k baselines."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports import dynamics_figures as dyn  # noqa: E402
from rsgrpo.reports._style import save_figure  # noqa: E402

p = snakemake.params  # noqa: F821
runs = dyn.load_runs(p.metrics)
print(f"fig6_baselines: {len(runs)} run(s): {sorted(runs)}", file=sys.stderr)
fig = dyn.fig6_baselines(runs, p.fig6["methods"], p.labels, p.metric_keys)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)  # noqa: F821
