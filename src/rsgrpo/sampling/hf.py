"""Sampling backend on transformers `generate` (CPU or GPU).

Each prompt is repeated `spec.n` times and the rows are generated in batches of `batch_size` sequences with
left padding. The global torch RNG is seeded once per call (`spec.seed`), so the same call on the same machine
and versions gives the same texts (a re-run shard is bit-identical). Sampling is pure nucleus sampling:
`top_k=0` overrides any `top_k` from the checkpoint's generation_config, as the paper samples with top_p only.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from rsgrpo.sampling.base import SamplingSpec, check_output

__all__ = ["HFBackend"]


class HFBackend:
    """transformers AutoModelForCausalLM.generate.

    device: "auto" (cuda if available), "cpu", "cuda", "cuda:1"...; dtype: "auto" (bfloat16 on GPU,
    float32 on CPU), "float32", "bfloat16", "float16"; batch_size: sequences per generate call.
    """

    name = "hf"

    def __init__(self, model_path: str, device: str = "auto", dtype: str = "auto", batch_size: int = 64,
                 add_special_tokens: bool = True, progress: bool = True, trust_remote_code: bool = False):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if dtype == "auto":
            dtype = "bfloat16" if device.startswith("cuda") else "float32"
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.device, self.batch_size, self.progress = device, int(batch_size), progress
        self.add_special_tokens = add_special_tokens
        self.tokenizer = AutoTokenizer.from_pretrained(model_path, trust_remote_code=trust_remote_code)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            if self.tokenizer.eos_token_id is None:
                raise ValueError(f"{model_path}: tokenizer has neither a pad nor an eos token")
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(
            model_path, dtype=getattr(torch, dtype), trust_remote_code=trust_remote_code).to(device)
        self.model.eval()

    def generate(self, prompts: list[str], spec: SamplingSpec) -> list[list[str]]:
        """(P,) prompts -> P lists of spec.n completions (rows = prompt-major, sample-minor)."""
        import torch

        rows = [p for p in prompts for _ in range(spec.n)]
        texts: list[str] = []
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        torch.manual_seed(spec.seed)
        t0 = time.time()
        with torch.inference_mode():
            for start in range(0, len(rows), self.batch_size):
                batch = rows[start:start + self.batch_size]
                enc = self.tokenizer(batch, return_tensors="pt", padding=True,
                                     add_special_tokens=self.add_special_tokens).to(self.device)
                out = self.model.generate(
                    **enc, do_sample=True, temperature=spec.temperature, top_p=spec.top_p, top_k=0,
                    max_new_tokens=spec.max_tokens, pad_token_id=self.tokenizer.pad_token_id,
                    eos_token_id=eos)
                new = out[:, enc["input_ids"].shape[1]:]
                texts.extend(self.tokenizer.batch_decode(new, skip_special_tokens=True))
                if self.progress:
                    done = start + len(batch)
                    print(f"[hf] {done}/{len(rows)} sequences, {time.time() - t0:.1f}s", file=sys.stderr,
                          flush=True)
        out_groups = [texts[i * spec.n:(i + 1) * spec.n] for i in range(len(prompts))]
        return check_output(prompts, spec, out_groups, self.name)

    def info(self) -> dict[str, Any]:
        return {"backend": self.name, "device": self.device, "dtype": str(self.model.dtype),
                "batch_size": self.batch_size}
