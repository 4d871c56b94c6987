"""The Math-Verify calls and settings of the grader (imported only inside grading worker processes).

Settings (recorded by :func:`rsgrpo.eval.grading.grader_settings`; docs/evaluation.md §5.1/§5.3):
* gold: ``parse("\\boxed{" + gold + "}", [LatexExtractionConfig()])``; if that is empty, the default
  ``parse(gold)`` (Latex + Expr) as a fallback. A gold parses if the result is non-empty.
* prediction: the extracted box content, re-wrapped as ``\\boxed{...}``, parsed with the README's prediction
  config (``boxed_match_priority=0``, ``nits=False``) but ``malformed_operators=True`` (else ``\\dfrac34`` stays
  text and is scored wrong; regression case ``frac-dfrac``) plus ``ExprExtractionConfig``.
* ``verify(gold, pred, float_rounding=<setting>, timeout_seconds=None)`` -- always gold first (not symmetric).
Math-Verify's own timeouts are disabled (``None``): the worker's alarm and the parent's kill bound the time.
* percent: a number's percent sign (``25\\%``, ``25%``) is dropped from gold and prediction before parsing, the
  "best effort" verdict Math-Verify gives with ANTLR 4.13.2 (docs/evaluation.md §5.2: gold ``5`` vs ``5\\%`` is
  correct). verl pins ANTLR 4.9.3 (omegaconf), under which latex2sympy2_extended 1.11.0 raises on every percent
  number (``AtomContext`` has no ``FUNC_GAMMA``) and the answer would stay text; this keeps one verdict for both.
"""

from __future__ import annotations

import re

from latex2sympy2_extended.latex2sympy2 import NormalizationConfig
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

GOLD_CONFIG = (LatexExtractionConfig(),)
PRED_CONFIG = (
    LatexExtractionConfig(
        boxed_match_priority=0,
        normalization_config=NormalizationConfig(basic_latex=True, units=True, malformed_operators=True,
                                                 nits=False, boxed="all", equations=False),
    ),
    ExprExtractionConfig(),
)
SETTINGS = {
    "gold_parse": "parse('\\\\boxed{'+gold+'}', [LatexExtractionConfig()]) then parse(gold) if empty",
    "pred_parse": "parse('\\\\boxed{'+answer+'}', [LatexExtractionConfig(boxed_match_priority=0, "
                  "NormalizationConfig(basic_latex, units, malformed_operators=True, nits=False, boxed='all', "
                  "equations=False)), ExprExtractionConfig()])",
    "verify": "verify(gold, pred, float_rounding=F, numeric_precision=15, strict=True, timeout_seconds=None)",
    "percent": "a number's percent sign (\\% or %) is dropped from gold and answer before parsing",
}
_PERCENT_RE = re.compile(r"(\d(?:[\d,]*\d)?(?:\.\d+)?|\.\d+)\s*\\?%")


def drop_percent(s: str) -> str:
    """``25\\%`` -> ``25`` (only a percent sign right after a number)."""
    return _PERCENT_RE.sub(r"\1", s) if "%" in s else s
_MAX_CANONICAL = 1000


def parse_gold(gold: str) -> list | str:
    """Parsed gold (a non-empty list), or a one-line error string."""
    gold = drop_percent(gold)
    parsed = parse("\\boxed{" + gold + "}", list(GOLD_CONFIG), parsing_timeout=None)
    if not parsed:
        parsed = parse(gold, parsing_timeout=None)
    if not parsed:
        return "gold does not parse"
    return parsed


def canonical(parsed: list) -> str | None:
    """``str()`` of the first sympy object (else the first string), or None when too long to be useful."""
    for obj in parsed:
        if not isinstance(obj, str):
            try:
                s = str(obj)
            except Exception:  # noqa: BLE001 - e.g. int->str digit limit on a huge Integer
                return None
            return s if len(s) <= _MAX_CANONICAL else None
    return parsed[0] if parsed and len(parsed[0]) <= _MAX_CANONICAL else None


def verify_answer(parsed_gold: list, answer: str, float_rounding: int,
                  want_canonical: bool) -> tuple[bool, str | None, str | None]:
    """(correct, reason, canonical) for one extracted answer string against a parsed gold."""
    pred = parse("\\boxed{" + drop_percent(answer) + "}", list(PRED_CONFIG), parsing_timeout=None)
    if not pred:
        return False, "answer does not parse", None
    ok = bool(verify(parsed_gold, pred, float_rounding=float_rounding, timeout_seconds=None))
    reason = None
    if not ok and all(isinstance(p, str) for p in pred):
        reason = "answer parsed as text only"
    return ok, reason, canonical(pred) if want_canonical else None


def warm_up() -> None:
    """First call compiles the regexes and loads the ANTLR parser (~0.1 s); pay it before reporting ready."""
    gold = parse_gold("\\frac{1}{2}")
    verify_answer(gold, "0.5", 6, True)
