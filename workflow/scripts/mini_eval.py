"""mini_eval: sample n answers per held-out ops problem with the eval pipeline's HF backend (rsgrpo.sampling),
grade them (rsgrpo.grading) and write the evaluation contract results/eval/{run}/{benchmark}/."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import torch  # noqa: E402

from rsgrpo.data.benchmarks import build_prompt  # noqa: E402
from rsgrpo.sampling import SamplingSpec, get_backend  # noqa: E402
from rsgrpo.sampling.merge import merge_eval  # noqa: E402
from rsgrpo.sampling.shards import EvalPlan, run_eval  # noqa: E402

torch.set_num_threads(int(snakemake.threads))  # noqa: F821
p, w = snakemake.params, snakemake.wildcards  # noqa: F821
e = dict(p.eval)
bench = pd.read_parquet(snakemake.input.benchmark)  # noqa: F821
ids, golds = bench["problem_id"].astype(str).tolist(), bench["answer"].astype(str).tolist()
prompts = [build_prompt(q) for q in bench["problem"]]
spec = SamplingSpec(n=1, temperature=float(e["temperature"]), top_p=float(e["top_p"]),
                    max_tokens=int(e["max_tokens"]), seed=int(e["seed"]))
plan = EvalPlan(run=w.run, benchmark=w.benchmark, n=int(e["n"]), spec=spec,
                samples_per_shard=int(e["samples_per_shard"]), problem_shards=1)
out_dir = Path(snakemake.output.counts).parent  # noqa: F821
backend = get_backend("hf", snakemake.input.model, device="cpu", batch_size=int(e["batch_size"]),  # noqa: F821
                      progress=False)
paths = run_eval(plan, ids, prompts, backend, out_dir / "shards")
merge_eval(plan, ids, golds, paths, out_dir, store_text=bool(e.get("store_text", True)),
           grade_timeout=float(e.get("grade_timeout", 5.0)), model=snakemake.input.model,  # noqa: F821
           config=e)
