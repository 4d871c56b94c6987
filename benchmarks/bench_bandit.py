"""Benchmark: the vectorised bandit (rsgrpo.bandit.run) against a sample-by-sample loop like the official script.

    python benchmarks/bench_bandit.py                      # 7 betas x 32 seeds x 4e5 samples, 1 and 2 threads
    python benchmarks/bench_bandit.py --loop-samples 400000  # time the loop on a full run (slower)

Goals (issue 3): >= 100x faster than the loop at the same seed count; 7 betas x 32 seeds x 4e5 samples <= 60 s
on 2 cores. The loop for 224 runs would take hours, so it is timed on ONE run (beta 8, seed 43) of
`--loop-samples` samples and extrapolated linearly to 224 runs x 4e5 samples; the output says which numbers
are measured and which extrapolated. The loop computes no entropy and stores no theta history, so it is a
lower bound on the official script's time. Timings are noisy when other jobs share the cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from rsgrpo import bandit


def loop_run(cfg: bandit.BanditConfig, beta: float, seed: int, n_samples: int) -> np.ndarray:
    """One run, sample by sample (official `codes/bandit.py` structure: choice, buffer of N, loop over the buffer)."""
    land, theta = bandit.landscape(cfg), bandit.initial_logits(cfg).copy()
    rs = np.random.RandomState(seed)
    buf = []
    for _ in range(n_samples):
        z = theta - theta.max()
        pi = np.exp(z) / np.exp(z).sum()
        a = rs.choice(cfg.n_arms, p=pi)
        buf.append((a, land[a]))
        if len(buf) == cfg.group_size:
            acts = np.array([b[0] for b in buf])
            r = np.array([b[1] for b in buf])
            if beta == 0:
                w = r - r.mean()
            else:
                m = np.max(beta * r)
                zz = (np.log(np.mean(np.exp(beta * r - m))) + m) / beta
                w = (np.exp(beta * (r - zz)) - 1) / beta
            z = theta - theta.max()
            pi = np.exp(z) / np.exp(z).sum()
            grad = np.zeros(cfg.n_arms)
            for ai, wi in zip(acts, w):
                g = -pi.copy()
                g[ai] += 1
                grad += wi * g
            theta += cfg.lr * grad / len(buf)
            buf = []
    return theta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=32)
    ap.add_argument("--samples", type=int, default=400_000)
    ap.add_argument("--loop-samples", type=int, default=50_000, help="samples of the timed loop run")
    ap.add_argument("--threads", default="1,2", help="torch thread counts to time the vectorised runner with")
    args = ap.parse_args()

    cfg = bandit.BanditConfig(n_seeds=args.seeds, n_samples=args.samples, methods=())
    runs = len(cfg.betas) * cfg.n_seeds
    ours = {}
    for nt in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(nt)
        t0 = time.perf_counter()
        res = bandit.run(cfg)
        ours[nt] = time.perf_counter() - t0
        print(f"measured  vectorised: {len(cfg.betas)} betas x {cfg.n_seeds} seeds x {cfg.n_samples} samples "
              f"({runs} runs), torch threads={nt}: {ours[nt]:.1f} s")
    df = bandit.summary_frame(res)
    print(df.groupby("beta").agg(final_reward=("final_reward", "mean"),
                                 escape_median=("escape_step", "median")).to_string())

    t0 = time.perf_counter()
    loop_run(cfg, 8.0, cfg.seed0, args.loop_samples)
    t_loop = time.perf_counter() - t0
    per_sample = t_loop / args.loop_samples
    extrapolated = per_sample * cfg.n_samples * runs
    print(f"measured  loop: 1 run (beta 8, seed {cfg.seed0}) x {args.loop_samples} samples: {t_loop:.1f} s "
          f"({per_sample * 1e6:.1f} us/sample)")
    print(f"extrapolated loop: {runs} runs x {cfg.n_samples} samples = {extrapolated:.0f} s "
          f"({extrapolated / 3600:.2f} h), linear in samples and runs")
    best = min(ours.values())
    print(f"ratio loop / vectorised (best thread count): {extrapolated / best:.0f}x  (goal >= 100x)")
    print(f"vectorised <= 60 s goal: {'met' if best <= 60 else 'NOT met'} ({best:.1f} s)")


if __name__ == "__main__":
    main()
