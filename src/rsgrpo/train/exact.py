"""Exact per-problem success probabilities of a tiny policy on two-token answers (no sampling).

    success_probs(model, prompt_ids (P, L), gold_ids (P,), eos_id, exclude=()) -> (p (P,), first (P, V))

For a response ``[o, y, </s>]`` graded on its last boxed answer: the probability of a correct response is
``p = sum_o P(o | x) * P(y = gold | x, o)`` over every first token ``o`` except end-of-sequence and the ids in
`exclude` (padding). That is V+1 batched forward passes of length <= L+1, instead of sampling. The third
token is assumed to be ``</s>`` (it is, with probability ~1, after SFT); the sampled evaluation through the
real grader cross-checks this (tests/test_mini_experiment.py). pass@k then follows exactly as 1-(1-p)^k.
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["success_probs", "exact_pass_at_k", "ops_validator"]


def success_probs(model, prompt_ids, gold_ids, eos_id: int, exclude: Sequence[int] = (), chunk: int = 32768):
    """(p (P,) float64, first-token distribution (P, V) float32) for equal-length prompts."""
    import torch

    prompt_ids = torch.as_tensor(prompt_ids, dtype=torch.long)
    gold_ids = torch.as_tensor(gold_ids, dtype=torch.long)
    if prompt_ids.ndim != 2 or gold_ids.shape != prompt_ids.shape[:1]:
        raise ValueError("success_probs needs prompt_ids (P, L) and gold_ids (P,)")
    num, length = prompt_ids.shape
    with torch.no_grad():
        first = torch.softmax(model(input_ids=prompt_ids).logits[:, -1].double(), -1)  # (P, V)
        vocab = first.shape[-1]
        seqs = torch.cat([prompt_ids.repeat_interleave(vocab, 0),
                          torch.arange(vocab).repeat(num).unsqueeze(1)], dim=1)  # (P*V, L+1)
        golds = gold_ids.repeat_interleave(vocab)  # (P*V,)
        second = torch.empty(num * vocab, dtype=torch.float64)
        for s in range(0, num * vocab, chunk):
            lp = torch.log_softmax(model(input_ids=seqs[s:s + chunk]).logits[:, -1].double(), -1)
            second[s:s + chunk] = lp.gather(1, golds[s:s + chunk, None]).squeeze(1).exp()
        second = second.view(num, vocab)
        keep = torch.ones(vocab, dtype=torch.float64)
        keep[[eos_id, *exclude]] = 0.0
        p = (first * second * keep).sum(-1).clamp(0.0, 1.0)
    return p.numpy(), first.float().numpy()


def exact_pass_at_k(p, ks: Sequence[int]):
    """(P,) success probabilities -> (P, K) pass@k = 1 - (1 - p)^k."""
    import numpy as np

    p = np.asarray(p, dtype=np.float64)[:, None]
    return 1.0 - (1.0 - p) ** np.asarray(ks, dtype=np.float64)[None, :]


def ops_validator(task, tokenizer, problems, ks: Sequence[int] = (1, 32, 1024)):
    """A `validate(model) -> dict` for rsgrpo.train.cpu on the ops task's held-out problems (DataFrame with
    problem, answer, type): val/pass@k (exact, mean over problems) for k in `ks`, and the mechanism read off
    the first token: val/p_add_minority = mean P(add | marker 1..3), val/p_own_minority = mean P(own op)."""
    import numpy as np
    import torch

    from rsgrpo.data import tasks as T

    enc = [tokenizer(T.prompt_text(p), add_special_tokens=False)["input_ids"] for p in problems["problem"]]
    prompt_ids = torch.tensor(enc, dtype=torch.long)
    gold_ids = torch.tensor(tokenizer.convert_tokens_to_ids([f"\\boxed{{{a}}}" for a in problems["answer"]]))
    op_ids = tokenizer.convert_tokens_to_ids(list(T.OP_WORDS))
    types = problems["type"].to_numpy()
    minority = types != 0
    exclude = [tokenizer.pad_token_id]

    def validate(model) -> dict:
        p, first = success_probs(model, prompt_ids, gold_ids, tokenizer.eos_token_id, exclude)
        out = {f"val/pass@{k}": float(v) for k, v in zip(ks, exact_pass_at_k(p, ks).mean(0))}
        if minority.any():
            out["val/p_add_minority"] = float(first[minority, op_ids[0]].mean())
            own = first[np.flatnonzero(minority), np.asarray(op_ids)[types[minority]]]
            out["val/p_own_minority"] = float(own.mean())
        return out

    return validate
