"""fig3_bandit: paper Fig. 3, landscape, MA reward per beta (mean and 95% band over seeds), escape step."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
import pandas as pd  # noqa: E402

from rsgrpo.bandit import load_curves  # noqa: E402
from rsgrpo.reports.bandit_figures import escape_table, plot_fig3  # noqa: E402

summary = pd.read_csv(snakemake.input.summary)  # noqa: F821
print(escape_table(summary).to_string(), file=sys.stderr)
plot_fig3(load_curves(snakemake.input.curves), summary, snakemake.output.pdf, snakemake.output.png)  # noqa: F821
