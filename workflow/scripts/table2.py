"""table2: pass@k per benchmark and average next to the paper's values (rsgrpo.reports.table2)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.table2 import table2_from_report, write_table2  # noqa: E402

p = snakemake.params  # noqa: F821
print(f"table2: {len(p.counts)} counts file(s)", file=sys.stderr)
if not p.counts:
    raise ValueError("table2: no results/eval/{run}/{benchmark}/counts.parquet under results/ (evaluate a run or "
                     "import a cache: rsgrpo cache import BUNDLE)")
df = table2_from_report(p.counts, snakemake.input.paper, p.labels, p.table2)  # noqa: F821
out = snakemake.output  # noqa: F821
write_table2(df, out.csv, out.md, out.tex)
print(f"table2: {len(df)} rows, {int((df['status'] == 'ok').sum())} reproduced, "
      f"{int((df['status'] != 'ok').sum())} missing/incomplete", file=sys.stderr)
