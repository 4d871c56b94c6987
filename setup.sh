#!/usr/bin/env bash
# Create .venv with everything the embedded default and the tests need (CPU only).
# torch is pinned in the same pip command so that pip never resolves a CUDA build (FEASIBILITY.md §2).
# Usage: ./setup.sh            (idempotent; re-run after pulling)
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
TORCH=${RSGRPO_TORCH:-torch==2.13.0}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q -U pip
.venv/bin/python -m pip install -q --no-compile "$TORCH" -e ".[workflow,lm,verl,test]"
.venv/bin/python - <<'PY'
import torch
assert not torch.version.cuda or torch.cuda.is_available(), "a CUDA torch was installed on a machine without a GPU"
print(f"rsgrpo env ready: torch {torch.__version__}")
PY
