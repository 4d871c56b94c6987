"""The training grid as data: expand the `train` config section into runs and check it.

The `train` section (config/config.yaml, config/paper.yaml; schema in workflow/schemas/config.schema.yaml)::

    models:      {key: {hub_id | path | build (a tiny model SFT-ed in the DAG), max_response_length, chat_template}}
    datasets:    {key: {source (rsgrpo.data.training.SOURCES key, or `task` + task: {...}), path, revision}}
    group_size:  responses per prompt (Table 3)
    seeds:       [0, ...]                          default seeds (an experiment or a method may set its own)
    trainer:     verl | cpu                        default trainer (an experiment may set its own)
    experiments: [{model, dataset, trainer, seeds, benchmarks, methods: [{estimator, params, seeds}], purpose}]

`expand(train)` -> one TrainRun per (model, dataset, method, beta/k, seed), de-duplicated, in config order;
`base` methods are not training runs (`base_runs` lists them for evaluation). `check(train)` raises
ValueError naming the key for: unknown model/dataset keys, a local path that does not exist, a trainer that
cannot run the pair, inconsistent batch sizes. Estimators and their parameters are checked once, for every
section, by rsgrpo.config.check (expand resolves their defaults).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rsgrpo import estimators
from rsgrpo.io import paths
from rsgrpo.runs import RunName, beta_tag, format_run, parse_run

__all__ = ["TrainRun", "TRAINERS", "expand", "base_runs", "check", "model_source", "run_by_name",
           "hyperparameters", "run_to_dict", "run_from_dict", "VERL_BUILTIN"]

# registry estimator -> verl's built-in estimator, where they are the same computation (docs/verl.md §5)
VERL_BUILTIN = {"grpo": "grpo"}
TRAINERS = ("verl", "cpu")


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
    trainer: str = "verl"  # rsgrpo.train.cpu or verl (TRAINERS)
    benchmarks: tuple[str, ...] = ()  # evaluation benchmarks of its experiment (empty: every configured one)


def _method_fields(estimator: str, params: dict) -> tuple[float | str | None, int | None]:
    """(beta: a number or a β schedule's tag, k) of the run name."""
    beta = params.get("beta") if estimator == "rs_grpo" else None
    k = params.get("k") if "k" in estimators.spec(estimator).params else None
    if isinstance(beta, dict):
        beta = beta_tag(beta)
    return (float(beta) if isinstance(beta, (int, float)) else beta), (int(k) if k is not None else None)


def _seeds(train: dict, exp: dict, method: dict) -> list[int]:
    return [int(s) for s in (method.get("seeds") or exp.get("seeds") or train.get("seeds") or [0])]


def expand(train: dict) -> list[TrainRun]:
    """All training runs of the grid (model x dataset x method x seed), duplicates removed, config order."""
    runs: dict[str, TrainRun] = {}
    group_size = train.get("group_size")
    for exp in train.get("experiments") or []:
        trainer = exp.get("trainer") or train.get("trainer") or "verl"
        for m in exp.get("methods") or []:
            est = m["estimator"]
            if est == "base":
                continue
            params = estimators.check_params(est, group_size=group_size, **(m.get("params") or {}))
            beta, k = _method_fields(est, params)
            for seed in _seeds(train, exp, m):
                rn = RunName(model=exp["model"], dataset=exp["dataset"], method=est, beta=beta, k=k, seed=seed)
                name = format_run(rn)
                if name not in runs:
                    runs[name] = TrainRun(name, rn, exp["model"], exp["dataset"], est, params, seed,
                                          exp.get("purpose", ""), trainer, tuple(exp.get("benchmarks") or ()))
    return list(runs.values())


def base_runs(train: dict) -> list[tuple[str, str, tuple[str, ...]]]:
    """(`{model}__base`, model key, benchmarks) once per model that an experiment lists with the `base` method
    (eval only); benchmarks are the union over those experiments, () when any of them evaluates every one."""
    out: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for exp in train.get("experiments") or []:
        if any(m["estimator"] == "base" for m in exp.get("methods") or []):
            name, benches = format_run(RunName(model=exp["model"])), tuple(exp.get("benchmarks") or ())
            if name in out:
                prev = out[name][2]
                benches = () if not (prev and benches) else tuple(dict.fromkeys(prev + benches))
            out[name] = (name, exp["model"], benches)
    return list(out.values())


def run_to_dict(run: TrainRun) -> dict[str, Any]:
    """Plain data (for Snakemake params and provenance); inverse: run_from_dict."""
    return {"name": run.name, "model": run.model, "dataset": run.dataset, "estimator": run.estimator,
            "params": dict(run.params), "seed": run.seed, "purpose": run.purpose, "trainer": run.trainer,
            "benchmarks": list(run.benchmarks)}


def run_from_dict(d: dict[str, Any]) -> TrainRun:
    rn = parse_run(d["name"])
    if (rn.model, rn.dataset, rn.method, rn.seed) != (d["model"], d["dataset"], d["estimator"], d["seed"]):
        raise ValueError(f"run record {d} does not match its name {d['name']!r}")
    return TrainRun(d["name"], rn, d["model"], d["dataset"], d["estimator"], dict(d["params"]), int(d["seed"]),
                    d.get("purpose", ""), d.get("trainer", "verl"), tuple(d.get("benchmarks") or ()))


def hyperparameters(train: dict) -> dict[str, Any]:
    """train.hyperparameters plus group_size (responses per prompt): everything build_overrides reads."""
    return {**(train.get("hyperparameters") or {}), "group_size": int(train.get("group_size", 16))}


def run_by_name(train: dict, name: str) -> TrainRun:
    for r in expand(train):
        if r.name == name:
            return r
    raise ValueError(f"run {name!r} is not in the training grid")


def model_source(key: str, model: dict) -> str:
    """Where model `key` is loaded from: the local path override, the Hub id, or (a `build` model) the base
    checkpoint the DAG makes, results/train/{key}__base/model."""
    if model.get("build"):
        return paths.train_model(format_run(RunName(model=key)))
    return str(model.get("path") or model["hub_id"])


def _err(key: str, msg: str) -> ValueError:
    return ValueError(f"config key 'train.{key}': {msg}")


def _check_models_and_datasets(train: dict, check_paths: bool) -> None:
    models, datasets = train.get("models") or {}, train.get("datasets") or {}
    for key, m in models.items():
        sources = [s for s in ("hub_id", "build") if m.get(s)]
        if len(sources) != 1:
            raise _err(f"models.{key}", "needs exactly one of hub_id (a pretrained model) or build (a tiny "
                                        f"model SFT-ed in the DAG); got {', '.join(sources) or 'neither'}")
        p = m.get("path")
        if check_paths and p and not Path(os.path.expanduser(str(p))).exists():
            raise _err(f"models.{key}.path", f"local model path {p!r} does not exist (set it to null to use the "
                                              f"Hub id {m.get('hub_id')!r})")
        task = (m.get("build") or {}).get("task")
        if task is not None and (datasets.get(task) or {}).get("source") != "task":
            raise _err(f"models.{key}.build.task", f"{task!r} is not a key of train.datasets with source: task")
    for key, d in datasets.items():
        p = d.get("path")
        if check_paths and p and not Path(os.path.expanduser(str(p))).exists():
            raise _err(f"datasets.{key}.path", f"local dataset file {p!r} does not exist")
        if (d.get("source") == "task") != bool(d.get("task")):
            raise _err(f"datasets.{key}", "source: task and a task: {...} block go together")


def check(train: dict, check_paths: bool = True) -> list[TrainRun]:
    """Semantic checks of the `train` section (one-line ValueError naming the key); returns expand(train)."""
    _check_models_and_datasets(train, check_paths)
    models, datasets = train.get("models") or {}, train.get("datasets") or {}
    for i, exp in enumerate(train.get("experiments") or []):
        if exp["model"] not in models:
            raise _err(f"experiments[{i}].model", f"unknown model {exp['model']!r}; defined: {', '.join(models)}")
        if exp["dataset"] not in datasets:
            raise _err(f"experiments[{i}].dataset",
                       f"unknown dataset {exp['dataset']!r}; defined: {', '.join(datasets)}")
        trainer = exp.get("trainer") or train.get("trainer") or "verl"
        if trainer == "cpu" and datasets[exp["dataset"]].get("source") != "task":
            raise _err(f"experiments[{i}].trainer", "the cpu trainer runs synthetic tasks (dataset source: task; "
                                                    "its prompts share one token length); use verl")
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
