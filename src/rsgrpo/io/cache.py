"""Results-cache bundles: move what the tables and figures need from a cluster to a laptop (results/README.md).

A bundle is ONE gzip-compressed tar archive::

    MANIFEST.json            {"format": "rsgrpo-cache", "schema_version": 1, "created", "provenance",
                              "selection", "members": {rel: {"sha256", "size"}}, "total_bytes"}
    results/<rel>            every member listed in MANIFEST.json (rel is relative to the results directory)

Export selects files by category (`CATEGORIES`; checkpoints and data are opt-in because they are large) and
refuses to pack a directory whose own `manifest.json` disagrees with its files. Import checks the whole gzip
stream, the member list, sizes and sha256 checksums in a temporary directory BEFORE anything is moved into
the results directory; a corrupt, truncated or partial bundle is refused with a `CacheError` and the target
is left unchanged. Existing files that differ are refused unless `force=True`; identical ones are skipped.

Public API::

    select_files(results_dir, include=DEFAULT_INCLUDE, runs=None) -> list[str]   relative paths, sorted
    export_bundle(results_dir, out, include=..., runs=None) -> dict              the bundle manifest
    verify_bundle(path) -> dict                                                  manifest, or CacheError
    import_bundle(path, results_dir, force=False, dry_run=False) -> ImportReport

Top-level imports are standard library only. The command line is `rsgrpo cache ...` (rsgrpo.cli.cache).
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

__all__ = ["FORMAT", "SCHEMA_VERSION", "CATEGORIES", "DEFAULT_INCLUDE", "CacheError", "ImportReport",
           "select_files", "export_bundle", "verify_bundle", "import_bundle"]

FORMAT = "rsgrpo-cache"
SCHEMA_VERSION = 1
BUNDLE_MANIFEST = "MANIFEST.json"
PREFIX = "results"  # archive members live under results/<rel>
_CHUNK = 1 << 20

# category -> glob patterns relative to the results directory ('**' = any depth). Which table/figure needs
# which category is documented in results/README.md.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "counts": ("eval/*/*/counts.parquet", "eval/*/*/manifest.json"),  # Table 2, Fig. 4, Fig. 7 heatmap
    "samples": ("eval/*/*/samples.parquet",),  # Fig. 7 unique-answer ratio
    "metrics": ("train/*/metrics.jsonl", "train/*/provenance.json", "train/*/manifest.json"),  # Figs 5, 6, D.1
    "bandit": ("bandit/**",),  # Figs 1, 3
    "checkpoints": ("train/*/model/**",),  # HF checkpoints (large; opt-in)
    "data": ("data/**",),  # prepared benchmarks / training sets (large; opt-in)
}
DEFAULT_INCLUDE = ("counts", "samples", "metrics", "bandit")


class CacheError(ValueError):
    """A bundle or results directory that cannot be exported/imported; the message says why."""


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _match(rel: str, pattern: str) -> bool:
    """Glob match on '/'-separated paths; '*' stays within one component, a trailing '/**' matches any depth."""
    rp = rel.split("/")
    if pattern.endswith("/**"):
        pp = pattern[:-3].split("/")
        return len(rp) > len(pp) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(rp, pp))
    pp = pattern.split("/")
    return len(rp) == len(pp) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(rp, pp))


def _run_of(rel: str) -> str | None:
    parts = rel.split("/")
    return parts[1] if parts[0] in ("eval", "train") and len(parts) > 2 else None


def select_files(results_dir: str | os.PathLike, include: Iterable[str] = DEFAULT_INCLUDE,
                 runs: Iterable[str] | None = None) -> list[str]:
    """Relative paths (posix, sorted) of the files of the chosen categories; hidden files are never included.

    runs: optional glob patterns on `{run}` restricting eval/ and train/ files (bandit files are unaffected).
    """
    include = list(include)
    unknown = [c for c in include if c not in CATEGORIES]
    if unknown:
        raise CacheError(f"unknown cache category {unknown[0]!r}; choose from {sorted(CATEGORIES)}")
    root = Path(results_dir)
    if not root.is_dir():
        raise CacheError(f"results directory {root} does not exist")
    patterns = [p for c in include for p in CATEGORIES[c]]
    runs = list(runs) if runs else None
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue  # temporaries of atomic writes, snakemake timestamps
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            if not any(_match(rel, p) for p in patterns):
                continue
            run = _run_of(rel)
            if runs is not None and run is not None and not any(fnmatch.fnmatchcase(run, r) for r in runs):
                continue
            out.append(rel)
    return sorted(out)


def _check_dir_manifests(root: Path, files: list[str]) -> None:
    """Refuse to export a directory whose manifest.json disagrees with one of the selected files."""
    chosen = set(files)
    for rel in files:
        if not rel.endswith("/manifest.json") and rel != "manifest.json":
            continue
        d = PurePosixPath(rel).parent
        try:
            listed = json.loads((root / rel).read_text()).get("files", {})
        except (OSError, json.JSONDecodeError) as exc:
            raise CacheError(f"{root / rel}: unreadable manifest ({exc})") from exc
        for name, digest in listed.items():
            member = (d / name).as_posix() if str(d) != "." else name
            if member in chosen and _sha256(root / member) != digest:
                raise CacheError(f"{root / member}: checksum differs from {root / rel}; the directory changed "
                                 "after its manifest was written (re-run its rule, then export)")


def export_bundle(results_dir: str | os.PathLike, out: str | os.PathLike, include: Iterable[str] = DEFAULT_INCLUDE,
                  runs: Iterable[str] | None = None, progress=None) -> dict:
    """Pack the selected files of `results_dir` into the tar.gz bundle `out` (written atomically)."""
    from rsgrpo.io import atomic_path
    from rsgrpo.io.provenance import provenance

    include = list(include)
    root = Path(results_dir)
    files = select_files(root, include, runs)
    if not files:
        raise CacheError(f"nothing to export from {root} (categories {include}"
                         + (f", runs {list(runs)}" if runs else "") + ")")
    _check_dir_manifests(root, files)
    members = {}
    for rel in files:
        members[rel] = {"sha256": _sha256(root / rel), "size": (root / rel).stat().st_size}
    manifest = {"format": FORMAT, "schema_version": SCHEMA_VERSION, "provenance": provenance(),
                "selection": {"include": include, "runs": list(runs) if runs else None},
                "members": members, "total_bytes": sum(m["size"] for m in members.values())}
    blob = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    with atomic_path(out, suffix=".tmp") as tmp:
        with tarfile.open(tmp, "w:gz", dereference=True) as tar:
            info = tarfile.TarInfo(BUNDLE_MANIFEST)
            info.size, info.mtime, info.mode = len(blob), int(os.path.getmtime(root)), 0o644
            tar.addfile(info, io.BytesIO(blob))
            for i, rel in enumerate(files):
                tar.add(root / rel, arcname=f"{PREFIX}/{rel}", recursive=False)
                if progress:
                    progress(f"[{i + 1}/{len(files)}] {rel}")
    return manifest


def _check_gzip_stream(path: Path) -> None:
    """Read the whole gzip stream once: a flipped byte fails the CRC, a cut file ends early."""
    try:
        with gzip.open(path, "rb") as f:
            while f.read(_CHUNK):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise CacheError(f"bundle {path} is corrupt or truncated ({exc}); nothing was imported") from exc


def _safe_rel(name: str) -> str | None:
    """'results/<rel>' -> rel, refusing absolute paths and '..'; None for the manifest."""
    if name == BUNDLE_MANIFEST:
        return None
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0] != PREFIX or len(p.parts) < 2:
        raise CacheError(f"bundle member {name!r} is outside results/ (unsafe or not an rsgrpo cache bundle)")
    return PurePosixPath(*p.parts[1:]).as_posix()


def _read_manifest(raw: bytes, path: Path) -> dict:
    try:
        manifest = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CacheError(f"bundle {path}: {BUNDLE_MANIFEST} is not valid JSON ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise CacheError(f"bundle {path} is not an {FORMAT} bundle (format={manifest.get('format')!r})")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise CacheError(f"bundle {path} has schema_version {manifest.get('schema_version')!r}; this rsgrpo "
                         f"reads version {SCHEMA_VERSION}")
    if not isinstance(manifest.get("members"), dict):
        raise CacheError(f"bundle {path}: {BUNDLE_MANIFEST} has no 'members' mapping")
    return manifest


def _unpack_verified(path: Path, dest: Path) -> dict:
    """Extract every member into `dest` while checking it against MANIFEST.json; returns the manifest."""
    _check_gzip_stream(path)
    manifest, seen = None, {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for m in tar:
                if m.isdir():
                    continue
                if not m.isfile():
                    raise CacheError(f"bundle member {m.name!r} is a link or special file; refused")
                rel = _safe_rel(m.name)
                src = tar.extractfile(m)
                if rel is None:
                    manifest = _read_manifest(src.read(), path)
                    continue
                if manifest is None:
                    raise CacheError(f"bundle {path}: {BUNDLE_MANIFEST} must be the first member")
                if rel in seen:
                    raise CacheError(f"bundle {path}: member {rel} appears twice")
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                h, size = hashlib.sha256(), 0
                with open(target, "wb") as f:
                    while block := src.read(_CHUNK):
                        h.update(block)
                        size += len(block)
                        f.write(block)
                seen[rel] = (h.hexdigest(), size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise CacheError(f"bundle {path} is corrupt or truncated ({exc}); nothing was imported") from exc
    if manifest is None:
        raise CacheError(f"bundle {path} has no {BUNDLE_MANIFEST}; not an rsgrpo cache bundle")
    expected = manifest["members"]
    missing = sorted(set(expected) - set(seen))
    if missing:
        raise CacheError(f"bundle {path} is partial: {len(missing)} member(s) listed in {BUNDLE_MANIFEST} are "
                         f"absent, e.g. {missing[0]}; nothing was imported")
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise CacheError(f"bundle {path} holds {len(extra)} member(s) not in its manifest, e.g. {extra[0]}; "
                         "nothing was imported")
    for rel, (digest, size) in seen.items():
        if size != expected[rel].get("size") or digest != expected[rel].get("sha256"):
            raise CacheError(f"bundle {path}: member {rel} fails its checksum (size {size}, expected "
                             f"{expected[rel].get('size')}); the bundle is corrupt; nothing was imported")
    return manifest


def verify_bundle(path: str | os.PathLike) -> dict:
    """Check a bundle fully (in a temporary directory); return its manifest or raise CacheError."""
    path = Path(path)
    if not path.is_file():
        raise CacheError(f"bundle {path} does not exist")
    with tempfile.TemporaryDirectory(prefix="rsgrpo-verify-") as tmp:
        return _unpack_verified(path, Path(tmp))


def import_bundle(path: str | os.PathLike, results_dir: str | os.PathLike, force: bool = False,
                  dry_run: bool = False) -> ImportReport:
    """Verify `path` completely, then move its members into `results_dir` (nothing changes on any error).

    Existing identical files are left alone; differing ones are refused unless `force`. Imported files get
    the import time as mtime, so Snakemake regenerates tables whose inputs changed.
    """
    path, root = Path(path), Path(results_dir)
    if not path.is_file():
        raise CacheError(f"bundle {path} does not exist")
    parent = root.resolve().parent
    if not parent.is_dir():
        raise CacheError(f"cannot import into {root}: its parent directory does not exist")
    # Staging directory on the same filesystem as the target, so the final moves are renames.
    staging = Path(tempfile.mkdtemp(prefix=".rsgrpo-import-", dir=parent))
    try:
        manifest = _unpack_verified(path, staging)
        report = ImportReport()
        conflicts = []
        for rel, meta in sorted(manifest["members"].items()):
            target = root / rel
            if target.is_dir():
                raise CacheError(f"cannot import {rel}: {target} is a directory; nothing was imported")
            if not target.exists():
                report.added.append(rel)
            elif _sha256(target) == meta["sha256"]:
                report.unchanged.append(rel)
            else:
                conflicts.append(rel)
        if conflicts and not force:
            raise CacheError(f"{len(conflicts)} file(s) in {root} differ from the bundle, e.g. {root / conflicts[0]}"
                             "; nothing was imported (use --force to overwrite them)")
        report.replaced = conflicts
        if dry_run:
            return report
        for rel in report.added + report.replaced:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)
