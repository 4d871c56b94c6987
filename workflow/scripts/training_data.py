"""Leaf: one training set -> verl parquet + counts (rsgrpo.data.training). Rule: training_data (train.smk)."""
import logging
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821
logging.basicConfig(stream=sys.stderr, level=logging.INFO)

from rsgrpo.data.training import prepare_training_set  # noqa: E402
from rsgrpo.io import atomic_write_json  # noqa: E402

spec = dict(snakemake.params.spec)  # noqa: F821
counts = prepare_training_set(spec["source"], snakemake.output.parquet, spec.get("path"),  # noqa: F821
                              limit=spec.get("limit"), hub_id=spec.get("hub_id"), revision=spec.get("revision"))
atomic_write_json(snakemake.output.counts, counts)  # noqa: F821
print(f"{snakemake.wildcards.dataset}: {counts}", file=sys.stderr)  # noqa: F821
