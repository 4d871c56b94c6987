"""workflow/lib/resources.py: GPUs per node from a rule's resources (gpu, or a Slurm gres string)."""

import pytest

from resources import gpus_per_node, parse_gres_count


def test_parse_gres_count():
    assert parse_gres_count("gpu:h100:4") == 4 and parse_gres_count("gpu:2") == 2
    assert parse_gres_count("gpu") is None and parse_gres_count(None) is None


def test_gpus_per_node():
    assert gpus_per_node(gpu=8) == 8
    assert gpus_per_node(gpu=16, nnodes=2) == 8
    assert gpus_per_node(gpu=0, gres="gpu:a100:4", nnodes=2) == 4
    with pytest.raises(ValueError, match="no GPU resource"):
        gpus_per_node()
