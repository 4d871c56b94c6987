"""verl 0.9.1 platform `cpu`: run verl's trainer on a machine without an accelerator (docs/verl.md).

verl picks its device through `verl.plugin.platform` (`get_platform()`, once per process); `VERL_PLATFORM=cpu`
selects this class, which `rsgrpo.train.verl.plugin` registers with `PlatformRegistry.register("cpu")` when
`import verl` loads our `verl.plugins` entry point — in the driver and in every Ray worker.

    device_name "cpu"           torch tensors stay on the CPU (verl's `get_device_name()`)
    collectives "gloo"          torch.distributed's CPU backend (FSDP on a one-process gloo group)
    memory / stream / profiler  no-ops: there is no device memory to free or stream to wait on
    Ray                         one training process = one *logical* Ray "GPU" slot. verl 0.9.1 sizes its
                                resource pools in GPUs and checks Ray's "GPU"/"NPU" count before it starts
                                (`ResourcePoolManager._check_resource_available`), so the CPU run starts Ray
                                with `+ray_kwargs.ray_init.num_gpus=<processes>`: Ray only counts the slots
                                (it sets CUDA_VISIBLE_DEVICES, which CPU torch ignores); no device is used

Training engine: verl's FSDP engines (`FSDPEngineWithLMHead`, `FSDPEngineWithValueHead`, backends fsdp /
fsdp2) registered for device "cpu" in verl's own `EngineRegistry` (`register_engines`): FSDP on a one-process
gloo group, i.e. plain data parallel of one rank with verl's sharded checkpoints and HF export.

It is never auto-detected (`is_platform_available` is False), so GPU machines keep verl's own detection.

The one monkeypatch (verl 0.9.1 only; README "verl on a laptop"): verl initialises its process group with the
backend string f"cpu:gloo,{device}:{backend}" (`verl.utils.distributed.initialize_global_process_group_ray`),
which torch rejects when the device is the CPU ("Duplicate device type cpu"; verl issue #6237). No config key
or registry reaches that string, so `install_gloo_process_group()` wraps the function to pass "cpu:gloo" when
verl asked for the default; it is installed only when VERL_PLATFORM=cpu, before verl's workers import it.
"""

from __future__ import annotations

import contextlib
import os
from types import ModuleType
from typing import Any

import torch

__all__ = ["NAME", "PlatformCPU", "install_gloo_process_group", "register_engines", "PATCHED_VERL"]

NAME = "cpu"
PATCHED_VERL = "0.9.1"  # the verl version install_gloo_process_group was written for and tested against

try:  # verl is optional for the library; the class exists only where verl does
    from verl.plugin.platform import PlatformBase
except ImportError:  # pragma: no cover - verl not installed
    PlatformBase = None  # type: ignore[assignment,misc]

def _mem_get_info() -> tuple[int, int]:
    """(free, total) host memory in bytes, the CPU reading of torch.cuda.mem_get_info."""
    try:
        import psutil

        vm = psutil.virtual_memory()
        return int(vm.available), int(vm.total)
    except ImportError:  # pragma: no cover - psutil ships with ray
        return 0, 0


class _CPUDeviceModule(ModuleType):
    """verl's `get_torch_device()` on the CPU: torch.cpu plus the torch.cuda calls verl makes on a device
    module (memory statistics read 0, caches and IPC are no-ops, the RNG is the CPU generator)."""

    def __init__(self) -> None:
        super().__init__("rsgrpo_cpu_device")
        zero = staticmethod(lambda *a, **k: 0)
        none = staticmethod(lambda *a, **k: None)
        for name in ("memory_reserved", "memory_allocated", "max_memory_reserved", "max_memory_allocated"):
            setattr(self, name, zero)
        for name in ("empty_cache", "reset_peak_memory_stats", "set_per_process_memory_fraction", "ipc_collect",
                     "manual_seed_all"):
            setattr(self, name, none)
        self.mem_get_info = lambda *a, **k: _mem_get_info()
        self.get_rng_state = lambda *a, **k: torch.get_rng_state()
        self.set_rng_state = lambda state, *a, **k: torch.set_rng_state(state)
        self.manual_seed = lambda seed: torch.manual_seed(seed)
        self.get_device_name = lambda *a, **k: "cpu"

    def __getattr__(self, name: str) -> Any:
        return getattr(torch.cpu, name)


_DEVICE_MODULE = _CPUDeviceModule()

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
            return _DEVICE_MODULE

        def is_available(self) -> bool:
            return True

        def is_platform_available(self, use_smi_check: bool = False) -> bool:
            return False  # only by explicit choice (VERL_PLATFORM=cpu), never auto-detected

        def current_device(self) -> torch.device:
            # verl passes get_device_id() to `.to(...)`, FSDP's device_id and torch.device(...): an int would
            # mean cuda:N there, torch.device("cpu") means the CPU in all three
            return torch.device("cpu")

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
            return "GPU"  # a logical slot per training process (module docstring)

        def ray_resource_options(self, num_gpus: float) -> dict[str, Any]:
            return {"num_gpus": num_gpus}

        def ray_noset_envvars(self) -> list[str]:
            return []

        def is_ipc_supported(self) -> bool:
            return False

        def cudart(self) -> Any:
            return None


def install_gloo_process_group() -> bool:
    """Make verl's Ray-worker process-group set-up use "cpu:gloo" when it would build "cpu:gloo,cpu:gloo"
    (module docstring). Idempotent; returns True when the wrapper is in place. Raises RuntimeError on a verl
    other than PATCHED_VERL, naming both versions, rather than patching code it was not tested with."""
    import sys

    import verl
    import verl.utils.distributed as dist

    if getattr(dist.initialize_global_process_group_ray, "_rsgrpo_gloo", False):
        return True
    if verl.__version__ != PATCHED_VERL:
        raise RuntimeError(f"rsgrpo's CPU platform wraps verl.utils.distributed.initialize_global_process_group_ray "
                           f"of verl {PATCHED_VERL}; this is verl {verl.__version__}: check the function and "
                           "update rsgrpo.train.verl.platform_cpu.PATCHED_VERL")
    original = dist.initialize_global_process_group_ray

    def initialize_global_process_group_ray(timeout_second=None, backend=None):
        return original(timeout_second=timeout_second, backend=backend or "cpu:gloo")

    initialize_global_process_group_ray._rsgrpo_gloo = True  # type: ignore[attr-defined]
    initialize_global_process_group_ray.__wrapped__ = original  # type: ignore[attr-defined]
    dist.initialize_global_process_group_ray = initialize_global_process_group_ray
    for name in ("verl.workers.engine_workers",):  # modules that imported the name already
        mod = sys.modules.get(name)
        if mod is not None and getattr(mod, "initialize_global_process_group_ray", None) is original:
            mod.initialize_global_process_group_ray = initialize_global_process_group_ray
    return True


def register_engines() -> None:
    """verl's FSDP language-model and value-model engines for device "cpu" in `EngineRegistry`; idempotent."""
    from verl.workers.engine.base import EngineRegistry
    from verl.workers.engine.fsdp.transformer_impl import FSDPEngineWithLMHead, FSDPEngineWithValueHead

    for model_type, cls in (("language_model", FSDPEngineWithLMHead), ("value_model", FSDPEngineWithValueHead)):
        for backend in ("fsdp", "fsdp2"):
            if EngineRegistry._engines.get(model_type, {}).get(backend, {}).get(NAME) is None:
                EngineRegistry.register(model_type=model_type, backend=backend, device=NAME)(cls)
