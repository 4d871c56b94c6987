"""rsgrpo.train.verl.gpus: the job's requested GPUs must be visible before verl starts."""

import pytest

from rsgrpo.train.verl import gpus


def test_gpu_count_check(monkeypatch):
    assert gpus.check_gpu_count(4, visible=4) == 4
    with pytest.raises(gpus.GpuCountError, match=r"requested 2 GPU\(s\) but 1 is visible"):
        gpus.check_gpu_count(2, visible=1)
    monkeypatch.setenv("RSGRPO_VISIBLE_GPUS", "3")
    assert gpus.visible_gpu_count() == (3, "RSGRPO_VISIBLE_GPUS")
    assert gpus.main(["--expect", "3"]) == 0
    assert gpus.main(["--expect", "8"]) == 1
