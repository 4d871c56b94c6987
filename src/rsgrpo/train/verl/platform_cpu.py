"""verl 0.9.1 platform `cpu`: run verl's trainer on a machine without an accelerator (docs/verl.md).

verl picks its device through `verl.plugin.platform` (`get_platform()`, once per process); `VERL_PLATFORM=cpu`
selects this class, which `rsgrpo.train.verl.plugin` registers with `PlatformRegistry.register("cpu")` when
`import verl` loads our `verl.plugins` entry point — in the driver and in every Ray worker.

    device_name "cpu"           torch tensors stay on the CPU (verl's `get_device_name()`)
    collectives "gloo"          torch.distributed's CPU backend (FSDP on a one-process gloo group)
    memory / stream / profiler  no-ops: there is no device memory to free or stream to wait on
    Ray                         workers ask only for CPUs: the resource pool's placement-group bundles
                                already hold {"CPU": ...}; `ray_resource_options` adds nothing

It is never auto-detected (`is_platform_available` is False), so GPU machines keep verl's own detection.
"""

from __future__ import annotations

import contextlib
import os
from types import ModuleType
from typing import Any

import torch

__all__ = ["NAME", "PlatformCPU"]

NAME = "cpu"

try:  # verl is optional for the library; the class exists only where verl does
    from verl.plugin.platform import PlatformBase
except ImportError:  # pragma: no cover - verl not installed
    PlatformBase = None  # type: ignore[assignment,misc]

if PlatformBase is not None:

    class PlatformCPU(PlatformBase):
        """The `cpu` platform (selected by VERL_PLATFORM=cpu; see the module docstring)."""

        @property
        def device_name(self) -> str:
            return "cpu"

        @property
        def vendor_name(self) -> str:
            return "cpu"

        @property
        def device_module(self) -> ModuleType:
            return torch.cpu

        def is_available(self) -> bool:
            return True

        def is_platform_available(self, use_smi_check: bool = False) -> bool:
            return False  # only by explicit choice (VERL_PLATFORM=cpu), never auto-detected

        def current_device(self) -> int:
            return 0

        def device_count(self) -> int:
            return 1

        def set_device(self, device_index: int) -> None:
            return None

        def synchronize(self, device_index: int | None = None) -> None:
            return None

        def manual_seed(self, seed: int) -> None:
            torch.manual_seed(seed)

        def manual_seed_all(self, seed: int) -> None:
            torch.manual_seed(seed)

        def set_allocator_settings(self, settings: str) -> None:
            return None

        def empty_cache(self) -> None:
            return None

        def get_device_capability(self, device_index: int = 0) -> tuple[int | None, int | None]:
            return None, None

        def communication_backend_name(self) -> str:
            return "gloo"

        def visible_devices_envvar(self) -> str:
            return "RSGRPO_CPU_VISIBLE_DEVICES"

        @contextlib.contextmanager
        def nvtx_range(self, msg: str):
            yield

        def profiler_start(self) -> None:
            return None

        def profiler_stop(self) -> None:
            return None

        def get_device_uuid(self, device_id):
            return f"cpu-{os.getpid()}-{device_id}"

        def ray_resource_name(self) -> str:
            return "CPU"

        def ray_resource_options(self, num_gpus: float) -> dict[str, Any]:
            return {}

        def ray_noset_envvars(self) -> list[str]:
            return []

        def is_ipc_supported(self) -> bool:
            return False

        def cudart(self) -> Any:
            return None
