"""Regression suite for the grader on the pinned Math-Verify (docs/evaluation.md §5.2, §5.3 step 8).

Each benchmark-style gold comes with a correct paraphrase (expected True) and a near miss (expected False),
plus the known pitfalls. Verdicts that are *wrong* but are what the pinned grader does are marked ACCEPTED with
the reason, so that a version bump that changes them is noticed (the test fails and the table is revisited).
All cases go through ONE grade() call (one pool round), then each case is asserted separately.
"""

from __future__ import annotations

import pytest

from rsgrpo.eval.grading import extract_boxed, grade, grader_versions

B = "\\boxed{%s}"

# (id, gold, prediction (box content), expected verdict, note)
CASES = [
    # --- integers (AIME / most of MATH500); AIME golds are 0-999, models sometimes pad with zeros
    ("int", "42", "42", True, "integer fast path"),
    ("int-frac", "42", "\\frac{84}{2}", True, "Math-Verify evaluates the fraction"),
    ("int-decimal", "42", "42.0", True, ""),
    ("int-miss", "42", "43", False, ""),
    ("int-neg-miss", "42", "-42", False, ""),
    ("aime-leading-zero", "24", "024", True, "AIME style: leading zeros ignored"),
    ("aime-gold-leading-zero", "024", "24", True, ""),
    ("aime-miss", "24", "240", False, ""),
    # --- fractions, radicals, pi
    ("frac-decimal", "\\frac{3}{4}", "0.75", True, ""),
    ("frac-dfrac", "\\frac{3}{4}", "\\dfrac34", True, ""),
    ("frac-slash", "\\frac{3}{4}", "3/4", True, ""),
    ("frac-miss", "\\frac{3}{4}", "\\frac{4}{3}", False, ""),
    ("sqrt", "6\\sqrt{2}", "\\sqrt{72}", True, ""),
    ("sqrt-miss", "6\\sqrt{2}", "6\\sqrt{3}", False, ""),
    ("pi", "25\\pi", "\\pi\\cdot 25", True, ""),
    ("pi-decimal", "25\\pi", "78.539816", True, "ACCEPTED numeric leniency: 6-decimal rounding"),
    ("pi-miss", "25\\pi", "24\\pi", False, ""),
    ("hmmt25-30", "\\sqrt{\\frac{95}{24}}", "\\frac{\\sqrt{570}}{12}", True, "HMMT Feb25 #30"),
    ("hmmt25-30-miss", "\\sqrt{\\frac{95}{24}}", "\\frac{\\sqrt{570}}{24}", False, ""),
    # --- intervals and tuples
    ("interval", "(4,\\infty)", "\\left(4, \\infty\\right)", True, "exact fast path after normalisation"),
    ("interval-miss", "(4,\\infty)", "[4,\\infty)", False, "closed vs open end"),
    ("interval-half-miss", "(3,4]", "(3,4)", False, ""),
    ("tuple-order-miss", "(-2,1)", "(1,-2)", False, "ordered pair"),
    ("tuple-polar", "\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\pi/2)", True, ""),
    # --- sets / solution lists: any order
    ("set-order", "-2, 5", "5, -2", True, "sets in any order"),
    ("set-braces", "-2, 5", "\\{5, -2\\}", True, ""),
    ("set-miss", "-2, 5", "-2, 6", False, ""),
    ("set-subset-miss", "1331, 1728", "1728", False, "one element of a two-element answer"),
    ("hmmt24-5", "-\\dfrac{13}{96}, \\dfrac{13}{40}", "\\frac{13}{40}, -\\frac{13}{96}", True, "HMMT Feb24 #5"),
    ("hmmt24-5-miss", "-\\dfrac{13}{96}, \\dfrac{13}{40}", "\\frac{13}{40}", False, ""),
    ("hmmt24-9", "0,i\\sqrt{6},-i\\sqrt{6}", "-i\\sqrt{6}, 0, i\\sqrt{6}", True, "HMMT Feb24 #9"),
    ("hmmt25-10", "\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}",
     "\\frac{-1-\\sqrt{17}}{2}, \\frac{-1+\\sqrt{17}}{2}", True, "HMMT Feb25 #10"),
    # known pitfall: \pm is not expanded in a prediction -> scored wrong although it is right
    ("hmmt25-10-pm", "\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}", "\\frac{-1\\pm\\sqrt{17}}{2}", False,
     "ACCEPTED wrong verdict: \\pm not expanded in predictions"),
    # --- matrices / vectors
    ("matrix", "\\begin{pmatrix} 1 & 4 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{bmatrix}1&4\\\\0&1\\end{bmatrix}",
     True, ""),
    ("matrix-miss", "\\begin{pmatrix} 1 & 4 \\\\ 0 & 1 \\end{pmatrix}",
     "\\begin{pmatrix} 1 & 3 \\\\ 0 & 1 \\end{pmatrix}", False, ""),
    ("vector", "\\begin{pmatrix} 2 \\\\ -1 \\end{pmatrix}", "\\begin{pmatrix}2\\\\-1\\end{pmatrix}", True, ""),
    # --- degrees, percent, money, thousands separators (units are "best effort")
    ("degrees", "135^\\circ", "135", True, "units stripped"),
    ("degrees-braced", "135^\\circ", "135^{\\circ}", True, ""),
    ("degrees-miss", "135^\\circ", "145^\\circ", False, ""),
    ("degrees-text", "\\frac{270}7\\text{ degrees}", "\\frac{270}{7}", True, ""),
    ("percent-pred", "5", "5\\%", True, "ACCEPTED: the percent sign of a prediction is dropped"),
    ("percent-gold", "25\\%", "25", True, "percent gold vs bare number: accepted as equal"),
    ("percent-miss", "25\\%", "26", False, ""),
    ("thousands-thinspace", "10,\\!080", "10080", True, "thousands separators"),
    ("thousands-comma", "10,\\!080", "10,080", True, ""),
    ("thousands-miss", "10,\\!080", "10008", False, ""),
    ("dollars", "\\$32,\\!348", "32348", True, ""),
    # --- text answers
    ("choice", "\\text{(C)}", "C", True, ""),
    ("choice-paren", "\\text{(C)}", "(C)", True, ""),
    ("choice-miss", "\\text{(C)}", "\\text{(B)}", False, ""),
    ("name", "\\text{Evelyn}", "\\text{Evelyn}", True, "exact fast path"),
    ("name-miss", "\\text{Evelyn}", "\\text{Emily}", False, ""),
    # --- equations / assignments
    ("assign", "x=5", "5", True, "x=5 vs 5 accepted both ways"),
    ("assign-rev", "5", "x = 5", True, ""),
    ("assign-miss", "x=5", "x=6", False, ""),
    ("line", "y = 2x + 3", "y=3+2x", True, ""),
    # --- complex numbers
    ("complex", "3+4i", "4i+3", True, ""),
    ("complex-miss", "3+4i", "3-4i", False, ""),
    # --- decimals (CMIMC) and the 6-decimal rounding pitfall
    ("decimal", "0.375", "\\frac{3}{8}", True, ""),
    ("decimal-miss", "0.375", "0.38", False, ""),
    ("round6", "\\frac{1}{576}", "0.001736", True, "ACCEPTED numeric leniency: float_rounding=6"),
    ("round6-pi", "1-\\frac{2}{\\pi}", "0.363380", True, "ACCEPTED numeric leniency: float_rounding=6"),
    ("tiny-miss", "\\frac{1}{2^{30}}", "\\frac{1}{2^{31}}", False, ""),
    ("tiny-zero-miss", "\\frac{1}{2^{30}}", "0", False, ""),
    # --- big exact numbers
    ("hmmt24-18", "\\dfrac{4^{2024}}{\\binom{4048}{2024}}-2", "\\frac{4^{2024}}{\\binom{4048}{2024}} - 2", True,
     "~1200-digit integer, exact path"),
    ("hmmt24-18-miss", "\\dfrac{4^{2024}}{\\binom{4048}{2024}}-2", "\\frac{4^{2024}}{\\binom{4048}{2024}}-3",
     False, ""),
    ("hmmt25-17", "2^{25} \\cdot 26!", "26!\\cdot 2^{25}", True, "HMMT Feb25 #17"),
    ("hmmt25-17-miss", "2^{25} \\cdot 26!", "2^{24} \\cdot 26!", False, ""),
]
IDS = [c[0] for c in CASES]
assert len(set(IDS)) == len(IDS)


@pytest.fixture(scope="module")
def verdicts():
    res = grade([B % pred for _, _, pred, _, _ in CASES], [gold for _, gold, _, _, _ in CASES], timeout=30)
    return dict(zip(IDS, res))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verdict(case, verdicts):
    cid, gold, pred, expected, note = case
    r = verdicts[cid]
    assert r.status == "ok", (cid, r)
    assert r.answer == pred
    assert r.correct is expected, f"{cid}: gold {gold!r} vs {pred!r} -> {r.correct} ({note}; {r.reason}; " \
                                  f"versions {grader_versions()})"


def test_integer_paths_need_no_worker():
    rs = grade([B % "033", B % "34", "no box here 33"], "33")
    assert [r.correct for r in rs] == [True, False, False]
    assert [r.path for r in rs] == ["integer", "integer", "none"]
    assert rs[2].status == "no_answer"


@pytest.mark.parametrize("text,expected", [
    ("so the answer is \\boxed{5}.", "5"),
    ("\\boxed{1} then \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),  # the last box wins
    ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),  # escaped braces do not count
    ("\\fbox{7}", "7"),
    ("$\\boxed 9$", "9"),
    ("\\boxed{a{b{c}}d}", "a{b{c}}d"),
    ("\\boxed{ }", " "),
    ("\\boxed{12", None),  # truncated output: unbalanced
    ("\\boxed{1} and later \\boxed{2", None),  # the last box decides
    ("no box", None),
    ("\\boxedfoo{3}", None),
    ("", None),
])
def test_extract_boxed(text, expected):
    assert extract_boxed(text) == expected


def test_extract_boxed_nested_box():
    assert extract_boxed("\\boxed{\\boxed{8}}") == "8"
