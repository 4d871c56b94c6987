"""`rsgrpo cache export|import|verify`: the command line of the results bundles (rsgrpo.io.cache)."""

from __future__ import annotations

from rsgrpo.io.cache import DEFAULT_INCLUDE, CacheError, export_bundle, import_bundle, verify_bundle

__all__ = ["add_cli"]


def _cli_export(args) -> int:
    include = list(DEFAULT_INCLUDE)
    if args.no_samples:
        include.remove("samples")
    if args.include_checkpoints:
        include.append("checkpoints")
    if args.include_data:
        include.append("data")
    manifest = export_bundle(args.results, args.output, include=include, runs=args.runs,
                             progress=print if args.verbose else None)
    print(f"wrote {args.output}: {len(manifest['members'])} files, {manifest['total_bytes'] / 1e6:.1f} MB "
          f"uncompressed (categories: {', '.join(include)})")
    return 0


def _cli_import(args) -> int:
    try:
        report = import_bundle(args.bundle, args.results, force=args.force, dry_run=args.dry_run)
    except CacheError as exc:
        print(f"rsgrpo cache import: refused: {exc}")
        return 2
    print(("would import" if args.dry_run else "imported") + f" {args.bundle} into {args.results}: {report.summary()}")
    return 0


def _cli_verify(args) -> int:
    try:
        manifest = verify_bundle(args.bundle)
    except CacheError as exc:
        print(f"rsgrpo cache verify: refused: {exc}")
        return 2
    print(f"{args.bundle}: OK, {len(manifest['members'])} files, schema_version {manifest['schema_version']}")
    return 0


def add_cli(subparsers) -> None:
    """Register `rsgrpo cache export|import|verify`."""
    p = subparsers.add_parser("cache", help="export / import / verify a results-cache bundle (results/README.md)")
    sub = p.add_subparsers(dest="cache_command", required=True)
    e = sub.add_parser("export", help="pack results/ (counts, samples, metrics, bandit) into one tar.gz bundle")
    e.add_argument("-o", "--output", default="rsgrpo-cache.tar.gz", help="bundle path (default %(default)s)")
    e.add_argument("--results", default="results", help="results directory (default %(default)s)")
    e.add_argument("--runs", nargs="+", metavar="GLOB", help="only these runs (glob patterns on {run})")
    e.add_argument("--no-samples", action="store_true", help="leave out samples.parquet (Fig. 7 needs them)")
    e.add_argument("--include-checkpoints", action="store_true", help="also pack train/{run}/model/ (large)")
    e.add_argument("--include-data", action="store_true", help="also pack data/ (prepared datasets)")
    e.add_argument("-v", "--verbose", action="store_true", help="print each file")
    e.set_defaults(func=_cli_export)
    i = sub.add_parser("import", help="verify a bundle, then unpack it into results/ (all or nothing)")
    i.add_argument("bundle")
    i.add_argument("--results", default="results", help="results directory (default %(default)s)")
    i.add_argument("--force", action="store_true", help="overwrite existing files that differ")
    i.add_argument("--dry-run", action="store_true", help="verify and report, change nothing")
    i.set_defaults(func=_cli_import)
    v = sub.add_parser("verify", help="check a bundle's checksums without importing it")
    v.add_argument("bundle")
    v.set_defaults(func=_cli_verify)
