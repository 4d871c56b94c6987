"""Snakemake profiles shipped with the package, and installing them where `snakemake --profile NAME` finds them.

`snakemake --profile slurm` looks for a folder named `slurm` in the working directory, in the user's
Snakemake config folder (`$XDG_CONFIG_HOME/snakemake`, default `~/.config/snakemake`) and in the site
folder (`/etc/xdg/snakemake`) -- never in the project's `profiles/`. The cluster profile therefore ships
inside the package (`rsgrpo/profiles_data/<name>/`, identical to the repository's `profiles/<name>/`)
and `rsgrpo profile install slurm` copies it to the user's folder:

    rsgrpo profile list                         names of the shipped profiles
    rsgrpo profile install slurm [--dest DIR]   copy to DIR/slurm (default: the user folder above)

An installed file that differs from the shipped one (e.g. the user put their account in it) is never
overwritten silently: the command stops and names it; `--force` overwrites.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

__all__ = ["available", "shipped_dir", "user_profile_root", "install", "add_cli"]

_DATA = "profiles_data"


def shipped_dir(name: str) -> Path:
    """Folder of the shipped profile `name` inside the installed package; ValueError if there is none."""
    root = Path(__file__).resolve().parent / _DATA
    path = root / name
    if not name or "/" in name or name.startswith(".") or not (path / "config.yaml").is_file():
        raise ValueError(f"no shipped Snakemake profile named {name!r}; available: {', '.join(available()) or '-'}")
    return path


def available() -> list[str]:
    """Names of the shipped profiles (folders of `rsgrpo/profiles_data` holding a config.yaml), sorted."""
    root = Path(__file__).resolve().parent / _DATA
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "config.yaml").is_file())


def user_profile_root(env: dict[str, str] | None = None) -> Path:
    """Where `snakemake --profile NAME` looks for NAME on Linux: `$XDG_CONFIG_HOME/snakemake`,
    else `~/.config/snakemake` (platformdirs' `user_config_dir("snakemake")`)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or ""
    if not os.path.isabs(base):  # the XDG spec ignores relative values
        base = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "snakemake"


def _files(src: Path) -> list[Path]:
    return sorted(p.relative_to(src) for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def install(name: str, dest: str | os.PathLike | None = None, force: bool = False) -> Path:
    """Copy the shipped profile `name` to `dest/name` (default `user_profile_root()/name`); return that folder.

    Files already there with the same content are left alone; a differing file raises ValueError naming it
    unless `force` (then it is overwritten). Each file is written atomically (temp file + rename).
    """
    from rsgrpo.io import atomic_write_text

    src = shipped_dir(name)
    target = (Path(dest).expanduser() if dest is not None else user_profile_root()) / name
    files = _files(src)
    if not force:
        for rel in files:
            t = target / rel
            if t.exists() and t.read_bytes() != (src / rel).read_bytes():
                raise ValueError(
                    f"{t} exists and differs from the shipped profile (your edits?); "
                    f"use --force to overwrite it, or edit it by hand"
                )
    if target.exists() and not target.is_dir():
        raise ValueError(f"{target} exists and is not a folder")
    for rel in files:
        t = target / rel
        t.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(t, (src / rel).read_text())
    return target


def _cmd_install(args: argparse.Namespace) -> int:
    path = install(args.name, args.dest, force=args.force)
    print(f"installed Snakemake profile {args.name!r} in {path}")
    if args.dest is None:
        print(f"use it with: snakemake --cores all --profile {args.name}")
    else:
        print(f"use it with: snakemake --cores all --profile {path}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for name in available():
        print(f"{name:10s} {shipped_dir(name)}")
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register `rsgrpo profile list|install` on the `rsgrpo` command."""
    p = subparsers.add_parser("profile", help="Snakemake profiles shipped with rsgrpo (e.g. the Slurm one)")
    sub = p.add_subparsers(dest="profile_command", required=True)
    q = sub.add_parser("list", help="list the shipped profiles")
    q.set_defaults(func=_cmd_list)
    q = sub.add_parser(
        "install",
        help="copy a shipped profile to where `snakemake --profile NAME` finds it",
        description="Copy the shipped profile NAME to DEST/NAME (default: $XDG_CONFIG_HOME/snakemake/NAME, "
        "i.e. ~/.config/snakemake/NAME), where `snakemake --profile NAME` looks for it.",
    )
    q.add_argument("name", help="profile name, e.g. slurm")
    q.add_argument("--dest", default=None, help="parent folder to install into (default: the user's Snakemake folder)")
    q.add_argument("--force", action="store_true", help="overwrite installed files that differ from the shipped ones")
    q.set_defaults(func=_cmd_install)
