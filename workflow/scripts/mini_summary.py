"""mini_summary: the CPU experiment's verdict and its table (rsgrpo.reports.mini_summary), from the counts and
the training logs."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.mini_summary import write_mini  # noqa: E402

p = snakemake.params  # noqa: F821
s, e = dict(p.summary), dict(p.eval)
runs = [path.split("/")[-3] for path in p.counts]
notes = (f"Runs: {', '.join(runs)}. n samples per problem of results/eval/{{run}}/{{benchmark}}/counts.parquet, "
         f"temperature {e.get('temperature')}, top-p {e.get('top_p')}.")
v = write_mini(list(zip(runs, p.counts)), snakemake.output.csv, snakemake.output.md,  # noqa: F821
               ks=list(s["ks"]), metrics=[(path.split("/")[-2], path) for path in p.metrics],
               n_boot=int(s["n_boot"]), title=s["title"], notes=notes, spec=dict(p.spec))
print(v, file=sys.stderr)
