"""`rsgrpo profile list|install`: put the repository's Snakemake profiles where `snakemake --profile NAME` finds them.

`snakemake --profile slurm` looks for a folder named `slurm` in the working directory, in the user's
Snakemake config folder (`$XDG_CONFIG_HOME/snakemake`, default `~/.config/snakemake`) and in the site
folder (`/etc/xdg/snakemake`) -- never in the project's `profiles/`. `rsgrpo profile install slurm` copies
the project's own `profiles/slurm/` (the one copy of the cluster profile) to the user's folder:

    rsgrpo profile list                                    names of the project's profiles
    rsgrpo profile install slurm [--dest DIR] [--project P]   copy P/profiles/slurm to DIR/slurm

The project is the nearest folder holding `Snakefile` and `profiles/`, from the working directory upwards,
else the source checkout rsgrpo was installed from (`pip install -e .`). An installed file that differs
from the project's (e.g. the user put their account in it) is never overwritten silently: the command stops
and names it; `--force` overwrites.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

__all__ = ["project_root", "available", "shipped_dir", "user_profile_root", "install", "add_cli"]


def project_root(start: str | os.PathLike | None = None) -> Path:
    """The rsgrpo project whose `profiles/` to install from (see the module docstring); ValueError if none."""
    here = Path(start or os.getcwd()).resolve()
    candidates = [here, *here.parents, Path(__file__).resolve().parents[3]]
    for c in candidates:
        if (c / "Snakefile").is_file() and (c / "profiles").is_dir():
            return c
    raise ValueError(f"no rsgrpo project (a folder with Snakefile and profiles/) at or above {here}; "
                     "run this in the project or pass --project")


def shipped_dir(name: str, project: str | os.PathLike | None = None) -> Path:
    """Folder of the project's profile `name` (`profiles/<name>/`); ValueError if there is none."""
    path = project_root(project) / "profiles" / name
    if not name or "/" in name or name.startswith(".") or not (path / "config.yaml").is_file():
        raise ValueError(f"no shipped Snakemake profile named {name!r}; available: "
                         f"{', '.join(available(project)) or '-'}")
    return path


def available(project: str | os.PathLike | None = None) -> list[str]:
    """Names of the project's profiles (folders of `profiles/` holding a config.yaml), sorted."""
    root = project_root(project) / "profiles"
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


def install(name: str, dest: str | os.PathLike | None = None, force: bool = False,
            project: str | os.PathLike | None = None) -> Path:
    """Copy the shipped profile `name` to `dest/name` (default `user_profile_root()/name`); return that folder.

    Files already there with the same content are left alone; a differing file raises ValueError naming it
    unless `force` (then it is overwritten). Each file is written atomically (temp file + rename).
    """
    from rsgrpo.io import atomic_write_text

    src = shipped_dir(name, project)
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
    path = install(args.name, args.dest, force=args.force, project=args.project)
    print(f"installed Snakemake profile {args.name!r} in {path}")
    if args.dest is None:
        print(f"use it with: snakemake --cores all --profile {args.name}")
    else:
        print(f"use it with: snakemake --cores all --profile {path}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    for name in available(args.project):
        print(f"{name:10s} {shipped_dir(name, args.project)}")
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register `rsgrpo profile list|install` on the `rsgrpo` command."""
    p = subparsers.add_parser("profile", help="Snakemake profiles shipped with rsgrpo (e.g. the Slurm one)")
    sub = p.add_subparsers(dest="profile_command", required=True)
    q = sub.add_parser("list", help="list the shipped profiles")
    q.add_argument("--project", default=None, help="the rsgrpo project folder (default: found from here)")
    q.set_defaults(func=_cmd_list)
    q = sub.add_parser(
        "install",
        help="copy a shipped profile to where `snakemake --profile NAME` finds it",
        description="Copy the shipped profile NAME to DEST/NAME (default: $XDG_CONFIG_HOME/snakemake/NAME, "
        "i.e. ~/.config/snakemake/NAME), where `snakemake --profile NAME` looks for it.",
    )
    q.add_argument("name", help="profile name, e.g. slurm")
    q.add_argument("--dest", default=None, help="parent folder to install into (default: the user's Snakemake folder)")
    q.add_argument("--project", default=None, help="the rsgrpo project folder (default: found from here)")
    q.add_argument("--force", action="store_true", help="overwrite installed files that differ from the shipped ones")
    q.set_defaults(func=_cmd_install)
