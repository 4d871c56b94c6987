"""rsgrpo.train.verl.job: the checkpoint the HF export starts from."""

from rsgrpo.train.verl.job import latest_checkpoint

import pytest


def test_latest_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError):
        latest_checkpoint(tmp_path)
    for s in (25, 50):
        (tmp_path / f"global_step_{s}" / "actor").mkdir(parents=True)
    assert latest_checkpoint(tmp_path) == (50, tmp_path / "global_step_50" / "actor")
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("25\n")
    assert latest_checkpoint(tmp_path)[0] == 25
