"""Wall time of the documented "Table 2 from a cache" command on a synthetic cache of the paper's grid.

Goals (issue 15): `rsgrpo table2` (no Snakemake) <= 2 s and `snakemake table2` <= 5 s cold, on the 2-core
machine; each printed with its ratio to the figure measured before (issue 7's run: snakemake 9.5 s, 6.3 s when
there is nothing to do).

Steps: copy the workflow (Snakefile, workflow/, config/) into a temporary directory; write a synthetic cache
of every (run, benchmark) of paper Table 2 (rsgrpo.reports.synthetic: 7 base runs + 21 trained runs x 6
benchmarks, n = 1024 / 32) into a "cluster" results/, export it as a bundle and import the bundle into the
"laptop" copy; check with a dry run that nothing but report rules is scheduled; then time

    snakemake --cores 1 table2 --configfile config/paper.yaml --config 'report={source: results}'

and a second, no-op invocation, then `rsgrpo table2 -o cli_out` in the same copy (its files are compared with
the rule's, byte for byte). Usage: python benchmarks/bench_table2.py [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S, GOAL_CLI_S = 5.0, 2.0
BEFORE_S, BEFORE_NOOP_S = 9.5, 6.3  # issue 7's measurement of the Snakemake path (2026-11-29)


def _copy_workflow(dst: Path) -> None:
    for top in ("Snakefile", "environment.yml"):  # every rule names environment.yml
        shutil.copy2(ROOT / top, dst / top)
    for d in ("workflow", "config"):
        shutil.copytree(ROOT / d, dst / d, ignore=shutil.ignore_patterns("__pycache__"))


def _snakemake(cwd: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    exe = Path(sys.executable).with_name("snakemake")
    cmd = [str(exe) if exe.exists() else "snakemake", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - t0, proc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    from rsgrpo.io.cache import export_bundle, import_bundle
    from rsgrpo.reports.synthetic import make_synthetic_cache

    tmp = Path(tempfile.mkdtemp(prefix="bench_table2-"))
    try:
        t0 = time.perf_counter()
        runs = make_synthetic_cache(tmp / "cluster" / "results")
        bundle = tmp / "cache.tar.gz"
        manifest = export_bundle(tmp / "cluster" / "results", bundle)
        laptop = tmp / "laptop"
        (laptop / "results").mkdir(parents=True)
        _copy_workflow(laptop)
        import_bundle(bundle, laptop / "results")
        print(f"fixture: {len(runs)} runs, {len(manifest['members'])} files, bundle {bundle.stat().st_size / 1e6:.2f} MB, "
              f"built in {time.perf_counter() - t0:.1f} s")

        common = ["--configfile", "config/paper.yaml", "--config", "report={source: results}"]
        _, dry = _snakemake(laptop, "-n", "--cores", "1", "table2", *common)
        if dry.returncode != 0:
            print(dry.stdout[-3000:], dry.stderr[-3000:])
            return 1
        jobs = [ln.split()[0] for ln in dry.stdout.splitlines() if ln.strip() and ln.split()[-1:] and
                ln.split()[0] in ("table2", "eval_shard", "eval_merge", "train_verl", "train_cpu")]
        print(f"dry run schedules: {sorted(set(jobs)) or 'nothing'}")

        wall, proc = _snakemake(laptop, "--cores", "1", "table2", *common)
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            log = laptop / "logs" / "report" / "table2.log"
            if log.exists():
                print(log.read_text()[-3000:])
            return 1
        rows = sum(1 for _ in open(laptop / "paper_figures" / "table2.csv")) - 1
        noop, _ = _snakemake(laptop, "--cores", "1", "table2", *common)
        t0 = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "rsgrpo.cli", "table2", "-o", "cli_out"], cwd=laptop,
                             capture_output=True, text=True)
        cli_wall = time.perf_counter() - t0
        if cli.returncode != 0:
            print(cli.stdout[-3000:], cli.stderr[-3000:])
            return 1
        same = all((laptop / "cli_out" / f).read_bytes() == (laptop / "paper_figures" / f).read_bytes()
                   for f in ("table2.csv", "table2.md", "table2.tex"))
        print(f"snakemake table2 from the cache: {wall:.2f} s wall (goal <= {GOAL_S:.0f} s; before {BEFORE_S} s: "
              f"{BEFORE_S / wall:.2f}x faster), {rows} table rows")
        print(f"second invocation (nothing to do): {noop:.2f} s wall (before {BEFORE_NOOP_S} s: "
              f"{BEFORE_NOOP_S / noop:.2f}x)")
        print(f"rsgrpo table2 (no Snakemake): {cli_wall:.2f} s wall (goal <= {GOAL_CLI_S:.0f} s; "
              f"{BEFORE_S / cli_wall:.2f}x faster than the Snakemake path before); files identical to the rule's: {same}")
        print(f"CPU cores visible: {os.cpu_count()} (shared with other jobs: timings are noisy)")
        if not same:
            return 1
        return 0 if wall <= GOAL_S and cli_wall <= GOAL_CLI_S else 2
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
