"""Answer-diversity statistics for Fig. 7 (definitions: docs/evaluation.md §6; stated in the figure caption).

* Unique-answer ratio of one problem = (number of distinct canonical final answers among its n samples) / n.
  Canonical answer = Math-Verify's canonical form (``GradeResult.canonical`` from
  ``grading.grade(..., canonical=True)``), falling back to the box content with all whitespace removed
  (:func:`answer_key`). Samples without a box: counted as ONE extra "no answer" class (``no_answer="class"``,
  default) or ignored (``"exclude"``); the denominator is n either way.
* Accuracy-transition matrix between two runs (rows: run A, e.g. GRPO; columns: run B, e.g. RS-GRPO) over the
  same problems, per-problem accuracy c/n binned as {0}, (0, e1], (e1, e2], ..., (e_last, 1), {1}; cells are
  shares of all problems (``normalize="all"``), of the row (``"row"``) or counts (``None``).
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["answer_key", "unique_answer_ratio", "unique_answer_ratios", "accuracy_bins", "bin_labels",
           "accuracy_transition_matrix", "DEFAULT_EDGES", "NO_ANSWER"]

DEFAULT_EDGES = (0.2, 0.4, 0.6, 0.8)
NO_ANSWER = "<no answer>"
_WS = re.compile(r"\s+")


def answer_key(answer: str | None, canonical: str | None = None) -> str | None:
    """The class of one sample's final answer: ``canonical`` if given, else the whitespace-free box content."""
    if canonical is not None:
        return canonical
    if answer is None:
        return None
    key = _WS.sub("", answer)
    return key or None


def unique_answer_ratio(answers: Sequence[str | None], *, no_answer: str = "class") -> float:
    """Distinct answer classes / n for ONE problem's n samples (``answers`` already canonical; None = no box).

    Loop reference for :func:`unique_answer_ratios`.
    """
    if no_answer not in ("class", "exclude"):
        raise ValueError(f"no_answer must be 'class' or 'exclude', got {no_answer!r}")
    if len(answers) == 0:
        raise ValueError("unique_answer_ratio: no samples")
    seen = {a for a in answers if a is not None}
    extra = 1 if no_answer == "class" and any(a is None for a in answers) else 0
    return (len(seen) + extra) / len(answers)


def unique_answer_ratios(problem_ids: Sequence, answers: Sequence[str | None], *,
                         no_answer: str = "class") -> pd.Series:
    """Unique-answer ratio per problem (vectorised). problem_ids, answers: (n_samples,) aligned.

    Returns a Series indexed by problem_id (sorted), named ``unique_answer_ratio``.
    """
    if no_answer not in ("class", "exclude"):
        raise ValueError(f"no_answer must be 'class' or 'exclude', got {no_answer!r}")
    if len(problem_ids) != len(answers):
        raise ValueError(f"{len(problem_ids)} problem ids but {len(answers)} answers")
    df = pd.DataFrame({"pid": list(problem_ids), "a": pd.Series(list(answers), dtype=object)})
    n = df.groupby("pid", sort=True).size()
    if no_answer == "class":
        df["a"] = df["a"].where(df["a"].notna(), NO_ANSWER)  # sentinel cannot collide: contains spaces
    distinct = df.dropna(subset=["a"]).groupby("pid", sort=True)["a"].nunique().reindex(n.index, fill_value=0)
    out = distinct / n
    out.name = "unique_answer_ratio"
    out.index.name = "problem_id"
    return out


def _check_edges(edges: Sequence[float]) -> np.ndarray:
    e = np.asarray(edges, dtype=float)
    if e.ndim != 1 or len(e) == 0 or not np.all((e > 0) & (e < 1)) or np.any(np.diff(e) <= 0):
        raise ValueError(f"bin edges must be strictly increasing and inside (0, 1), got {list(edges)}")
    return e


def bin_labels(edges: Sequence[float] = DEFAULT_EDGES) -> list[str]:
    """Labels of the bins ``{0}, (0, e1], ..., (e_last, 1), {1}``."""
    e = [float(x) for x in _check_edges(edges)]
    lo = [0.0] + e
    hi = e + [1.0]
    mid = [f"({a:g}, {b:g}]" for a, b in zip(lo[:-1], hi[:-1])] + [f"({lo[-1]:g}, 1)"]
    return ["{0}"] + mid + ["{1}"]


def accuracy_bins(acc: Sequence[float], edges: Sequence[float] = DEFAULT_EDGES) -> np.ndarray:
    """Bin index of each accuracy in [0, 1]: 0 for exactly 0, len(edges) + 2 for exactly 1. (P,) -> (P,) int."""
    e = _check_edges(edges)
    a = np.asarray(acc, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"accuracies must be 1-D, got shape {a.shape}")
    if np.isnan(a).any() or (a < 0).any() or (a > 1).any():
        bad = int(np.flatnonzero(np.isnan(a) | (a < 0) | (a > 1))[0])
        raise ValueError(f"accuracy #{bad} = {a[bad]} is not in [0, 1]")
    b = 1 + np.searchsorted(e, a, side="left")  # (e_{j-1}, e_j] -> j
    b = np.where(a == 0, 0, b)
    return np.where(a == 1, len(e) + 2, b)


def accuracy_transition_matrix(acc_a, acc_b, edges: Sequence[float] = DEFAULT_EDGES, *,
                               normalize: str | None = "all") -> pd.DataFrame:
    """(B, B) table: rows = bin of ``acc_a``, columns = bin of ``acc_b``, per problem (B = len(edges) + 3).

    acc_a, acc_b: (P,) per-problem accuracies of two runs on the same problems; pandas Series are aligned on
    their index (which must hold the same problems), other sequences by position.
    """
    if isinstance(acc_a, pd.Series) and isinstance(acc_b, pd.Series):
        if set(acc_a.index) != set(acc_b.index) or acc_a.index.has_duplicates:
            raise ValueError("acc_a and acc_b must cover the same problems (Series indices differ)")
        acc_b = acc_b.reindex(acc_a.index)
    a, b = np.asarray(acc_a, dtype=float), np.asarray(acc_b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"acc_a has shape {a.shape} but acc_b has {b.shape}")
    if len(a) == 0:
        raise ValueError("accuracy_transition_matrix: no problems")
    nb = len(_check_edges(edges)) + 3
    ia, ib = accuracy_bins(a, edges), accuracy_bins(b, edges)
    mat = np.bincount(ia * nb + ib, minlength=nb * nb).reshape(nb, nb).astype(float)
    if normalize == "all":
        mat /= len(a)
    elif normalize == "row":
        rows = mat.sum(axis=1, keepdims=True)
        mat = np.divide(mat, rows, out=np.zeros_like(mat), where=rows > 0)
    elif normalize is not None:
        raise ValueError(f"normalize must be 'all', 'row' or None, got {normalize!r}")
    labels = bin_labels(edges)
    out = pd.DataFrame(mat, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to"))
    return out
