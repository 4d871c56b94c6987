"""One sampling interface, several backends (README "Architecture": sampling/).

    spec = SamplingSpec(n=32, temperature=1.0, top_p=0.7, max_tokens=3072, seed=1234)
    backend = get_backend("hf" | "vllm", model_path, **opts)
    texts = backend.generate(prompts, spec)      # len(prompts) lists of exactly spec.n completions

A backend returns only the completions (the prompt is not repeated) and exactly `spec.n` per prompt, in the
prompt order. The seed makes a call reproducible on the same hardware and library versions; shards derive it
from (run, benchmark, shard index) (`rsgrpo.eval.sampling.shards.shard_seed`). Backends are imported lazily, so this
module is cheap to import and never needs torch, transformers or vllm.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["SamplingSpec", "Backend", "BACKENDS", "get_backend", "available_backends", "check_output"]


@dataclass(frozen=True)
class SamplingSpec:
    """Sampling settings of one generate call.

    n: samples per prompt (>= 1); temperature > 0; 0 < top_p <= 1; max_tokens: new tokens per sample (>= 1);
    seed: a non-negative int (the paper's eval setting is temperature 1.0, top_p 0.7; docs/evaluation.md §4).
    """

    n: int
    temperature: float = 1.0
    top_p: float = 0.7
    max_tokens: int = 3072
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or self.n < 1:
            raise ValueError(f"SamplingSpec.n must be an int >= 1, got {self.n!r}")
        if not self.temperature > 0:
            raise ValueError(f"SamplingSpec.temperature must be > 0 (sampling, not greedy), got {self.temperature!r}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"SamplingSpec.top_p must be in (0, 1], got {self.top_p!r}")
        if not isinstance(self.max_tokens, int) or self.max_tokens < 1:
            raise ValueError(f"SamplingSpec.max_tokens must be an int >= 1, got {self.max_tokens!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"SamplingSpec.seed must be an int >= 0, got {self.seed!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def replace(self, **changes: Any) -> "SamplingSpec":
        return SamplingSpec(**{**asdict(self), **changes})


@runtime_checkable
class Backend(Protocol):
    """What every backend provides."""

    name: str

    def generate(self, prompts: list[str], spec: SamplingSpec) -> list[list[str]]:
        """(P,) prompt strings -> P lists of spec.n completion strings."""
        ...


# name -> "module:Class"; imported on first use (vllm/transformers are heavy and may live in another venv)
BACKENDS: dict[str, str] = {
    "hf": "rsgrpo.eval.sampling.hf:HFBackend",
    "vllm": "rsgrpo.eval.sampling.vllm_backend:VLLMBackend",
}


def available_backends() -> list[str]:
    return sorted(BACKENDS)


def get_backend(name: str, model_path: str, **opts: Any) -> Backend:
    """Construct backend `name` for the model at `model_path` (a local HF checkpoint dir or a Hub id).

    `opts` go to the backend's constructor (hf: device, dtype, batch_size; vllm: dtype, max_model_len,
    enforce_eager, gpu_memory_utilization, tensor_parallel_size, ...).
    """
    if name not in BACKENDS:
        raise ValueError(f"unknown sampling backend {name!r}; known: {', '.join(available_backends())}")
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls)(model_path, **opts)


def check_output(prompts: list[str], spec: SamplingSpec, out: list[list[str]], backend: str) -> list[list[str]]:
    """Validate a backend's answer: one list per prompt, exactly spec.n strings each."""
    if len(out) != len(prompts):
        raise RuntimeError(f"backend {backend!r} returned {len(out)} prompt groups for {len(prompts)} prompts")
    for i, group in enumerate(out):
        if len(group) != spec.n or not all(isinstance(t, str) for t in group):
            raise RuntimeError(f"backend {backend!r} returned {len(group)} completions for prompt {i}, "
                               f"expected {spec.n} strings")
    return out
