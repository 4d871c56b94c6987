"""rsgrpo.io.cache: bundle export/import round trip; corrupt, truncated, partial and conflicting bundles are refused
and leave the target untouched."""

import io
import json
import os
import tarfile

import pytest

from rsgrpo.io import cache
from rsgrpo.cli import main

RUN = "tiny__skew__rs_grpo-b2__s0"
BASE = "tiny__base"


def _write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def results(tmp_path):
    r = tmp_path / "src" / "results"
    for run in (RUN, BASE):
        _write(r / "eval" / run / "mini" / "counts.parquet", f"counts of {run}".encode() * 50)
        _write(r / "eval" / run / "mini" / "samples.parquet", os.urandom(3000))
        _write(r / "eval" / run / "mini" / "shards" / "00000.parquet", b"shard")
        _write(r / "eval" / run / "mini" / ".counts.parquet.tmp", b"temporary")
    counts = r / "eval" / RUN / "mini" / "counts.parquet"
    from rsgrpo.io.provenance import sha256_file

    _write(r / "eval" / RUN / "mini" / "manifest.json",
           json.dumps({"schema_version": 1, "files": {"counts.parquet": sha256_file(counts)}}).encode())
    _write(r / "train" / RUN / "metrics.jsonl", b'{"step": 1, "train/reward_mean": 0.5}\n')
    _write(r / "train" / RUN / "provenance.json", b'{"harness_commit": "abc"}')
    _write(r / "train" / RUN / "model" / "model.safetensors", os.urandom(5000))
    _write(r / "bandit" / "summary.csv", b"method,beta\nrs_grpo,2\n")
    _write(r / "data" / "mini.parquet", b"data")
    return r


def _snapshot(root):
    """{relative path: (bytes, mtime_ns)} of every file and the set of directories under root."""
    if not root.exists():
        return None
    files, dirs = {}, set()
    for dp, dn, fn in os.walk(root):
        dirs.add(os.path.relpath(dp, root))
        for f in fn:
            p = os.path.join(dp, f)
            files[os.path.relpath(p, root)] = (open(p, "rb").read(), os.stat(p).st_mtime_ns)
    return files, dirs


def _siblings(target):
    return sorted(p.name for p in target.parent.iterdir())


def test_select_default_excludes_checkpoints_data_shards_hidden(results):
    files = cache.select_files(results)
    assert f"eval/{RUN}/mini/counts.parquet" in files
    assert f"eval/{RUN}/mini/samples.parquet" in files
    assert f"eval/{RUN}/mini/manifest.json" in files
    assert f"train/{RUN}/metrics.jsonl" in files and "bandit/summary.csv" in files
    assert not any("/model/" in f or f.startswith("data/") or "/shards/" in f or "/." in f for f in files)
    full = cache.select_files(results, include=cache.DEFAULT_INCLUDE + ("checkpoints", "data"))
    assert f"train/{RUN}/model/model.safetensors" in full and "data/mini.parquet" in full
    only_base = cache.select_files(results, runs=["*__base"])
    assert all(RUN not in f for f in only_base) and f"eval/{BASE}/mini/counts.parquet" in only_base
    with pytest.raises(cache.CacheError, match="unknown cache category"):
        cache.select_files(results, include=["weights"])


def test_round_trip_and_idempotent_reimport(results, tmp_path):
    bundle = tmp_path / "b.tar.gz"
    manifest = cache.export_bundle(results, bundle)
    assert manifest["schema_version"] == cache.SCHEMA_VERSION and manifest["format"] == cache.FORMAT
    target = tmp_path / "dst" / "results"
    target.parent.mkdir()
    rep = cache.import_bundle(bundle, target)
    assert sorted(rep.added) == sorted(manifest["members"]) and not rep.replaced
    for rel in manifest["members"]:
        assert (target / rel).read_bytes() == (results / rel).read_bytes()
    assert not (target / "train" / RUN / "model").exists()
    assert _siblings(target) == ["results"]  # the staging directory is gone
    rep2 = cache.import_bundle(bundle, target)
    assert not rep2.added and not rep2.replaced and len(rep2.unchanged) == len(manifest["members"])


def test_checkpoints_opt_in(results, tmp_path):
    bundle = tmp_path / "b.tar.gz"
    m = cache.export_bundle(results, bundle, include=cache.DEFAULT_INCLUDE + ("checkpoints",))
    assert f"train/{RUN}/model/model.safetensors" in m["members"]


def _prepared_target(results, tmp_path):
    """A target results dir that already holds part of a cache (so 'nothing changes' is meaningful)."""
    target = tmp_path / "dst" / "results"
    _write(target / "eval" / BASE / "mini" / "counts.parquet", (results / "eval" / BASE / "mini" / "counts.parquet").read_bytes())
    _write(target / "notes.txt", b"mine")
    return target


def _assert_refused(bundle, target, match):
    before, sib = _snapshot(target), _siblings(target)
    with pytest.raises(cache.CacheError, match=match):
        cache.import_bundle(bundle, target)
    assert _snapshot(target) == before
    assert _siblings(target) == sib  # no staging directory left behind


@pytest.mark.parametrize("where", [0.33, 0.5, 0.75, -6])
def test_corrupted_bundle_refused(results, tmp_path, where):
    bundle = tmp_path / "b.tar.gz"
    cache.export_bundle(results, bundle)
    data = bytearray(bundle.read_bytes())
    i = int(len(data) * where) if where > 0 else len(data) + where
    data[i] ^= 0xFF
    bundle.write_bytes(bytes(data))
    _assert_refused(bundle, _prepared_target(results, tmp_path), "corrupt")
    with pytest.raises(cache.CacheError):
        cache.verify_bundle(bundle)


@pytest.mark.parametrize("keep", [0.2, 0.6, 0.99])
def test_truncated_bundle_refused(results, tmp_path, keep):
    bundle = tmp_path / "b.tar.gz"
    cache.export_bundle(results, bundle)
    data = bundle.read_bytes()
    bundle.write_bytes(data[: int(len(data) * keep)])
    _assert_refused(bundle, _prepared_target(results, tmp_path), "corrupt or truncated")


def _rewrite(bundle, out, drop=None, add=None, manifest_edit=None):
    """Re-pack `bundle` into `out`, dropping a member, adding one, or editing the manifest (a forged bundle)."""
    with tarfile.open(bundle, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for m in src:
            data = src.extractfile(m).read() if m.isfile() else None
            if m.name == drop:
                continue
            if m.name == cache.BUNDLE_MANIFEST and manifest_edit:
                man = json.loads(data)
                manifest_edit(man)
                data = json.dumps(man).encode()
                m.size = len(data)
            dst.addfile(m, io.BytesIO(data) if data is not None else None)
        if add:
            info = tarfile.TarInfo(add[0])
            info.size = len(add[1])
            dst.addfile(info, io.BytesIO(add[1]))


def test_bundle_with_missing_member_refused(results, tmp_path):
    bundle = tmp_path / "b.tar.gz"
    cache.export_bundle(results, bundle)
    partial = tmp_path / "partial.tar.gz"
    _rewrite(bundle, partial, drop=f"results/eval/{RUN}/mini/counts.parquet")
    _assert_refused(partial, _prepared_target(results, tmp_path), "partial")


def test_extra_member_unsafe_path_and_version_refused(results, tmp_path):
    bundle = tmp_path / "b.tar.gz"
    cache.export_bundle(results, bundle)
    target = _prepared_target(results, tmp_path)
    extra = tmp_path / "extra.tar.gz"
    _rewrite(bundle, extra, add=("results/eval/x__base/mini/counts.parquet", b"smuggled"))
    _assert_refused(extra, target, "not in its manifest")
    evil = tmp_path / "evil.tar.gz"
    _rewrite(bundle, evil, add=("results/../../escaped.txt", b"x"))
    _assert_refused(evil, target, "outside results")
    assert not (tmp_path / "escaped.txt").exists()
    future = tmp_path / "future.tar.gz"
    _rewrite(bundle, future, manifest_edit=lambda m: m.update(schema_version=99))
    _assert_refused(future, target, "schema_version 99")
    forged = tmp_path / "forged.tar.gz"
    rel = f"eval/{RUN}/mini/samples.parquet"
    _rewrite(bundle, forged, manifest_edit=lambda m: m["members"][rel].update(sha256="0" * 64))
    _assert_refused(forged, target, "fails its checksum")


def test_conflicts_refused_unless_force(results, tmp_path):
    bundle = tmp_path / "b.tar.gz"
    cache.export_bundle(results, bundle)
    target = _prepared_target(results, tmp_path)
    rel = f"eval/{RUN}/mini/counts.parquet"
    _write(target / rel, b"a different local result")
    _assert_refused(bundle, target, "differ from the bundle")
    rep = cache.import_bundle(bundle, target, force=True)
    assert rep.replaced == [rel] and (target / rel).read_bytes() == (results / rel).read_bytes()
    assert (target / "notes.txt").read_bytes() == b"mine"  # files outside the bundle are never touched


def test_dry_run_changes_nothing(results, tmp_path):
    bundle = tmp_path / "b.tar.gz"
    cache.export_bundle(results, bundle)
    target = _prepared_target(results, tmp_path)
    before = _snapshot(target)
    rep = cache.import_bundle(bundle, target, dry_run=True)
    assert rep.added and _snapshot(target) == before


def test_export_refuses_stale_directory_manifest(results, tmp_path):
    _write(results / "eval" / RUN / "mini" / "counts.parquet", b"changed after the manifest was written")
    with pytest.raises(cache.CacheError, match="checksum differs"):
        cache.export_bundle(results, tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()


def test_cli_export_import_and_refusal(results, tmp_path, capsys):
    bundle = tmp_path / "cli.tar.gz"
    assert main(["cache", "export", "--results", str(results), "-o", str(bundle)]) == 0
    assert main(["cache", "verify", str(bundle)]) == 0
    target = tmp_path / "dst" / "results"
    target.parent.mkdir()
    assert main(["cache", "import", str(bundle), "--results", str(target)]) == 0
    assert (target / "bandit" / "summary.csv").exists()
    bundle.write_bytes(bundle.read_bytes()[:-100])
    capsys.readouterr()
    assert main(["cache", "import", str(bundle), "--results", str(target)]) == 2
    assert "refused" in capsys.readouterr().out
    assert main(["cache", "export", "--results", str(tmp_path / "nope"), "-o", str(bundle)]) == 2
