"""Grade model outputs against gold answers with Math-Verify: robust, fast, safe in threads.

Recipe (docs/evaluation.md §5.3, docs/environment.md §4):

1. **Extract** the last ``\\boxed{...}`` / ``\\fbox{...}`` with brace matching, in the caller's process
   (:func:`extract_boxed`). No box (or an empty one) -> status ``no_answer``, scored 0.
2. **Deduplicate** (gold, answer) pairs (answer with whitespace runs collapsed): at n = 1024 a problem has a
   few dozen distinct answers, so ``verify`` runs one to two orders of magnitude fewer times.
3. **Fast paths**, exact by construction, no Math-Verify call:
   * *integer*: gold and answer are both plain integers (``[+-]?\\d+``, after removing spacing commands) ->
     equal iff same value (leading zeros ignored: AIME ``033`` = ``33``);
   * *exact*: the normalised strings are identical (whitespace, ``\\left``/``\\right``, ``\\!``/``\\,``,
     ``\\dfrac``/``\\tfrac``->``\\frac``) -> correct. Note this scores ``9^{9^9}`` vs ``9^{9^9}`` correct where
     Math-Verify itself would time out (docs/environment.md §4).
   * *screen* (:mod:`rsgrpo.eval.grading.screen`): integer power towers of more than 10^5 digits and brackets nested
     over 24 deep score 0 with status ``error`` and the reason, at once, instead of spending a whole timeout.
4. **Verify** the remaining unique pairs in worker *processes* (:mod:`rsgrpo.eval.grading.pool`): each gold parsed
   once per worker (cached; the scheduler keeps a gold on one worker), a soft alarm at ``timeout`` seconds and a
   hard kill + replacement of the worker at ``timeout + kill_grace``. Timeouts and errors score 0 and are
   counted with a reason. Works from any thread (verl calls reward functions in threads, docs/verl.md §9): nothing
   here uses signals in the caller.
"""

from __future__ import annotations

import collections
import re
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import Sequence

from rsgrpo.eval.grading.screen import MAX_DEPTH, MAX_DIGITS, screen

__all__ = ["GradeResult", "grade", "extract_boxed", "parse_gold", "parse_golds", "grader_versions",
           "grader_settings", "summarize", "format_summary", "normalise_answer", "STATUSES"]

STATUSES = ("ok", "no_answer", "timeout", "error")
DEFAULT_TIMEOUT = 5.0
DEFAULT_FLOAT_ROUNDING = 6  # Math-Verify's default; CMIMC has decimal golds (docs/evaluation.md §5.2)
DEFAULT_KILL_GRACE = 0.5
DEFAULT_MAX_ANSWER_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class GradeResult:
    """One graded text. ``correct`` is False unless status is ``ok``.

    answer: the extracted box content (None: no box). status: ok | no_answer | timeout | error.
    reason: why it failed / how it was scored (None for a plain verdict). canonical: str() of the parsed answer
    (only with ``grade(..., canonical=True)`` or the integer path), for unique-answer statistics.
    seconds: wall time spent on this text's unique (gold, answer) pair (shared by its duplicates).
    path: none | integer | exact | screen | verify -- how the verdict was reached.
    """

    correct: bool
    answer: str | None
    status: str
    reason: str | None = None
    canonical: str | None = None
    seconds: float = 0.0
    path: str = "none"

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------------------------------------ extraction
_BOX_RE = re.compile(r"\\(?:boxed|fbox)(?![A-Za-z])")
_BRACE_RE = re.compile(r"\\.|[{}]", re.S)


def extract_boxed(text: str | None) -> str | None:
    """Content of the LAST ``\\boxed{...}`` or ``\\fbox{...}`` (also ``\\boxed 5``), braces matched.

    Escaped braces (``\\{``, ``\\}``) do not count. Returns None when there is no box or the last box is
    unbalanced (a truncated output). Linear in the text length (regex scans, no per-character Python loop).
    """
    if not text:
        return None
    starts = [m.end() for m in _BOX_RE.finditer(text)] if "\\" in text else []
    if not starts:
        return None
    pos = starts[-1]
    n = len(text)
    while pos < n and text[pos] in " \t":
        pos += 1
    if pos >= n:
        return None
    if text[pos] != "{":  # "\boxed 5" form: up to whitespace or '$'
        m = re.match(r"[^\s$]+", text[pos:pos + 10_000])
        return m.group(0) if m else None
    depth = 0
    for m in _BRACE_RE.finditer(text, pos):
        tok = m.group(0)
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                return text[pos + 1:m.start()]
    return None  # unbalanced


# ------------------------------------------------------------------------------------------- normalisation
_SPACING_RE = re.compile(r"\\[,;:! ]|\\q?quad(?![A-Za-z])|~")
_SIZING_RE = re.compile(r"\\(?:left|right|[bB]ig{1,2}[lr]?)(?![A-Za-z])")
_FRAC_RE = re.compile(r"\\[dt]frac(?![A-Za-z])")
_WS_RE = re.compile(r"\s+")
_SPACE_RE = re.compile(r"(?<![A-Za-z]) | (?![A-Za-z])")
_INT_RE = re.compile(r"[+-]?\d+")


def _collapse(s: str) -> str:
    return _WS_RE.sub(" ", s).strip()


def normalise_answer(s: str) -> str:
    """Meaning-preserving normal form used for the exact-match fast path (see module docstring)."""
    s = _SPACING_RE.sub(" ", s)
    s = _SIZING_RE.sub("", s)
    s = _FRAC_RE.sub(r"\\frac", s)
    s = _collapse(s)
    return _SPACE_RE.sub("", s)  # keep only spaces between two letters (``\pi r``, ``\text{New York}``)


def _as_integer(norm: str) -> str | None:
    if not _INT_RE.fullmatch(norm):
        return None
    sign = "-" if norm[0] == "-" else ""
    digits = norm.lstrip("+-").lstrip("0") or "0"
    return ("" if digits == "0" else sign) + digits


# ----------------------------------------------------------------------------------------------- grading
def grade(texts: Sequence[str | None], golds: Sequence[str] | str, *, timeout: float = DEFAULT_TIMEOUT,
          workers: int | None = None, extract: bool = True, canonical: bool = False,
          float_rounding: int = DEFAULT_FLOAT_ROUNDING, kill_grace: float = DEFAULT_KILL_GRACE,
          max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS) -> list[GradeResult]:
    """Grade ``texts[i]`` against ``golds[i]`` (or one gold string for all); one :class:`GradeResult` each.

    texts: model outputs (``extract=True``) or already-extracted answers (``extract=False``).
    timeout: seconds per unique (gold, answer) pair (float ok); a pair is killed at ``timeout + kill_grace``
    (+ ``timeout`` once per worker for parsing a gold). workers: max worker processes (default: CPU count, <= 8;
    env ``RSGRPO_GRADING_WORKERS``); the pool persists across calls. canonical: also return the Math-Verify
    canonical form of each answer (sends exact matches to the workers too). Answers longer than
    ``max_answer_chars`` are scored 0 with status ``error``. Safe to call from any thread.
    """
    n = len(texts)
    if isinstance(golds, str):
        golds = [golds] * n
    elif len(golds) != n:
        raise ValueError(f"grade: {n} texts but {len(golds)} golds")
    for i, g in enumerate(golds):
        if not isinstance(g, str) or not g.strip():
            raise ValueError(f"grade: gold #{i} is empty or not a string: {g!r}")
    results: list[GradeResult | None] = [None] * n
    pairs: dict[tuple[str, str], list[int]] = {}
    answers: list[str | None] = []
    for i, text in enumerate(texts):
        ans = extract_boxed(text) if extract else text
        answers.append(ans)
        if ans is None or not ans.strip():
            results[i] = GradeResult(False, ans, "no_answer", "no \\boxed{}" if ans is None else "empty box")
        elif len(ans) > max_answer_chars:
            results[i] = GradeResult(False, ans, "error", f"answer too long ({len(ans)} > {max_answer_chars} chars)")
        else:
            pairs.setdefault((golds[i], _collapse(ans)), []).append(i)

    gold_norm: dict[str, str] = {}
    verdicts: dict[tuple[str, str], GradeResult] = {}
    tasks: list[tuple[str, str]] = []
    for gold, ans in pairs:
        ng = gold_norm.get(gold)
        if ng is None:
            ng = gold_norm[gold] = normalise_answer(gold)
        na = normalise_answer(ans)
        gi, ai = _as_integer(ng), _as_integer(na)
        if gi is not None and ai is not None:
            verdicts[(gold, ans)] = GradeResult(gi == ai, ans, "ok", None, ai, 0.0, "integer")
        elif na == ng and not canonical:
            verdicts[(gold, ans)] = GradeResult(True, ans, "ok", None, None, 0.0, "exact")
        elif (why := screen(ans)) is not None:  # a tower with 10^9 digits, 200-deep braces: no verifier settles it
            verdicts[(gold, ans)] = GradeResult(False, ans, "error", why, None, 0.0, "screen")
        else:
            tasks.append((gold, ans))

    if tasks:
        from rsgrpo.eval.grading.pool import DEFAULT_WORKERS, get_pool
        out = get_pool().run(tasks, workers=workers or DEFAULT_WORKERS, timeout=timeout, grace=kill_grace,
                             float_rounding=float_rounding, want_canonical=canonical)
        for (gold, ans), (status, correct, reason, canon, secs) in zip(tasks, out):
            if not correct and normalise_answer(ans) == gold_norm[gold]:  # only with canonical=True
                status, correct, reason = "ok", True, f"identical to gold (Math-Verify: {status}, {reason})"
            verdicts[(gold, ans)] = GradeResult(bool(correct) and status == "ok", ans, status, reason, canon,
                                                secs, "verify")
    for key, idx in pairs.items():
        v = verdicts[key]
        for i in idx:
            results[i] = v if answers[i] == v.answer else GradeResult(
                v.correct, answers[i], v.status, v.reason, v.canonical, v.seconds, v.path)
    return results  # type: ignore[return-value]


def parse_golds(golds: Sequence[str], *, timeout: float = DEFAULT_TIMEOUT,
                workers: int | None = None) -> list[tuple[bool, str]]:
    """Parse each distinct gold once in the workers: ``(True, canonical)`` or ``(False, reason)`` per gold."""
    uniq = list(dict.fromkeys(golds))
    for g in uniq:
        if not isinstance(g, str) or not g.strip():
            raise ValueError(f"gold is empty or not a string: {g!r}")
    from rsgrpo.eval.grading.pool import DEFAULT_WORKERS, get_pool
    out = get_pool().run([(g, None) for g in uniq], workers=workers or DEFAULT_WORKERS, timeout=timeout)
    by_gold = {g: (st == "ok", (canon or g) if st == "ok" else f"{st}: {reason}")
               for g, (st, _, reason, canon, _) in zip(uniq, out)}
    return [by_gold[g] for g in golds]


def parse_gold(gold: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Canonical form of a gold answer; raises ValueError when Math-Verify cannot parse it."""
    ok, msg = parse_golds([gold], timeout=timeout, workers=1)[0]
    if not ok:
        raise ValueError(f"gold answer {gold!r} does not parse ({msg})")
    return msg


def grader_versions() -> dict[str, str]:
    """Versions of the packages whose behaviour decides verdicts (record them with every result)."""
    out = {}
    for dist in ("math-verify", "latex2sympy2_extended", "sympy", "antlr4-python3-runtime"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "missing"
    return out


def grader_settings(*, timeout: float = DEFAULT_TIMEOUT, float_rounding: int = DEFAULT_FLOAT_ROUNDING,
                    kill_grace: float = DEFAULT_KILL_GRACE,
                    max_answer_chars: int = DEFAULT_MAX_ANSWER_CHARS) -> dict:
    """Everything that decides a verdict, for results metadata: versions, settings and extraction configs."""
    return {"versions": grader_versions(), "timeout_s": timeout, "kill_grace_s": kill_grace,
            "float_rounding": float_rounding, "max_answer_chars": max_answer_chars,
            "extraction": "last \\boxed{}/\\fbox{} (brace-matched); no box = no_answer (scored 0)",
            "fast_paths": "integer equality; identical normalised strings",
            "screen": f"not verified, scored 0: integer powers over {MAX_DIGITS} digits, brackets nested over "
                      f"{MAX_DEPTH} deep; percent signs of numbers dropped before parsing",
            "math_verify": {
                "gold_parse": "parse('\\\\boxed{'+gold+'}', [LatexExtractionConfig()]), else parse(gold)",
                "pred_parse": "parse('\\\\boxed{'+answer+'}', [LatexExtractionConfig(boxed_match_priority=0, "
                              "normalization: basic_latex, units, malformed_operators=True, nits=False, "
                              "boxed='all', equations=False), ExprExtractionConfig()])",
                "verify": "verify(gold, pred, float_rounding, timeout_seconds=None)"}}


# ------------------------------------------------------------------------------------------------- logging
def summarize(results: Sequence[GradeResult]) -> dict:
    """Counts per status, accuracy, verdict paths, top failure reasons and the slowest item (for logs)."""
    status = collections.Counter(r.status for r in results)
    paths = collections.Counter(r.path for r in results)
    reasons = collections.Counter(r.reason for r in results if r.status in ("timeout", "error") and r.reason)
    slow_i = max(range(len(results)), key=lambda i: results[i].seconds, default=None)
    slowest = None
    if slow_i is not None:
        r = results[slow_i]
        slowest = {"index": slow_i, "seconds": round(r.seconds, 3), "status": r.status,
                   "answer": None if r.answer is None else r.answer[:80]}
    n_ok = sum(r.correct for r in results)
    return {"n": len(results), "correct": n_ok, "accuracy": n_ok / len(results) if results else float("nan"),
            "status": {s: status.get(s, 0) for s in STATUSES}, "paths": dict(paths),
            "reasons": dict(reasons.most_common(5)), "slowest": slowest}


def format_summary(summary: dict) -> str:
    """One log line from :func:`summarize`."""
    st = " ".join(f"{k}={v}" for k, v in summary["status"].items())
    sl = summary["slowest"]
    slow = f"; slowest #{sl['index']} {sl['seconds']:.2f}s ({sl['status']})" if sl else ""
    return f"graded {summary['n']}: correct={summary['correct']} ({summary['accuracy']:.3f}); {st}{slow}"
