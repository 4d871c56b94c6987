"""The `rsgrpo` command: the library's one door to the outside world (Snakemake profiles, the W&B sweep target).
Subcommands are thin; each delegates to one library module and imports it lazily (`rsgrpo --help` stays fast).
May import: anything in rsgrpo (it is the top layer); never imported by it.

    rsgrpo estimators                      list the advantage estimators and their parameters
    rsgrpo cache export|import|verify ...  results bundles (rsgrpo.io.cache)
    rsgrpo profile list|install slurm      put the project's Slurm profile where `--profile slurm` finds it
    rsgrpo table2 [--cache BUNDLE] [-o DIR]  paper Table 2 from cached results, as the table2 rule writes it
    rsgrpo train-target ...                the snakemake command that trains one grid run (W&B sweep entry)
"""

from __future__ import annotations

import argparse
import sys

from rsgrpo.cli import cache, profile, table2, train_target

__all__ = ["main"]


def _estimators(args: argparse.Namespace) -> int:
    from rsgrpo import estimators

    for name in estimators.available():
        s = estimators.spec(name)
        params = ", ".join(f"{p}={d.default!r}" for p, d in s.params.items()) or "-"
        flags = " [binary rewards only]" if s.binary_only else ""
        print(f"{name:10s} {s.label:32s} params: {params}{flags}")
    return 0


def _add_estimators(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("estimators", help="list the advantage estimators of the registry")
    p.set_defaults(func=_estimators)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rsgrpo", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_estimators, cache.add_cli, profile.add_cli, table2.add_cli, train_target.add_cli):
        add(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as exc:
        print(f"rsgrpo {args.command}: error: {exc}", file=sys.stderr)
        return 2
