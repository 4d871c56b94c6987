"""lemma_checks: Lemma 2-4 checks (paper Sec. 5.2) with exact one-step updates -> results/bandit/lemmas.json."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.bandit import BanditConfig  # noqa: E402
from rsgrpo.bandit.lemmas import bandit_cases  # noqa: E402
from rsgrpo.io import atomic_write_json  # noqa: E402

p = snakemake.params  # noqa: F821
cases = bandit_cases(BanditConfig.from_dict(dict(p.bandit)), **dict(p.lemmas))
for c in cases["cases"]:
    print(c["name"], c["checks"], file=sys.stderr)
atomic_write_json(snakemake.output.json, cases)  # noqa: F821
