"""fig5_beta_ablation / fig6_baselines / fig_entropy from results/train/{run}/metrics.jsonl mirrors."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports import dynamics_figures as dyn  # noqa: E402

p = snakemake.params  # noqa: F821
runs = dyn.load_runs(p.metrics)
print(f"{p.kind}: {len(runs)} run(s): {sorted(runs)}", file=sys.stderr)
if p.kind == "fig5_beta_ablation":
    fig = dyn.fig5_beta_ablation(runs, p.spec["betas"], p.spec.get("beta0_tag", "grpo"), p.labels, p.metric_keys)
elif p.kind == "fig6_baselines":
    fig = dyn.fig6_baselines(runs, p.spec["methods"], p.labels, p.metric_keys)
elif p.kind == "fig_entropy":
    fig = dyn.fig_entropy(runs, p.spec["betas"], p.spec.get("beta0_tag", "grpo"), p.labels, p.metric_keys)
else:
    raise ValueError(f"unknown dynamics figure {p.kind!r}")
dyn.save_figure(fig, snakemake.output.pdf, snakemake.output.png)  # noqa: F821
