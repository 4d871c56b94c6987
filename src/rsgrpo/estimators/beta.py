"""β schedules of RS-GRPO: β as a function of the training step (and, for `difficulty`, of the group's rewards).

The paper trains with a fixed β and names the dynamic choice its open problem (App. A: a high β decayed linearly or
by cosine after a warm-up, a high β switched to the mean objective, a per-prompt β from difficulty). Config forms
(estimator params, bandit methods, mini and paper grids: wherever an RS-GRPO `beta` is accepted)::

    beta: 2                                                             constant (the paper)
    beta: {schedule: constant, beta: 2}                                 the same run (normalised to 2.0)
    beta: {schedule: linear, beta_start: 8, beta_end: 2, warmup_steps: 0, decay_steps: 100}
    beta: {schedule: cosine, beta_start: 8, beta_end: 2, warmup_steps: 0, decay_steps: 100}
    beta: {schedule: switch, beta: 8, switch_step: 50}                  beta before step 50, 0 (mean objective) after
    beta: {schedule: difficulty, beta_max: 8, beta_min: 0}              per prompt: beta_max (1 - acc) + beta_min acc

`step` is the number of RL updates done before the batch (0 for the first batch). linear / cosine hold beta_start
for steps < warmup_steps, move to beta_end over decay_steps steps (s = (step - warmup) / decay in [0, 1]; linear
start + (end - start) s, cosine end + (start - end) (1 + cos(pi s)) / 2) and hold beta_end afterwards. `difficulty`
reads acc = the group's mean reward clipped to [0, 1] (the empirical accuracy for binary rewards), so a prompt no
response solves gets beta_max and a solved one beta_min.

    normalise(spec) -> float | dict    a number >= 0, or the canonical schedule dict (constant -> its number)
    tag(spec) -> str                   the run-name part: b2, lin8to2w0d100, cos8to2w0d100, sw8at50, dif8to0
    parse_tag(tag) -> float | dict     inverse of tag
    describe(spec) -> str              for legends: 'β=2', 'β cosine 8→2, warm-up 25, over 100 steps', ...
    value(spec, step, rewards=None)    float, or a (G,) tensor for `difficulty` (rewards (G, N))
    params_at(params, step, rewards)   estimator params with beta evaluated (the trainers' one call)

Pure Python; torch is imported only by `value` for `difficulty`.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

__all__ = ["KINDS", "normalise", "is_schedule", "tag", "parse_tag", "describe", "value", "params_at"]

# kind -> (required keys, optional keys with defaults)
KINDS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "constant": (("beta",), {}),
    "linear": (("beta_start", "beta_end", "decay_steps"), {"warmup_steps": 0}),
    "cosine": (("beta_start", "beta_end", "decay_steps"), {"warmup_steps": 0}),
    "switch": (("beta", "switch_step"), {}),
    "difficulty": (("beta_max", "beta_min"), {}),
}
_STEPS = ("decay_steps", "warmup_steps", "switch_step")
_NUM = r"[0-9]+(?:\.[0-9]+)?"
_TAGS = {
    "linear": re.compile(rf"^lin(?P<beta_start>{_NUM})to(?P<beta_end>{_NUM})w(?P<warmup_steps>[0-9]+)d(?P<decay_steps>[0-9]+)$"),
    "cosine": re.compile(rf"^cos(?P<beta_start>{_NUM})to(?P<beta_end>{_NUM})w(?P<warmup_steps>[0-9]+)d(?P<decay_steps>[0-9]+)$"),
    "switch": re.compile(rf"^sw(?P<beta>{_NUM})at(?P<switch_step>[0-9]+)$"),
    "difficulty": re.compile(rf"^dif(?P<beta_max>{_NUM})to(?P<beta_min>{_NUM})$"),
    "constant": re.compile(rf"^b(?P<beta>{_NUM})$"),
}
_PREFIX = {"linear": "lin", "cosine": "cos"}


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _near(word: Any, choices: list[str]) -> str:
    import difflib

    near = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.5)
    return f" (did you mean {near[0]!r}?)" if near else ""


def is_schedule(spec: Any) -> bool:
    """True for a (non-constant) schedule mapping; False for a number."""
    return isinstance(spec, Mapping)


def normalise(spec: Any) -> float | dict[str, Any]:
    """A β spec -> a float >= 0 (also for {schedule: constant}) or the canonical schedule dict (every key, floats
    for betas, ints for steps). ValueError naming the key and the rule otherwise."""
    if _num(spec):
        if spec < 0:
            raise ValueError(f"beta must be >= 0, got {spec!r}")
        return float(spec)
    if not isinstance(spec, Mapping):
        raise ValueError(f"beta must be a number >= 0 or a schedule mapping {{schedule: ...}}, got {spec!r}")
    spec = dict(spec)
    kind = spec.pop("schedule", None)
    if kind not in KINDS:
        raise ValueError(f"beta schedule: 'schedule' must be one of {', '.join(KINDS)}, got {kind!r}"
                         f"{_near(kind, list(KINDS))}")
    required, optional = KINDS[kind]
    unknown = sorted(set(spec) - set(required) - set(optional))
    if unknown:
        raise ValueError(f"beta schedule {kind!r}: unknown key(s) {', '.join(unknown)}"
                         f"{_near(unknown[0], [*required, *optional])}; valid: {', '.join([*required, *optional])}")
    missing = [k for k in required if k not in spec]
    if missing:
        raise ValueError(f"beta schedule {kind!r}: missing key(s) {', '.join(missing)}")
    out: dict[str, Any] = {"schedule": kind}
    for key in (*required, *optional):
        v = spec.get(key, optional.get(key))
        if key in _STEPS:
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if not (isinstance(v, int) and not isinstance(v, bool)) or v < (1 if key == "decay_steps" else 0):
                raise ValueError(f"beta schedule {kind!r}: {key} must be an integer >= "
                                 f"{1 if key == 'decay_steps' else 0}, got {v!r}")
        elif not _num(v) or v < 0:
            raise ValueError(f"beta schedule {kind!r}: {key} must be a number >= 0, got {v!r}")
        else:
            v = float(v)
        out[key] = v
    return out["beta"] if kind == "constant" else out


def tag(spec: Any) -> str:
    """The run-name part of a β spec: 'b2' (constant), 'cos8to2w0d100', 'lin8to2w10d100', 'sw8at50', 'dif8to0'."""
    s = normalise(spec)
    if not is_schedule(s):
        return f"b{_fmt(s)}"
    kind = s["schedule"]
    if kind in _PREFIX:
        return (f"{_PREFIX[kind]}{_fmt(s['beta_start'])}to{_fmt(s['beta_end'])}w{s['warmup_steps']}"
                f"d{s['decay_steps']}")
    if kind == "switch":
        return f"sw{_fmt(s['beta'])}at{s['switch_step']}"
    return f"dif{_fmt(s['beta_max'])}to{_fmt(s['beta_min'])}"


def parse_tag(text: str) -> float | dict[str, Any]:
    """Inverse of `tag`; ValueError if `text` is not a β tag."""
    for kind, rx in _TAGS.items():
        m = rx.match(text)
        if m:
            return normalise({"schedule": kind, **{k: float(v) if "." in v or k.startswith("beta") else int(v)
                                                   for k, v in m.groupdict().items()}})
    raise ValueError(f"not a beta tag: {text!r} (expected e.g. b2, cos8to2w0d100, lin8to2w0d100, sw8at50, dif8to0)")


def describe(spec: Any) -> str:
    """A legend label: 'β=2', 'β linear 8→2, warm-up 25, over 100 steps', 'β 8→0 at step 50', 'β 8(1−acc)+2·acc'."""
    s = normalise(parse_tag(spec) if isinstance(spec, str) else spec)
    if not is_schedule(s):
        return f"β={_fmt(s)}"
    kind = s["schedule"]
    if kind in _PREFIX:
        warm = f", warm-up {s['warmup_steps']}" if s["warmup_steps"] else ""
        return f"β {kind} {_fmt(s['beta_start'])}→{_fmt(s['beta_end'])}{warm}, over {s['decay_steps']} steps"
    if kind == "switch":
        return f"β {_fmt(s['beta'])}→0 at step {s['switch_step']}"
    return f"β {_fmt(s['beta_max'])}(1−acc)+{_fmt(s['beta_min'])}·acc"


def value(spec: Any, step: int, rewards: Any = None):
    """β at `step` (updates done before this batch): a float, or for `difficulty` a float64 (G,) tensor from
    rewards (G, N) (the group's mean reward clipped to [0, 1] as its accuracy)."""
    s = normalise(spec)
    if not is_schedule(s):
        return s
    if not (isinstance(step, int) and not isinstance(step, bool)) or step < 0:
        raise ValueError(f"beta schedule: step must be an integer >= 0, got {step!r}")
    kind = s["schedule"]
    if kind in ("linear", "cosine"):
        frac = min(max((step - s["warmup_steps"]) / s["decay_steps"], 0.0), 1.0)
        a, b = s["beta_start"], s["beta_end"]
        if kind == "linear":
            return a + (b - a) * frac
        return b + (a - b) * (1.0 + math.cos(math.pi * frac)) / 2.0
    if kind == "switch":
        return s["beta"] if step < s["switch_step"] else 0.0
    if rewards is None:
        raise ValueError("beta schedule 'difficulty' needs the group rewards (G, N) to set a beta per prompt")
    import torch

    acc = torch.as_tensor(rewards, dtype=torch.float64).mean(dim=-1).clamp(0.0, 1.0)  # (G,)
    return s["beta_max"] * (1.0 - acc) + s["beta_min"] * acc


def params_at(params: Mapping[str, Any], step: int, rewards: Any = None) -> dict[str, Any]:
    """`params` with a scheduled "beta" replaced by its value at `step` (rewards (G, N) for `difficulty`);
    params without a schedule are returned unchanged (a copy)."""
    out = dict(params)
    if is_schedule(out.get("beta")):
        out["beta"] = value(out["beta"], step, rewards)
    return out
