"""Generation for evaluation: one interface (`base`), the `hf` and `vllm` backends, sharding/resume (`shards`)
and the merge into the evaluation contract (`merge`). Backends import torch/transformers/vllm lazily."""

from rsgrpo.eval.sampling.base import SamplingSpec, available_backends, get_backend

__all__ = ["SamplingSpec", "get_backend", "available_backends"]
