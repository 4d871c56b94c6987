"""The compact CPU RL trainer: the paper's recipe (Table 3) at tiny scale, for Hugging Face causal LMs.

    train(model_dir, rows, out_dir, RLConfig(...), validate=None, tracker=None) -> list of metric dicts

One step (identical for every estimator of rsgrpo.estimators)::

    prompts  (G,)       G = prompts_per_step rows of the training set (seeded epoch permutations, verl-like)
    sample   (G*N, T)   N = group_size responses per prompt, temperature 1, KV-cached (`sample`)
    rewards  (G, N)     rsgrpo.eval.grading.grade through a per-(gold, text) cache (`CachedGrader`)
    keep     (G,)       dynamic sampling: drop all-0 / all-1 groups (DAPO)
    adv      (G, N)     estimators.compute(estimator, rewards, **params), broadcast to every response token;
                        a β schedule (rsgrpo.estimators.beta) is evaluated at step - 1 updates done (logged
                        as train/beta, the mean over prompts for `difficulty`)
    update              PPO-clip with clip-higher (eps_low 0.2, eps_high 0.28), token-mean loss, no KL,
                        no entropy bonus, AdamW; ppo_epochs x ppo_mini_batches updates (1 x 1: on-policy)

The grader cache is exact (grading is a deterministic function of (gold, response text)) and keeps rewards
cheap: a tiny model repeats a few hundred distinct responses, so after the first steps every lookup hits.

Reliability: every `ckpt_every` steps `out_dir/state/checkpoint.pt` (model, optimizer, sampling RNG,
solve-rate sets, config hash) and the partial metrics log are written atomically; a killed run restarted with
the same config resumes from the last checkpoint and reproduces the uninterrupted run exactly (data order
is a pure function of (seed, step)). On completion `out_dir/model/` (HF format), `out_dir/metrics.jsonl`
(the metrics contract: step, train/reward_mean, train/entropy, train/solve_rate_cum, train/groups_kept, ...,
val/... on validation steps) and `out_dir/provenance.json` are written atomically and `state/` is removed.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["RLConfig", "CachedGrader", "sample", "response_logprobs", "train"]


@dataclass
class RLConfig:
    estimator: str = "grpo"
    params: dict[str, Any] = field(default_factory=dict)
    steps: int = 150
    prompts_per_step: int = 64
    group_size: int = 16
    lr: float = 1e-3
    adam_betas: tuple[float, float] = (0.9, 0.99)
    weight_decay: float = 0.0
    clip_low: float = 0.2
    clip_high: float = 0.28
    temperature: float = 1.0
    max_new_tokens: int = 3
    dynamic_sampling: bool = True
    ppo_epochs: int = 1
    ppo_mini_batches: int = 1
    grad_clip: float | None = None
    seed: int = 0
    ckpt_every: int = 25
    val_every: int = 25
    log_every: int = 10
    grade_timeout: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["adam_betas"] = list(self.adam_betas)
        return d


class CachedGrader:
    """texts, golds -> (B,) bool via `grade` (default rsgrpo.eval.grading.grade), each distinct pair graded once."""

    def __init__(self, grade: Callable | None = None, timeout: float = 10.0):
        if grade is None:
            from rsgrpo.eval.grading import grade
        self._grade, self.timeout, self.cache = grade, timeout, {}
        self.calls = 0

    def __call__(self, texts: Sequence[str], golds: Sequence[str]) -> np.ndarray:
        keys = list(zip(golds, texts))
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            self.calls += 1
            res = self._grade([t for _, t in missing], [g for g, _ in missing], timeout=self.timeout)
            for key, r in zip(missing, res):
                self.cache[key] = bool(getattr(r, "correct", r))
        return np.fromiter((self.cache[k] for k in keys), dtype=bool, count=len(keys))


def _expand_cache(cache, group: int):
    """Repeat every cached key/value `group` times along the batch (one prompt prefix -> its whole group)."""
    if hasattr(cache, "batch_repeat_interleave"):
        cache.batch_repeat_interleave(group)
        return cache
    raise TypeError(f"cannot expand a {type(cache).__name__} cache; pass repeated prompts with group=1")


def sample(model, prompt_ids, max_new_tokens: int, eos_id: int, generator, temperature: float = 1.0,
           group: int = 1):
    """KV-cached ancestral sampling of `group` responses for each of the equal-length prompts (P, L).

    The prompt prefix is computed once per prompt and its cache repeated for the group. Returns, for
    B = P * group rows (prompt-major): tokens (B, T) long (eos_id after the end), logprobs (B, T), mask (B, T)
    float (1 up to and including </s>), entropy (B, T) of the sampling distribution. T <= max_new_tokens.
    """
    import torch

    toks, lps, masks, ents = [], [], [], []
    done = torch.zeros(prompt_ids.shape[0] * group, dtype=torch.bool)
    with torch.no_grad():  # not inference_mode: the outputs are used by the (autograd) update
        out = model(input_ids=prompt_ids, use_cache=True)
        logits = out.logits[:, -1].float()
        cache = out.past_key_values
        if group > 1:
            logits, cache = logits.repeat_interleave(group, 0), _expand_cache(cache, group)
        for t in range(max_new_tokens):
            logp = torch.log_softmax(logits / temperature, -1)  # (B, V)
            tok = torch.multinomial(logp.exp(), 1, generator=generator).squeeze(1)  # (B,)
            tok = torch.where(done, torch.full_like(tok, eos_id), tok)
            masks.append((~done).float())
            toks.append(tok)
            lps.append(logp.gather(1, tok[:, None]).squeeze(1))
            ents.append(-(logp.exp() * logp).sum(-1))
            done = done | (tok == eos_id)
            if bool(done.all()) or t == max_new_tokens - 1:
                break
            out = model(input_ids=tok[:, None], past_key_values=cache, use_cache=True)
            logits, cache = out.logits[:, -1].float(), out.past_key_values
    return torch.stack(toks, 1), torch.stack(lps, 1), torch.stack(masks, 1), torch.stack(ents, 1)


def _batch_rows(n_rows: int, batch: int, step: int, seed: int) -> np.ndarray:
    """Row indices of step `step` (1-based): consecutive slices of per-epoch seeded permutations."""
    start, out = (step - 1) * batch, []
    while len(out) < batch:
        epoch, pos = divmod(start + len(out), n_rows)
        perm = np.random.default_rng([seed, epoch]).permutation(n_rows)
        out.extend(perm[pos: pos + batch - len(out)].tolist())
    return np.asarray(out)


def response_logprobs(model, prompt_ids, resp, temperature: float = 1.0, group: int = 1):
    """Log-probs (B, T) of the responses `resp` (B, T) after the equal-length prompts `prompt_ids` (U, L), with
    autograd, B = U * group (prompt-major: rows u*group .. u*group+group-1 answer prompt u).

    The prompt is run once per prompt and its KV cache repeated for its group, as in `sample` (a group of N
    responses shares one prompt): the same log-probs as one forward of each [prompt, response] row (up to float
    rounding; tests/train/test_cpu.py) at about 1/N of the prompt's cost -- the update's dominant cost when the
    response is 3 tokens and the prompt ~20.
    """
    import torch

    out = model(input_ids=prompt_ids, use_cache=True)
    first = out.logits[:, -1:].float()  # (U, 1, V): predicts response token 0
    cache = out.past_key_values
    if group > 1:
        first, cache = first.repeat_interleave(group, 0), _expand_cache(cache, group)
    logits = first
    if resp.shape[1] > 1:
        rest = model(input_ids=resp[:, :-1], past_key_values=cache, use_cache=False).logits.float()  # (B, T-1, V)
        logits = torch.cat([first, rest], 1)
    return torch.log_softmax(logits / temperature, -1).gather(2, resp[..., None]).squeeze(2)


def _ppo_update(model, opt, cfg: RLConfig, prompt_ids, resp, old_lp, mask, adv) -> dict[str, float]:
    """PPO-clip (clip-higher), token-mean loss over the kept sequences; returns loss / clip-fraction.

    prompt_ids (G, L): the kept groups' prompts; resp, old_lp, mask (G*N, T); adv (G*N,). One mini-batch keeps
    whole groups (each prompt run once, `response_logprobs`); several mini-batches shuffle single rows.
    """
    import torch

    n, t_len = mask.shape
    group = n // prompt_ids.shape[0]
    losses, clipfracs = [], []
    gen = torch.Generator().manual_seed(cfg.seed)  # mini-batch order (only matters for > 1 mini-batch)
    for _ in range(cfg.ppo_epochs):
        order = torch.randperm(n, generator=gen) if cfg.ppo_mini_batches > 1 else torch.arange(n)
        for idx in torch.tensor_split(order, cfg.ppo_mini_batches):
            if len(idx) == 0:
                continue
            if cfg.ppo_mini_batches == 1:
                lp = response_logprobs(model, prompt_ids, resp, cfg.temperature, group=group)
            else:
                lp = response_logprobs(model, prompt_ids[idx // group], resp[idx], cfg.temperature)
            ratio = torch.exp(lp - old_lp[idx])
            a = adv[idx][:, None]
            pg = torch.maximum(-a * ratio, -a * ratio.clamp(1 - cfg.clip_low, 1 + cfg.clip_high))
            m = mask[idx]
            loss = (pg * m).sum() / m.sum().clamp_min(1.0)  # token-mean
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.grad_clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            losses.append(float(loss.detach()))
            clipped = ((ratio - 1).abs() > 1e-6) & ((ratio < 1 - cfg.clip_low) | (ratio > 1 + cfg.clip_high))
            clipfracs.append(float((clipped.float() * m).sum() / m.sum().clamp_min(1.0)))
    return {"train/loss": float(np.mean(losses)), "train/pg_clipfrac": float(np.mean(clipfracs))}


def _prompts_golds_ids(rows, tok) -> tuple[list[str], list[str], list[str]]:
    """Prompt texts, gold answers and problem ids of verl-style rows (`prompt` messages rendered with the
    tokenizer's chat template, as verl does; else `problem` + the paper's suffix)."""
    if "prompt" in rows.columns:
        texts = [tok.apply_chat_template([dict(m) for m in msgs], tokenize=False, add_generation_prompt=True)
                 for msgs in rows["prompt"]]
    elif "problem" in rows.columns:
        from rsgrpo.data.benchmarks import build_prompt

        texts = [build_prompt(p) for p in rows["problem"]]
    else:
        raise ValueError("training rows need a 'prompt' (verl) or 'problem' column")
    if "answer" in rows.columns:
        golds = rows["answer"].astype(str).tolist()
    elif "reward_model" in rows.columns:
        golds = [str(r["ground_truth"]) for r in rows["reward_model"]]
    else:
        raise ValueError("training rows need an 'answer' or 'reward_model' column")
    if "problem_id" in rows.columns:
        pids = rows["problem_id"].astype(str).tolist()
    else:
        pids = [str(e["index"]) for e in rows["extra_info"]]
    return texts, golds, pids


def _write_jsonl(path: Path, records: list[dict]) -> None:
    from rsgrpo.io import atomic_write_text

    atomic_write_text(path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in records))


def train(model_dir, rows, out_dir, cfg: RLConfig, validate: Callable | None = None, tracker=None,
          grader: Callable | None = None, log: Callable[[str], None] = print, stop_after: int | None = None,
          provenance_extra: dict | None = None) -> list[dict[str, Any]]:
    """RL-train the HF model in `model_dir` on `rows` (verl-style DataFrame: prompt, reward_model, extra_info;
    or problem_id, problem, answer).

    `validate(model) -> dict` adds val/... metrics at step 0, every `val_every` steps and at the end.
    `stop_after` ends the run after that step's checkpoint (simulates a kill; used by the tests).
    """
    import torch

    from rsgrpo import estimators
    from rsgrpo.estimators import beta as beta_schedule
    from rsgrpo.io import atomic_path, atomic_write_json
    from rsgrpo.models import tiny
    from rsgrpo.io.provenance import config_hash, provenance

    params0 = estimators.check_params(cfg.estimator, cfg.group_size, **cfg.params)  # a constant schedule -> its number
    scheduled = beta_schedule.is_schedule(params0.get("beta"))
    out_dir, state_dir = Path(out_dir), Path(out_dir) / "state"
    model, tok = tiny.load(model_dir)
    texts, golds, pids = _prompts_golds_ids(rows, tok)
    enc = [tok(p, add_special_tokens=False)["input_ids"] for p in texts]
    if len({len(e) for e in enc}) != 1:
        raise ValueError(f"the CPU trainer needs prompts of one token length; got {sorted({len(e) for e in enc})}")
    prompt_ids = torch.tensor(enc, dtype=torch.long)  # (rows, L)
    n_distinct = len(set(pids))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=tuple(cfg.adam_betas), weight_decay=cfg.weight_decay)
    gen = torch.Generator().manual_seed(cfg.seed)
    grader = grader or CachedGrader(timeout=cfg.grade_timeout)
    chash = config_hash({"cfg": cfg.to_dict(), "rows": len(rows), "model": str(model_dir)})
    step, seen, solved, records = 0, set(), set(), []
    ckpt = state_dir / "checkpoint.pt"
    if ckpt.exists():
        st = torch.load(ckpt, weights_only=False)
        if st["config_hash"] == chash:
            model.load_state_dict(st["model"])
            opt.load_state_dict(st["optimizer"])
            gen.set_state(st["generator"])
            step, seen, solved, records = st["step"], set(st["seen"]), set(st["solved"]), st["records"]
            log(f"resumed from {ckpt} at step {step}")
        else:
            log(f"ignoring {ckpt}: written with another config")

    def emit(rec: dict) -> None:
        records.append(rec)
        if tracker is not None:
            tracker.log(rec, step=rec["step"])

    if step == 0 and validate is not None:
        emit({"step": 0, **validate(model)})
    t_start = time.time()
    while step < cfg.steps:
        step += 1
        t0 = time.time()
        idx = _batch_rows(len(rows), cfg.prompts_per_step, step, cfg.seed)
        g, n = len(idx), cfg.group_size
        model.eval()
        resp, old_lp, mask, ent = sample(model, prompt_ids[idx], cfg.max_new_tokens, tok.eos_token_id, gen,
                                         cfg.temperature, group=n)
        t1 = time.time()
        texts = tok.batch_decode(resp.tolist(), skip_special_tokens=True)
        gold_rep = [golds[i] for i in idx for _ in range(n)]
        rewards = torch.from_numpy(grader(texts, gold_rep).astype(np.float64)).view(g, n)  # (G, N)
        t2 = time.time()
        for j, i in enumerate(idx):
            seen.add(pids[i])
            if rewards[j].max() > 0:
                solved.add(pids[i])
        keep = ~(rewards == rewards[:, :1]).all(-1) if cfg.dynamic_sampling else torch.ones(g, dtype=torch.bool)
        params = beta_schedule.params_at(params0, step - 1, rewards)  # a β schedule at the updates done so far
        adv = estimators.compute(cfg.estimator, rewards, **params).float()  # (G, N)
        rec = {"step": step, "train/reward_mean": float(rewards.mean()),
               "train/entropy": float((ent * mask).sum() / mask.sum()),
               "train/solve_rate_cum": len(solved) / max(len(seen), 1),
               "train/solve_rate_cum_dataset": len(solved) / n_distinct,
               "train/groups_kept": int(keep.sum()), "train/groups_kept_frac": float(keep.float().mean()),
               "train/adv_abs_mean": float(adv[keep].abs().mean()) if keep.any() else 0.0,
               "train/response_length": float(mask.sum(1).mean()), "train/lr": cfg.lr}
        if scheduled:
            rec["train/beta"] = float(torch.as_tensor(params["beta"], dtype=torch.float64).mean())  # mean over prompts
        if keep.any():
            rows_keep = keep.repeat_interleave(n)  # (G*N,)
            model.train()
            rec.update(_ppo_update(model, opt, cfg, prompt_ids[idx][keep], resp[rows_keep], old_lp[rows_keep],
                                   mask[rows_keep], adv[keep].reshape(-1)))
            model.eval()
        t3 = time.time()
        rec.update({"time/sample_s": t1 - t0, "time/grade_s": t2 - t1, "time/update_s": t3 - t2,
                    "time/step_s": t3 - t0})
        if validate is not None and (step % cfg.val_every == 0 or step == cfg.steps):
            rec.update(validate(model))
        emit(rec)
        if step % cfg.log_every == 0 or step == cfg.steps:
            val = " ".join(f"{k}={v:.3f}" for k, v in rec.items() if k.startswith("val/pass"))
            log(f"[{cfg.estimator} s{cfg.seed}] step {step}/{cfg.steps} reward {rec['train/reward_mean']:.3f} "
                f"entropy {rec['train/entropy']:.3f} kept {rec['train/groups_kept']}/{g} "
                f"solve_cum {rec['train/solve_rate_cum']:.3f} {val} ({time.time() - t_start:.1f}s)")
        if step % cfg.ckpt_every == 0 or step == stop_after:
            state_dir.mkdir(parents=True, exist_ok=True)
            with atomic_path(ckpt) as tmp:
                torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "generator": gen.get_state(),
                            "step": step, "seen": sorted(seen), "solved": sorted(solved), "records": records,
                            "config_hash": chash}, tmp)
            _write_jsonl(state_dir / "metrics.partial.jsonl", records)
        if stop_after is not None and step >= stop_after:
            return records
    tiny.save_pretrained_atomic(model, tok, out_dir / "model")
    _write_jsonl(out_dir / "metrics.jsonl", records)
    atomic_write_json(out_dir / "provenance.json", provenance(
        cfg.to_dict(), trainer="rsgrpo.train.cpu", base_model=str(model_dir), train_rows=len(rows),
        grader_calls=getattr(grader, "calls", None), seconds=time.time() - t_start, **(provenance_extra or {})))
    shutil.rmtree(state_dir, ignore_errors=True)
    return records
