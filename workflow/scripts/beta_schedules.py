"""beta_schedules: App. A's question (do beta schedules beat the best fixed beta?) from the study's bandit summary,
its CPU runs' counts and training logs (rsgrpo.reports.beta_schedules)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
import pandas as pd  # noqa: E402

from rsgrpo.bandit import load_curves  # noqa: E402
from rsgrpo.reports import beta_schedules as bs  # noqa: E402

i, o, p = snakemake.input, snakemake.output, snakemake.params  # noqa: F821
study = dict(p.study)
n_boot = int(study.get("n_boot", 1000))
parts = [bs.bandit_rows(pd.read_csv(i.bandit), p.n_samples, n_boot=n_boot)]
metrics = [(path.split("/")[-2], path) for path in i.metrics]
if i.counts:
    parts.append(bs.cpu_rows([(path.split("/")[-3], path) for path in i.counts], metrics,
                             ks=list(study.get("ks", [1, 1024])), n_boot=n_boot))
table = pd.concat(parts, ignore_index=True)
v = bs.write_study(table, load_curves(i.curves), bs.beta_traces(metrics), o.csv, o.md, o.pdf, o.png,
                   title=study.get("title"))
print(v, file=sys.stderr)
