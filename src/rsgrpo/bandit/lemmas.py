"""Exact one-step softmax policy-gradient updates and numerical checks of Lemmas 2-4 (paper Sec. 5.2).

K-armed bandit, softmax policy pi, rewards r (K,), optimal arm a* = argmax r (unique). Expected one-step
updates with learning rate eta (paper Eqs. 13-14; softmax PG theorem of Mei et al. 2020; docs/algorithms.md §9):

    standard PG (beta = 0):  theta'_a = theta_a + eta * pi_a * (r_a - sum_b pi_b r_b)
    RS PG (beta > 0):        theta'_a = theta_a + eta * pi_a * A_beta(a),
                             A_beta(a) = (1/beta) (exp(beta r_a) / sum_b pi_b exp(beta r_b) - 1)

pi' = softmax(theta') and Delta(beta) = pi'(a*) - pi(a*). The update depends on theta only through pi, so
theta = log pi. Everything is float64 numpy; A_beta uses the stable form expm1(beta r_a - L) / beta with
L = logsumexp(beta r + log pi), which never overflows.

Checks:
  * Lemma 2: `lemma2_policy(r)` builds a policy concentrated on a middle-reward arm for which the standard
    step lowers pi(a*) (Delta(0) < 0) at every learning rate asked for.
  * Lemma 3: `lemma3_beta0(pi, r, eta, grid)`: the smallest grid beta from which Delta > 0 on the rest of
    the grid (None if Delta is not positive at the end of the grid).
  * Lemma 4: `lemma4_peak(pi, r, eta, grid)`: the grid argmax of Delta and whether Delta is strictly
    decreasing and positive past it; `lemma4_beta1`: the grid beta from which that holds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["rs_advantage", "step", "delta", "delta_curve", "beta_grid", "lemma2_policy", "lemma3_beta0",
           "lemma4_peak", "lemma4_beta1", "LemmaReport", "check_lemmas", "three_arm_example", "peaked_bandit_policy",
           "bandit_cases"]


def _logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    m = np.max(x, axis=axis, keepdims=True)
    return (m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))).squeeze(axis)


def _check(pi: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pi, r = np.asarray(pi, np.float64), np.asarray(r, np.float64)
    if pi.shape != r.shape or pi.ndim != 1:
        raise ValueError(f"pi and r must be 1-D arrays of equal length, got shapes {pi.shape} and {r.shape}")
    if (pi <= 0).any() or abs(pi.sum() - 1) > 1e-9:
        raise ValueError("pi must be a strictly positive probability vector (softmax policies have full support)")
    return pi, r


def rs_advantage(pi: np.ndarray, r: np.ndarray, beta: float) -> np.ndarray:
    """(K,) expected-policy advantage A_beta(a); beta = 0 gives r_a - E_pi[r] (the beta -> 0 limit)."""
    pi, r = _check(pi, r)
    if beta == 0:
        return r - pi @ r
    lse = _logsumexp(beta * r + np.log(pi))  # log sum_b pi_b exp(beta r_b)
    return np.expm1(beta * r - lse) / beta


def step(pi: np.ndarray, r: np.ndarray, eta: float, beta: float = 0.0) -> np.ndarray:
    """(K,) pi' after one exact softmax PG step (standard when beta = 0, risk-sensitive otherwise)."""
    pi, r = _check(pi, r)
    theta = np.log(pi) + eta * pi * rs_advantage(pi, r, beta)
    return np.exp(theta - _logsumexp(theta))


def delta(pi: np.ndarray, r: np.ndarray, eta: float, beta: float = 0.0) -> float:
    """Delta(beta) = pi'(a*) - pi(a*), a* = argmax r.

    Computed as pi(a*) * expm1(log pi'(a*) - log pi(a*)) so that changes far below pi(a*) keep their digits.
    """
    pi, r = _check(pi, r)
    star = int(np.argmax(r))
    gain = eta * pi * rs_advantage(pi, r, beta)  # theta' - theta, (K,)
    log_ratio = gain[star] - _logsumexp(gain + np.log(pi))  # log pi'(a*) - log pi(a*)
    return float(pi[star] * np.expm1(log_ratio))


def delta_curve(pi: np.ndarray, r: np.ndarray, eta: float, betas: np.ndarray) -> np.ndarray:
    """(B,) Delta at every beta of `betas` (vectorised `delta`, same formulas)."""
    pi, r = _check(pi, r)
    b = np.asarray(betas, np.float64)[:, None]  # (B, 1)
    safe = np.where(b == 0, 1.0, b)
    lse = _logsumexp(safe * r + np.log(pi))[:, None]  # (B, 1)
    adv = np.where(b == 0, r - pi @ r, np.expm1(safe * r - lse) / safe)  # (B, K)
    gain = eta * pi * adv  # (B, K)
    star = int(np.argmax(r))
    log_ratio = gain[:, star] - _logsumexp(gain + np.log(pi))  # (B,)
    return pi[star] * np.expm1(log_ratio)


def beta_grid(stop: float = 200.0, step_size: float = 0.25) -> np.ndarray:
    """0, step, 2 step, ..., stop (docs/algorithms.md §9 uses step 0.25 up to 200)."""
    return np.round(np.arange(0.0, stop + step_size / 2, step_size), 10)


def three_arm_example() -> tuple[np.ndarray, np.ndarray]:
    """docs/algorithms.md §9: r = (1.0, 0.6, 0.1), pi = (0.001, 0.9, 0.099)."""
    return np.array([0.001, 0.9, 0.099]), np.array([1.0, 0.6, 0.1])


def peaked_bandit_policy(r: np.ndarray, local_arm: int = 75, floor: float = 1e-4) -> np.ndarray:
    """(K,) the §9 bandit case: every arm `floor`, the local optimum 1 - (K-1) floor."""
    pi = np.full(len(r), floor)
    pi[local_arm] = 1.0 - (len(r) - 1) * floor
    return pi


def lemma2_policy(r: np.ndarray, etas=(0.01, 0.1, 1.0), worst_mass: float = 0.1) -> np.ndarray:
    """A policy for which the standard PG step lowers pi(a*) at every eta in `etas` (Lemma 2's construction).

    Needs an arm whose reward lies strictly between min r and max r (the lemma's hypothesis; ValueError
    otherwise). Mass: `worst_mass` spread over the worst arms, eps on every other arm, the rest on the best
    middle arm a2; eps halves until Delta(0) < 0 at every eta. First order in eta, Delta(0) < 0 iff
    pi* (r* - rbar) < sum_b pi_b^2 (r_b - rbar): a2's mass keeps rbar just below r2, so its own squared
    weight dominates the tiny pi* term.
    """
    r = np.asarray(r, np.float64)
    lo, hi = r.min(), r.max()
    if np.sum(r == hi) != 1:
        raise ValueError("Lemma 2 needs a unique optimal arm")
    middle = np.flatnonzero((r > lo) & (r < hi))
    if len(middle) == 0:
        raise ValueError("Lemma 2 needs an arm whose reward is strictly between the worst and the optimal reward")
    a2 = int(middle[np.argmax(r[middle])])
    worst = np.flatnonzero(r == lo)
    eps = 1e-2
    for _ in range(60):
        pi = np.full(len(r), eps)
        pi[worst] = worst_mass / len(worst)
        pi[a2] = 0.0
        pi[a2] = 1.0 - pi.sum()
        if pi[a2] > 0 and all(delta(pi, r, eta, 0.0) < 0 for eta in etas):
            return pi
        eps /= 2
    raise ValueError("no Lemma 2 policy found (rewards too close to each other?)")


def lemma3_beta0(pi: np.ndarray, r: np.ndarray, eta: float, grid: np.ndarray | None = None,
                 curve: np.ndarray | None = None) -> float | None:
    """Smallest grid beta0 such that Delta(beta) > 0 for every grid beta >= beta0 (None if none)."""
    grid = beta_grid() if grid is None else np.asarray(grid, np.float64)
    d = delta_curve(pi, r, eta, grid) if curve is None else curve
    if d[-1] <= 0:
        return None
    bad = np.flatnonzero(d <= 0)
    return float(grid[bad[-1] + 1]) if len(bad) else float(grid[0])


def lemma4_peak(pi: np.ndarray, r: np.ndarray, eta: float, grid: np.ndarray | None = None,
                curve: np.ndarray | None = None) -> tuple[float, bool]:
    """(grid argmax of Delta, whether Delta is > 0 and strictly decreasing on the grid past the argmax)."""
    grid = beta_grid() if grid is None else np.asarray(grid, np.float64)
    d = delta_curve(pi, r, eta, grid) if curve is None else curve
    i = int(np.argmax(d))
    tail = d[i:]
    return float(grid[i]), bool((tail > 0).all() and (np.diff(tail) < 0).all())


def lemma4_beta1(pi: np.ndarray, r: np.ndarray, eta: float, grid: np.ndarray | None = None,
                 curve: np.ndarray | None = None) -> float | None:
    """Smallest grid beta1 from which Delta is > 0 and strictly decreasing to the end of the grid (Lemma 4's
    threshold; None if the grid ends before that regime). Equals the peak when Delta is unimodal."""
    grid = beta_grid() if grid is None else np.asarray(grid, np.float64)
    d = delta_curve(pi, r, eta, grid) if curve is None else curve
    ok = np.append(np.diff(d) < 0, True) & (d > 0)  # d[i] > d[i+1] and d[i] > 0
    if not ok[-2:].all() or len(d) < 2:
        return None
    bad = np.flatnonzero(~ok)
    return float(grid[bad[-1] + 1]) if len(bad) else float(grid[0])


@dataclass(frozen=True)
class LemmaReport:
    """Results of the three checks on one (pi, r, eta) case."""

    delta0: float  # Delta(0): negative means the standard step lowers pi(a*) (Lemma 2)
    beta0: float | None  # Lemma 3 threshold on the grid
    peak: float  # Lemma 4 argmax of Delta on the grid
    decreasing_past_peak: bool  # Lemma 4 monotone decrease (and positivity) past the peak
    beta1: float | None  # Lemma 4 threshold: Delta > 0 and strictly decreasing from here on the grid


def check_lemmas(pi: np.ndarray, r: np.ndarray, eta: float, grid: np.ndarray | None = None) -> LemmaReport:
    """Run the Lemma 2-4 checks on one case with one Delta curve."""
    grid = beta_grid() if grid is None else np.asarray(grid, np.float64)
    d = delta_curve(pi, r, eta, grid)
    peak, dec = lemma4_peak(pi, r, eta, grid, d)
    return LemmaReport(delta(pi, r, eta, 0.0), lemma3_beta0(pi, r, eta, grid, d), peak, dec,
                       lemma4_beta1(pi, r, eta, grid, d))


def bandit_cases(cfg, etas=(0.01, 0.1, 1.0), beta_max: float = 200.0, beta_step: float = 0.25,
                n_random: int = 200) -> dict:
    """Delta(beta) curves and Lemma 2-4 checks of the bandit's setting as JSON-ready data (results/bandit/lemmas.json):
    the 3-arm example and the peaked bandit policy (every eta: checks + the Delta curve on the beta grid), and
    `n_random` random (pi, r) cases at eta 0.1 (thresholds beta0, beta1). cfg: a BanditConfig."""
    from rsgrpo.bandit.experiment import landscape  # torch; the checks above need numpy only

    grid = beta_grid(beta_max, beta_step)
    land = landscape(cfg)
    named = {"3-arm r=(1, .6, .1), π=(.001, .9, .099)": three_arm_example(),
             "bandit, π(75)=1-99e-4, others 1e-4": (peaked_bandit_policy(land, cfg.local_arm), land)}
    out = {"grid": {"beta_max": beta_max, "beta_step": beta_step, "betas": grid.tolist()}, "cases": [],
           "curves": [], "random": []}
    for name, (pi, r) in named.items():
        checks = {}
        for eta in etas:
            d = delta_curve(pi, r, eta, grid)
            rep = check_lemmas(pi, r, eta, grid)
            checks[f"eta={eta:g}"] = asdict(rep)
            out["curves"].append({"case": name, "eta": float(eta), "delta": np.asarray(d).tolist()})
        out["cases"].append({"name": name, "checks": checks})
    rng = np.random.default_rng(0)
    rgrid = beta_grid(max(beta_max, 500.0), 1.0)
    for _ in range(n_random):  # random K, rewards with a unique optimum >= 0.1 above, policies with full support
        K = int(rng.integers(3, 13))
        r = rng.uniform(0.0, 0.9, K)
        r[int(rng.integers(K))] = r.max() + rng.uniform(0.1, 0.3)
        pi = 0.9 * rng.dirichlet(np.full(K, 0.5)) + 0.1 / K
        pi = pi / pi.sum()
        rep = check_lemmas(pi, r, 0.1, rgrid)
        out["random"].append({"K": K, **asdict(rep)})
    return out
