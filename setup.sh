#!/usr/bin/env bash
# Create .venv with everything the embedded default and the tests need (CPU only).
# Usage: ./setup.sh            (idempotent; re-run after pulling)
#
# The install uses uv (itself installed from PyPI into .venv): on a 2-core machine it resolves, downloads and
# unpacks the ~170 packages (verl, Ray, transformers, Snakemake, ...) in minutes where pip takes over an hour.
# torch is pinned in the same command and taken from a local CPU wheel directory when one exists
# (RSGRPO_WHEELS, default /opt/wheels), otherwise from PyTorch's CPU index, so no CUDA build is ever pulled on
# a CPU machine (docs/environment.md §2). RSGRPO_TORCH chooses another torch spec; RSGRPO_INSTALLER=pip uses pip.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
TORCH=${RSGRPO_TORCH:-torch==2.13.0}
WHEELS=${RSGRPO_WHEELS:-/opt/wheels}
EXTRAS=${RSGRPO_EXTRAS:-workflow,lm,verl,test}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
torch_src=()
if ls "$WHEELS"/torch-*.whl >/dev/null 2>&1; then
  torch_src=(--find-links "$WHEELS")
fi
if [ "${RSGRPO_INSTALLER:-uv}" = uv ]; then
  [ -x .venv/bin/uv ] || .venv/bin/python -m pip install -q uv
  if [ ${#torch_src[@]} -eq 0 ]; then
    torch_src=(--extra-index-url https://download.pytorch.org/whl/cpu --index-strategy unsafe-best-match)
  fi
  constraints=$(mktemp)
  trap 'rm -f "$constraints"' EXIT
  echo "$TORCH" >"$constraints"   # no dependency may move torch off the pinned CPU build
  .venv/bin/uv pip install --python .venv/bin/python "${torch_src[@]}" -c "$constraints" \
    "$TORCH" -e ".[$EXTRAS]"
else
  .venv/bin/python -m pip install -q "${torch_src[@]}" "$TORCH" -e ".[$EXTRAS]"
fi
.venv/bin/python - <<'PY'
import torch
assert not torch.version.cuda or torch.cuda.is_available(), "a CUDA torch was installed on a machine without a GPU"
print(f"rsgrpo env ready: torch {torch.__version__}")
PY
