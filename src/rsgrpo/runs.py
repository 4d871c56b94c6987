"""Run names: the one place that formats and parses `{run}` (README "Architecture": Names).

    trained:  {model}__{dataset}__{method}{param}__s{seed}   e.g. qwen25-math-1.5b__deepmath103k__rs_grpo-b2__s0
    base:     {model}__base                                  e.g. qwen25-math-1.5b__base

`{method}` is a registry name (grpo, dr_grpo, rs_grpo, chen, mahdavi, tang, pkpo); parameters travel as
`-b{beta}` (rs_grpo) or `-k{k}` (pass@k methods). Beta is written without a trailing `.0` (2.0 -> b2, 0.5 -> b0.5).
A β schedule (rsgrpo.estimators.beta) travels as its tag: rs_grpo-cos8to2w0d100, rs_grpo-sw8at50, rs_grpo-dif8to0;
`RunName.beta` then holds that tag (a str; `rsgrpo.estimators.beta.parse_tag` gives the schedule back).
May import: rsgrpo.estimators (the β tags; pure Python, no torch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rsgrpo.estimators import beta as beta_spec

__all__ = ["RunName", "format_run", "parse_run", "method_tag", "parse_method_tag", "beta_tag"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_METHOD_TAG = re.compile(r"^(?P<method>[a-z][a-z0-9_]*?)(?:-(?P<param>[a-z][a-z0-9.]*))?$")


@dataclass(frozen=True)
class RunName:
    model: str
    dataset: str | None = None  # None for a base model
    method: str = "base"
    beta: float | str | None = None  # a number, or a β schedule's tag
    k: int | None = None
    seed: int | None = None

    @property
    def is_base(self) -> bool:
        return self.method == "base"

    def __str__(self) -> str:
        return format_run(self)


def beta_tag(beta: Any) -> str:
    """The β part of a tag: 2 -> 'b2'; a schedule (mapping or its tag) -> 'cos8to2w0d100' etc."""
    if isinstance(beta, str):
        beta = beta_spec.parse_tag(beta)
    return beta_spec.tag(beta)


def method_tag(method: str, beta: Any = None, k: int | None = None) -> str:
    """('rs_grpo', beta=2) -> 'rs_grpo-b2'; a β schedule -> 'rs_grpo-cos8to2w0d100'; ('chen', k=4) -> 'chen-k4';
    ('grpo',) -> 'grpo'."""
    if beta is not None and k is not None:
        raise ValueError("a method tag carries beta or k, not both")
    if beta is not None:
        return f"{method}-{beta_tag(beta)}"
    if k is not None:
        return f"{method}-k{int(k)}"
    return method


def parse_method_tag(tag: str) -> tuple[str, float | str | None, int | None]:
    """'rs_grpo-b2' -> ('rs_grpo', 2.0, None); 'rs_grpo-cos8to2w0d100' -> ('rs_grpo', 'cos8to2w0d100', None);
    'pkpo-k4' -> ('pkpo', None, 4)."""
    m = _METHOD_TAG.match(tag)
    bad = ValueError(f"not a method tag: {tag!r} (expected e.g. 'rs_grpo-b2', 'rs_grpo-cos8to2w0d100', 'chen-k4', "
                     "'grpo')")
    if not m:
        raise bad
    param = m.group("param")
    if param is None:
        return m.group("method"), None, None
    if re.fullmatch(r"k[0-9]+", param):
        return m.group("method"), None, int(param[1:])
    try:
        beta = beta_spec.parse_tag(param)
    except ValueError:
        raise bad from None
    return m.group("method"), (beta if isinstance(beta, float) else param), None


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
        raise ValueError(f"not a run name: {name!r} (expected model__dataset__method[-bX|-kY|-schedule]__sN or "
                         "model__base)")
    method, beta, k = parse_method_tag(parts[2])
    return RunName(model=parts[0], dataset=parts[1], method=method, beta=beta, k=k, seed=int(parts[3][1:]))
