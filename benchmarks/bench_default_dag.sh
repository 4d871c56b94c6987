#!/usr/bin/env bash
# Time the whole embedded default DAG (`snakemake --cores all`) from a clean checkout.
# Usage: benchmarks/bench_default_dag.sh [extra snakemake args]
# Copies the working tree's tracked + untracked-not-ignored files (no results/, logs/, .snakemake/) into a
# temporary directory, runs the DAG there with this repo's .venv and prints the wall time; the working tree's
# own results/ are not touched (and the copy's src/ is imported, so editing the tree meanwhile is safe). KEEP=1 keeps the temporary copy. Other processes on the machine make the number
# noisy: the load average before and after is printed with it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$repo/.venv/bin/activate" ] && . "$repo/.venv/bin/activate"
work="$(mktemp -d "${TMPDIR:-/tmp}/rsgrpo-bench.XXXXXX")"
cleanup() { if [ "${KEEP:-0}" = "1" ]; then echo "kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
(cd "$repo" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) | tar -xf - -C "$work"
cd "$work"
export PYTHONPATH="$work/src${PYTHONPATH:+:$PYTHONPATH}"  # the copy's library, not the editable install's
echo "clean copy: $work; cores: $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
snakemake --cores all "$@" > snakemake.out 2>&1 || { tail -40 snakemake.out; exit 1; }
end=$(date +%s.%N)
python3 - "$start" "$end" <<'PY'
import sys
s = float(sys.argv[2]) - float(sys.argv[1])
print(f"default DAG wall time: {s:.1f} s ({s / 60:.2f} min)")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
