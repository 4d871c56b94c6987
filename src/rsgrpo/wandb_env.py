"""Environment variables that make verl's W&B logger browse the grid like a sweep. Never touches the API key.

verl's `Tracking` calls `wandb.init(project=trainer.project_name, name=trainer.experiment_name, ...)`; wandb
reads the rest from the environment: `WANDB_RUN_GROUP` (model/dataset), `WANDB_TAGS`, `WANDB_RUN_ID` (a
stable id per run, so a re-submitted job with `trainer.resume_mode=auto` continues the same W&B run with
`WANDB_RESUME=allow`), `WANDB_MODE` and `WANDB_DIR`.

Mode: `WANDB_MODE` as set by the user wins; otherwise `online` if the user is logged in (a `WANDB_API_KEY`
variable is *present* or the netrc file has a `machine` entry for the W&B host; the key itself is never read,
copied or written), else `offline`. Offline runs land in `$WANDB_DIR/wandb/offline-run-*`; upload them later
with `wandb sync <dir>` (README "Training at paper scale").
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Mapping
from urllib.parse import urlparse

__all__ = ["logged_in", "wandb_mode", "wandb_env", "stable_run_id"]


def _netrc_has_host(host: str, netrc_path: Path) -> bool:
    """True if the netrc file names `machine host` (only machine names are looked at)."""
    try:
        tokens = netrc_path.read_text().split()
    except OSError:
        return False
    return any(t == "machine" and i + 1 < len(tokens) and tokens[i + 1] == host for i, t in enumerate(tokens))


def logged_in(environ: Mapping[str, str] | None = None, home: str | os.PathLike | None = None) -> bool:
    """Presence of W&B credentials (env var present, or a netrc entry for the W&B host)."""
    env = os.environ if environ is None else environ
    if env.get("WANDB_API_KEY"):
        return True
    host = urlparse(env.get("WANDB_BASE_URL") or "https://api.wandb.ai").hostname or "api.wandb.ai"
    netrc = Path(env["NETRC"]) if env.get("NETRC") else Path(home or Path.home()) / ".netrc"
    return _netrc_has_host(host, netrc)


def wandb_mode(environ: Mapping[str, str] | None = None, home: str | os.PathLike | None = None) -> str:
    env = os.environ if environ is None else environ
    if env.get("WANDB_MODE"):
        return env["WANDB_MODE"]
    return "online" if logged_in(env, home) else "offline"


def stable_run_id(run_name: str) -> str:
    """A W&B run id derived from the run name (same id after a resubmission)."""
    return hashlib.sha1(run_name.encode()).hexdigest()[:16]


def wandb_env(fields: Mapping, run_name: str, wandb_dir: str | os.PathLike,
              environ: Mapping[str, str] | None = None, home: str | os.PathLike | None = None) -> dict[str, str]:
    """Variables to add to the training job's environment (fields from rsgrpo.traingrid.wandb_fields).

    Inside a W&B sweep agent (`WANDB_SWEEP_ID` set) the agent's run id is kept.
    """
    env = os.environ if environ is None else environ
    out = {
        "WANDB_MODE": wandb_mode(env, home),
        "WANDB_PROJECT": str(fields["project"]),
        "WANDB_RUN_GROUP": str(fields["group"]),
        "WANDB_TAGS": ",".join(fields["tags"]),
        "WANDB_DIR": str(wandb_dir),
        "WANDB_RESUME": "allow",
    }
    if not env.get("WANDB_SWEEP_ID"):
        out["WANDB_RUN_ID"] = stable_run_id(run_name)
    return out
