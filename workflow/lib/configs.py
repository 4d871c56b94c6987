"""The workflow's config, from the files to the validated jobs (used once, by workflow/rules/common.smk).

    jobs = load(config, workflow.overwrite_configfiles, root, overrides)   -> rsgrpo.config.jobs.Jobs, or one line
                                                                            + exit 1 (overrides: the --config dict)

Layering: without --configfile, Snakemake loads config/config.yaml (the `configfile:` directive) and merges
--config on top. With --configfile F..., every top-level section F states replaces config/config.yaml's whole
section, and the sections F does not state come from config/config.yaml (so config/paper.yaml keeps the
bandit and the closed-form figures without restating them); --config values merge on top either way.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from rsgrpo.config import ConfigError, validate
from rsgrpo.config.check import yaml_scalars
from rsgrpo.config.files import DEFAULT, SCHEMA, complete, from_files, merge, read_yaml

__all__ = ["DEFAULT", "SCHEMA", "complete", "from_files", "jobs_of", "load"]


def load(config: dict, configfiles: list, root: str | Path, overrides: dict | None = None):
    """complete(), re-read the --config values (`overrides`, merged into `config` by Snakemake as strings below
    the top level) as YAML scalars, then validate against the schema; a bad config ends the process with one
    line naming the key, the value as typed and the rule (before any job: Snakemake is still parsing)."""
    root = Path(root)
    complete(config, list(configfiles or []), root)
    if overrides:
        config.update(merge(config, yaml_scalars(overrides)))
    try:
        return validate(config, read_yaml(root / SCHEMA))
    except ConfigError as err:
        sys.stderr.write(f"rsgrpo: invalid config: {err}\n")
        raise SystemExit(1) from None


@functools.lru_cache(maxsize=None)
def jobs_of(configfile: str, root: str) -> "Jobs":
    """The validated jobs of the config `--configfile configfile` would run (Table 3 documents another grid's
    train section); read only when a rule asks for it, once."""
    path = Path(root) / configfile
    if not path.is_file():
        sys.stderr.write(f"rsgrpo: invalid config: config key 'report.table3.config': no such file {configfile!r}\n")
        raise SystemExit(1)
    return load(from_files([path], root), [str(path)], root)
