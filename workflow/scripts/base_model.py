"""base_model: build a tiny HF model + tokenizer and SFT it on its task's biased demonstrations (rsgrpo.train.sft)."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
import torch  # noqa: E402

from rsgrpo.data import tasks  # noqa: E402
from rsgrpo.train.sft import train_base_model  # noqa: E402

torch.set_num_threads(int(snakemake.threads))  # noqa: F821
job = snakemake.params.job  # noqa: F821
sft = dict(job["sft"])
seed = int(sft.pop("seed", 0))
train_base_model(tasks.from_config(job["dataset"], job["task"]), snakemake.output.model, arch=job["arch"],  # noqa: F821
                 model_seed=seed, model_kwargs=dict(job["model_config"]), seed=seed,
                 log=lambda m: print(m, file=sys.stderr, flush=True), **sft)
