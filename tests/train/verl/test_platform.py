"""The `cpu` verl platform (rsgrpo.train.verl.platform_cpu): registered by our entry point, chosen only by
VERL_PLATFORM=cpu, and its collectives backend really runs a one-process group."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("verl")

PROBE = """
import verl
from verl.plugin.platform import get_platform
from verl.utils.device import get_device_name
p = get_platform()
print(type(p).__name__, p.device_name, get_device_name())
"""


def _probe(env_platform: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "VERL_PLATFORM"}
    env["CUDA_VISIBLE_DEVICES"] = ""
    if env_platform is not None:
        env["VERL_PLATFORM"] = env_platform
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_verl_platform_cpu_is_selected_by_the_env_var_in_a_fresh_process():
    """`import verl` alone (the entry point, no import of ours) makes VERL_PLATFORM=cpu resolve to our class."""
    assert _probe("cpu") == "PlatformCPU cpu cpu"


def test_cpu_platform_is_never_auto_detected():
    assert not _probe(None).startswith("PlatformCPU")


def test_cpu_platform_collectives_run_on_one_process_gloo(tmp_path):
    import torch
    import torch.distributed as dist

    from rsgrpo.train.verl.platform_cpu import PlatformCPU

    p = PlatformCPU()  # every abstract method of verl's PlatformBase is implemented, or this raises TypeError
    assert p.is_available() and p.device_count() == 1 and p.cudart() is None
    with p.nvtx_range("x"):
        p.synchronize()
        p.empty_cache()
    dist.init_process_group(p.communication_backend_name(), init_method=f"file://{tmp_path / 'pg'}",
                            rank=0, world_size=1)
    try:
        t = torch.tensor([1.5, 2.0], device=p.device_name)
        dist.all_reduce(t)
        assert t.tolist() == [1.5, 2.0]
    finally:
        dist.destroy_process_group()
    p.manual_seed(3)
    a = torch.rand(2)
    p.manual_seed(3)
    assert torch.equal(a, torch.rand(2))
