"""The vectorised bandit (paper Sec. 5.1) against a sample-by-sample loop, determinism, summaries, acceptance."""

import math

import numpy as np
import pytest
import torch

from rsgrpo import bandit
from rsgrpo import estimators
from rsgrpo.bandit import BanditConfig
from rsgrpo.estimators import beta as beta_schedule

SMALL = dict(n_samples=480, betas=(0, 2, 8), n_seeds=2, seed0=43, ma_window=100, curve_every=5,
             snapshot_every=10, chunk_updates=7, escape_threshold=0.42,
             methods=({"estimator": "grpo"}, {"estimator": "chen", "params": {"k": 4}},
                      {"estimator": "mahdavi", "params": {"k": 4}}, {"estimator": "tang"},
                      {"estimator": "pkpo", "params": {"k": 4}}, {"estimator": "dr_grpo"}))


def _official_weights(rewards: np.ndarray, beta: float) -> np.ndarray:
    """The weight computation of Jackory/RS-GRPO codes/bandit.py `_batch_update`, verbatim in numpy."""
    if beta == 0:
        return rewards - np.sum(rewards) / len(rewards)
    m = np.max(beta * rewards)
    z = (np.log(np.mean(np.exp(beta * rewards - m))) + m) / beta
    return (np.exp(beta * (rewards - z)) - 1) / beta


def loop_reference(cfg: BanditConfig, spec: dict, seed: int, official: bool = False):
    """One run, sample by sample like the official script: np.random.choice per sample, buffer of N, update.

    Returns (per-sample rewards r(a) (n_samples,), final theta (K,))."""
    land, theta = bandit.landscape(cfg), bandit.initial_logits(cfg).copy()
    rs = np.random.RandomState(seed)
    outcomes = np.random.Generator(np.random.PCG64([seed, 1]))
    buf_a, buf_sig, rewards, updates = [], [], [], 0
    for _ in range(cfg.n_samples):
        z = theta - theta.max()
        pi = np.exp(z) / np.exp(z).sum()
        a = rs.choice(cfg.n_arms, p=pi)
        r = land[a]
        v = outcomes.random()
        buf_a.append(a)
        buf_sig.append(float(v < r) if spec["binary"] else r)
        rewards.append(r)
        if len(buf_a) == cfg.group_size:
            sig = np.array(buf_sig)
            if official:
                w = _official_weights(sig, spec["beta"])
            else:  # a β schedule at the number of updates done before this one
                params = beta_schedule.params_at(spec["params"], updates, torch.tensor(sig)[None])
                w = estimators.compute(spec["method"], torch.tensor(sig)[None], **params)[0].numpy()
            z = theta - theta.max()
            pi = np.exp(z) / np.exp(z).sum()
            grad = np.zeros(cfg.n_arms)
            for ai, wi in zip(buf_a, w):
                g = -pi.copy()
                g[ai] += 1
                grad += wi * g
            theta = theta + cfg.lr * grad / cfg.group_size
            buf_a, buf_sig, updates = [], [], updates + 1
    return np.array(rewards), theta


@pytest.fixture(scope="module")
def small():
    cfg = BanditConfig(**SMALL)
    return cfg, bandit.run(cfg)


def test_landscape_and_initial_policy():
    cfg = BanditConfig()
    r = bandit.landscape(cfg)
    assert r.shape == (100,) and r.argmax() == 40
    assert r[40] == pytest.approx(1.0, abs=1e-6) and r[75] == pytest.approx(0.6, abs=1e-6)
    assert r.min() == pytest.approx(0.1, abs=1e-6)
    t = bandit.initial_logits(cfg)
    pi0 = np.exp(t) / np.exp(t).sum()
    assert abs(t.mean()) < 1e-12 and pi0.argmax() == 75
    assert pi0[75] == pytest.approx(0.0488, abs=1e-4) and pi0.min() == pytest.approx(0.0044, abs=1e-4)
    assert pi0 @ r == pytest.approx(0.3745, abs=1e-4)


def test_vectorised_equals_per_sample_loop(small):
    """Same actions, rewards and final theta as a sample-by-sample loop, for every method and seed."""
    cfg, res = small
    specs = {s["tag"]: s for s in bandit.run_specs(cfg)}
    assert len(res.runs) == len(specs) * cfg.n_seeds
    for i, run in enumerate(res.runs):
        rewards, theta = loop_reference(cfg, specs[run["tag"]], run["seed"])
        np.testing.assert_allclose(res.final_theta[i], theta, rtol=0, atol=1e-12, err_msg=run["tag"])
        ma = np.convolve(rewards, np.ones(cfg.ma_window) / cfg.ma_window, mode="valid")  # official MA
        assert res.final_ma[i] == pytest.approx(ma[-1], abs=1e-12)
        at = res.curve_samples[res.curve_samples >= cfg.ma_window]
        np.testing.assert_allclose(res.ma_reward[i][res.curve_samples >= cfg.ma_window], ma[at - cfg.ma_window],
                                   atol=1e-6)
        hit = np.flatnonzero(ma > cfg.escape_threshold)
        expected = hit[0] + cfg.ma_window if len(hit) else np.nan
        np.testing.assert_equal(res.escape_step[i], expected)


def test_rs_grpo_matches_official_weights(small):
    """rs_grpo through the registry reproduces the official script's update (seed 43 = its random stream)."""
    cfg, res = small
    specs = {s["tag"]: s for s in bandit.run_specs(cfg)}
    for i, run in enumerate(res.runs):
        if run["method"] == "rs_grpo":
            _, theta = loop_reference(cfg, specs[run["tag"]], run["seed"], official=True)
            np.testing.assert_allclose(res.final_theta[i], theta, rtol=0, atol=1e-10)


SCHEDULES = ({"schedule": "cosine", "beta_start": 8, "beta_end": 2, "warmup_steps": 3, "decay_steps": 15},
             {"schedule": "linear", "beta_start": 8, "beta_end": 0, "decay_steps": 20},
             {"schedule": "switch", "beta": 8, "switch_step": 12},
             {"schedule": "difficulty", "beta_max": 8, "beta_min": 0})


def test_scheduled_runs_equal_the_per_sample_loop():
    """A schedule per run (each evaluated at the update count, difficulty per group) in the vectorised batch equals
    the sample-by-sample loop; fixed-beta runs next to them are unchanged."""
    cfg = BanditConfig(**{**SMALL, "methods": tuple({"estimator": "rs_grpo", "params": {"beta": s}} for s in SCHEDULES)})
    res = bandit.run(cfg)
    specs = {s["tag"]: s for s in bandit.run_specs(cfg)}
    assert {"rs_grpo-cos8to2w3d15", "rs_grpo-lin8to0w0d20", "rs_grpo-sw8at12", "rs_grpo-dif8to0"} <= set(specs)
    for i, run in enumerate(res.runs):
        rewards, theta = loop_reference(cfg, specs[run["tag"]], run["seed"])
        np.testing.assert_allclose(res.final_theta[i], theta, rtol=0, atol=1e-10, err_msg=run["tag"])
    fixed = bandit.run(BanditConfig(**{**SMALL, "methods": ()}))
    for i, run in enumerate(fixed.runs):
        np.testing.assert_array_equal(res.final_theta[i], fixed.final_theta[i])
    df = bandit.summary_frame(res)
    assert df.loc[df.tag == "rs_grpo-sw8at12", "beta"].isna().all()  # the summary's beta is for fixed runs


def test_constant_schedule_is_the_fixed_beta_run_bit_for_bit(small):
    """{schedule: constant, beta: b} is the fixed-beta run: same tag, same numbers, hence the official stream."""
    cfg, res = small
    const = BanditConfig(**{**SMALL, "betas": (), "methods": tuple(
        {"estimator": "rs_grpo", "params": {"beta": {"schedule": "constant", "beta": b}}} for b in SMALL["betas"])})
    out = bandit.run(const)
    want = {(r["tag"], r["seed"]): i for i, r in enumerate(res.runs)}
    assert [r["tag"] for r in out.runs[::2]] == ["rs_grpo-b0", "rs_grpo-b2", "rs_grpo-b8"]
    for i, r in enumerate(out.runs):
        j = want[(r["tag"], r["seed"])]
        np.testing.assert_array_equal(out.final_theta[i], res.final_theta[j])
        np.testing.assert_array_equal(out.ma_reward[i], res.ma_reward[j])
        _, theta = loop_reference(cfg, {**r, "binary": False}, r["seed"], official=True)
        np.testing.assert_allclose(out.final_theta[i], theta, rtol=0, atol=1e-10)


def test_some_runs_escape_and_some_do_not(small):
    """The small fixture's threshold sits between runs, so both escape branches (value and NaN) are exercised."""
    _, res = small
    assert np.isnan(res.escape_step).any() and (~np.isnan(res.escape_step)).any()


def test_deterministic_per_seed_and_independent_of_batch():
    cfg = BanditConfig(**{**SMALL, "n_samples": 320, "methods": ({"estimator": "chen", "params": {"k": 4}},)})
    a = bandit.run(cfg)
    b = bandit.run(cfg)
    np.testing.assert_array_equal(a.final_theta, b.final_theta)
    np.testing.assert_array_equal(a.snapshots, b.snapshots)
    # more seeds, other chunking, other betas in the batch: the shared runs are unchanged
    bigger = BanditConfig(**{**SMALL, "n_samples": 320, "n_seeds": 3, "chunk_updates": 3, "betas": (8, 2, 0, 4),
                             "methods": ({"estimator": "chen", "params": {"k": 4}},)})
    c = bandit.run(bigger)
    key = lambda r: (r["tag"], r["seed"])  # noqa: E731
    idx = {key(r): i for i, r in enumerate(c.runs)}
    for i, r in enumerate(a.runs):
        j = idx[key(r)]
        np.testing.assert_array_equal(a.final_theta[i], c.final_theta[j])
        np.testing.assert_array_equal(a.ma_reward[i], c.ma_reward[j])
    # different seeds give different runs
    assert not np.array_equal(c.final_theta[idx[("rs_grpo-b2", 43)]], c.final_theta[idx[("rs_grpo-b2", 44)]])


def test_summary_columns_and_files(small, tmp_path):
    cfg, res = small
    df = bandit.summary_frame(res)
    assert list(df.columns) == bandit.SUMMARY_COLUMNS
    assert len(df) == len(res.runs)
    assert set(df["method"]) == {"rs_grpo", "grpo", "chen", "mahdavi", "tang", "pkpo", "dr_grpo"}
    assert df.loc[df["method"] == "chen", "k"].eq(4).all() and df.loc[df["method"] == "grpo", "k"].isna().all()
    assert df.loc[df["method"] == "rs_grpo", "beta"].tolist() == [0.0, 0.0, 2.0, 2.0, 8.0, 8.0]
    assert ((df["final_pi_global"] >= 0) & (df["final_pi_global"] <= 1)).all()
    bandit.save(res, tmp_path / "summary.csv", tmp_path / "curves.npz")
    import pandas as pd

    back = pd.read_csv(tmp_path / "summary.csv")
    assert list(back.columns) == bandit.SUMMARY_COLUMNS
    cur = bandit.load_curves(tmp_path / "curves.npz")
    T = cfg.n_updates // cfg.curve_every
    assert cur["ma_reward"].shape == (len(res.runs), T) and cur["entropy"].shape == (len(res.runs), T)
    assert cur["snapshots"].shape == (len(res.runs), cfg.n_updates // cfg.snapshot_every + 1, cfg.n_arms)
    assert "theta_history" not in cur
    np.testing.assert_allclose(cur["snapshots"][:, -1], torch.softmax(torch.tensor(res.final_theta), -1), atol=1e-6)
    assert cur["config"]["n_samples"] == cfg.n_samples


def test_config_errors():
    with pytest.raises(ValueError, match="multiple of group_size"):
        BanditConfig(n_samples=100)
    with pytest.raises(ValueError, match="unknown key"):
        BanditConfig.from_dict({"learning_rate": 0.1})
    with pytest.raises(ValueError, match="k=20"):
        bandit.run_specs(BanditConfig(methods=({"estimator": "chen", "params": {"k": 20}},)))


# ------------------------------------------------------------------ acceptance at paper scale, few seeds
@pytest.fixture(scope="module")
def paper_scale():
    cfg = BanditConfig(n_seeds=3, methods=())  # 7 betas x 3 seeds x 4e5 samples (the paper's own grid)
    torch.set_num_threads(1)
    return cfg, bandit.summary_frame(bandit.run(cfg))


@pytest.mark.slow
def test_acceptance_paper_scale(paper_scale):
    """docs/algorithms.md §8: beta in {0, 2} trapped at 0.6, beta >= 4 above 0.95; beta 8 escapes first, 32 and 64
    last; Lemma 4's slowdown (64 later than 32)."""
    cfg, df = paper_scale
    mean = df.groupby("beta")["final_reward"].mean()
    for b in (0, 2):
        assert mean[b] == pytest.approx(0.6, abs=0.01)
        assert df.loc[df["beta"] == b, "escape_step"].isna().all()
    for b in (4, 8, 16, 32, 64):
        assert mean[b] > 0.95, (b, mean[b])
        assert df.loc[df["beta"] == b, "escape_step"].notna().all()
    med = df[df["beta"] >= 4].groupby("beta")["escape_step"].median()  # beta 0 and 2 never escape (NaN)
    assert med.idxmin() == 8
    assert set(med.sort_values().index[-2:]) == {32, 64} and med[64] > med[32]
    # docs/algorithms.md §8: the exact crossing steps depend on the random stream and are not hard-coded here (our
    # seed 43 crosses 0.8 at 42.5k samples for beta 8 against the reference re-implementation's 41k).
    assert med[64] > med[8], med.to_dict()
