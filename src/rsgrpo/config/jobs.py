"""The validated config as the jobs of every stage: the one path from config to job (README "Architecture").

    jobs = Jobs(config)                       raises ValueError("config key '...': ...") on a bad reference
    jobs.datasets          {dataset: spec}               training sets the experiments use     (data stage)
    jobs.task_benchmarks   {benchmark: dataset}          benchmarks made from a task's held-out split
    jobs.built_models      {model: spec}                 tiny models SFT-ed in the DAG             (train stage)
    jobs.runs              {run: TrainRun}               every training run, with its trainer
    jobs.main_runs         [run]                         the runs of the non-study experiments (default target)
    jobs.study_runs(name)  [run]                         the runs of the experiments of study `name`
    jobs.evals             {(run, benchmark): EvalJob}   every evaluation, plan included            (eval stage)
    jobs.cpu_job(run) / jobs.verl_job(run) / jobs.base_model_job(model)    what one job needs (plain data)

Paths follow rsgrpo.io.paths. The workflow (workflow/rules/common.smk) builds one Jobs and its rules read it;
nothing here knows Snakemake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rsgrpo.eval.sampling.base import SamplingSpec
from rsgrpo.eval.sampling.shards import EvalPlan
from rsgrpo.io import paths
from rsgrpo.runs import RunName, format_run, method_tag, parse_run
from rsgrpo.train import grid
from rsgrpo.train.verl import VERL_DEFAULTS

__all__ = ["Jobs", "EvalJob", "run_tag"]


@dataclass(frozen=True)
class EvalJob:
    """One (run, benchmark) evaluation: the checkpoint, the prompts' rendering, the sharding plan."""

    run: str
    benchmark: str
    model: str  # local checkpoint dir (results/... or a path) or a Hub id
    chat_template: bool
    benchmark_file: str | None  # local file (the data stage's or the user's); None = the Hub
    plan: EvalPlan
    backend_options: dict = field(default_factory=dict)


def run_tag(run: str) -> str:
    """'base' or the method tag of a run name ('rs_grpo-b2', 'chen-k4', 'grpo')."""
    r = parse_run(run)
    return "base" if r.is_base else method_tag(r.method, r.beta, r.k)


def _err(key: str, msg: str) -> ValueError:
    return ValueError(f"config key '{key}': {msg}")


class Jobs:
    """Every job the config defines (see the module docstring). `config` is validated by the schema."""

    def __init__(self, config: dict, check_paths: bool = True):
        self.config = config
        self.train: dict = config.get("train") or {}
        self.eval: dict = config.get("eval") or {}
        self.report: dict = config.get("report") or {}
        self.benchmarks: dict = self.eval.get("benchmarks") or {}
        self.runs = {r.name: r for r in grid.check(self.train, check_paths=check_paths)}
        models, datasets = self.train.get("models") or {}, self.train.get("datasets") or {}
        exps = self.train.get("experiments") or []
        self._studies: dict[str, list[str]] = {}  # study name ("" = none) -> its runs, config order
        for e in exps:
            names = [r.name for r in grid.expand({**self.train, "experiments": [e]})]
            self._studies.setdefault(e.get("study") or "", []).extend(names)
        self._main = set(self._studies.get("", []))
        self.main_runs = [n for n in self.runs if n in self._main]
        used = {e["dataset"] for e in exps}
        self.task_benchmarks: dict[str, str] = {}
        for b, spec in self.benchmarks.items():
            if spec.get("task"):
                if (datasets.get(spec["task"]) or {}).get("source") != "task":
                    raise _err(f"eval.benchmarks.{b}.task", f"{spec['task']!r} is not a key of train.datasets "
                                                            "with source: task")
                if spec.get("file"):
                    raise _err(f"eval.benchmarks.{b}", "task and file exclude each other (a task's benchmark "
                                                       f"is written to {paths.benchmark_data(b)})")
                self.task_benchmarks[b] = spec["task"]
        used |= set(self.task_benchmarks.values())
        used_models = {e["model"] for e in exps}
        self.built_models = {k: m for k, m in models.items() if m.get("build") and k in used_models}
        used |= {m["build"]["task"] for m in self.built_models.values()}
        self.datasets = {k: d for k, d in datasets.items() if k in used}
        for i, e in enumerate(exps):
            for b in e.get("benchmarks") or []:
                if b not in self.benchmarks:
                    raise _err(f"train.experiments[{i}].benchmarks", f"{b!r} is not a key of eval.benchmarks")
        self.evals: dict[tuple[str, str], EvalJob] = {}
        self._grid_evals(exps)
        self._extra_evals()

    def study_runs(self, name: str) -> list[str]:
        """The trained runs of study `name`'s experiments (shared runs of the main grid included), config order;
        [] when no train.experiments entry has `study: name` (e.g. the paper grid)."""
        return list(dict.fromkeys(self._studies.get(name, []))) if name else []

    def in_main(self, run: str) -> bool:
        """False only for a run that this config lists in study experiments alone (base and eval.runs: True)."""
        return run not in self.runs or run in self._main

    # ------------------------------------------------------------------------------------------ models
    def model_source(self, model: str) -> str:
        return grid.model_source(model, self.train["models"][model])

    def base_run(self, model: str) -> str:
        return format_run(RunName(model=model))

    def base_model_job(self, model: str) -> dict[str, Any]:
        """SFT of a built model: its task (dataset key + OpsTask fields), architecture and SFT settings."""
        build = dict(self.train["models"][model]["build"])
        task = build.pop("task")
        sft = dict(build.pop("sft", None) or {})
        arch = build.pop("arch", "llama")
        return {"dataset": task, "task": dict(self.train["datasets"][task]["task"]), "arch": arch,
                "model_config": build, "sft": sft}

    # ------------------------------------------------------------------------------------------ training
    def runs_of(self, trainer: str) -> list[str]:
        return [n for n, r in self.runs.items() if r.trainer == trainer]

    def validation_benchmark(self, run: str) -> str | None:
        """The held-out benchmark a CPU run validates on: its experiment's first benchmark made from its task."""
        r = self.runs[run]
        for b in r.benchmarks or tuple(self.benchmarks):
            if self.task_benchmarks.get(b) == r.dataset:
                return b
        return None

    def train_inputs(self, run: str) -> dict[str, str]:
        """The files run `run` reads that the DAG makes: its training set, its base model when built in the DAG,
        and the held-out benchmark (cpu trainer: exact validation) or verl's validation set."""
        r = self.runs[run]
        out = {"train": paths.training_data(r.dataset)}
        source = self.model_source(r.model)
        if source.startswith(paths.RESULTS):
            out["model"] = source
        if r.trainer == "cpu":
            bench = self.validation_benchmark(run)
            if bench is None:
                raise ValueError(f"run {run}: the cpu trainer validates on a benchmark made from its task "
                                 f"{r.dataset!r} (eval.benchmarks.<name>.task); none is configured")
            out["test"] = paths.benchmark_data(bench)
        else:
            out["val"] = paths.validation_data()
        return out

    def cpu_job(self, run: str) -> dict[str, Any]:
        """What one CPU RL run needs: RLConfig fields, the task, the validation ks and the W&B settings."""
        r = self.runs[run]
        cpu = dict(self.train.get("cpu") or {})
        wandb, val_ks = cpu.pop("wandb", "auto"), cpu.pop("val_ks", [1, 32, 1024])
        model = self.train["models"][r.model]
        rl = {**cpu, "estimator": r.estimator, "params": dict(r.params), "seed": r.seed,
              "group_size": int(self.train.get("group_size", 16)),
              "max_new_tokens": int(model["max_response_length"])}
        return {"rl": rl, "dataset": r.dataset, "task": dict(self.train["datasets"][r.dataset]["task"]),
                "val_ks": list(val_ks), "wandb": {"mode": wandb, "project": self.train.get("project", "rsgrpo"),
                                                  "group": f"{r.model}/{r.dataset}"}}

    def verl_job(self, run: str) -> dict[str, Any]:
        """What defines one verl run (and only that: adding runs to the grid must not re-trigger the others). The
        overrides are built in the job, where the GPU count of the allocation is known."""
        import os

        r = self.runs[run]
        model = dict(self.train["models"][r.model])
        model["path"] = self.model_source(r.model) if model.get("build") else model.get("path")
        return {"run": grid.run_to_dict(r), "model": model, "dataset": self.train["datasets"][r.dataset],
                "hyperparameters": grid.hyperparameters(self.train),
                "validation": self.train.get("validation") or {}, "project": self.train.get("project", "rs-grpo"),
                "verl": {**VERL_DEFAULTS, **(self.train.get("verl") or {})},
                "checkpoint_dir": os.path.join(self.train.get("checkpoint_dir", "checkpoints"), r.name),
                "extra_overrides": list(self.train.get("extra_overrides") or [])}

    def verl_hyperparameters(self) -> dict[str, Any]:
        """The verl settings of the grid (Table 3 and the open choices) plus the group size."""
        return grid.hyperparameters(self.train)

    def validation_files(self) -> dict[str, str | None]:
        """verl's validation benchmarks -> local file (the data stage's for task benchmarks) or None (the Hub)."""
        out = {}
        for b, f in ((self.train.get("validation") or {}).get("benchmarks") or {}).items():
            out[b] = paths.benchmark_data(b) if b in self.task_benchmarks else f
        return out

    # ------------------------------------------------------------------------------------------ evaluation
    def benchmark_file(self, benchmark: str) -> str | None:
        if benchmark in self.task_benchmarks:
            return paths.benchmark_data(benchmark)
        return self.benchmarks[benchmark].get("file")

    def eval_inputs(self, run: str, benchmark: str) -> dict[str, str]:
        """Files an evaluation reads that the DAG makes: a checkpoint under results/, a local benchmark file."""
        e, out = self.evals[(run, benchmark)], {}
        if e.model.startswith(paths.RESULTS):
            out["model"] = e.model
        if e.benchmark_file:
            out["benchmark_file"] = e.benchmark_file
        return out

    def _plan(self, run: str, benchmark: str, model_max: int | None, run_max: int | None) -> EvalPlan:
        """Max new tokens: the run's override, else the benchmark's, else the model's max response length,
        else eval.max_tokens."""
        e, b = self.eval, self.benchmarks[benchmark]
        max_tokens = run_max or b.get("max_tokens") or model_max or e.get("max_tokens", 3072)
        spec = SamplingSpec(n=1, temperature=float(e.get("temperature", 1.0)), top_p=float(e.get("top_p", 0.7)),
                            max_tokens=int(max_tokens),
                            seed=int(e.get("seed", 0)))
        return EvalPlan(run=run, benchmark=benchmark, n=int(b["n"]), spec=spec,
                        samples_per_shard=int(b.get("samples_per_shard") or e.get("samples_per_shard", 1024)),
                        problem_shards=int(b.get("problem_shards") or e.get("problem_shards", 1)))

    def _add_eval(self, run: str, benchmark: str, model: str, chat_template: bool, model_max: int | None,
                  run_max: int | None = None, options: dict | None = None) -> None:
        if (run, benchmark) in self.evals:
            return
        self.evals[(run, benchmark)] = EvalJob(
            run, benchmark, model, bool(chat_template), self.benchmark_file(benchmark),
            self._plan(run, benchmark, model_max, run_max), {**(self.eval.get("backend_options") or {}), **(options or {})})

    def _grid_evals(self, exps: list[dict]) -> None:
        """Every base run listed in an experiment and every trained run, on its experiment's benchmarks."""
        models = self.train.get("models") or {}
        for base, model, benches in grid.base_runs(self.train):
            m = models[model]
            for b in benches or tuple(self.benchmarks):
                self._add_eval(base, b, self.model_source(model), m.get("chat_template", False),
                               m.get("max_response_length"))
        for name, r in self.runs.items():
            m = models[r.model]
            for b in r.benchmarks or tuple(self.benchmarks):
                self._add_eval(name, b, paths.train_model(name), m.get("chat_template", False),
                               m.get("max_response_length"))

    def _extra_evals(self) -> None:
        """eval.runs: further checkpoints (a Hub model, a run trained elsewhere) on their benchmarks."""
        for i, entry in enumerate(self.eval.get("runs") or []):
            try:
                parse_run(entry["run"])
            except ValueError as exc:
                raise _err(f"eval.runs[{i}].run", str(exc)) from None
            for b in entry.get("benchmarks") or []:
                if b not in self.benchmarks:
                    raise _err(f"eval.runs[{i}].benchmarks", f"{b!r} is not a key of eval.benchmarks")
            if any(k[0] == entry["run"] for k in self.evals):
                raise _err(f"eval.runs[{i}].run", f"{entry['run']!r} is already evaluated as a run of the "
                                                  "training grid; list it in one place")
            for b in entry.get("benchmarks") or list(self.benchmarks):
                self._add_eval(entry["run"], b, entry.get("model") or paths.train_model(entry["run"]),
                               entry.get("chat_template", False), None, entry.get("max_tokens"),
                               entry.get("backend_options"))

    def eval_runs(self) -> list[str]:
        """Evaluated runs in config order (base runs first where the grid lists them)."""
        return list(dict.fromkeys(r for r, _ in self.evals))
