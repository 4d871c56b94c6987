"""The six evaluation benchmarks (paper §6.1, App. E; docs/evaluation.md §1), loaded from the Hub or a local file.

Normalised output: a DataFrame with ``problem_id`` (str, unique), ``problem``, ``answer`` (gold string),
``benchmark`` and ``answer_canonical`` (the grader's canonical form of the gold). With a ``gold_parser`` (the
grader's ``rsgrpo.eval.grading.parse_golds``: this package does not import the grader) every gold is parsed once
at load; one that does not parse stops with a ValueError naming the benchmark and the problem id. Prompts: :func:`build_prompt` (problem + the paper's suffix, docs/evaluation.md §3).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import pandas as pd

__all__ = ["BenchmarkSpec", "BENCHMARKS", "FIXTURE", "PROMPT_SUFFIX", "get_spec", "load_benchmark",
           "normalise_benchmark", "read_local", "build_prompt", "prompt_messages", "fixture_path"]

# App. E, quoted exactly: a leading newline, no final period.
PROMPT_SUFFIX = "\nPlease reason step by step, and put your final answer within \\boxed{}"
COLUMNS = ["problem_id", "problem", "answer", "benchmark", "answer_canonical"]


@dataclass(frozen=True)
class BenchmarkSpec:
    """Where a benchmark lives and how to read it. ``id_col`` None -> the row number is the problem id."""

    name: str
    hub_id: str
    split: str
    problem_col: str = "problem"
    answer_col: str = "answer"
    id_col: str | None = None
    n_samples: int = 1024  # samples per problem (docs/evaluation.md §4)
    k_max: int = 1024  # largest k of the pass@k curve (Fig. 4)
    config: str | None = None  # dataset config name
    revision: str | None = None  # pin a Hub commit in the config and record it


BENCHMARKS: dict[str, BenchmarkSpec] = {
    # MATH500: n not legible in the paper; Fig. 4 stops at k = 2^5, so n = 32 (docs/evaluation.md §4)
    "MATH500": BenchmarkSpec("MATH500", "math-ai/math500", "test", id_col="unique_id", n_samples=32, k_max=32),
    "AIME24": BenchmarkSpec("AIME24", "HuggingFaceH4/aime_2024", "train", id_col="id"),
    "AIME25": BenchmarkSpec("AIME25", "math-ai/aime25", "test", id_col="id"),
    "HMMT_Feb24": BenchmarkSpec("HMMT_Feb24", "MathArena/hmmt_feb_2024", "train", id_col="problem_idx"),
    "HMMT_Feb25": BenchmarkSpec("HMMT_Feb25", "MathArena/hmmt_feb_2025", "train", id_col="problem_idx"),
    "CMIMC25": BenchmarkSpec("CMIMC25", "MathArena/cmimc_2025", "train", id_col="problem_idx"),
}

# Made by the project (original problems, varied answer formats) for tests and the CPU default workflow.
FIXTURE = BenchmarkSpec("fixture", "", "test", id_col="id", n_samples=8, k_max=8)


def fixture_path() -> Path:
    """The packaged fixture benchmark (JSONL in the benchmark schema: id, problem, answer)."""
    return Path(__file__).with_name("fixtures") / "benchmark_fixture.jsonl"


def get_spec(name: str, **overrides: Any) -> BenchmarkSpec:
    """Registry entry for ``name`` (one of BENCHMARKS or ``fixture``), with optional field overrides."""
    specs = {**BENCHMARKS, FIXTURE.name: FIXTURE}
    if name not in specs:
        raise ValueError(f"unknown benchmark {name!r}; known: {', '.join(specs)} (or give a local file)")
    return replace(specs[name], **overrides) if overrides else specs[name]


def read_local(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Parquet, JSONL (or JSON array / CSV) file into a DataFrame; all columns kept as stored."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"benchmark file {p} does not exist")
    suffix = "".join(p.suffixes[-2:]) if p.suffix == ".gz" else p.suffix
    if suffix == ".parquet":
        return pd.read_parquet(p)
    if suffix in (".jsonl", ".jsonl.gz"):
        return pd.read_json(p, lines=True, dtype=False)
    if suffix == ".json":
        return pd.read_json(p, dtype=False)
    if suffix == ".csv":
        return pd.read_csv(p, dtype=str, keep_default_na=False)
    raise ValueError(f"benchmark file {p}: unsupported format {suffix!r} (use .parquet, .jsonl, .json, .csv)")


def _gold_str(v: Any) -> str:
    if isinstance(v, bool):
        raise TypeError("boolean")
    if isinstance(v, float):  # e.g. an int64 answer column that went through NaN
        if v != v:
            raise TypeError("missing")
        return str(int(v)) if v.is_integer() else repr(v)
    if v is None:
        raise TypeError("missing")
    return str(v).strip()  # ints (MathArena/aime_2025 has int64 answers) -> str


def normalise_benchmark(df: pd.DataFrame, spec: BenchmarkSpec, *, source: str = "") -> pd.DataFrame:
    """Map a raw table (Hub or local, spec columns or already-normalised names) to the output schema."""
    where = f"benchmark {spec.name}" + (f" ({source})" if source else "")

    def col(spec_name: str | None, normal: str) -> str | None:
        if spec_name and spec_name in df.columns:
            return spec_name
        return normal if normal in df.columns else None

    pcol, acol = col(spec.problem_col, "problem"), col(spec.answer_col, "answer")
    icol = col(spec.id_col, "problem_id")
    missing = [n for n, c in (("problem", pcol), ("answer", acol)) if c is None]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing} (expected {spec.problem_col!r}/"
                         f"{spec.answer_col!r}); columns are {list(df.columns)}")
    ids = df[icol].map(lambda v: str(v).strip()) if icol else pd.Series([str(i) for i in range(len(df))])
    ids = ids.reset_index(drop=True)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise ValueError(f"{where}: duplicate problem id {dup.iloc[0]!r}")
    answers = []
    for pid, v in zip(ids, df[acol]):
        try:
            a = _gold_str(v)
        except TypeError as e:
            raise ValueError(f"{where}: problem {pid}: answer is {e} ({v!r})") from None
        if not a:
            raise ValueError(f"{where}: problem {pid}: empty answer")
        answers.append(a)
    problems = df[pcol].reset_index(drop=True)
    for pid, prob in zip(ids, problems):
        if not isinstance(prob, str) or not prob.strip():
            raise ValueError(f"{where}: problem {pid}: empty or non-text problem")
    return pd.DataFrame({"problem_id": ids, "problem": problems.astype(str), "answer": answers,
                         "benchmark": spec.name})


def _check_golds(out: pd.DataFrame, spec: BenchmarkSpec, gold_parser: Callable, timeout: float) -> pd.DataFrame:
    parsed = gold_parser(out["answer"].tolist(), timeout=timeout)
    bad = [(pid, gold, msg) for pid, gold, (ok, msg) in zip(out["problem_id"], out["answer"], parsed) if not ok]
    if bad:
        pid, gold, msg = bad[0]
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise ValueError(f"benchmark {spec.name}: gold answer of problem {pid} does not parse: {gold!r} "
                         f"[{msg}]{more}")
    out["answer_canonical"] = [msg for _, msg in parsed]
    return out


def load_benchmark(name: str, path: str | os.PathLike | None = None, *, revision: str | None = None,
                   gold_parser: Callable | None = None, timeout: float = 5.0, limit: int | None = None,
                   **overrides: Any) -> pd.DataFrame:
    """Load benchmark ``name`` from the local file ``path`` if given, else from the Hub. A name outside the
    registry needs ``path`` (a file with problem_id/problem/answer columns, e.g. a task's held-out split).

    Hub: ``datasets.load_dataset(hub_id, config, split=split, revision=revision)``. ``limit`` keeps the first
    rows (smoke runs). ``overrides`` replace spec fields (e.g. ``problem_col``). ``gold_parser(golds, timeout=)
    -> [(ok, canonical or message)]`` checks every gold (None: unchecked, ``answer_canonical`` None). Returns COLUMNS.
    """
    if path is not None and name not in BENCHMARKS and name != FIXTURE.name:
        # a benchmark made elsewhere (e.g. a task's held-out split, rsgrpo.data.tasks): the file in the schema
        spec = replace(BenchmarkSpec(name, hub_id="", split="local", id_col="problem_id"), **overrides)
    else:
        spec = get_spec(name, **overrides)
    if path is None and spec.name == FIXTURE.name:
        path = fixture_path()
    if path is not None:
        raw, source = read_local(path), str(path)
    else:
        import datasets  # heavy; only on the Hub path
        rev = revision or spec.revision
        try:
            ds = datasets.load_dataset(spec.hub_id, spec.config, split=spec.split, revision=rev)
        except Exception as e:  # noqa: BLE001 - say which benchmark and how to work offline
            raise ValueError(f"benchmark {spec.name}: cannot load {spec.hub_id!r} split {spec.split!r} from the "
                             f"Hub ({type(e).__name__}: {e}); download it and pass a local Parquet/JSONL path"
                             ) from e
        raw, source = ds.to_pandas(), f"{spec.hub_id}@{rev or 'main'}:{spec.split}"
    if limit is not None:
        raw = raw.iloc[:limit]
    out = normalise_benchmark(raw, spec, source=source)
    if gold_parser is not None:
        out = _check_golds(out, spec, gold_parser, timeout)
    else:
        out["answer_canonical"] = None
    return out[COLUMNS]


def prompt_messages(problem: str) -> list[dict[str, str]]:
    """The chat message list (one user turn: problem + suffix); verl's ``prompt`` column (docs/verl.md §9)."""
    return [{"role": "user", "content": problem + PROMPT_SUFFIX}]


def build_prompt(problem: str, tokenizer: Any = None, chat_template: bool = False) -> str:
    """Problem + the paper's suffix; wrapped in the tokenizer's chat template when ``chat_template``.

    Base models: ``chat_template=False`` (plain text). With a template: ``apply_chat_template(messages,
    tokenize=False, add_generation_prompt=True)``.
    """
    if not isinstance(problem, str) or not problem.strip():
        raise ValueError("build_prompt: empty problem")
    if not chat_template:
        return problem + PROMPT_SUFFIX
    if tokenizer is None:
        raise ValueError("build_prompt: chat_template=True needs a tokenizer")
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError(f"build_prompt: tokenizer {getattr(tokenizer, 'name_or_path', '?')} has no chat template")
    return tokenizer.apply_chat_template(prompt_messages(problem), tokenize=False, add_generation_prompt=True)
