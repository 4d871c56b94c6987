"""fig_entropy: paper App. D.1, policy entropy per beta from results/train/{run}/metrics.jsonl."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports import dynamics_figures as dyn  # noqa: E402
from rsgrpo.reports._style import save_figure  # noqa: E402

p = snakemake.params  # noqa: F821
runs = dyn.load_runs(p.metrics)
print(f"fig_entropy: {len(runs)} run(s): {sorted(runs)}", file=sys.stderr)
fig = dyn.fig_entropy(runs, p.fig5["betas"], p.fig5.get("beta0_tag", "grpo"), p.labels, p.metric_keys)
save_figure(fig, snakemake.output.pdf, snakemake.output.png)  # noqa: F821
