"""Run names: the one place that formats and parses `{run}` (README "Architecture": Names).

    trained:  {model}__{dataset}__{method}{param}__s{seed}   e.g. qwen25-math-1.5b__deepmath103k__rs_grpo-b2__s0
    base:     {model}__base                                  e.g. qwen25-math-1.5b__base

`{method}` is a registry name (grpo, dr_grpo, rs_grpo, chen, mahdavi, tang, pkpo); parameters travel as
`-b{beta}` (rs_grpo) or `-k{k}` (pass@k methods). Beta is written without a trailing `.0` (2.0 -> b2, 0.5 -> b0.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RunName", "format_run", "parse_run", "method_tag", "parse_method_tag"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_METHOD_TAG = re.compile(r"^(?P<method>[a-z][a-z0-9_]*?)(?:-(?P<kind>[bk])(?P<value>[0-9]+(?:\.[0-9]+)?))?$")


@dataclass(frozen=True)
class RunName:
    model: str
    dataset: str | None = None  # None for a base model
    method: str = "base"
    beta: float | None = None
    k: int | None = None
    seed: int | None = None

    @property
    def is_base(self) -> bool:
        return self.method == "base"

    def __str__(self) -> str:
        return format_run(self)


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def method_tag(method: str, beta: float | None = None, k: int | None = None) -> str:
    """('rs_grpo', beta=2) -> 'rs_grpo-b2'; ('chen', k=4) -> 'chen-k4'; ('grpo',) -> 'grpo'."""
    if beta is not None and k is not None:
        raise ValueError("a method tag carries beta or k, not both")
    if beta is not None:
        return f"{method}-b{_fmt_num(beta)}"
    if k is not None:
        return f"{method}-k{int(k)}"
    return method


def parse_method_tag(tag: str) -> tuple[str, float | None, int | None]:
    """'rs_grpo-b2' -> ('rs_grpo', 2.0, None); 'pkpo-k4' -> ('pkpo', None, 4)."""
    m = _METHOD_TAG.match(tag)
    if not m:
        raise ValueError(f"not a method tag: {tag!r} (expected e.g. 'rs_grpo-b2', 'chen-k4', 'grpo')")
    kind, value = m.group("kind"), m.group("value")
    beta = float(value) if kind == "b" else None
    k = int(float(value)) if kind == "k" else None
    return m.group("method"), beta, k


def format_run(run: RunName) -> str:
    """The `{run}` string of a RunName; raises ValueError on names that would not round-trip."""
    for part, value in (("model", run.model), ("dataset", run.dataset)):
        if value is not None and (not _SLUG.match(value) or "__" in value):
            raise ValueError(f"run {part} {value!r} must be lower-case letters, digits, '.', '_' or '-' (no '__')")
    if run.is_base:
        return f"{run.model}__base"
    if run.dataset is None or run.seed is None:
        raise ValueError("a trained run needs a dataset and a seed")
    return f"{run.model}__{run.dataset}__{method_tag(run.method, run.beta, run.k)}__s{int(run.seed)}"


def parse_run(name: str) -> RunName:
    """Inverse of format_run."""
    parts = name.split("__")
    if len(parts) == 2 and parts[1] == "base":
        return RunName(model=parts[0])
    if len(parts) != 4 or not re.fullmatch(r"s[0-9]+", parts[3]):
        raise ValueError(f"not a run name: {name!r} (expected model__dataset__method[-bX|-kY]__sN or model__base)")
    method, beta, k = parse_method_tag(parts[2])
    return RunName(model=parts[0], dataset=parts[1], method=method, beta=beta, k=k, seed=int(parts[3][1:]))
