"""Shared helper of the tests that run Snakemake on a copy of the workflow (Slurm, profiles, tables)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_workflow(dest: Path, subs: tuple[str, ...] = ("workflow", "config", "profiles")) -> Path:
    """Copy the Snakefile, environment.yml (every rule names it in `conda:`) and the folders `subs` into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for top in ("Snakefile", "environment.yml"):
        shutil.copy2(ROOT / top, dest / top)
    for sub in subs:
        shutil.copytree(ROOT / sub, dest / sub, ignore=shutil.ignore_patterns("__pycache__"))
    return dest
