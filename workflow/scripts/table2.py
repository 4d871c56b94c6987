"""table2: Pass@1 / Pass@32 per benchmark and average next to the paper's values (rsgrpo.reports.table2)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.table2 import build_table2, write_table2  # noqa: E402

p = snakemake.params  # noqa: F821
t = p.table2
print(f"table2: {len(p.counts)} counts file(s)", file=sys.stderr)
if not p.counts:
    raise ValueError("table2: no results/eval/{run}/{benchmark}/counts.parquet under results/ (evaluate a run or "
                     "import a cache: rsgrpo cache import BUNDLE)")
df = build_table2(p.counts, snakemake.input.paper, p.labels,  # noqa: F821
                  reference_method=t.get("reference_method", "grpo"), all_paper_rows=bool(t.get("all_paper_rows")),
                  n_boot=int(t.get("n_boot", 1000)), seed=int(t.get("seed", 0)), level=float(t.get("level", 0.95)))
out = snakemake.output  # noqa: F821
write_table2(df, out.csv, out.md, out.tex)
print(f"table2: {len(df)} rows, {int((df['status'] == 'ok').sum())} reproduced, "
      f"{int((df['status'] != 'ok').sum())} missing/incomplete", file=sys.stderr)
