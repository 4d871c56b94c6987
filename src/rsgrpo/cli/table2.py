"""`rsgrpo table2`: paper Table 2 (table2.{csv,md,tex}) from cached results, without Snakemake's start-up.

    rsgrpo table2                                    results/ of this project, config/paper.yaml -> paper_figures/
    rsgrpo table2 --cache BUNDLE -o DIR              straight from a bundle (read in a temporary folder)
    rsgrpo table2 --results DIR --configfile F ...   another results folder / config

The same files as `snakemake table2 --configfile F --config 'report={source: results}'`, byte for byte
(tests/cli/test_table2.py): the config is layered and validated as the workflow does it
(rsgrpo.config.files), the counts files are chosen by the same rsgrpo.config.report.Selection over the files
present, and rsgrpo.reports.table2 writes them. Run from the project root (or pass --root).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

__all__ = ["add_cli", "table2_from_results"]


def table2_from_results(results: str | Path, out_dir: str | Path, configfiles: list[str], root: str | Path = "."
                        ) -> int:
    """Write out_dir/table2{suffix}.{csv,md,tex} from the counts under `results`; returns the number of rows."""
    from rsgrpo.config.files import load_files
    from rsgrpo.config.report import Selection, present_files
    from rsgrpo.reports.table2 import table2_from_report, write_table2

    root = Path(root)
    jobs = load_files([str(root / f) if not Path(f).is_absolute() else f for f in configfiles], root)
    report = jobs.report
    counts = Selection(jobs, present_files(results)).counts()[1]
    if not counts:
        raise FileNotFoundError(f"no {{run}}/{{benchmark}}/counts.parquet under {Path(results) / 'eval'} (evaluate a "
                                "run or pass --cache BUNDLE)")
    df = table2_from_report(counts, root / report["paper_table2"], report["labels"], report["table2"])
    out, stem = Path(out_dir), f"table2{report.get('suffix', '')}"
    out.mkdir(parents=True, exist_ok=True)
    write_table2(df, out / f"{stem}.csv", out / f"{stem}.md", out / f"{stem}.tex")
    return len(df)


def _cli(args) -> int:
    if args.cache:
        from rsgrpo.io.cache import import_bundle

        with tempfile.TemporaryDirectory(prefix="rsgrpo-table2-") as tmp:
            import_bundle(args.cache, Path(tmp) / "results")
            rows = table2_from_results(Path(tmp) / "results", args.output, args.configfile, args.root)
    else:
        rows = table2_from_results(args.results, args.output, args.configfile, args.root)
    print(f"wrote {args.output}/table2.{{csv,md,tex}}: {rows} rows")
    return 0


def add_cli(sub) -> None:
    p = sub.add_parser("table2", help="paper Table 2 from cached results (no Snakemake)")
    p.add_argument("--cache", help="a results bundle (rsgrpo cache export); read without importing it")
    p.add_argument("--results", default="results", help="results folder (default: results)")
    p.add_argument("--configfile", nargs="+", default=["config/paper.yaml"],
                   help="config file(s), layered as --configfile layers them (default: config/paper.yaml)")
    p.add_argument("--root", default=".", help="project root (config/, workflow/schemas/; default: .)")
    p.add_argument("-o", "--output", default="paper_figures", help="output folder (default: paper_figures)")
    p.set_defaults(func=_cli)
