"""lemmas: Lemma 2-4 checks (paper Sec. 5.2) with exact one-step updates; figure + numbers as JSON."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.bandit import BanditConfig  # noqa: E402
from rsgrpo.io import atomic_write_json  # noqa: E402
from rsgrpo.reports.bandit_figures import lemma_cases, plot_lemmas  # noqa: E402

p = snakemake.params  # noqa: F821
cases = lemma_cases(BanditConfig.from_dict(dict(p.bandit)), **dict(p.lemmas))
for c in cases["cases"]:
    print(c["name"], c["checks"], file=sys.stderr)
plot_lemmas(cases, snakemake.output.pdf, snakemake.output.png)  # noqa: F821
atomic_write_json(snakemake.output.json, {k: v for k, v in cases.items() if k != "curves"})  # noqa: F821
