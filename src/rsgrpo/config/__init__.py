"""The workflow config: schema + semantic validation in one place (`check`) and its expansion into the jobs of
every stage (`jobs`: datasets, base models, training runs with their trainer, eval pairs, report selections).
May import: every stage package except rsgrpo.reports; never snakemake (the workflow passes plain dicts).
"""

from rsgrpo.config.check import ConfigError, key_path, validate, validate_config

__all__ = ["ConfigError", "validate", "validate_config", "key_path"]
