"""Benchmark: rsgrpo.eval.grading.grade vs. a naive per-sample Math-Verify loop (issue 4, "Performance").

Dump: 30 problems x 1024 samples with filler reasoning before the box, answers drawn with the heavy
duplication real models show (a few answers take most of the mass, a long tail of one-off answers, equivalent
paraphrases of the gold, ~3 % without a box) and a few pathological answers.

* ours: ``grade(texts, golds, timeout=T)`` -- extraction, dedup, fast paths, killable worker processes.
  Timed cold (includes starting the workers) and warm (a second call on a fresh dump).
* naive: in THIS process, per sample ``parse(gold)``, ``parse(text)``, ``verify(gold, pred)`` with
  Math-Verify's defaults (its own 5 s signal timeouts). Timed on a random subset of the ordinary samples and
  extrapolated, plus every pathological sample timed in full (``--naive-all`` times everything).

Goal: ratio >= 20x and no sample costs more than timeout + 1 s. Machines shared with other jobs give noisy
times; the script prints what it measured.   Usage: python benchmarks/bench_grading.py [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import time

GOLDS = [  # 16 integer golds (AIME/HMMT style) and 14 LaTeX ones
    "204", "33", "116", "809", "0", "25", "540", "197", "1", "70", "588", "16", "7", "510", "73", "385",
    "\\frac{3}{4}", "6\\sqrt{2}", "25\\pi", "(4,\\infty)", "-2, 5", "\\frac{-1+\\sqrt{17}}{2}",
    "\\begin{pmatrix} 1 & 4 \\\\ 0 & 1 \\end{pmatrix}", "135^\\circ", "\\text{(C)}", "0.375",
    "\\sqrt{\\frac{95}{24}}", "2^{25} \\cdot 26!", "\\frac{1}{576}", "3+4i",
]
PARAPHRASES = {
    "\\frac{3}{4}": ["0.75", "\\dfrac{3}{4}", "3/4"], "6\\sqrt{2}": ["\\sqrt{72}", "6 \\sqrt{2}"],
    "25\\pi": ["\\pi \\cdot 25", "25 \\pi"], "(4,\\infty)": ["\\left(4, \\infty\\right)", "(4, \\infty)"],
    "-2, 5": ["5, -2", "\\{-2, 5\\}"], "135^\\circ": ["135", "135^{\\circ}"], "\\text{(C)}": ["C", "(C)"],
    "0.375": ["\\frac{3}{8}", ".375"], "\\sqrt{\\frac{95}{24}}": ["\\frac{\\sqrt{570}}{12}"],
    "2^{25} \\cdot 26!": ["26! \\cdot 2^{25}"], "\\frac{1}{576}": ["\\dfrac{1}{576}"], "3+4i": ["4i+3"],
    "\\frac{-1+\\sqrt{17}}{2}": ["\\frac{\\sqrt{17}-1}{2}"],
    "\\begin{pmatrix} 1 & 4 \\\\ 0 & 1 \\end{pmatrix}": ["\\begin{bmatrix}1&4\\\\0&1\\end{bmatrix}"],
}
PATHOLOGICAL = ["9^{9^{9^9}}", "2^{10^{10}}", "{" * 200 + "1" + "}" * 200,
                "\\frac{1}{1+" * 30 + "1" + "}" * 30]
FILLER = ["We start by writing down what is given and what we need to find.",
          "Let $x$ denote the unknown quantity; then the condition becomes $2x + 3 = 11$, so $x = 4$.",
          "Checking small cases: for $n = 1, 2, 3$ the values are $1, 3, 6$, which suggests a pattern.",
          "By symmetry we can assume without loss of generality that $a \\le b \\le c$.",
          "Now substitute back into the original equation and simplify both sides carefully.",
          "Hence the expression factors as $(x-1)(x+2)$ and the roots follow."]


def wrong_answers(gold: str, rng: random.Random) -> list[str]:
    """A problem's pool of wrong answers: a few popular ones and a long tail."""
    if gold.lstrip("-").isdigit():
        g = int(gold)
        near = [str(g + d) for d in (1, -1, 2, 10, 100) if g + d >= 0]
        return near + [str(rng.randint(0, 999)) for _ in range(60)] + ["\\frac{%d}{2}" % (2 * g + 1)]
    return [f"{gold}+1", f"2\\left({gold}\\right)", "\\frac{1}{2}", "\\sqrt{3}", "0", "-1"] + \
        [f"\\frac{{{rng.randint(1, 99)}}}{{{rng.randint(2, 99)}}}" for _ in range(40)] + \
        [f"{rng.randint(2, 50)}\\sqrt{{{rng.choice([2, 3, 5, 7])}}}" for _ in range(20)]


def make_dump(n_problems: int, n_samples: int, seed: int, n_pathological: int = 4):
    rng = random.Random(seed)
    texts, golds, kinds = [], [], []
    for p in range(n_problems):
        gold = GOLDS[p % len(GOLDS)]
        acc = rng.choice([0.0, 0.02, 0.1, 0.3, 0.5, 0.8, 0.95])
        right = [gold] + PARAPHRASES.get(gold, [])
        wrong = wrong_answers(gold, rng)
        weights = [1.0 / (i + 1) ** 1.5 for i in range(len(wrong))]  # Zipf-like: heavy duplication
        for _ in range(n_samples):
            u = rng.random()
            if u < 0.03:
                ans = None
            elif u < 0.03 + acc:
                ans = right[0] if rng.random() < 0.8 else rng.choice(right)
            else:
                ans = rng.choices(wrong, weights)[0]
            body = " ".join(rng.choices(FILLER, k=rng.randint(0, 6)))
            texts.append(body + ("\n\nThe final answer is not boxed." if ans is None
                                 else f"\n\nTherefore the answer is $\\boxed{{{ans}}}$."))
            golds.append(gold)
            kinds.append("ordinary")
    for j, i in enumerate(rng.sample(range(len(texts)), n_pathological)):
        texts[i] = "Thinking...\n\\boxed{" + PATHOLOGICAL[j % len(PATHOLOGICAL)] + "}"
        kinds[i] = "pathological"
    return texts, golds, kinds


def naive_one(text: str, gold: str) -> bool:
    from math_verify import parse, verify
    return verify(parse(gold), parse(text))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=30)
    ap.add_argument("--samples", type=int, default=1024)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--naive-subset", type=int, default=1500, help="ordinary samples timed naively")
    ap.add_argument("--naive-all", action="store_true", help="time the naive loop on every sample")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from rsgrpo.eval.grading import format_summary, grade, summarize
    texts, golds, kinds = make_dump(args.problems, args.samples, args.seed)
    n = len(texts)
    print(f"dump: {args.problems} problems x {args.samples} samples = {n} texts, "
          f"{len(set(zip(golds, texts)))} distinct texts, {kinds.count('pathological')} pathological")

    t0 = time.perf_counter()
    res = grade(texts, golds, timeout=args.timeout, workers=args.workers)
    ours_cold = time.perf_counter() - t0
    s = summarize(res)
    print(f"ours (cold, incl. worker start-up): {ours_cold:.2f} s  | {format_summary(s)}")
    print(f"  verdict paths: {s['paths']}; reasons: {s['reasons']}")
    texts2, golds2, _ = make_dump(args.problems, args.samples, args.seed + 1)
    t0 = time.perf_counter()
    res2 = grade(texts2, golds2, timeout=args.timeout, workers=args.workers)
    ours_warm = time.perf_counter() - t0
    print(f"ours (warm, fresh dump):            {ours_warm:.2f} s  | {format_summary(summarize(res2))}")
    slow = max(list(res) + list(res2), key=lambda r: r.seconds)
    print(f"  slowest single sample (ours): {slow.seconds:.2f} s, status {slow.status} ({slow.reason}); "
          f"limit timeout + 1 s = {args.timeout + 1:.1f} s -> {'OK' if slow.seconds <= args.timeout + 1 else 'EXCEEDED'}")

    # naive: one process, Math-Verify defaults, once per sample
    import math_verify  # noqa: F401  (import time not charged to either side)
    naive_one("\\boxed{1}", "1")  # warm-up
    rng = random.Random(args.seed)
    ordinary = [i for i, k in enumerate(kinds) if k == "ordinary"]
    patho = [i for i, k in enumerate(kinds) if k == "pathological"]
    subset = ordinary if args.naive_all else rng.sample(ordinary, min(args.naive_subset, len(ordinary)))
    mismatch = 0
    t0 = time.perf_counter()
    for i in subset:
        mismatch += naive_one(texts[i], golds[i]) != res[i].correct
    t_sub = time.perf_counter() - t0
    slow_naive = 0.0
    t_patho = 0.0
    for i in patho:
        t1 = time.perf_counter()
        naive_one(texts[i], golds[i])
        dt = time.perf_counter() - t1
        t_patho += dt
        slow_naive = max(slow_naive, dt)
    naive_total = t_sub * len(ordinary) / len(subset) + t_patho
    how = "measured on all" if args.naive_all else f"measured on {len(subset)} and extrapolated to {len(ordinary)}"
    print(f"naive ordinary samples: {t_sub:.2f} s {how} ({1000 * t_sub / len(subset):.2f} ms/sample); "
          f"pathological: {t_patho:.2f} s for {len(patho)} (slowest {slow_naive:.2f} s)")
    print(f"naive total (estimate): {naive_total:.1f} s; verdicts differing from ours on the timed subset: "
          f"{mismatch}/{len(subset)} (naive parses the whole text; ours the last box)")
    print(f"RATIO naive/ours: cold {naive_total / ours_cold:.1f}x, warm {naive_total / ours_warm:.1f}x "
          f"(goal >= 20x)")


if __name__ == "__main__":
    main()
