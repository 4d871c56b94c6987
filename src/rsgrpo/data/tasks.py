""""Skewed-marker ops": a verifiable synthetic task on which a tiny LM shows the exploration dilemma.

Design (docs/cpu_experiment.md, measured there in plain torch; rebuilt here through the harness's real parts)::

    prompt    "T{m} {a} {b} ="            m in 0..3 (type marker), a, b in 0..M-1 (M = 16)
    response  "{op_word} \\boxed{{N}}"     choose a strategy (add|sub|mul|xor), then execute it
    reward    1 iff N == op_m(a, b)        graded by the real grader (rsgrpo.eval.grading); the word is not graded

    op0 = (a + b) mod M   (the dominant strategy)     op1 = (a - b) mod M
    op2 = (a * b) mod M                               op3 = a xor b

Problems: 4 markers x M^2 operand pairs. The (a, b) pairs are split once (``split_seed``) into train and
held-out halves, the same for every marker: RL never sees a held-out pair, SFT sees every pair.

Why this models the exploration dilemma of the paper (a sharply peaked, partly wrong prior):

1. *Biased SFT* (``sft_batch``): with probability ``sft_p_add`` (0.80) the demonstration uses ``add``
   whatever the marker, with ``sft_p_own`` (0.02) the marker's own op, otherwise a uniformly random op; the
   chosen op is always executed correctly. The base model therefore prefers ``add`` under every marker
   (P(add) ~ 0.85), tries the right op on minority markers only ~6 % of the time, yet executes every op
   well, so its pass@1024 is ~1.0 on every problem: the right answer is in its support but rarely sampled.
2. *Skewed RL prompts* (``type_weights`` 13:1:1:1): ~81 % of RL prompts are ``add`` problems, where every
   failure is a sample that tried a minority strategy. Because SFT left the strategy choice nearly
   independent of the marker, pushing those failures down suppresses the minority strategies everywhere.
3. *Rare alternatives* (2-8 % per sample). Under GRPO/Dr.GRPO the push-down beats the rare positive signal
   from minority prompts: the minority strategies go extinct and pass@k at large k collapses below the base
   model. RS-GRPO (beta >= 4) shrinks the penalty on failures in mostly-correct groups 4-8x and boosts rare
   successes, so each minority strategy escapes and is learned conditionally on its marker.

Variant D (``answer_noise`` = 0.3, the paper's full framing): 30 % of SFT answers are uniformly random, so
there is also execution noise that GRPO can clean up (GRPO gains pass@1 and loses pass@k); its RS escape is
seed-dependent (docs/cpu_experiment.md, "Variants"). Variant noisy-add (the embedded default): the noise hits
only the dominant strategy's demonstrations (``answer_noise_ops`` = [0]): half of the ``add`` answers are random,
the minority strategies are demonstrated cleanly. GRPO sharpens ``add`` (pass@1 rises on the held-out set)
while the minority strategies go extinct (pass@k falls below the base model); the rare successes RS-GRPO
amplifies are not diluted by lucky random answers, so its escape holds in every seed measured.

Outputs use the harness's schemas: ``benchmark_frame`` -> (problem_id, problem, answer) like the real
benchmarks (rsgrpo.data.benchmarks); ``training_frame`` -> verl-style training rows (data_source, prompt as a
chat message list, ability, reward_model.ground_truth, extra_info) in which each marker's rows are repeated
by its type weight, so a uniform data loader (ours or verl's) sees the skewed distribution.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

__all__ = ["OpsTask", "OP_WORDS", "variant", "from_config", "VARIANTS", "DEFAULT_VARIANT", "vocabulary", "problem_text", "prompt_text", "response_text",
           "apply_op", "split_pairs", "benchmark_frame", "training_frame", "sft_batch", "extract_boxed",
           "reference_correct"]

OP_WORDS = ("add", "sub", "mul", "xor")  # strategy tokens O0..O3; op m is marker m's own op
_BOXED = re.compile(r"\\boxed\{([^{}]*)\}")


@dataclass(frozen=True)
class OpsTask:
    """Parameters of one task instance (defaults: the measured "skewed-marker ops" design)."""

    name: str = "ops"  # dataset slug (run names, data_source)
    modulus: int = 16  # operands and answers live in 0..modulus-1
    type_weights: tuple[int, ...] = (13, 1, 1, 1)  # RL prompt frequency per marker T0..T3
    holdout_frac: float = 0.5  # fraction of (a, b) pairs held out from RL (same pairs for every marker)
    split_seed: int = 0
    test_per_type: int | None = None  # held-out problems per marker in the test benchmark (None: all)
    sft_p_add: float = 0.80  # SFT: probability the demonstration uses `add` whatever the marker
    sft_p_own: float = 0.02  # SFT: probability (minority markers) of the marker's own op
    answer_noise: float = 0.0  # SFT: probability the answer is replaced by a uniform random number (variant D)
    answer_noise_ops: tuple[int, ...] | None = None  # SFT: the ops whose demonstrations get answer_noise (None: all)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if len(self.type_weights) != len(OP_WORDS) or any(w < 0 for w in self.type_weights) \
                or sum(self.type_weights) <= 0:
            raise ValueError(f"type_weights must be {len(OP_WORDS)} non-negative integers with a positive sum, "
                             f"got {self.type_weights!r}")
        if not 2 <= self.modulus <= 64:
            raise ValueError(f"modulus must be in 2..64, got {self.modulus}")
        if not 0.0 < self.holdout_frac < 1.0:
            raise ValueError(f"holdout_frac must be in (0, 1), got {self.holdout_frac}")
        for key in ("sft_p_add", "sft_p_own", "answer_noise"):
            if not 0.0 <= getattr(self, key) <= 1.0:
                raise ValueError(f"{key} must be a probability, got {getattr(self, key)}")
        if self.sft_p_add + self.sft_p_own > 1.0:
            raise ValueError("sft_p_add + sft_p_own must be <= 1")
        if self.answer_noise_ops is not None and (not self.answer_noise_ops or any(
                not 0 <= int(o) < len(OP_WORDS) for o in self.answer_noise_ops)):
            raise ValueError(f"answer_noise_ops must be a non-empty list of ops in 0..{len(OP_WORDS) - 1}, "
                             f"got {self.answer_noise_ops!r}")

    @property
    def num_types(self) -> int:
        return len(OP_WORDS)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        d["type_weights"] = list(self.type_weights)
        if self.answer_noise_ops is not None:
            d["answer_noise_ops"] = list(self.answer_noise_ops)
        return d


VARIANTS = {
    "skewed": {},  # the measured design of the prototype (RS keeps pass@k; GRPO does not gain pass@1)
    "D": {"answer_noise": 0.3},  # 30 % random SFT answers: the paper's full framing, RS's escape seed-dependent
    # The embedded default: the dominant strategy is demonstrated sloppily (half of the `add` answers random),
    # the others cleanly -> GRPO gains pass@1 by sharpening add and loses pass@k; RS keeps both (measured).
    "noisy-add": {"answer_noise": 0.5, "answer_noise_ops": (0,)},
}
DEFAULT_VARIANT = "noisy-add"  # the config schema's default (workflow/schemas/config.schema.yaml) and variant()'s


def variant(variant_name: str = DEFAULT_VARIANT, /, **overrides: Any) -> OpsTask:
    """The task of a named variant (a key of VARIANTS) with optional field overrides (e.g. test_per_type=32,
    name='ops': the variant name is positional-only, so the task's own `name` field can be overridden)."""
    if variant_name not in VARIANTS:
        raise ValueError(f"unknown ops task variant {variant_name!r}; known: {sorted(VARIANTS)}")
    for key in ("type_weights", "answer_noise_ops"):
        if overrides.get(key) is not None:
            overrides[key] = tuple(int(w) for w in overrides[key])
    return replace(OpsTask(), **{**VARIANTS[variant_name], **overrides})


def from_config(name: str, cfg: dict[str, Any]) -> OpsTask:
    """The task of a `train.datasets.<name>.task` config block ({variant, ...OpsTask fields}); `name` is the
    dataset key (run names, data_source)."""
    cfg = dict(cfg)
    return variant(cfg.pop("variant", DEFAULT_VARIANT), name=name, **cfg)


# ------------------------------------------------------------------------------------------ rendering
def vocabulary(task: OpsTask) -> list[str]:
    """The task's words (no special tokens): markers, operands, '=', the words of the paper's prompt suffix
    (rsgrpo.data.benchmarks.PROMPT_SUFFIX, appended to every prompt as for the real benchmarks), strategy
    words, boxed answers."""
    from rsgrpo.data.benchmarks import PROMPT_SUFFIX

    suffix = list(dict.fromkeys(PROMPT_SUFFIX.split()))
    return ([f"T{m}" for m in range(task.num_types)] + [str(i) for i in range(task.modulus)] + ["="] + suffix
            + list(OP_WORDS) + [f"\\boxed{{{i}}}" for i in range(task.modulus)])


def prompt_text(problem: str) -> str:
    """The model's input for a problem: problem + the paper's suffix (rsgrpo.data.benchmarks.build_prompt)."""
    from rsgrpo.data.benchmarks import build_prompt

    return build_prompt(problem)


def problem_text(m: int, a: int, b: int) -> str:
    """'T1 3 5 =' (whitespace-separated words; the tiny tokenizer maps each word to one token)."""
    return f"T{m} {a} {b} ="


def response_text(op: int, answer: int) -> str:
    """'sub \\boxed{14}': the strategy word, then the boxed answer the grader reads."""
    return f"{OP_WORDS[op]} \\boxed{{{answer}}}"


def apply_op(op, a, b, modulus: int = 16):
    """op_k(a, b) mod modulus, elementwise over numpy arrays or ints (op in 0..3)."""
    op, a, b = np.asarray(op), np.asarray(a), np.asarray(b)
    out = np.select([op == 0, op == 1, op == 2, op == 3],
                    [(a + b) % modulus, (a - b) % modulus, (a * b) % modulus, np.bitwise_xor(a, b) % modulus], -1)
    if np.any(out < 0):
        raise ValueError("op must be in 0..3")
    return out if out.ndim else int(out)


def extract_boxed(text: str) -> str | None:
    """Content of the last \\boxed{...} in text (None if absent); a reference for the real grader."""
    found = _BOXED.findall(text)
    return found[-1].strip() if found else None


def reference_correct(text: str, gold: str) -> bool:
    """Plain-Python correctness (last boxed integer == gold); used to cross-check rsgrpo.eval.grading."""
    ans = extract_boxed(text)
    return ans is not None and ans == str(gold).strip()


# ------------------------------------------------------------------------------------------- problems
def split_pairs(task: OpsTask) -> tuple[np.ndarray, np.ndarray]:
    """(train_pairs (P_train, 2), test_pairs (P_test, 2)) int arrays; test pairs in a seeded random order."""
    m = task.modulus
    pairs = np.array([(a, b) for a in range(m) for b in range(m)], dtype=np.int64)  # (M^2, 2)
    perm = np.random.default_rng(task.split_seed).permutation(len(pairs))
    n_test = int(round(task.holdout_frac * len(pairs)))
    test, train = pairs[perm[:n_test]], pairs[perm[n_test:]]
    order = np.lexsort((train[:, 1], train[:, 0]))  # train in (a, b) order; test keeps the seeded order
    return train[order], test


def _problem_id(task: OpsTask, m: int, a: int, b: int) -> str:
    return f"{task.name}-T{m}-{a}-{b}"


def _rows(task: OpsTask, pairs: np.ndarray, types: list[int]) -> list[dict[str, Any]]:
    rows = []
    for m in types:
        for a, b in pairs:
            a, b = int(a), int(b)
            rows.append({"problem_id": _problem_id(task, m, a, b), "problem": problem_text(m, a, b),
                         "answer": str(apply_op(m, a, b, task.modulus)), "type": m, "a": a, "b": b})
    return rows


def benchmark_frame(task: OpsTask, split: str = "test"):
    """The held-out (split='test') or RL (split='train') problems in the benchmark schema.

    Columns: problem_id (str), problem (str), answer (str), type, a, b (int). 'test' keeps the first
    `test_per_type` held-out pairs of the seeded order for every marker (all when None).
    """
    import pandas as pd

    train, test = split_pairs(task)
    if split == "test":
        pairs = test if task.test_per_type is None else test[: task.test_per_type]
    elif split == "train":
        pairs = train
    else:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    return pd.DataFrame(_rows(task, pairs, list(range(task.num_types))))


def training_frame(task: OpsTask):
    """verl-style RL training rows: each marker's train problems repeated `type_weights[m]` times.

    Columns: data_source, prompt (one user message: problem + the paper's suffix, as rsgrpo.data.training),
    ability,
    reward_model ({'style': 'rule', 'ground_truth': answer}), extra_info ({'split', 'index', 'problem_id',
    'type'}), plus flat problem_id, problem, answer.
    """
    import pandas as pd

    from rsgrpo.data.benchmarks import prompt_messages

    base = benchmark_frame(task, "train")
    out = []
    for _, r in base.iterrows():
        for _ in range(task.type_weights[int(r["type"])]):
            out.append({"data_source": task.name,
                        "prompt": prompt_messages(r["problem"]),
                        "ability": "arithmetic",
                        "reward_model": {"style": "rule", "ground_truth": r["answer"]},
                        "extra_info": {"split": "train", "index": len(out), "problem_id": r["problem_id"],
                                       "type": int(r["type"])},
                        "problem_id": r["problem_id"], "problem": r["problem"], "answer": r["answer"]})
    return pd.DataFrame(out)


# ------------------------------------------------------------------------------------------------ SFT
def sft_batch(task: OpsTask, batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One batch of biased SFT demonstrations over ALL (marker, a, b) (SFT sees every pair).

    Returns int arrays of shape (batch,): type, a, b, op (the demonstrated strategy), answer (its correct
    execution, or a uniform random number with probability answer_noise when op is in answer_noise_ops).
    """
    t, m = task.num_types, task.modulus
    typ = rng.integers(0, t, batch)
    a, b = rng.integers(0, m, batch), rng.integers(0, m, batch)
    u = rng.random(batch)
    op = np.where(u < task.sft_p_add, 0,
                  np.where((typ != 0) & (u < task.sft_p_add + task.sft_p_own), typ, rng.integers(0, t, batch)))
    ans = apply_op(op, a, b, m)
    if task.answer_noise > 0:
        noisy = rng.random(batch) < task.answer_noise
        if task.answer_noise_ops is not None:
            noisy &= np.isin(op, task.answer_noise_ops)
        ans = np.where(noisy, rng.integers(0, m, batch), ans)
    return {"type": typ, "a": a, "b": b, "op": op, "answer": ans}
