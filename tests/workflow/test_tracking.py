"""workflow/lib/tracking.py: W&B mode rule, the environment handed to verl, run fields, the CPU trainer's Tracker."""

import sys
import types

import pytest

import tracking
from rsgrpo.train import grid as traingrid
from tracking import Tracker



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


def test_wandb_fields(paper):
    r = traingrid.run_by_name(paper["train"], "qwen25-math-7b__dapo17k__rs_grpo-b2__s0")
    f = tracking.wandb_fields(r, "rs-grpo")
    assert f["group"] == "qwen25-math-7b/dapo17k" and f["name"] == "rs_grpo-b2-s0"
    assert "beta:2" in f["tags"] and "method:rs_grpo" in f["tags"]


def test_wandb_mode_detection(tmp_path):
    assert tracking.wandb_mode({}, home=tmp_path) == "offline"
    assert tracking.wandb_mode({"WANDB_MODE": "disabled"}, home=tmp_path) == "disabled"
    assert tracking.wandb_mode({"WANDB_API_KEY": "x"}, home=tmp_path) == "online"
    (tmp_path / ".netrc").write_text("machine example.org login a password b\n")
    assert not tracking.logged_in({}, home=tmp_path)
    (tmp_path / ".netrc").write_text("machine api.wandb.ai\n  login user\n  password secret\n")
    assert tracking.logged_in({}, home=tmp_path)
    env = tracking.wandb_env({"project": "p", "group": "m/d", "tags": ["a", "b"]}, "run1", tmp_path,
                             environ={}, home=tmp_path / "empty")
    assert env["WANDB_MODE"] == "offline" and env["WANDB_RUN_GROUP"] == "m/d" and env["WANDB_TAGS"] == "a,b"
    assert env["WANDB_RUN_ID"] == tracking.stable_run_id("run1") and env["WANDB_RESUME"] == "allow"
    assert "WANDB_API_KEY" not in env and "secret" not in str(env)
    sweep = tracking.wandb_env({"project": "p", "group": "g", "tags": []}, "run1", tmp_path,
                               environ={"WANDB_SWEEP_ID": "s"})
    assert "WANDB_RUN_ID" not in sweep
