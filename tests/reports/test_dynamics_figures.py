"""Fig. 5 / Fig. 6 / entropy figure from metric mirrors: right runs, seed means, subsets, clear errors."""

import json

import numpy as np
import pytest

from rsgrpo.reports import dynamics_figures as dyn
from rsgrpo.reports._style import save_figure
from rsgrpo.reports.provenance_table import collect_rows, to_markdown


def _log(root, run, rows):
    d = root / "train" / run
    d.mkdir(parents=True, exist_ok=True)
    (d / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return d / "metrics.jsonl"


def _rows(scale, steps=6, val_every=2, entropy=True):
    out = []
    for s in range(1, steps + 1):
        r = {"step": s, "train/reward_mean": scale * s, "train/solve_rate_cum": min(1, 0.1 * s * scale)}
        if entropy:
            r["train/entropy"] = 1.0 / (s * scale)
        if s % val_every == 0:
            r["val/pass@1"], r["val/pass@32"] = 0.1 * scale, 0.5 * scale
        out.append(r)
    return out


@pytest.fixture
def runs(tmp_path):
    paths = [
        _log(tmp_path, "tiny__toy__grpo__s0", _rows(1.0)),
        _log(tmp_path, "tiny__toy__rs_grpo-b2__s0", _rows(2.0)),
        _log(tmp_path, "tiny__toy__rs_grpo-b2__s1", _rows(4.0)),
        _log(tmp_path, "tiny__toy__chen-k4__s0", _rows(3.0)),
        _log(tmp_path, "other__toy__rs_grpo-b8__s0", _rows(5.0, entropy=False)),
    ]
    return dyn.load_runs(paths)


def _lines(ax):
    return {ln.get_label(): ln for ln in ax.get_lines()}


def test_fig5_lines_are_seed_means_per_beta(runs):
    fig = dyn.fig5_beta_ablation(runs, [0, 2, 4, 8], labels={"models": {"tiny": "Tiny"}})
    axes = np.array(fig.axes).reshape(2, 4)  # two (model, dataset) groups x four metrics
    assert axes[0, 0].get_title(loc="left").startswith("Tiny / toy")  # groups sorted by label
    reward = _lines(axes[0, 1])
    assert set(reward) == {"β = 0 (grpo)", "β = 2 (2 seeds)"}  # beta 4 has no run: not drawn, not invented
    b2 = reward["β = 2 (2 seeds)"]
    assert np.allclose(b2.get_ydata(), 3.0 * np.arange(1, 7))  # mean of 2*s and 4*s
    pass32 = _lines(axes[0, 3])["β = 2 (2 seeds)"]
    assert list(pass32.get_xdata()) == [2, 4, 6] and np.allclose(pass32.get_ydata(), 1.5)
    assert set(_lines(axes[1, 0])) == {"β = 8"}


def test_fig6_and_entropy(runs, tmp_path):
    fig = dyn.fig6_baselines(runs, {"rs_grpo-b2": "RS-GRPO", "chen-k4": "Chen"})
    assert len(fig.axes) == 2  # one group (only tiny has these tags) x pass@1, pass@32
    assert set(_lines(fig.axes[0])) == {"RS-GRPO (2 seeds)", "Chen"}
    fig = dyn.fig_entropy(runs, [0, 8])
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("no run logged" in t for t in texts)  # the beta-8 run never logged entropy
    save_figure(fig, tmp_path / "e.pdf", tmp_path / "e.png")
    assert (tmp_path / "e.pdf").stat().st_size > 0 and (tmp_path / "e.png").read_bytes()[:4] == b"\x89PNG"


def test_no_matching_run_is_an_error(runs):
    with pytest.raises(ValueError, match="none of the"):
        dyn.fig6_baselines(runs, ["pkpo-k4"])
    with pytest.raises(ValueError, match="unknown metric"):
        dyn.plot_dynamics(runs, {"grpo": "g"}, ["loss"], "t")


def test_read_metrics_resume_overrides_and_errors(tmp_path):
    p = tmp_path / "train" / "tiny__toy__grpo__s0" / "metrics.jsonl"
    p.parent.mkdir(parents=True)
    p.write_text('{"step": 1, "a": 1}\n{"step": 2, "a": 2}\n\n{"step": 2, "a": 5, "b": 1}\n')
    df = dyn.read_metrics(p)
    assert df["step"].tolist() == [1, 2] and df["a"].tolist() == [1, 5] and df["b"].iloc[1] == 1
    p.write_text('{"a": 1}\n')
    with pytest.raises(ValueError, match="no 'step'"):
        dyn.read_metrics(p)
    bad = tmp_path / "train" / "nope" / "metrics.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"step": 1}\n')
    with pytest.raises(ValueError, match="not a run name"):
        dyn.load_runs([bad])


def test_beta_series():
    assert dyn.beta_series([0, 2, 0.5]) == {"grpo": "β = 0 (grpo)", "rs_grpo-b2": "β = 2", "rs_grpo-b0.5": "β = 0.5"}


def test_provenance_table(tmp_path):
    t = tmp_path / "train" / "tiny__toy__grpo__s0" / "provenance.json"
    t.parent.mkdir(parents=True)
    t.write_text(json.dumps({"hardware": "8xH100", "versions": {"torch": "2.13.0", "verl": "0.9.1"},
                             "harness_commit": "abc123", "config_hash": "ff00", "wandb_path": "ent/proj/r1"}))
    e = tmp_path / "eval" / "tiny__base" / "B" / "manifest.json"
    e.parent.mkdir(parents=True)
    e.write_text(json.dumps({"schema_version": 1, "files": {}, "provenance": {"harness_commit": "def"}}))
    rows = collect_rows([t], [e])
    assert [r["result"] for r in rows] == ["tiny__toy__grpo__s0", "tiny__base / B"]
    assert rows[0]["wandb"] == "https://wandb.ai/ent/proj/runs/r1" and rows[0]["versions"] == "torch 2.13.0, verl 0.9.1"
    md = to_markdown(rows)
    assert "| `tiny__toy__grpo__s0` | train | 8xH100 |" in md and "[run](https://wandb.ai/ent/proj/runs/r1)" in md
    assert md.count("\n| ") == 3  # header + 2 rows
    assert "No results" in to_markdown([])
