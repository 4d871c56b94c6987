"""mini_base_model: build the tiny HF model + tokenizer and SFT it on the ops task's biased demonstrations."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
import torch  # noqa: E402

from rsgrpo.data import tasks  # noqa: E402
from rsgrpo.train.sft import train_base_model  # noqa: E402

torch.set_num_threads(int(snakemake.threads))  # noqa: F821
p = snakemake.params  # noqa: F821
task_cfg = dict(p.task)
task = tasks.variant(task_cfg.pop("variant"), name=p.dataset, **task_cfg)
model_cfg = dict(p.model_config)
arch = model_cfg.pop("arch", "llama")
sft_cfg = dict(p.sft)
seed = int(sft_cfg.pop("seed", 0))
train_base_model(task, snakemake.output.model, arch=arch, model_seed=seed, model_kwargs=model_cfg,  # noqa: F821
                 seed=seed, log=lambda m: print(m, file=sys.stderr, flush=True), **sft_cfg)
