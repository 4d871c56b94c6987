# Helpers of train.smk (config parsing and input functions), kept apart from its rules.
import os
import re
import sys

from rsgrpo import traingrid

_TRAIN = config.get("train", {})
try:
    TRAIN_RUNS = {r.name: r for r in traingrid.check(_TRAIN)}
except ValueError as _err:
    sys.stderr.write(f"rsgrpo: invalid config: {_err}\n")
    sys.exit(1)
TRAIN_BASE_RUNS = traingrid.base_runs(_TRAIN)
_TRAIN_DATASETS = sorted({r.dataset for r in TRAIN_RUNS.values()})
_NEVER = "(?!)"  # a wildcard constraint that matches nothing (no grid -> the rules match no file)


def _alternatives(names):
    return "|".join(re.escape(n) for n in names) or _NEVER


def _train_params(wildcards):
    """What defines one run (and only that: adding runs to the grid must not re-trigger the others). The
    overrides are built in the job, where the GPU count of the allocation is known."""
    r = TRAIN_RUNS[wildcards.run]
    return {
        "run": traingrid.run_to_dict(r),
        "model": _TRAIN["models"][r.model],
        "dataset": _TRAIN["datasets"][r.dataset],
        "hyperparameters": traingrid.hyperparameters(_TRAIN),
        "validation": _TRAIN.get("validation") or {},
        "project": _TRAIN["project"],
        "checkpoint_dir": os.path.join(_TRAIN["checkpoint_dir"], r.name),
        "extra_overrides": list(_TRAIN.get("extra_overrides") or []),
    }
