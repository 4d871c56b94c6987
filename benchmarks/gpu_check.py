"""GPU check of the evaluation path: the `hf` sampling backend on CUDA, graded by the real grader, against exact
success probabilities, plus the GPU-count guard. Run on a machine with a GPU (no network needed):

    python benchmarks/gpu_check.py MODEL_DIR [--out result.json] [--problems 64] [--n 1024]

MODEL_DIR is a tiny ops-task base model (`snakemake results/train/tiny-ops__base/model`). For every held-out
problem the exact probability p of a correct two-token answer (rsgrpo.train.exact, float64 on the CPU) predicts
the number of correct samples among n: the CUDA-sampled count c must lie within 5 binomial standard deviations
(+3) of n*p for every problem, in float32 and in bfloat16 (bf16 logits shift p a little: same bound, reported).
Also prints samples/s per dtype and checks `rsgrpo.train.verl.gpus.check_gpu_count` (the visible count passes, one more
fails with both numbers in the message). Exit status 0 only when every check holds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    import numpy as np
    import torch

    from rsgrpo.data import tasks as T
    from rsgrpo.data.benchmarks import build_prompt
    from rsgrpo.train.verl.gpus import GpuCountError, check_gpu_count, visible_gpu_count
    from rsgrpo.eval.grading import grade, grader_versions
    from rsgrpo.models import tiny
    from rsgrpo.eval.sampling import SamplingSpec, get_backend
    from rsgrpo.train.exact import success_probs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--out")
    ap.add_argument("--problems", type=int, default=64)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--batch-size", type=int, default=8192)
    ap.add_argument("--device", default="cuda", help="cuda (the check) or cpu (a dry run of this script)")
    args = ap.parse_args(argv)
    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        print("no CUDA device: nothing to check", file=sys.stderr)
        return 2
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    report: dict = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": args.device,
                    "gpu": torch.cuda.get_device_name(0) if cuda else None, "grader": grader_versions(),
                    "checks": {}}
    ok = True

    count, how = visible_gpu_count()
    report["visible_gpus"] = [count, how]
    check_gpu_count(count)  # must pass
    try:
        check_gpu_count(count + 1)
        report["checks"]["gpu_count_mismatch_fails"] = False
        ok = False
    except GpuCountError as e:
        msg = str(e)
        report["checks"]["gpu_count_mismatch_fails"] = str(count) in msg and str(count + 1) in msg
        report["gpu_count_message"] = msg
        ok &= report["checks"]["gpu_count_mismatch_fails"]

    model, tok = tiny.load(args.model)
    task = T.variant(test_per_type=None)
    test = T.benchmark_frame(task, "test").groupby("type").head(max(1, args.problems // task.num_types))
    prompts = [build_prompt(q) for q in test["problem"]]
    ids = torch.tensor([tok(p, add_special_tokens=False)["input_ids"] for p in prompts])
    gold = torch.tensor(tok.convert_tokens_to_ids([f"\\boxed{{{a}}}" for a in test["answer"]]))
    p, _ = success_probs(model, ids, gold, tok.eos_token_id, [tok.pad_token_id])
    report["exact_pass_at_1"] = float(np.mean(p))

    for dtype in ("float32", "bfloat16"):
        be = get_backend("hf", args.model, device=args.device, dtype=dtype, batch_size=args.batch_size,
                         progress=False)
        spec = SamplingSpec(n=args.n, temperature=1.0, top_p=1.0, max_tokens=4, seed=1)
        sync()
        t0 = time.time()
        texts = be.generate(prompts, spec)
        sync()
        secs = time.time() - t0
        counts = np.array([sum(r.correct for r in grade(g, a)) for g, a in zip(texts, test["answer"])])
        sd = np.sqrt(args.n * p * (1 - p))
        z = (counts - args.n * p) / np.maximum(sd, 1e-9)
        within = np.abs(counts - args.n * p) <= 5 * sd + 3
        report["checks"][f"sampled_counts_match_exact_{dtype}"] = bool(within.all())
        report[dtype] = {"seconds": secs, "samples_per_s": len(prompts) * args.n / secs,
                         "sampled_pass_at_1": float(counts.mean() / args.n), "max_abs_z": float(np.abs(z).max()),
                         "outside": [str(test["problem_id"].iloc[i]) for i in np.flatnonzero(~within)]}
        if dtype == "float32":
            ok &= bool(within.all())
        del be
        if cuda:
            torch.cuda.empty_cache()
    report["ok"] = bool(ok)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
