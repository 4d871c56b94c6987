"""W&B glue of the workflow (the library never imports wandb): the environment of a verl job and a tracker for
the CPU trainer. Both follow one mode rule and never read, copy or write the API key.

Mode: `WANDB_MODE` as set by the user wins; otherwise `online` if the user is logged in (a `WANDB_API_KEY`
variable is *present* or the netrc file has a `machine` entry for the W&B host), else `offline`. Offline runs
land in `$WANDB_DIR/wandb/offline-run-*`; upload them later with `wandb sync <dir>`.

verl job (`wandb_env`): verl's `Tracking` calls `wandb.init(project=trainer.project_name,
name=trainer.experiment_name, ...)`; wandb reads the rest from the environment: `WANDB_RUN_GROUP`
(model/dataset), `WANDB_TAGS`, `WANDB_RUN_ID` (a stable id per run, so a re-submitted job with
`trainer.resume_mode=auto` continues the same W&B run with `WANDB_RESUME=allow`), `WANDB_MODE`, `WANDB_DIR`.

CPU trainer (`Tracker`): an object with `log(metrics, step)`, `info()` and `finish()` that the trainer calls
(duck-typed; a no-op when wandb is missing or the mode is `disabled`)::

    tracker = Tracker.create(run_name, mode="auto", project="rsgrpo", config={...}, directory=...)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlparse

__all__ = ["logged_in", "wandb_mode", "wandb_env", "stable_run_id", "wandb_fields", "Tracker"]


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
    """Variables to add to the training job's environment (fields from `wandb_fields`).

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

def wandb_fields(run, project: str) -> dict[str, Any]:
    """W&B project / group (model/dataset) / name (method tag + seed) / tags of one grid run (rsgrpo.train.grid.TrainRun)."""
    from rsgrpo.runs import method_tag

    r = run.run
    tags = [f"model:{run.model}", f"dataset:{run.dataset}", f"method:{run.estimator}", f"seed:{run.seed}"]
    if r.beta is not None:
        tags.append(f"beta:{r.beta:g}")
    if r.k is not None:
        tags.append(f"k:{r.k}")
    return {"project": project, "group": f"{run.model}/{run.dataset}",
            "name": f"{method_tag(r.method, r.beta, r.k)}-s{run.seed}", "tags": tags}


class Tracker:
    """Logs metric dicts to a wandb run, or does nothing."""

    def __init__(self, run: Any = None):
        self._run = run

    @classmethod
    def create(cls, name: str, mode: str | None = None, project: str = "rsgrpo", group: str | None = None,
               config: Mapping[str, Any] | None = None, directory: str | os.PathLike | None = None) -> "Tracker":
        if mode in (None, "", "auto"):  # the grid's rule (wandb_mode above): WANDB_MODE, else online iff logged in
            mode = wandb_mode()
        if mode not in ("offline", "online", "disabled"):
            raise ValueError(f"wandb mode must be auto, offline, online or disabled, got {mode!r}")
        if mode == "disabled":
            return cls(None)
        try:
            import wandb
        except ImportError:
            return cls(None)
        if directory is not None:
            os.makedirs(directory, exist_ok=True)
        run = wandb.init(project=project, name=name, group=group, mode=mode, config=dict(config or {}),
                         dir=str(directory) if directory is not None else None, reinit="create_new",
                         settings=wandb.Settings(console="off", silent=True))
        return cls(run)

    @property
    def enabled(self) -> bool:
        return self._run is not None

    def log(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        if self._run is None:
            return
        data = {k: v for k, v in metrics.items() if k != "step" and isinstance(v, (int, float))}
        self._run.log(data, step=int(step if step is not None else metrics.get("step", 0)))

    def info(self) -> dict[str, Any]:
        if self._run is None:
            return {"wandb": None}
        return {"wandb": {"id": self._run.id, "project": self._run.project, "mode": getattr(self._run.settings, "mode", None),
                          "dir": str(getattr(self._run, "dir", ""))}}

    def finish(self) -> None:
        if self._run is not None:
            self._run.finish()
            self._run = None
