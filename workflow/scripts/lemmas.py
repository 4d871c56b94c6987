"""lemmas: the Lemma 2-4 figure (paper Sec. 5.2) from results/bandit/lemmas.json (rsgrpo.reports.bandit_figures)."""
import json
import sys
from pathlib import Path

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.bandit_figures import plot_lemmas  # noqa: E402

plot_lemmas(json.loads(Path(snakemake.input.json).read_text()), snakemake.output.pdf, snakemake.output.png)  # noqa: F821
