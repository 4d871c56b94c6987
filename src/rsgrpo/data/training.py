"""Training sets (paper §6.4: math12k, deepmath103k, dapo17k) -> verl parquet (docs/verl.md §9, docs/evaluation.md §2).

Output row (one per problem)::

    prompt        [{"role": "user", "content": problem + PROMPT_SUFFIX}]     (the paper's suffix, App. E)
    data_source   the dataset name (math12k | deepmath103k | dapo17k | ...; verl routes rewards and metrics by it)
    ability       "math"
    reward_model  {"style": "rule", "ground_truth": answer}
    extra_info    {"index": i, "split": "train", "source_id": <id in the source or "">}

Sources: the Hub (`datasets.load_dataset(hub_id, config, split=..., revision=...)`) or a local
Parquet/JSONL/JSON/CSV file with the source's columns (or already `problem`/`answer`). DAPO: the raw
BytedTsinghua-SIA copy holds each problem ~100x inside an `Answer:` template; the template is stripped and
duplicates (by whitespace-normalised problem text) removed. Counts are logged and returned.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from rsgrpo.data.benchmarks import PROMPT_SUFFIX, read_local

__all__ = ["TrainingSource", "SOURCES", "get_source", "strip_dapo_template", "load_training_set",
           "to_verl", "prepare_training_set", "prepare_dataset", "benchmarks_to_verl", "overlap_counts", "normalise_text",
           "PROMPT_SUFFIX"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSource:
    """Where a training set lives. `problem_col`/`answer_col` may be dotted paths into nested columns."""

    name: str
    hub_id: str
    split: str = "train"
    problem_col: str = "problem"
    answer_col: str = "answer"
    id_col: str | None = None
    config: str | None = None
    revision: str | None = None
    dapo_template: bool = False  # strip the DAPO prompt template and deduplicate


SOURCES: dict[str, TrainingSource] = {
    # docs/evaluation.md §2 (the App. E list of training ids was lost in extraction; standard public sources)
    "math12k": TrainingSource("math12k", "hiyouga/math12k"),
    "deepmath103k": TrainingSource("deepmath103k", "zwhe99/DeepMath-103K", problem_col="question",
                                   answer_col="final_answer"),
    "dapo17k": TrainingSource("dapo17k", "BytedTsinghua-SIA/DAPO-Math-17k", problem_col="prompt",
                              answer_col="reward_model.ground_truth", id_col="extra_info.index", dapo_template=True),
    # the deduplicated open-r1 copy (prompt is a string that may still carry the template)
    "dapo17k-openr1": TrainingSource("dapo17k", "open-r1/DAPO-Math-17k-Processed", problem_col="prompt",
                                     answer_col="solution", config="all", dapo_template=True),
}


def get_source(name: str, **overrides: Any) -> TrainingSource:
    if name not in SOURCES:
        raise ValueError(f"unknown training set {name!r}; known: {', '.join(SOURCES)}")
    overrides = {k: v for k, v in overrides.items() if v is not None}
    return replace(SOURCES[name], **overrides) if overrides else SOURCES[name]


# The raw DAPO content (docs/evaluation.md §2): a fixed head, the problem, a fixed tail.
_DAPO_HEAD = re.compile(
    r"^\s*Solve the following math problem step by step\.\s*The last line of your response should be of the "
    r"form Answer: \$Answer \(without quotes\) where \$Answer is the answer to the problem\.\s*", re.S)
_DAPO_TAIL = re.compile(r"\s*Remember to put your answer on its own line after \"Answer:\"\.?\s*$", re.S)


def strip_dapo_template(text: str) -> str:
    """DAPO prompt content -> the bare problem (text without the template is returned stripped)."""
    return _DAPO_TAIL.sub("", _DAPO_HEAD.sub("", text)).strip()


def normalise_text(text: str) -> str:
    """Whitespace-collapsed, stripped text: the key for deduplication and overlap checks."""
    return " ".join(str(text).split())


def _get(row_value: Any, path: list[str]) -> Any:
    for p in path:
        if isinstance(row_value, dict):
            row_value = row_value.get(p)
        else:
            return None
    return row_value


def _column(df: pd.DataFrame, dotted: str, fallback: str, where: str) -> pd.Series:
    for name in (dotted, fallback):
        if name in df.columns:
            return df[name]
        head, *rest = name.split(".")
        if rest and head in df.columns:
            return df[head].map(lambda v: _get(v, rest))
    raise ValueError(f"{where}: missing column {dotted!r} (or {fallback!r}); columns are {list(df.columns)}")


def _prompt_text(v: Any) -> Any:
    """A chat list (DAPO raw) -> the first user message's content; strings pass through."""
    if hasattr(v, "tolist"):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        users = [m for m in v if isinstance(m, dict) and m.get("role", "user") == "user"]
        return users[0].get("content") if users else None
    return v


def _answer_text(v: Any) -> str | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, float):
        if v != v:
            return None
        return str(int(v)) if v.is_integer() else repr(v)
    s = str(v).strip()
    return s or None


def _load_raw(src: TrainingSource, path: str | os.PathLike | None) -> tuple[pd.DataFrame, str]:
    if path is not None:
        return read_local(path), str(path)
    import datasets  # heavy; only on the Hub path

    try:
        ds = datasets.load_dataset(src.hub_id, src.config, split=src.split, revision=src.revision)
    except Exception as e:  # noqa: BLE001 - name the dataset and the offline alternative
        raise ValueError(f"training set {src.name}: cannot load {src.hub_id!r} split {src.split!r} from the Hub "
                         f"({type(e).__name__}: {e}); download it and give a local Parquet/JSONL path") from e
    return ds.to_pandas(), f"{src.hub_id}@{src.revision or 'main'}:{src.split}"


def load_training_set(name: str, path: str | os.PathLike | None = None, *, limit: int | None = None,
                      **overrides: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Load training set `name` -> (DataFrame[problem, answer, source_id], counts).

    counts: {"source": ..., "raw": rows read, "dropped_empty": ..., "duplicates_removed": ..., "rows": kept}.
    `limit` keeps the first rows after cleaning (smoke runs). `overrides` replace TrainingSource fields.
    """
    src = get_source(name, **overrides)
    raw, origin = _load_raw(src, path)
    where = f"training set {src.name} ({origin})"
    problems = _column(raw, src.problem_col, "problem", where).map(_prompt_text)
    answers = _column(raw, src.answer_col, "answer", where).map(_answer_text)
    if src.id_col:
        try:
            ids = _column(raw, src.id_col, "source_id", where).map(lambda v: "" if v is None else str(v))
        except ValueError:
            ids = pd.Series([""] * len(raw))
    else:
        ids = pd.Series([""] * len(raw))
    df = pd.DataFrame({"problem": problems.values, "answer": answers.values, "source_id": ids.values})
    counts: dict[str, Any] = {"dataset": src.name, "source": origin, "raw": int(len(df))}
    ok = df["problem"].map(lambda p: isinstance(p, str) and bool(p.strip())) & df["answer"].notna()
    counts["dropped_empty"] = int((~ok).sum())
    df = df[ok].reset_index(drop=True)
    if src.dapo_template:
        df["problem"] = df["problem"].map(strip_dapo_template)
        counts["template_stripped"] = True
    df["problem"] = df["problem"].map(str.strip)
    key = df["problem"].map(normalise_text)
    dup = key.duplicated(keep="first")
    if src.dapo_template:
        counts["duplicates_removed"] = int(dup.sum())
        df = df[~dup].reset_index(drop=True)
    else:
        counts["duplicates_kept"] = int(dup.sum())  # reported, not removed (only DAPO is deduplicated)
    if limit is not None:
        df = df.iloc[:limit].reset_index(drop=True)
    counts["rows"] = int(len(df))
    logger.info("%s: %s", where, counts)
    return df, counts


def to_verl(df: pd.DataFrame, data_source: str, split: str = "train", ability: str = "math") -> pd.DataFrame:
    """DataFrame[problem, answer(, source_id)] -> the verl parquet contract (module docstring)."""
    if df.empty:
        raise ValueError(f"{data_source}: no rows to write")
    sids = df["source_id"] if "source_id" in df.columns else pd.Series([""] * len(df))
    return pd.DataFrame({
        "prompt": [[{"role": "user", "content": p + PROMPT_SUFFIX}] for p in df["problem"]],
        "data_source": data_source,
        "ability": ability,
        "reward_model": [{"style": "rule", "ground_truth": str(a)} for a in df["answer"]],
        "extra_info": [{"index": i, "split": split, "source_id": str(s)} for i, s in enumerate(sids)],
    })


def prepare_training_set(name: str, out_path: str | os.PathLike, path: str | os.PathLike | None = None, *,
                         limit: int | None = None, **overrides: Any) -> dict[str, Any]:
    """Load, clean and write training set `name` as verl parquet (atomically); returns the counts."""
    from rsgrpo.io import atomic_path

    df, counts = load_training_set(name, path, limit=limit, **overrides)
    out = to_verl(df, counts["dataset"])
    with atomic_path(out_path) as tmp:
        out.to_parquet(tmp, index=False)
    return counts


def prepare_dataset(key: str, spec: dict[str, Any], out_path: str | os.PathLike) -> dict[str, Any]:
    """One `train.datasets` entry -> verl parquet at `out_path` (atomically); returns its counts.

    spec: {source: a SOURCES key, path, hub_id, revision, limit} or {source: task, task: {...}} (the ops task's
    RL rows, rsgrpo.data.tasks.training_frame; each marker's problems repeated by its type weight)."""
    from rsgrpo.io import atomic_path

    if spec.get("source") == "task":
        from rsgrpo.data import tasks

        task = tasks.from_config(key, spec["task"])
        frame = tasks.training_frame(task)
        with atomic_path(out_path) as tmp:
            frame.to_parquet(tmp, index=False)
        return {"dataset": key, "rows": len(frame), "distinct_problems": int(frame["problem_id"].nunique()),
                "task": task.to_dict()}
    extra = {k: spec[k] for k in ("hub_id", "revision") if spec.get(k) is not None}
    return prepare_training_set(spec["source"], out_path, spec.get("path"), limit=spec.get("limit"), **extra)


def benchmarks_to_verl(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Normalised benchmark tables (rsgrpo.data.benchmarks: problem_id, problem, answer, benchmark) -> one verl
    validation parquet; data_source = the benchmark name, extra_info carries the problem id."""
    parts = []
    for f in frames:
        for col in ("problem_id", "problem", "answer", "benchmark"):
            if col not in f.columns:
                raise ValueError(f"benchmark table lacks column {col!r}; columns are {list(f.columns)}")
        parts.append(pd.DataFrame({
            "prompt": [[{"role": "user", "content": p + PROMPT_SUFFIX}] for p in f["problem"]],
            "data_source": f["benchmark"].astype(str).values,
            "ability": "math",
            "reward_model": [{"style": "rule", "ground_truth": str(a)} for a in f["answer"]],
            "extra_info": [{"index": i, "split": "test", "problem_id": str(pid)}
                           for i, pid in enumerate(f["problem_id"])],
        }))
    if not parts:
        raise ValueError("no benchmark tables given")
    return pd.concat(parts, ignore_index=True)


def overlap_counts(train_problems: Iterable[str], eval_problems: Iterable[str]) -> dict[str, int]:
    """Training/evaluation overlap (docs/evaluation.md §2): exact and whitespace/case-normalised matches."""
    train = list(train_problems)
    evals = list(eval_problems)
    exact = len(set(train) & set(evals))
    norm = len({normalise_text(t).lower() for t in train} & {normalise_text(e).lower() for e in evals})
    return {"exact": exact, "normalised": norm}
