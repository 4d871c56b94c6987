"""training_data: one train.datasets entry -> verl parquet + its counts (rsgrpo.data.training.prepare_dataset)."""
import logging
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821
logging.basicConfig(stream=sys.stderr, level=logging.INFO)

from rsgrpo.data.training import prepare_dataset  # noqa: E402
from rsgrpo.io import atomic_write_json  # noqa: E402

counts = prepare_dataset(snakemake.wildcards.dataset, dict(snakemake.params.spec), snakemake.output.parquet)  # noqa: F821
atomic_write_json(snakemake.output.counts, counts)  # noqa: F821
print(f"{snakemake.wildcards.dataset}: {counts}", file=sys.stderr)  # noqa: F821
