"""A thin, optional Weights & Biases adapter; the library itself never imports wandb.

    tracker = Tracker.create(run_name, mode="offline", project="rsgrpo", config={...}, directory=...)
    tracker.log({"train/reward_mean": 0.4, ...}, step=10)
    tracker.finish()

`mode`: "auto" (default, the same rule as the verl grid, rsgrpo.wandb_env.wandb_mode: WANDB_MODE if set, else
"online" when the user is logged in, else "offline": nothing leaves the machine, sync later with `wandb sync`),
"offline", "online", or "disabled". When wandb is not installed, or `mode` is "disabled", the tracker
is a no-op. wandb is imported lazily inside `create`. Credentials come from the environment (WANDB_API_KEY)
and are never written anywhere by this module. The run's id and directory are available as `info()` for
provenance.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

__all__ = ["Tracker"]


class Tracker:
    """Logs metric dicts to a wandb run, or does nothing."""

    def __init__(self, run: Any = None):
        self._run = run

    @classmethod
    def create(cls, name: str, mode: str | None = None, project: str = "rsgrpo", group: str | None = None,
               config: Mapping[str, Any] | None = None, directory: str | os.PathLike | None = None) -> "Tracker":
        if mode in (None, "", "auto"):  # the grid's rule (rsgrpo.wandb_env): WANDB_MODE, else online iff logged in
            from rsgrpo.wandb_env import wandb_mode

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
