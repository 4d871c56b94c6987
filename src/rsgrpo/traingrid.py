"""The paper-scale training grid as data: expand the `train` config section into runs and check it.

The `train` section (config/paper.yaml; schema in workflow/schemas/config.schema.yaml)::

    models:      {key: {hub_id, path (local override or null), max_response_length, chat_template, ...}}
    datasets:    {key: {source (rsgrpo.data.training.SOURCES key), path, revision, ...}}
    group_size:  responses per prompt (Table 3)
    seeds:       [0, ...]
    experiments: [{model, dataset, methods: [{estimator, params}], purpose}]   (Table 2 pairing, ablations)

`expand(train)` -> one TrainRun per (model, dataset, method, beta/k, seed), de-duplicated, in config order;
`base` methods are not training runs (`base_runs` lists them for evaluation). `check(train)` raises
ValueError naming the key for: unknown model/dataset keys, a local model path that does not exist, an
estimator or parameter the registry rejects, inconsistent batch sizes.

Run as a module for the W&B sweep entry point (config/sweeps/beta_ablation.yaml)::

    python -m rsgrpo.traingrid target --configfile config/paper.yaml --model M --dataset D --method rs_grpo --beta 2 --seed 0
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rsgrpo import advantages
from rsgrpo.runs import RunName, format_run, parse_run

__all__ = ["TrainRun", "expand", "base_runs", "check", "model_source", "wandb_fields", "run_by_name",
           "hyperparameters", "run_to_dict", "run_from_dict", "VERL_BUILTIN"]

# registry estimator -> verl's built-in estimator, where they are the same computation (VERL.md §5)
VERL_BUILTIN = {"grpo": "grpo"}


@dataclass(frozen=True)
class TrainRun:
    """One training job of the grid."""

    name: str  # the {run} string (rsgrpo.runs)
    run: RunName
    model: str  # key into train.models
    dataset: str  # key into train.datasets
    estimator: str  # registry name
    params: dict = field(default_factory=dict)  # resolved registry parameters
    seed: int = 0
    purpose: str = ""


def _method_fields(estimator: str, params: dict) -> tuple[float | None, int | None]:
    beta = params.get("beta") if estimator == "rs_grpo" else None
    k = params.get("k") if "k" in advantages.spec(estimator).params else None
    return (float(beta) if beta is not None else None), (int(k) if k is not None else None)


def expand(train: dict) -> list[TrainRun]:
    """All training runs of the grid (model x dataset x method x seed), duplicates removed, config order."""
    runs: dict[str, TrainRun] = {}
    seeds = train.get("seeds") or [0]
    group_size = train.get("group_size")
    for exp in train.get("experiments") or []:
        for m in exp.get("methods") or []:
            est = m["estimator"]
            if est == "base":
                continue
            params = advantages.check_params(est, group_size=group_size, **(m.get("params") or {}))
            beta, k = _method_fields(est, params)
            for seed in seeds:
                rn = RunName(model=exp["model"], dataset=exp["dataset"], method=est, beta=beta, k=k, seed=int(seed))
                name = format_run(rn)
                if name not in runs:
                    runs[name] = TrainRun(name, rn, exp["model"], exp["dataset"], est, params, int(seed),
                                          exp.get("purpose", ""))
    return list(runs.values())


def base_runs(train: dict) -> list[str]:
    """`{model}__base` for every model whose experiments list the `base` method (evaluation only)."""
    out: list[str] = []
    for exp in train.get("experiments") or []:
        if any(m["estimator"] == "base" for m in exp.get("methods") or []):
            name = format_run(RunName(model=exp["model"]))
            if name not in out:
                out.append(name)
    return out


def run_to_dict(run: TrainRun) -> dict[str, Any]:
    """Plain data (for Snakemake params and provenance); inverse: run_from_dict."""
    return {"name": run.name, "model": run.model, "dataset": run.dataset, "estimator": run.estimator,
            "params": dict(run.params), "seed": run.seed, "purpose": run.purpose}


def run_from_dict(d: dict[str, Any]) -> TrainRun:
    rn = parse_run(d["name"])
    if (rn.model, rn.dataset, rn.method, rn.seed) != (d["model"], d["dataset"], d["estimator"], d["seed"]):
        raise ValueError(f"run record {d} does not match its name {d['name']!r}")
    return TrainRun(d["name"], rn, d["model"], d["dataset"], d["estimator"], dict(d["params"]), int(d["seed"]),
                    d.get("purpose", ""))


def hyperparameters(train: dict) -> dict[str, Any]:
    """train.hyperparameters plus group_size (responses per prompt): everything build_overrides reads."""
    return {**(train.get("hyperparameters") or {}), "group_size": int(train.get("group_size", 16))}


def run_by_name(train: dict, name: str) -> TrainRun:
    for r in expand(train):
        if r.name == name:
            return r
    raise ValueError(f"run {name!r} is not in the training grid")


def model_source(model: dict) -> str:
    """The local path override if set, else the Hub id."""
    return str(model.get("path") or model["hub_id"])


def _err(key: str, msg: str) -> ValueError:
    return ValueError(f"config key 'train.{key}': {msg}")


def check(train: dict, check_paths: bool = True) -> list[TrainRun]:
    """Semantic checks of the `train` section (one-line ValueError naming the key); returns expand(train)."""
    models, datasets = train.get("models") or {}, train.get("datasets") or {}
    for key, m in models.items():
        p = m.get("path")
        if check_paths and p and not Path(os.path.expanduser(str(p))).exists():
            raise _err(f"models.{key}.path", f"local model path {p!r} does not exist (set it to null to use the "
                                              f"Hub id {m.get('hub_id')!r})")
    for key, d in datasets.items():
        p = d.get("path")
        if check_paths and p and not Path(os.path.expanduser(str(p))).exists():
            raise _err(f"datasets.{key}.path", f"local dataset file {p!r} does not exist")
    for i, exp in enumerate(train.get("experiments") or []):
        if exp["model"] not in models:
            raise _err(f"experiments[{i}].model", f"unknown model {exp['model']!r}; defined: {', '.join(models)}")
        if exp["dataset"] not in datasets:
            raise _err(f"experiments[{i}].dataset",
                       f"unknown dataset {exp['dataset']!r}; defined: {', '.join(datasets)}")
        for j, m in enumerate(exp.get("methods") or []):
            est = m["estimator"]
            if est != "base" and est not in advantages.available():
                raise _err(f"experiments[{i}].methods[{j}].estimator",
                           f"unknown estimator {est!r}; valid: base, {', '.join(advantages.available())}")
            if est != "base":
                try:
                    advantages.check_params(est, group_size=train.get("group_size"), **(m.get("params") or {}))
                except ValueError as exc:
                    raise _err(f"experiments[{i}].methods[{j}].params", str(exc)) from None
    hp = train.get("hyperparameters") or {}
    if hp.get("ppo_mini_batch_size", 0) > hp.get("train_batch_size", 1 << 30):
        raise _err("hyperparameters.ppo_mini_batch_size",
                   f"{hp['ppo_mini_batch_size']} must be <= train_batch_size {hp['train_batch_size']}")
    if hp.get("train_batch_size") and hp.get("ppo_mini_batch_size") and \
            hp["train_batch_size"] % hp["ppo_mini_batch_size"]:
        raise _err("hyperparameters.ppo_mini_batch_size",
                   f"{hp['ppo_mini_batch_size']} must divide train_batch_size {hp['train_batch_size']}")
    if hp.get("clip_ratio_high", 1) < hp.get("clip_ratio_low", 0):
        raise _err("hyperparameters.clip_ratio_high",
                   f"{hp['clip_ratio_high']} must be >= clip_ratio_low {hp['clip_ratio_low']} (clip-higher)")
    return expand(train)


def wandb_fields(run: TrainRun, project: str) -> dict[str, Any]:
    """W&B project / group (model/dataset) / name (method-param-seed) / tags for one run."""
    tag = run.name.split("__")[2]
    tags = [f"model:{run.model}", f"dataset:{run.dataset}", f"method:{run.estimator}", f"seed:{run.seed}"]
    if run.run.beta is not None:
        tags.append(f"beta:{run.run.beta:g}")
    if run.run.k is not None:
        tags.append(f"k:{run.run.k}")
    return {"project": project, "group": f"{run.model}/{run.dataset}", "name": f"{tag}-s{run.seed}", "tags": tags}


def _target_main(argv: list[str] | None = None) -> int:
    """`target`: print (or run) the snakemake command that trains one run of the grid (W&B sweep entry)."""
    import argparse
    import shlex
    import subprocess

    import yaml

    ap = argparse.ArgumentParser(prog="python -m rsgrpo.traingrid")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("target", help="the snakemake target of one training run")
    t.add_argument("--configfile", required=True)
    t.add_argument("--model", required=True)
    t.add_argument("--dataset", required=True)
    t.add_argument("--method", required=True)
    t.add_argument("--beta", type=float)
    t.add_argument("--k", type=int)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--run", action="store_true", help="run snakemake instead of printing the command")
    t.add_argument("snakemake_args", nargs="*", help="extra snakemake arguments (e.g. --profile slurm)")
    a = ap.parse_args(argv)
    name = format_run(RunName(a.model, a.dataset, a.method, a.beta, a.k, a.seed))
    train = (yaml.safe_load(Path(a.configfile).read_text()) or {}).get("train") or {}
    run_by_name(train, name)  # refuse runs outside the configured grid
    cmd = ["snakemake", "--cores", "all", "--configfile", a.configfile, *a.snakemake_args,
           f"results/train/{name}/model"]
    if not a.run:
        print(shlex.join(cmd))
        return 0
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(_target_main())
