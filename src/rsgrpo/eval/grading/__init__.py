"""Grading: answer extraction, normalisation and dedup (`core`), the screen for pathological answers (`screen`),
Math-Verify calls and settings (`math_verify`) run in killable worker processes (`pool`). docs/evaluation.md §5.
May import: rsgrpo.io (and nothing else of rsgrpo).
"""

from rsgrpo.eval.grading.core import *  # noqa: F401,F403  (grade, GradeResult, extract_boxed, ...)
from rsgrpo.eval.grading.core import __all__  # noqa: F401
