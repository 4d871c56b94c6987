"""bandit_run: every (method, beta, seed) bandit run in one vectorised program; summaries + manifest."""
import sys

sys.stderr = open(snakemake.log[0], "w", buffering=1)  # noqa: F821
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

from rsgrpo import bandit  # noqa: E402
from rsgrpo.io.provenance import write_manifest  # noqa: E402

torch.set_num_threads(max(1, int(snakemake.threads)))  # noqa: F821
out = snakemake.output  # noqa: F821
cfg = bandit.BanditConfig.from_dict(dict(snakemake.params.bandit))  # noqa: F821
t0 = time.perf_counter()
res = bandit.run(cfg, progress=lambda msg: print(msg, file=sys.stderr))
seconds = time.perf_counter() - t0
print(f"{len(res.runs)} runs x {cfg.n_samples} samples in {seconds:.1f} s", file=sys.stderr)
bandit.save(res, out.summary, out.curves)
df = bandit.summary_frame(res)
table = df.groupby("tag", sort=False).agg(final_reward=("final_reward", "mean"),
                                          escaped=("escape_step", lambda s: f"{s.notna().sum()}/{len(s)}"),
                                          escape_median=("escape_step", "median"))
print(table.to_string(), file=sys.stderr)
directory = Path(out.manifest).parent
write_manifest(directory, [Path(out.summary).name, Path(out.curves).name], config=snakemake.params.bandit,  # noqa: F821
               stage="bandit", runtime_s=round(seconds, 2), torch_threads=torch.get_num_threads())
