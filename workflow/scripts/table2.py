"""table2: pass@k per benchmark and average next to the paper's values (rsgrpo.reports.table2)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from rsgrpo.reports.table2 import build_table2, write_table2  # noqa: E402

p = snakemake.params  # noqa: F821
t = p.table2
print(f"table2: {len(p.counts)} counts file(s)", file=sys.stderr)
if not p.counts:
    raise ValueError("table2: no results/eval/{run}/{benchmark}/counts.parquet under results/ (evaluate a run or "
                     "import a cache: rsgrpo cache import BUNDLE)")
df = build_table2(p.counts, snakemake.input.paper, p.labels, reference_method=t["reference_method"],  # noqa: F821
                  all_paper_rows=bool(t["all_paper_rows"]), n_boot=int(t["n_boot"]), seed=int(t["seed"]),
                  level=float(t["level"]), ks=list(t["ks"]))
out = snakemake.output  # noqa: F821
write_table2(df, out.csv, out.md, out.tex)
print(f"table2: {len(df)} rows, {int((df['status'] == 'ok').sum())} reproduced, "
      f"{int((df['status'] != 'ok').sum())} missing/incomplete", file=sys.stderr)
