"""rsgrpo.tracking: the CPU trainer's W&B adapter follows the verl grid's mode rule (rsgrpo.wandb_env)."""

import sys
import types

import pytest

from rsgrpo.tracking import Tracker


@pytest.fixture
def fake_wandb(monkeypatch):
    calls = []

    class Run:
        id, project, dir = "abc", "rsgrpo", "/tmp"
        settings = types.SimpleNamespace(mode=None)

        def log(self, *a, **k):
            pass

        def finish(self):
            pass

    def init(**kwargs):
        calls.append(kwargs)
        r = Run()
        r.settings = types.SimpleNamespace(mode=kwargs["mode"])
        return r

    monkeypatch.setitem(sys.modules, "wandb", types.SimpleNamespace(init=init, Settings=lambda **k: k))
    return calls


def test_auto_mode_is_offline_without_login_and_online_with_it(fake_wandb, monkeypatch, tmp_path):
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    assert Tracker.create("r", directory=tmp_path).enabled
    (tmp_path / "netrc").write_text("machine api.wandb.ai login user password not-read\n")
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    Tracker.create("r", mode="auto", directory=tmp_path)
    monkeypatch.setenv("WANDB_MODE", "offline")  # the user's choice wins over the login
    Tracker.create("r", directory=tmp_path)
    assert [c["mode"] for c in fake_wandb] == ["offline", "online", "offline"]


def test_disabled_and_bad_modes(fake_wandb, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")
    t = Tracker.create("r")
    assert not t.enabled and fake_wandb == []
    t.log({"x": 1.0})  # a no-op, never an error
    with pytest.raises(ValueError, match="wandb mode"):
        Tracker.create("r", mode="sometimes")
