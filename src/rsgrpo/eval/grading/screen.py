"""Cheap screening of extracted answers that no verifier can settle within its timeout (rsgrpo.eval.grading).

    screen(answer) -> None | reason      a reason means: score 0 with status "error" without calling Math-Verify

Two shapes are rejected, both far outside any benchmark's answers and both known to run Math-Verify/sympy into
its timeout (tests/test_grading_adversarial.py, benchmarks/bench_grading.py):

* integer power towers whose value has more than MAX_DIGITS decimal digits (``9^{9^{9^9}}``, ``2^{10^{10}}``,
  a tower inside a larger expression too); ``2^{2^{10}}`` (309 digits) passes;
* brackets nested deeper than MAX_DEPTH levels (``{{{...1...}}}``, 30-deep continued fractions); real answers
  nest a few levels (``\\frac{\\sqrt{2+\\sqrt{3}}}{2}``: 3).

The digit count of a tower b^e is e * log10(b), evaluated top-down in floating point and capped, so screening
itself never computes a large number.
"""

from __future__ import annotations

import math
import re

__all__ = ["MAX_DIGITS", "MAX_DEPTH", "screen", "tower_log10", "nesting_depth"]

MAX_DIGITS = 100_000
MAX_DEPTH = 24
_TOWER_START = re.compile(r"\d+\s*\^")
_NUM = re.compile(r"\d+")
_OPEN, _CLOSE = "{([", "})]"


def nesting_depth(s: str) -> int:
    """Deepest bracket nesting ({, (, [ alike; unbalanced closers are ignored)."""
    depth = best = 0
    for ch in s:
        if ch in _OPEN:
            depth += 1
            best = max(best, depth)
        elif ch in _CLOSE and depth:
            depth -= 1
    return best


def _close(s: str, i: int) -> int:
    """Index of the bracket closing s[i], or -1."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] in _OPEN:
            depth += 1
        elif s[j] in _CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return -1


def _digits_log10(digits: str) -> float:
    """log10 of a decimal digit string (-inf for zero; the digit count once it is too long to convert)."""
    digits = digits.lstrip("0")
    if not digits:
        return -math.inf
    return math.log10(int(digits)) if len(digits) < 300 else float(len(digits))


def _log10_at(s: str, i: int, depth: int = 0) -> tuple[float, int] | None:
    """(log10 of the integer tower starting at s[i], end index) or None if s[i:] does not start with one."""
    m = _NUM.match(s, i)
    if m is None or depth > MAX_DEPTH:
        return None
    base = _digits_log10(m.group())
    j = m.end()
    k = j
    while k < len(s) and s[k] == " ":
        k += 1
    if k >= len(s) or s[k] != "^":
        return base, j
    k += 1
    while k < len(s) and s[k] == " ":
        k += 1
    if k < len(s) and s[k] in _OPEN:
        end = _close(s, k)
        if end < 0:
            return None
        inner = s[k + 1:end].strip()
        while inner and inner[0] in _OPEN and _close(inner, 0) == len(inner) - 1:  # {(5^5)} -> 5^5
            inner = inner[1:-1].strip()
        sub = _log10_at(inner, 0, depth + 1)
        if sub is None or sub[1] != len(inner):
            return None  # an exponent that is not a pure tower: left to the verifier
        exp_log10, nxt = sub[0], end + 1
    else:
        em = _NUM.match(s, k)
        if em is None:
            return None
        exp_log10, nxt = _digits_log10(em.group()), em.end()
    if base <= 0 or exp_log10 == -math.inf:  # 0^e, 1^e, b^0: small whatever the rest
        return 0.0, nxt
    if exp_log10 > 300:
        return math.inf, nxt
    return 10.0 ** exp_log10 * base, nxt


def tower_log10(s: str) -> float:
    """Largest log10 of any integer power tower in s (0.0 if none)."""
    best = 0.0
    for m in _TOWER_START.finditer(s):
        if m.start() and s[m.start() - 1].isdigit():
            continue  # inside a longer number
        got = _log10_at(s, m.start())
        if got is not None:
            best = max(best, got[0])
    return best


def screen(answer: str) -> str | None:
    """Why `answer` is not sent to the verifier (see the module docstring), or None."""
    depth = nesting_depth(answer)
    if depth > MAX_DEPTH:
        return f"not verified: brackets nested {depth} deep (> {MAX_DEPTH})"
    if "^" in answer:
        size = tower_log10(answer)
        if size > MAX_DIGITS:
            shown = "more than 10^300" if math.isinf(size) else f"~{size:.3g}"
            return f"not verified: a power with {shown} digits (> {MAX_DIGITS})"
    return None
