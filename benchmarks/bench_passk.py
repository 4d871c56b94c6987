"""Benchmark: the whole pass@k curve (k = 1..1024) for 10^4 problems with n = 1024 samples each.

Vectorised `rsgrpo.eval.passk.pass_at_k_curve` against a per-problem, per-k loop of the reference estimator of
Chen et al. 2021 (the numerically stable numpy version from the Codex paper). Prints both times, the ratio
(goal >= 50x) and the max abs difference (goal <= 1e-12).

    python benchmarks/bench_passk.py                 # reference timed on all 10^4 problems (~1-2 min)
    python benchmarks/bench_passk.py --ref-problems 1000   # reference on a subset, time extrapolated

Timings are noisy on shared machines; the ratio is what matters.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from rsgrpo.eval.passk import pass_at_k_curve


def reference_pass_at_k(n: int, c: int, k: int) -> float:
    """Chen et al. 2021 (Codex paper, Fig. 3): 1 - prod(1 - k / arange(n - c + 1, n + 1))."""
    if n - c < k:
        return 1.0
    return 1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=10_000)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--kmax", type=int, default=1024)
    ap.add_argument("--ref-problems", type=int, default=None,
                    help="time the reference loop on this many problems and extrapolate (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    p = rng.beta(0.3, 1.5, size=args.problems)  # many hard problems, as in pass@k evaluations
    c = rng.binomial(args.n, p)
    n = np.full(args.problems, args.n)
    ks = np.arange(1, args.kmax + 1)

    t0 = time.perf_counter()
    curves = pass_at_k_curve(n, c, ks)
    t_vec = time.perf_counter() - t0

    m = args.problems if args.ref_problems is None else min(args.ref_problems, args.problems)
    ref = np.empty((m, ks.size))
    t0 = time.perf_counter()
    for i in range(m):
        for j, k in enumerate(ks):
            ref[i, j] = reference_pass_at_k(int(n[i]), int(c[i]), int(k))
        if (i + 1) % 1000 == 0:
            print(f"  reference: {i + 1}/{m} problems", flush=True)
    t_ref = (time.perf_counter() - t0) * (args.problems / m)

    diff = float(np.max(np.abs(curves[:m] - ref)))
    note = "" if m == args.problems else f" (extrapolated from {m} problems)"
    print(f"problems={args.problems} n={args.n} k=1..{args.kmax}")
    print(f"vectorised pass_at_k_curve : {t_vec:8.3f} s")
    print(f"reference per-problem loop : {t_ref:8.3f} s{note}")
    print(f"speed-up                   : {t_ref / t_vec:8.1f} x   (goal >= 50x)")
    print(f"max abs diff               : {diff:.3e}   (goal <= 1e-12)")


if __name__ == "__main__":
    main()
