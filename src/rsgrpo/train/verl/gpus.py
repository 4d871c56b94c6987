"""Fail fast when a GPU job sees fewer (or more) GPUs than it asked for.

Some clusters hand a `--gpus=2` job a single visible GPU (snakemake-executor-plugin-slurm #459); verl would
then hang or build a wrong device mesh. Every GPU job calls `check_gpu_count(requested)` first::

    python -m rsgrpo.train.verl.gpus --expect 8        # exit 1 with "requested 8 GPUs but 1 is visible (...)"

Counting (first that answers): `RSGRPO_VISIBLE_GPUS` (tests and odd sites), `torch.cuda.device_count()`
when CUDA is available, `nvidia-smi -L` restricted by `CUDA_VISIBLE_DEVICES`; otherwise 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

__all__ = ["visible_gpu_count", "check_gpu_count", "GpuCountError"]


class GpuCountError(RuntimeError):
    """The job sees a different number of GPUs than it requested."""


def _from_cuda_visible(n_physical: int) -> int:
    cvd = os.environ.get("CUDA_VISIBLE_DEVICES")
    if cvd is None:
        return n_physical
    ids = [x for x in cvd.split(",") if x.strip() and x.strip() != "-1"]
    return min(len(ids), n_physical)


def visible_gpu_count() -> tuple[int, str]:
    """(count, how it was determined)."""
    fake = os.environ.get("RSGRPO_VISIBLE_GPUS")
    if fake is not None:
        return int(fake), "RSGRPO_VISIBLE_GPUS"
    try:
        import torch

        if torch.cuda.is_available():
            return int(torch.cuda.device_count()), "torch.cuda.device_count()"
    except Exception:  # noqa: BLE001 - a broken torch must not hide the nvidia-smi answer
        pass
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30).stdout
            n = sum(1 for line in out.splitlines() if line.startswith("GPU "))
            return _from_cuda_visible(n), "nvidia-smi -L with CUDA_VISIBLE_DEVICES"
        except (OSError, subprocess.SubprocessError):
            pass
    return 0, "no CUDA device found (torch.cuda unavailable, no nvidia-smi)"


def check_gpu_count(requested: int, visible: int | None = None, how: str = "") -> int:
    """Raise GpuCountError naming both numbers unless exactly `requested` GPUs are visible; return the count."""
    if visible is None:
        visible, how = visible_gpu_count()
    if int(visible) != int(requested):
        raise GpuCountError(
            f"requested {requested} GPU(s) but {visible} {'is' if visible == 1 else 'are'} visible"
            f"{f' ({how})' if how else ''}; CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r}. "
            "Fix the job's GPU request (gpu / gres resource) or the cluster's GPU binding before training.")
    return int(visible)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m rsgrpo.train.verl.gpus", description=__doc__.splitlines()[0])
    ap.add_argument("--expect", type=int, required=True, help="GPUs the job requested (per node)")
    a = ap.parse_args(argv)
    try:
        n = check_gpu_count(a.expect)
    except GpuCountError as exc:
        print(f"rsgrpo: {exc}", file=sys.stderr)
        return 1
    print(f"rsgrpo: {n} GPU(s) visible, as requested")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
