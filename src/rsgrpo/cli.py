"""The `rsgrpo` command. Subcommands are thin: each delegates to one library module.

    rsgrpo estimators                      list the advantage estimators and their parameters
    rsgrpo cache export|import ...         results bundles (rsgrpo.cache)
    rsgrpo profile install slurm           install the Slurm profile where `--profile slurm` finds it
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable

__all__ = ["main", "SUBCOMMANDS"]


def _estimators(args: argparse.Namespace) -> int:
    from rsgrpo import advantages

    for name in advantages.available():
        s = advantages.spec(name)
        params = ", ".join(f"{p}={d.default!r}" for p, d in s.params.items()) or "-"
        flags = " [binary rewards only]" if s.binary_only else ""
        print(f"{name:10s} {s.label:32s} params: {params}{flags}")
    return 0


def _add_estimators(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("estimators", help="list the advantage estimators of the registry")
    p.set_defaults(func=_estimators)


# Each entry registers one subcommand: a function (subparsers) -> None that sets `func` on its parser.
# Modules add theirs here (lazy imports inside the handlers keep `rsgrpo --help` fast).
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_estimators]


def _optional(module: str, attr: str = "add_cli") -> None:
    """Register `module.add_cli` if the module exists (subcommands owned by other modules)."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    SUBCOMMANDS.append(getattr(mod, attr))


for _mod in ("rsgrpo.cache", "rsgrpo.profiles"):
    _optional(_mod)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rsgrpo", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as exc:
        print(f"rsgrpo {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
