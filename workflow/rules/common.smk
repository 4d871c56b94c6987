# Helpers only (no rules): config validation, shared target list, run-name helpers.
import sys
from pathlib import Path

import yaml

from rsgrpo.configcheck import ConfigError, validate_config

# The software environment of every step (relative to workflow/rules/); see environment.yml.
CONDA_ENV = "../../environment.yml"

# Everything the default target builds; stage rule files append to it.
ALL_TARGETS = []

_SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
if not _SCHEMA.exists():  # when used as a module from workflow/ itself
    _SCHEMA = Path(workflow.basedir).parent / "workflow" / "schemas" / "config.schema.yaml"

try:
    validate_config(config, yaml.safe_load(_SCHEMA.read_text()))
except ConfigError as _err:
    sys.stderr.write(f"rsgrpo: invalid config: {_err}\n")
    sys.exit(1)


def figure(stem):
    """paper_figures/{stem}.pdf and .png, the pair every figure rule writes."""
    return multiext(f"paper_figures/{stem}", ".pdf", ".png")
