"""verl 0.9.1 rollout `hf`: a transformers-`generate` rollout server for verl's agent loop (docs/verl.md §14.2).

verl 0.9.1 starts only async rollout servers (vllm, sglang, trtllm). This module is a fourth, registered by
`rsgrpo.train.verl.plugin` through verl's own hooks: `RolloutReplicaRegistry.register("hf", ...)` (the
replica the trainer starts) and `_ROLLOUT_REGISTRY[("hf", "async")]` (the adapter inside each hybrid
actor worker). `actor_rollout_ref.rollout.name=hf` selects it; nothing else in verl changes.

    HFReplica         RolloutReplica: one HFRolloutServer Ray actor per replica, on its worker's node
    HFRolloutServer   Ray actor: token-in-token-out `generate` (the contract of verl's LLMServerClient:
                      TokenOutput with token_ids, log_probs, stop_reason); requests that arrive together are
                      sampled in one batched `generate`; weights arrive from the trainer by `load_weights`
    HFServerAdapter   BaseRollout in the hybrid worker: `update_weights` streams the actor's full tensors
                      to its server in buckets (verl's weight sync, checkpoint_engine backend `naive`)
    sample_batch(model, prompts, ...) -> [(token_ids, log_probs)]   the pure sampling step (tested alone)

Sampling: temperature / top-p / top-k as vLLM reads them (temperature 0 = greedy, top_k -1 or 0 = off); the
log-prob of each sampled token is log_softmax(logits / temperature) (raw logits when greedy), the quantity
verl's actor recomputes as old_log_prob. A response stops after its first EOS (kept, as vLLM keeps it) or at
`min(response_length, max_tokens)` tokens. One server process per replica: tensor_model_parallel_size 1.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Iterable

import torch

__all__ = ["NAME", "ADAPTER", "sample_batch", "HFRolloutServer", "HFReplica", "HFServerAdapter", "server_name"]

from rsgrpo.train.verl import HF_ROLLOUT as NAME, HF_ROLLOUT_ADAPTER as ADAPTER

_BUCKET_BYTES = 256 << 20


def server_name(job_id: str, replica_rank: int) -> str:
    """The Ray actor name of a replica's server (the adapter finds its server by it)."""
    return f"rsgrpo_hf_server_{job_id}_{replica_rank}"


@torch.inference_mode()
def sample_batch(model, prompts: list[list[int]], *, temperature: float, top_p: float = 1.0, top_k: int = -1,
                 max_new_tokens: int, eos_ids: Iterable[int], pad_id: int) -> list[tuple[list[int], list[float]]]:
    """Sample one response per prompt (B prompts of token ids, any lengths) with the model's `generate`.

    Returns B (token_ids, log_probs) pairs; token_ids end at the first EOS (included) or after
    max_new_tokens; log_probs[t] = log_softmax(logits_t / temperature)[token_t] (temperature 0: greedy and
    raw logits). Uses the global torch RNG (the caller seeds it)."""
    if max_new_tokens < 1:
        return [([], []) for _ in prompts]
    device = next(model.parameters()).device
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for i, p in enumerate(prompts):  # left padding
        ids[i, width - len(p):] = torch.tensor(p, dtype=torch.long)
        mask[i, width - len(p):] = 1
    greedy = temperature <= 0
    eos = sorted({int(e) for e in eos_ids})
    kwargs: dict[str, Any] = {"do_sample": False} if greedy else {
        "do_sample": True, "temperature": float(temperature), "top_p": float(top_p),
        "top_k": int(top_k) if top_k and top_k > 0 else 0}
    out = model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), max_new_tokens=int(max_new_tokens),
                         min_new_tokens=0, pad_token_id=pad_id, eos_token_id=eos or None, output_logits=True,
                         return_dict_in_generate=True, **kwargs)
    new = out.sequences[:, width:].cpu()
    logits = torch.stack(out.logits, dim=1).float().cpu()  # (B, T, V), raw
    logp = torch.log_softmax(logits if greedy else logits / float(temperature), dim=-1)
    chosen = logp.gather(-1, new[:, :logits.shape[1]].unsqueeze(-1)).squeeze(-1)
    results = []
    for i in range(len(prompts)):
        toks = new[i].tolist()
        end = next((t + 1 for t, tok in enumerate(toks) if tok in eos), len(toks))
        results.append((toks[:end], chosen[i, :end].tolist()))
    return results


class HFRolloutServer:
    """One replica's sampler (wrapped in ray.remote by HFReplica). config: verl RolloutConfig; model_config:
    verl HFModelConfig (local_path, trust_remote_code)."""

    def __init__(self, config, model_config, replica_rank: int, device: str = "cpu",
                 cuda_visible_devices: str | None = None):
        if cuda_visible_devices:
            os.environ["CUDA_VISIBLE_DEVICES"] = cuda_visible_devices
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = getattr(model_config, "local_path", None) or model_config.path
        trust = bool(getattr(model_config, "trust_remote_code", False))
        self.config, self.replica_rank, self.device = config, replica_rank, device
        tok = AutoTokenizer.from_pretrained(path, trust_remote_code=trust)
        dtype = torch.float32 if device == "cpu" else torch.bfloat16
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, trust_remote_code=trust).to(device)
        self.model.eval()
        gen_eos = self.model.generation_config.eos_token_id
        eos = gen_eos if isinstance(gen_eos, list) else [gen_eos] if gen_eos is not None else []
        self.eos_ids = sorted({e for e in [*eos, tok.eos_token_id] if e is not None})
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else (self.eos_ids or [0])[0]
        self.max_batch = max(1, int(getattr(config, "max_num_seqs", 256) or 256))
        self.global_steps: int | None = None
        self._queue: asyncio.Queue | None = None
        self._pending: dict[str, torch.Tensor] = {}
        self._batches = 0
        self._seed = int(getattr(config, "seed", 0) or 0)

    # ---------------------------------------------------------------- generation (LLMServerClient contract)
    async def generate(self, prompt_ids: list[int], sampling_params: dict[str, Any], request_id: str,
                       **_ignored: Any):
        from verl.workers.rollout.replica import TokenOutput

        params = dict(sampling_params)
        limit = int(self.config.response_length)
        max_new = min(limit, int(params.get("max_tokens") or params.get("max_new_tokens") or limit))
        key = (float(params.get("temperature", 1.0)), float(params.get("top_p", 1.0)),
               int(params.get("top_k", -1) or -1), max_new)
        if self._queue is None:
            self._queue = asyncio.Queue()
            asyncio.get_running_loop().create_task(self._serve())
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((key, [int(t) for t in prompt_ids], future))
        token_ids, log_probs = await future
        return TokenOutput(token_ids=token_ids, log_probs=log_probs if params.get("logprobs") else None,
                           stop_reason="completed", num_preempted=0,
                           extra_fields={"global_steps": self.global_steps})

    async def _serve(self) -> None:
        """Batch every request that is waiting, by sampling settings, into one `sample_batch` call."""
        while True:
            items = [await self._queue.get()]
            await asyncio.sleep(0)  # let the requests sent together arrive
            while not self._queue.empty() and len(items) < self.max_batch:
                items.append(self._queue.get_nowait())
            groups: dict[tuple, list] = {}
            for key, prompt, future in items:
                groups.setdefault(key, []).append((prompt, future))
            for (temperature, top_p, top_k, max_new), reqs in groups.items():
                self._batches += 1
                seed = self._seed * 1_000_003 + self._batches
                try:
                    results = await asyncio.to_thread(self._sample, [p for p, _ in reqs], seed, temperature,
                                                      top_p, top_k, max_new)
                except Exception as exc:  # every waiting request learns why
                    for _, future in reqs:
                        future.set_exception(exc)
                    continue
                for (_, future), res in zip(reqs, results):
                    future.set_result(res)

    def _sample(self, prompts, seed, temperature, top_p, top_k, max_new):
        torch.manual_seed(seed)
        return sample_batch(self.model, prompts, temperature=temperature, top_p=top_p, top_k=top_k,
                            max_new_tokens=max_new, eos_ids=self.eos_ids, pad_id=self.pad_id)

    # ---------------------------------------------------------------- weights from the trainer
    async def load_weights(self, tensors: dict[str, torch.Tensor]) -> int:
        self._pending.update(tensors)
        return len(self._pending)

    async def finish_weights(self, global_steps: int | None = None) -> int:
        """Load the streamed tensors (every parameter of the model must have arrived)."""
        pending, self._pending = self._pending, {}
        state = self.model.state_dict()
        missing = sorted(set(k for k in state if k not in pending and not k.endswith("lm_head.weight")))
        unknown = sorted(set(pending) - set(state))
        if missing or unknown:
            raise KeyError(f"hf rollout weight sync: missing {missing[:5]}, unknown {unknown[:5]}")
        self.model.load_state_dict({k: v.to(self.device, state[k].dtype) for k, v in pending.items()}, strict=False)
        if getattr(self.model.config, "tie_word_embeddings", False):
            self.model.tie_weights()
        self.global_steps = global_steps
        return len(pending)

    async def set_global_steps(self, global_steps: int) -> None:
        self.global_steps = global_steps

    # ---------------------------------------------------------------- lifecycle calls verl makes (no-ops here)
    async def _no_op(self, *args, **kwargs):
        return None

    async def abort_all_requests(self, *args, **kwargs) -> dict[str, Any]:
        return {"aborted_count": 0, "request_ids": []}

    wake_up = sleep = clear_kv_cache = release_kv_cache = resume_kv_cache = _no_op
    resume_generation = start_profile = stop_profile = _no_op


def _replica_base():
    from verl.workers.rollout.replica import RolloutReplica

    return RolloutReplica


def _rollout_base():
    from verl.workers.rollout.base import BaseRollout

    return BaseRollout


class HFReplica(_replica_base()):
    """The `hf` replica: hybrid mode only (rollout in the actor's placement, weights synced each step)."""

    async def launch_servers(self):
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
        from verl.utils.device import get_device_name
        from verl.workers.rollout.replica import RolloutMode

        if self.rollout_mode != RolloutMode.HYBRID:
            raise NotImplementedError(f"rollout 'hf' runs in hybrid mode only (actor and rollout in one worker "
                                      f"group); got {self.rollout_mode}")
        if self.world_size != 1:
            raise ValueError("rollout 'hf' is one process per replica: set actor_rollout_ref.rollout."
                             f"tensor_model_parallel_size=1 (and data/pipeline parallel 1); world size {self.world_size}")
        worker = self.workers[0]
        node_id, accel = await worker.__ray_call__.remote(
            lambda w: (ray.get_runtime_context().get_node_id(),
                       ",".join(str(i) for v in ray.get_runtime_context().get_accelerator_ids().values() for i in v)))
        device = "cpu" if get_device_name() == "cpu" else get_device_name()
        job = ray.get_runtime_context().get_job_id()
        server = ray.remote(HFRolloutServer).options(
            name=server_name(job, self.replica_rank), num_cpus=0, max_concurrency=self.max_concurrency,
            scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=node_id, soft=False),
        ).remote(config=self.config, model_config=self.model_config, replica_rank=self.replica_rank,
                 device=device, cuda_visible_devices=accel if device != "cpu" else None)
        self.servers = [server]
        self._server_handle = server
        self._server_address = f"hf://{job}/{self.replica_rank}"


class HFServerAdapter(_rollout_base()):
    """In each hybrid actor worker: sends the trainer's weights to this rank's replica server."""

    def __init__(self, config, model_config, device_mesh, replica_rank: int = -1):
        super().__init__(config, model_config, device_mesh)
        rank = int(os.environ.get("RANK", 0))
        self.replica_rank = rank if replica_rank == -1 else replica_rank  # one process per replica
        self.server_handle = None

    def _server(self):
        import ray

        if self.server_handle is None:
            self.server_handle = ray.get_actor(server_name(ray.get_runtime_context().get_job_id(), self.replica_rank))
        return self.server_handle

    async def resume(self, tags: list[str]):
        return None

    async def release(self):
        return None

    async def update_weights(self, weights, wire_format: str = "named_tensors", global_steps: int | None = None,
                             **kwargs):
        if wire_format != "named_tensors":
            raise NotImplementedError(f"rollout 'hf' takes full named tensors, not {wire_format!r}")
        if kwargs.get("peft_config") is not None:
            raise NotImplementedError("rollout 'hf' does not take LoRA adapters; use lora.merge=true")
        server, bucket, size = self._server(), {}, 0
        for name, tensor in weights:
            t = tensor.full_tensor() if hasattr(tensor, "full_tensor") else tensor
            bucket[name] = t.detach().to("cpu", copy=True)
            size += bucket[name].numel() * bucket[name].element_size()
            if size >= _BUCKET_BYTES:
                await server.load_weights.remote(bucket)
                bucket, size = {}, 0
        if bucket:
            await server.load_weights.remote(bucket)
        await server.finish_weights.remote(global_steps)
