"""Supervised pre-training of the tiny base model on the ops task's biased demonstrations.

    sft(task, model, tokenizer, steps=800, batch=256, lr=3e-3, seed=0) -> dict of final metrics
    train_base_model(task, out_dir, arch='llama', model_kwargs=..., **sft_kwargs) -> dict  (writes out_dir)

Recipe (docs/cpu_experiment.md "Model, SFT and RL"): fresh demonstrations every step (rsgrpo.data.tasks.sft_batch),
AdamW with a one-cycle schedule (peak lr 3e-3), no weight decay, cross-entropy on the response tokens
``[strategy word, \\boxed{answer}, </s>]`` only; the prompt is tasks.prompt_text (problem + the paper's suffix). 400 steps under-fit (execution ~0.92) and weaken the effect;
800 steps reach execution accuracy ~0.99-1.0. The returned metrics describe the prior RL starts from:
P(add | marker) and P(own op | marker) of the first response token, and execution accuracy.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from rsgrpo.data import tasks as T

__all__ = ["task_token_ids", "encode_prompts", "encode_batch", "sft", "first_token_stats", "train_base_model"]


def task_token_ids(task: T.OpsTask, tokenizer) -> dict[str, np.ndarray]:
    """Token-id lookup arrays: type (4,), num (M,), eq (), suffix (S,), op (4,), box (M,), eos ()."""
    def ids(words):
        out = np.array(tokenizer.convert_tokens_to_ids(list(words)), dtype=np.int64)
        if np.any(out == tokenizer.unk_token_id):
            raise ValueError("the tokenizer does not cover the task vocabulary (build it from tasks.vocabulary)")
        return out
    m = task.modulus
    from rsgrpo.data.benchmarks import PROMPT_SUFFIX

    suffix = np.array(tokenizer(PROMPT_SUFFIX, add_special_tokens=False)["input_ids"], dtype=np.int64)
    if np.any(suffix == tokenizer.unk_token_id):
        raise ValueError("the tokenizer does not cover the prompt suffix (build it from tasks.vocabulary)")
    return {"type": ids(f"T{i}" for i in range(task.num_types)), "num": ids(str(i) for i in range(m)),
            "eq": ids(["="])[0], "suffix": suffix, "op": ids(T.OP_WORDS),
            "box": ids(f"\\boxed{{{i}}}" for i in range(m)), "eos": np.int64(tokenizer.eos_token_id)}


def encode_prompts(ids: dict[str, np.ndarray], typ, a, b) -> np.ndarray:
    """(B, 4 + S) prompt ids [T_m, a, b, =, *suffix]: the tokens of tasks.prompt_text(problem)."""
    n = len(typ)
    head = np.stack([ids["type"][typ], ids["num"][a], ids["num"][b], np.full(n, ids["eq"])], axis=1)
    return np.concatenate([head, np.broadcast_to(ids["suffix"], (n, len(ids["suffix"])))], axis=1)


def encode_batch(ids: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> np.ndarray:
    """(B, 4 + S + 3) token ids [prompt..., op, boxed answer, </s>] of an sft_batch."""
    n = len(b["type"])
    resp = np.stack([ids["op"][b["op"]], ids["box"][b["answer"]], np.full(n, ids["eos"])], axis=1)
    return np.concatenate([encode_prompts(ids, b["type"], b["a"], b["b"]), resp], axis=1)


def first_token_stats(model, task: T.OpsTask, tokenizer, pairs: np.ndarray | None = None) -> dict[str, float]:
    """Mean first-token probabilities per marker over (a, b) `pairs` (all pairs by default):
    p_add/T{m} and p_own/T{m}, plus p_add_minority / p_own_minority averaged over markers 1..3."""
    import torch

    ids = task_token_ids(task, tokenizer)
    m = task.modulus
    if pairs is None:
        pairs = np.array([(a, b) for a in range(m) for b in range(m)], dtype=np.int64)
    out: dict[str, float] = {}
    with torch.no_grad():
        for t in range(task.num_types):
            x = encode_prompts(ids, np.full(len(pairs), t), pairs[:, 0], pairs[:, 1])
            probs = torch.softmax(model(input_ids=torch.from_numpy(x)).logits[:, -1].float(), -1)
            out[f"p_add/T{t}"] = float(probs[:, ids["op"][0]].mean())
            out[f"p_own/T{t}"] = float(probs[:, ids["op"][t]].mean())
    minority = range(1, task.num_types)
    out["p_add_minority"] = float(np.mean([out[f"p_add/T{t}"] for t in minority]))
    out["p_own_minority"] = float(np.mean([out[f"p_own/T{t}"] for t in minority]))
    return out


def _execution_accuracy(model, task: T.OpsTask, ids, rng: np.random.Generator, n: int = 2048) -> float:
    """Greedy accuracy of the answer token given the prompt and a uniformly random strategy word."""
    import torch

    t, m = task.num_types, task.modulus
    b = {"type": rng.integers(0, t, n), "a": rng.integers(0, m, n), "b": rng.integers(0, m, n),
         "op": rng.integers(0, t, n)}
    b["answer"] = T.apply_op(b["op"], b["a"], b["b"], m)
    x = torch.from_numpy(encode_batch(ids, b))  # (n, P + 3); the answer is at -2
    with torch.no_grad():
        pred = model(input_ids=x[:, :-2]).logits[:, -1].argmax(-1)
    return float((pred == x[:, -2]).float().mean())


def sft(task: T.OpsTask, model, tokenizer, steps: int = 800, batch: int = 256, lr: float = 3e-3, seed: int = 0,
        log: Callable[[str], None] = print, log_every: int = 100) -> dict[str, Any]:
    """Train `model` in place on fresh biased demonstrations; returns final metrics (loss, execution, priors)."""
    import torch
    import torch.nn.functional as F

    if steps < 1 or batch < 1:
        raise ValueError("sft needs steps >= 1 and batch >= 1")
    ids = task_token_ids(task, tokenizer)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    t0, loss_ema = time.time(), None
    for step in range(1, steps + 1):
        x = torch.from_numpy(encode_batch(ids, T.sft_batch(task, batch, rng)))  # (B, P + 3)
        logits = model(input_ids=x[:, :-1]).logits[:, -3:]  # predicts the 3 response tokens
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, -3:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        loss_ema = float(loss.detach()) if loss_ema is None else 0.95 * loss_ema + 0.05 * float(loss.detach())
        if step % log_every == 0 or step == steps:
            log(f"sft step {step}/{steps} loss {loss_ema:.4f} ({time.time() - t0:.1f}s)")
    model.eval()
    metrics = {"sft/loss": loss_ema, "sft/steps": steps, "sft/seconds": time.time() - t0,
               "sft/execution_accuracy": _execution_accuracy(model, task, ids, rng)}
    metrics.update({f"prior/{k}": v for k, v in first_token_stats(model, task, tokenizer).items()})
    return metrics


def train_base_model(task: T.OpsTask, out_dir: str | Path, arch: str = "llama", model_seed: int = 0,
                     model_kwargs: dict[str, Any] | None = None, log: Callable[[str], None] = print,
                     **sft_kwargs: Any) -> dict[str, Any]:
    """Build tokenizer + model, SFT them, save `out_dir/` (HF format, atomic) and `out_dir/sft_metrics.json`."""
    from rsgrpo.models import tiny

    tok = tiny.build_tokenizer(T.vocabulary(task))
    model = tiny.build_model(tok, arch=arch, seed=model_seed, **(model_kwargs or {}))
    log(f"tiny {arch} model: {tiny.num_parameters(model):,} parameters, vocab {len(tok)}")
    metrics = sft(task, model, tok, log=log, **sft_kwargs)
    metrics["model/parameters"] = tiny.num_parameters(model)
    metrics["task"] = task.to_dict()
    log("sft done: " + json.dumps({k: round(v, 4) for k, v in metrics.items() if isinstance(v, float)}))
    tiny.save_pretrained_atomic(model, tok, out_dir, extra_json={"sft_metrics.json": metrics})
    return metrics
