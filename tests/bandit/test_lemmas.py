"""Lemmas 2-4 (paper Sec. 5.2) checked with exact one-step softmax updates (docs/algorithms.md §9)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsgrpo.bandit import lemmas as th
from rsgrpo.bandit import BanditConfig, landscape

ETAS = (0.01, 0.1, 1.0)


def _softmax_step_loop(pi, r, eta, beta):
    """Straightforward reference: explicit sums, no logsumexp, plain softmax."""
    K = len(pi)
    if beta == 0:
        mean = sum(pi[b] * r[b] for b in range(K))
        adv = [r[a] - mean for a in range(K)]
    else:
        z = sum(pi[b] * np.exp(beta * r[b]) for b in range(K))
        adv = [(np.exp(beta * r[a]) / z - 1) / beta for a in range(K)]
    theta = [np.log(pi[a]) + eta * pi[a] * adv[a] for a in range(K)]
    e = [np.exp(t) for t in theta]
    return np.array(e) / sum(e)


def test_step_matches_reference_loop():
    rng = np.random.default_rng(0)
    for _ in range(20):
        K = int(rng.integers(2, 12))
        pi, r = rng.dirichlet(np.ones(K)), rng.random(K)
        for beta in (0.0, 0.5, 4.0, 30.0):
            np.testing.assert_allclose(th.step(pi, r, 0.3, beta), _softmax_step_loop(pi, r, 0.3, beta), rtol=1e-12)
            star = np.argmax(r)
            assert th.delta(pi, r, 0.3, beta) == pytest.approx(th.step(pi, r, 0.3, beta)[star] - pi[star],
                                                               rel=1e-6, abs=1e-15)


def test_rs_advantage_limits_and_zero_mean():
    pi, r = th.three_arm_example()
    np.testing.assert_allclose(th.rs_advantage(pi, r, 1e-7), th.rs_advantage(pi, r, 0.0), atol=1e-6)
    for beta in (0.0, 2.0, 64.0, 1e4):  # E_pi[A] = 0 and no overflow at huge beta
        a = th.rs_advantage(pi, r, beta)
        assert np.isfinite(a).all() and abs(pi @ a) < 1e-12


def test_bad_policy_raises():
    with pytest.raises(ValueError, match="probability"):
        th.delta(np.array([0.5, 0.6]), np.array([1.0, 0.0]), 0.1)


# ---------------------------------------------------------------- the §9 cases with their published numbers
@pytest.mark.parametrize("eta,expected", [(0.01, -3.49e-7), (0.1, -3.49e-6), (1.0, -3.46e-5)])
def test_lemma2_three_arm(eta, expected):
    pi, r = th.three_arm_example()
    assert th.delta(pi, r, eta, 0.0) == pytest.approx(expected, rel=5e-3)


def test_lemma2_bandit_peaked_policy():
    r = landscape(BanditConfig())
    pi = th.peaked_bandit_policy(r)
    assert th.delta(pi, r, 0.1, 0.0) == pytest.approx(-3.14e-8, rel=5e-3)


def test_lemma2_not_at_initial_policy():
    """At the experiment's pi0 the exact step raises pi(40) for every beta (the trap is stochastic)."""
    from rsgrpo.bandit import initial_logits

    cfg = BanditConfig()
    t0 = initial_logits(cfg)
    pi0 = np.exp(t0) / np.exp(t0).sum()
    assert all(th.delta(pi0, landscape(cfg), 0.1, b) > 0 for b in (0, 2, 8, 64))


@pytest.mark.parametrize("eta", ETAS)
def test_lemma3_and_4_three_arm(eta):
    pi, r = th.three_arm_example()
    grid = th.beta_grid(200, 0.25)
    d = th.delta_curve(pi, r, eta, grid)
    assert (d[grid <= 9] < 0).all() and (d[grid >= 9.25] > 0).all()
    rep = th.check_lemmas(pi, r, eta, grid)
    assert rep.beta0 == 9.25
    assert rep.peak == 22.25 and rep.decreasing_past_peak and rep.beta1 == 22.25
    assert rep.delta0 < 0


def test_lemma4_three_arm_values():
    pi, r = th.three_arm_example()
    got = [th.delta(pi, r, 0.1, b) for b in (16, 32, 64)]
    np.testing.assert_allclose(got, [4.26e-6, 5.68e-6, 2.84e-6], rtol=3e-3)
    assert got[2] < got[1]  # beyond the peak a larger beta gains less, still positive


def test_lemmas_bandit_peaked_policy():
    r = landscape(BanditConfig())
    rep = th.check_lemmas(th.peaked_bandit_policy(r), r, 0.1, th.beta_grid(200, 0.25))
    assert rep.beta0 == 6.75 and rep.peak == 26.5 and rep.decreasing_past_peak


def test_lemma2_construction_three_arm():
    pi, r = th.three_arm_example()
    built = th.lemma2_policy(r)
    assert all(th.delta(built, r, eta, 0.0) < 0 for eta in ETAS)
    assert np.argmax(built) == 1  # mass on the middle arm, as in the proof


def test_lemma2_needs_middle_reward():
    with pytest.raises(ValueError, match="strictly between"):
        th.lemma2_policy(np.array([1.0, 0.0, 0.0]))


# ---------------------------------------------------------------- random policies and reward vectors
def _random_case(seed: int):
    """K in 3..12 arms, rewards in [0, 1] with a unique optimum at least 0.1 above the rest, a policy with
    every arm >= 1e-3 (Dirichlet mixed with uniform)."""
    rng = np.random.default_rng(seed)
    K = int(rng.integers(3, 13))
    r = rng.uniform(0.0, 0.9, K)
    star = int(rng.integers(K))
    r[star] = r.max() + rng.uniform(0.1, 0.3) if K > 1 else 1.0
    pi = 0.9 * rng.dirichlet(np.full(K, 0.5)) + 0.1 / K
    return pi / pi.sum(), r


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_lemma2_random_rewards(seed):
    _, r = _random_case(seed)
    if not ((r > r.min()) & (r < r.max())).any():
        return
    pi = th.lemma2_policy(r)
    assert np.all(pi > 0) and abs(pi.sum() - 1) < 1e-12
    assert all(th.delta(pi, r, eta, 0.0) < 0 for eta in ETAS)
    # ... and a large enough beta turns the step around on that same policy (Lemma 3)
    assert th.lemma3_beta0(pi, r, 0.1, th.beta_grid(2000, 5.0)) is not None


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), eta=st.sampled_from(ETAS))
def test_lemma3_and_4_random(seed, eta):
    pi, r = _random_case(seed)
    grid = th.beta_grid(500, 1.0)
    d = th.delta_curve(pi, r, eta, grid)
    beta0 = th.lemma3_beta0(pi, r, eta, grid, d)
    assert beta0 is not None and beta0 <= 250  # Delta > 0 from beta0 on, well inside the grid
    assert (d[grid >= beta0] > 0).all()
    beta1 = th.lemma4_beta1(pi, r, eta, grid, d)
    assert beta1 is not None and beta1 <= 250  # Lemma 4: 0 < Delta(b) < Delta(a) for beta1 <= a < b
    tail = d[grid >= beta1]
    assert (tail > 0).all() and (np.diff(tail) < 0).all()
