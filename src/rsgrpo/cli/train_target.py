"""`rsgrpo train-target`: the snakemake command that trains one run of the configured grid (W&B sweep entry).

    rsgrpo train-target --configfile config/paper.yaml --model M --dataset D --method rs_grpo --beta 2 --seed 0 [--run]

It refuses runs outside the configured grid (config/sweeps/beta_ablation.yaml runs it through `python -m rsgrpo.cli`).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
from pathlib import Path

__all__ = ["add_cli", "command"]


def command(configfile: str, name: str, snakemake_args: list[str]) -> list[str]:
    """argv of `snakemake` that builds `results/train/{name}/model` under `configfile`."""
    from rsgrpo.io import paths

    return ["snakemake", "--cores", "all", "--configfile", configfile, *snakemake_args, paths.train_model(name)]


def _main(a: argparse.Namespace) -> int:
    import yaml

    from rsgrpo.runs import RunName, format_run
    from rsgrpo.train.grid import run_by_name

    name = format_run(RunName(a.model, a.dataset, a.method, a.beta, a.k, a.seed))
    train = (yaml.safe_load(Path(a.configfile).read_text()) or {}).get("train") or {}
    run_by_name(train, name)  # refuse runs outside the configured grid
    cmd = command(a.configfile, name, a.snakemake_args)
    if not a.run:
        print(shlex.join(cmd))
        return 0
    return subprocess.call(cmd)


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    t = subparsers.add_parser("train-target", help="the snakemake command of one training run of the grid")
    t.add_argument("--configfile", required=True)
    t.add_argument("--model", required=True)
    t.add_argument("--dataset", required=True)
    t.add_argument("--method", required=True)
    t.add_argument("--beta", type=float)
    t.add_argument("--k", type=int)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--run", action="store_true", help="run snakemake instead of printing the command")
    t.add_argument("snakemake_args", nargs="*", help="extra snakemake arguments (e.g. --profile slurm)")
    t.set_defaults(func=_main)
