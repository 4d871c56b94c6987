"""What our estimators cost inside a verl step: verl 0.9.1's `compute_advantage` with each rsgrpo estimator
against verl's built-in `grpo`, per step and relative to the whole step of the CPU run (goal: <= 1 %).

    python benchmarks/bench_verl_step.py [--run-dir results/train/<run>] [--repeats 20]

Batch shapes: the CI-sized CPU run (config/ci_verl.yaml: 4 prompts x 4 responses, 4 response tokens) and the
paper's step (Table 3: 512 prompts x 16 responses, 3072 response tokens). The whole-step time is verl's own
`timing_s/step` of the CPU run (its metrics.jsonl, the median over steps); without a run directory the CI
figure measured in README "verl on a laptop" is used. Output: one line per (shape, estimator) and a JSON
summary in benchmarks/results/verl_step.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
OURS = {"rs_grpo": {"rs_beta": 2.0}, "dr_grpo": {}, "chen": {"pass_k": 4}, "mahdavi": {"pass_k": 4},
        "pkpo": {"pass_k": 4}, "tang": {}}
SHAPES = {"ci (4 x 4, L=4)": (4, 4, 4), "paper (512 x 16, L=3072)": (512, 16, 3072)}


def _batch(prompts: int, n: int, length: int, seed: int = 0):
    from verl import DataProto

    g = torch.Generator().manual_seed(seed)
    bs = prompts * n
    uids = np.array([f"p{i}" for i in range(prompts) for _ in range(n)], dtype=object)
    lengths = torch.randint(1, length + 1, (bs,), generator=g)
    mask = (torch.arange(length)[None, :] < lengths[:, None]).float()
    tlr = torch.zeros(bs, length)
    tlr[torch.arange(bs), lengths - 1] = (torch.rand(bs, generator=g) < 0.4).float()
    return DataProto.from_dict(tensors={"token_level_rewards": tlr, "response_mask": mask}, non_tensors={"uid": uids})


def _time(name: str, fields: dict, data, repeats: int) -> float:
    from verl.trainer.ppo.ray_trainer import compute_advantage

    from rsgrpo.train.verl.plugin import RSAlgoConfig

    cfg = RSAlgoConfig(adv_estimator=name, **fields)
    compute_advantage(data, adv_estimator=name, config=cfg, num_repeat=1)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        compute_advantage(data, adv_estimator=name, config=cfg, num_repeat=1)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def step_seconds(run_dir: Path | None) -> tuple[float, str]:
    if run_dir is not None and (run_dir / "metrics.jsonl").is_file():
        steps = [json.loads(line).get("verl/timing_s/step") for line in (run_dir / "metrics.jsonl").open()]
        steps = [s for s in steps if s]
        if steps:
            return statistics.median(steps), f"median verl timing_s/step of {run_dir}"
    return 14.4, "the CI run measured 2026-12-07 (README; no run directory given)"


def main() -> int:
    import verl  # noqa: F401  (registers the rsgrpo estimators)

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run-dir", type=Path, default=ROOT / "results/train/tiny-ops-ci__ops-ci__rs_grpo-b2__s0")
    ap.add_argument("--repeats", type=int, default=20)
    a = ap.parse_args()
    step, how = step_seconds(a.run_dir)
    print(f"whole CPU step: {step:.2f} s ({how})")
    out = {"step_s": step, "step_source": how, "results": []}
    for shape, dims in SHAPES.items():
        data = _batch(*dims)
        base = _time("grpo", {}, data, a.repeats)
        print(f"{shape}: verl grpo {base * 1e3:.3f} ms")
        for name, fields in OURS.items():
            t = _time(name, fields, data, a.repeats)
            rel = t / step * 100
            print(f"{shape}: {name:8s} {t * 1e3:8.3f} ms  ({t / base:5.2f}x grpo, {rel:.4f} % of the CPU step"
                  f"{'' if rel <= 1 else '  > 1 % GOAL MISSED'})")
            out["results"].append({"shape": shape, "estimator": name, "seconds": t, "grpo_seconds": base,
                                   "percent_of_step": rel})
    dest = ROOT / "benchmarks" / "results" / "verl_step.json"
    dest.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {dest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
