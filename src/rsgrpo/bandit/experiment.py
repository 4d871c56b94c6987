"""The paper's 100-armed bandit (Sec. 5.1, Fig. 1 and Fig. 3), vectorised over methods, betas and seeds.

Setup (docs/algorithms.md §8, `Jackory/RS-GRPO: codes/bandit.py`): deterministic bimodal rewards r(a), a softmax
policy initialised on the local optimum (arm 75), one action per sample, one update per buffer of N = 16
samples with the exact score `onehot(a) - pi`, lr 0.1, 4e5 samples (25,000 updates). The advantage of every
run comes from `rsgrpo.estimators.compute`, so RS-GRPO and every baseline of the registry run on the same
landscape. All R = methods x seeds runs advance together: per update one (R, K) softmax, one inverse-CDF draw
of (R, N) actions, one `compute` call per estimator group, one scatter-add.

Seeds and random streams (common random numbers, as in the official script):
  * seed s draws its action uniforms from `numpy.random.RandomState(s).random_sample()`, one double per sample
    in sample order, whatever the method or beta. The action is the official `np.random.choice(K, p=pi)`
    rule: `searchsorted(cumsum(pi) / cumsum(pi)[-1], u, side="right")`. Seed 43 is the official stream
    (the script seeds 42, then the agent reseeds with 43 before the first draw).
  * binary-only estimators (chen, mahdavi) learn from Bernoulli(r(a)) outcomes `1[v < r(a)]`, v from a second
    stream `numpy.random.Generator(PCG64([s, 1]))`, one double per sample; r(a) is read as a success
    probability. Every curve and summary reports the landscape reward r(a) for all methods.
Chunked draws concatenate to the same streams, so the result equals a sample-by-sample loop (tests/).

Outputs are summaries only (never the theta history): MA(1000) reward and policy entropy every `curve_every`
updates, pi snapshots every `snapshot_every` updates, the final policy, and the escape step = the number of
samples drawn when the trailing MA(`ma_window`) of r(a) first exceeds `escape_threshold` (NaN if never).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np
import torch

from rsgrpo import estimators
from rsgrpo.estimators import beta as beta_schedule
from rsgrpo.runs import method_tag

__all__ = ["BanditConfig", "BanditResult", "landscape", "initial_logits", "run_specs", "run",
           "summary_frame", "save", "load_curves", "SUMMARY_COLUMNS"]

SUMMARY_COLUMNS = ["method", "tag", "beta", "k", "params", "seed", "final_reward", "final_expected_reward",
                   "escape_step", "escape95_step", "final_entropy", "final_pi_global", "final_pi_local"]

_DEFAULT_METHODS = (
    {"estimator": "grpo"}, {"estimator": "dr_grpo"}, {"estimator": "chen", "params": {"k": 4}},
    {"estimator": "mahdavi", "params": {"k": 4}}, {"estimator": "tang"}, {"estimator": "pkpo", "params": {"k": 4}},
)


@dataclass(frozen=True)
class BanditConfig:
    """Every knob of the bandit experiment; defaults are the paper's (Sec. 5.1, official `codes/bandit.py`)."""

    n_arms: int = 100
    """K arms, a = 0..K-1 (Sec. 5.1: "a 100-armed bandit")."""
    global_arm: int = 40
    """Centre of the global-optimum bump, r(40) = 1.0 (official `mu1`)."""
    global_height: float = 0.9
    """Height of the global bump over the floor (official `height1`)."""
    local_arm: int = 75
    """Centre of the local-optimum bump, r(75) = 0.6 (official `mu2`); the initial policy peaks here too."""
    local_height: float = 0.5
    """Height of the local bump over the floor (official `height2`)."""
    width: float = 5.0
    """Gaussian sigma of both reward bumps and of the initial policy (official sigma = 5, 2 sigma^2 = 50)."""
    floor: float = 0.1
    """Reward floor r = 0.1 far from both bumps (official `baseline`)."""
    init_floor: float = 0.1
    """Added to the unnormalised Gaussian initial policy before normalising (official `+= 0.1`)."""
    group_size: int = 16
    """N samples per update (official `buffer_size = 16`; the paper's 16 responses per prompt)."""
    lr: float = 0.1
    """Learning rate of theta += lr * mean_i w_i (onehot(a_i) - pi) (official `learning_rate = 0.1`)."""
    n_samples: int = 400_000
    """Samples per run, a multiple of group_size (official `n_steps = int(4e5)`: 25,000 updates)."""
    betas: tuple[float, ...] = (0, 2, 4, 8, 16, 32, 64)
    """RS-GRPO risk parameters (Fig. 3 legend; official `beta_values`). beta = 0 is the risk-neutral PG."""
    methods: tuple[dict, ...] = _DEFAULT_METHODS
    """Further estimators as {estimator:, params:} mappings of the registry (not in the paper: a harness
    comparison of the pass@k baselines at k = 4, the ICLR-review setting, and GRPO with std)."""
    n_seeds: int = 32
    """Independent random streams per method (the paper shows one; >= 32 give confidence bands)."""
    seed0: int = 43
    """First seed; seeds are seed0 .. seed0 + n_seeds - 1. 43 is the official stream (agent seed 42 + 1)."""
    ma_window: int = 1000
    """Moving-average window in samples for the reward curve (official `plot_moving_average`, 1000)."""
    escape_threshold: float = 0.8
    """Escape = first sample count with MA reward above this (between the local 0.6 and the global 1.0)."""
    curve_every: int = 25
    """Record MA reward and entropy every this many updates (25 updates = 400 samples: 1000 points)."""
    snapshot_every: int = 1000
    """Record pi every this many updates for Fig. 1 (1000 updates = 16,000 samples: 26 snapshots)."""
    chunk_updates: int = 1000
    """Updates per chunk of pre-drawn uniforms (memory/speed only; results do not depend on it)."""

    def __post_init__(self) -> None:
        if self.n_samples % self.group_size:
            raise ValueError(f"n_samples={self.n_samples} must be a multiple of group_size={self.group_size}")
        for name in ("n_arms", "group_size", "n_samples", "n_seeds", "ma_window", "curve_every",
                     "snapshot_every", "chunk_updates"):
            if getattr(self, name) < 1:
                raise ValueError(f"bandit config: {name} must be >= 1, got {getattr(self, name)}")
        if any(b < 0 for b in self.betas):
            raise ValueError(f"bandit config: betas must be >= 0, got {list(self.betas)}")

    @property
    def n_updates(self) -> int:
        return self.n_samples // self.group_size

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "BanditConfig":
        """Build from a config section (unknown keys raise a ValueError naming them)."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"bandit config: unknown key(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}")
        d = dict(d)
        if "betas" in d:
            d["betas"] = tuple(float(b) for b in d["betas"])
        if "methods" in d:
            d["methods"] = tuple(dict(m) for m in d["methods"])
        return cls(**d)


def landscape(cfg: BanditConfig) -> np.ndarray:
    """(K,) float64 rewards r(a) = floor + h1 exp(-(a-40)^2 / 2s^2) + h2 exp(-(a-75)^2 / 2s^2)."""
    x = np.arange(cfg.n_arms)
    bump = lambda mu, h: h * np.exp(-((x - mu) ** 2) / (2 * cfg.width**2))  # noqa: E731
    return cfg.floor + bump(cfg.global_arm, cfg.global_height) + bump(cfg.local_arm, cfg.local_height)


def initial_logits(cfg: BanditConfig) -> np.ndarray:
    """(K,) float64 theta0 = log(p0 + 1e-8) - mean, p0 ∝ exp(-(a-75)^2 / 2s^2) + 0.1 (official init)."""
    x = np.arange(cfg.n_arms)
    p = np.exp(-0.5 * ((x - cfg.local_arm) / cfg.width) ** 2) + cfg.init_floor
    p = p / p.sum()
    theta = np.log(p + 1e-8)
    return theta - theta.mean()


def run_specs(cfg: BanditConfig) -> list[dict[str, Any]]:
    """One dict per method (estimator, params resolved by the registry, tag, beta, k): betas first."""
    entries = [{"estimator": "rs_grpo", "params": {"beta": float(b)}} for b in cfg.betas] + list(cfg.methods)
    out = []
    for m in entries:
        name, params = m["estimator"], dict(m.get("params") or {})
        resolved = estimators.check_params(name, group_size=cfg.group_size, **params)
        beta = resolved.get("beta") if name == "rs_grpo" else None
        schedule = beta if isinstance(beta, dict) else None  # a β schedule ({schedule: constant} is a number)
        k = resolved.get("k")
        out.append({"method": name, "params": resolved, "beta": None if schedule else beta, "k": k,
                    "schedule": schedule, "tag": method_tag(name, beta=beta, k=k),
                    "binary": estimators.spec(name).binary_only})
    return out


def _streams(seed: int) -> tuple[np.random.RandomState, np.random.Generator]:
    """(action uniforms, Bernoulli-outcome uniforms) of one seed; see the module docstring."""
    return np.random.RandomState(seed), np.random.Generator(np.random.PCG64([seed, 1]))


@dataclass
class BanditResult:
    """Summaries of R runs. Shapes: T curve points, S snapshots, K arms."""

    config: dict
    runs: list[dict]  # R dicts: method, tag, beta, k, params, seed
    landscape: np.ndarray  # (K,)
    pi0: np.ndarray  # (K,)
    curve_samples: np.ndarray  # (T,) samples drawn at each curve point
    ma_reward: np.ndarray  # (R, T) float32 MA(ma_window) of r(a); NaN before ma_window samples
    entropy: np.ndarray  # (R, T) float32 policy entropy after the update at that point
    snapshot_samples: np.ndarray  # (S,) samples drawn at each snapshot (0 = initial policy)
    snapshots: np.ndarray  # (R, S, K) float32 pi
    final_theta: np.ndarray  # (R, K) float64
    final_ma: np.ndarray  # (R,) MA reward at the last sample
    escape_step: np.ndarray  # (R,) float64 samples at first MA > threshold, NaN if never
    escape95_step: np.ndarray  # (R,) same for MA > 0.95
    extra: dict = field(default_factory=dict)


def _entropy(pi: torch.Tensor) -> torch.Tensor:
    """(R, K) -> (R,): -sum pi log(pi + 1e-9), as the official `calculate_policy_entropy`."""
    return -(pi * torch.log(pi + 1e-9)).sum(-1)


def _groups(specs: list[dict], run_method: np.ndarray) -> list[tuple[slice, str, dict, torch.Tensor | None]]:
    """Contiguous row slices with one `compute` call each. Runs are ordered by method, so rs_grpo with
    beta > 0 merges into one call via the exact identity A(beta, r) = A(1, beta r) / beta (docs/algorithms.md §1.5,
    bitwise equal because beta * r and the final division are the same float operations). A β schedule keeps its
    own call (params hold the schedule; evaluated per update by rsgrpo.estimators.beta.params_at)."""
    out: list = []
    for j, s in enumerate(specs):
        rows = np.flatnonzero(run_method == j)
        sl = slice(int(rows[0]), int(rows[-1]) + 1)
        if s["method"] == "rs_grpo" and s["schedule"] is None and s["beta"] > 0:
            scale = torch.full((sl.stop - sl.start, 1), float(s["beta"]), dtype=torch.float64)
            if out and out[-1][1] == "rs_grpo" and out[-1][3] is not None and out[-1][0].stop == sl.start:
                prev = out.pop()
                sl, scale = slice(prev[0].start, sl.stop), torch.cat([prev[3], scale])
            out.append((sl, "rs_grpo", {"beta": 1.0}, scale))
        else:
            out.append((sl, s["method"], s["params"], None))
    return out


def run(cfg: BanditConfig, progress: Callable[[str], None] | None = None) -> BanditResult:
    """Run every (method, seed) of `cfg` in one batched float64 torch program; see the module docstring."""
    specs = run_specs(cfg)
    seeds = list(range(cfg.seed0, cfg.seed0 + cfg.n_seeds))
    n_meth, n_seed, K, N = len(specs), len(seeds), cfg.n_arms, cfg.group_size
    R = n_meth * n_seed
    run_method = np.repeat(np.arange(n_meth), n_seed)  # (R,) method-major order
    run_seed = np.tile(np.arange(n_seed), n_meth)  # (R,) index into seeds
    groups = _groups(specs, run_method)
    binary_rows = torch.tensor([specs[j]["binary"] for j in run_method])  # (R,)
    any_binary = bool(binary_rows.any())
    seed_idx = torch.as_tensor(run_seed)

    land_np, theta0 = landscape(cfg), initial_logits(cfg)
    land = torch.as_tensor(land_np)  # (K,)
    theta = torch.as_tensor(theta0).expand(R, K).clone()  # (R, K)
    streams = [_streams(s) for s in seeds]
    U, W, every = cfg.n_updates, cfg.ma_window, cfg.curve_every
    T = U // every
    ma = np.full((R, T), np.nan, np.float32)
    ent = np.full((R, T), np.nan, np.float32)
    snap_updates = list(range(0, U + 1, cfg.snapshot_every)) + ([U] if U % cfg.snapshot_every else [])
    snaps = np.zeros((R, len(snap_updates), K), np.float32)
    snaps[:, 0] = torch.softmax(theta, -1).numpy()
    escape = {0.8: np.full(R, np.nan), 0.95: np.full(R, np.nan)}
    escape[cfg.escape_threshold] = np.full(R, np.nan)
    tail = torch.zeros(R, 0, dtype=torch.float64)  # last < W rewards of the previous chunks
    grad = torch.empty(R, K, dtype=torch.float64)
    w = torch.empty(R, N, dtype=torch.float64)
    lr_n = cfg.lr / N

    for c0 in range(0, U, cfg.chunk_updates):
        C = min(cfg.chunk_updates, U - c0)
        u = torch.from_numpy(np.stack([a.random_sample(C * N) for a, _ in streams]).reshape(n_seed, C, N))
        u = u[seed_idx].transpose(0, 1).contiguous()  # (C, R, N)
        if any_binary:
            v = torch.from_numpy(np.stack([b.random(C * N) for _, b in streams]).reshape(n_seed, C, N))
            v = v[seed_idx].transpose(0, 1).contiguous()  # (C, R, N)
        rew = torch.empty(R, C, N, dtype=torch.float64)
        for i in range(C):
            pi = torch.softmax(theta, -1)  # (R, K)
            cdf = pi.cumsum(-1)
            cdf = cdf / cdf[:, -1:]
            a = torch.searchsorted(cdf, u[i], right=True)  # (R, N) the official np.random.choice rule
            r = land[a]  # (R, N)
            rew[:, i] = r
            sig = torch.where(binary_rows[:, None], (v[i] < r).to(r.dtype), r) if any_binary else r
            for sl, name, params, scale in groups:
                if scale is None:  # a β schedule at the updates done before this one (a tensor for difficulty)
                    w[sl] = estimators.compute(name, sig[sl], **beta_schedule.params_at(params, c0 + i, sig[sl]))
                else:
                    w[sl] = estimators.compute(name, sig[sl] * scale, **params) / scale
            grad.zero_().scatter_add_(1, a, w)
            grad.sub_(w.sum(-1, keepdim=True) * pi)  # sum_i w_i (onehot(a_i) - pi)
            theta.add_(grad, alpha=lr_n)
            t = c0 + i + 1  # updates done
            if t % every == 0:
                ent[:, t // every - 1] = _entropy(torch.softmax(theta, -1)).numpy()
            if t % cfg.snapshot_every == 0 or t == U:
                snaps[:, snap_updates.index(t)] = torch.softmax(theta, -1).numpy()
        # trailing MA over samples: windows ending at every sample of this chunk
        x = torch.cat([tail, rew.reshape(R, C * N)], 1)  # (R, P + C N)
        cs = torch.nn.functional.pad(x.cumsum(1), (1, 0))
        first = c0 * N - tail.shape[1]  # global sample index of x[:, 0]
        lo = max(W, tail.shape[1] + 1)  # first window end (exclusive) in x not handled by an earlier chunk
        ends = torch.arange(lo, x.shape[1] + 1) if lo <= x.shape[1] else torch.zeros(0, dtype=torch.long)
        if len(ends):
            mav = ((cs[:, ends] - cs[:, ends - W]) / W).numpy()  # (R, len(ends))
            drawn = (first + ends).numpy()  # samples drawn at each window end
            for thr, arr in escape.items():
                hit = mav > thr
                new = np.isnan(arr) & hit.any(1)
                arr[new] = drawn[hit[new].argmax(1)]
            pts = drawn % (every * N) == 0
            ma[:, drawn[pts] // (every * N) - 1] = mav[:, pts]
        tail = x[:, -(W - 1):] if W > 1 else x[:, :0]
        if progress:
            progress(f"bandit: {c0 + C}/{U} updates ({R} runs)")

    runs = [{"method": specs[j]["method"], "tag": specs[j]["tag"], "beta": specs[j]["beta"], "k": specs[j]["k"],
             "params": specs[j]["params"], "seed": seeds[s]} for j, s in zip(run_method, run_seed)]
    final_ma = (x[:, -W:].sum(1) / W).numpy() if x.shape[1] >= W else np.full(R, np.nan)  # last window
    return BanditResult(
        config=asdict(cfg), runs=runs, landscape=land_np, pi0=np.exp(theta0) / np.exp(theta0).sum(),
        curve_samples=np.arange(1, T + 1) * every * N, ma_reward=ma, entropy=ent,
        snapshot_samples=np.asarray(snap_updates) * N, snapshots=snaps, final_theta=theta.numpy().copy(),
        final_ma=final_ma, escape_step=escape[cfg.escape_threshold], escape95_step=escape[0.95])


def summary_frame(res: BanditResult):
    """pandas DataFrame, one row per run, columns SUMMARY_COLUMNS."""
    import pandas as pd

    pi = torch.softmax(torch.as_tensor(res.final_theta), -1)
    cfg = res.config
    rows = []
    for i, r in enumerate(res.runs):
        rows.append({
            "method": r["method"], "tag": r["tag"], "beta": r["beta"], "k": r["k"],
            "params": json.dumps(r["params"], sort_keys=True), "seed": r["seed"],
            "final_reward": res.final_ma[i], "final_expected_reward": float(pi[i] @ torch.as_tensor(res.landscape)),
            "escape_step": res.escape_step[i], "escape95_step": res.escape95_step[i],
            "final_entropy": float(_entropy(pi[i : i + 1])[0]),
            "final_pi_global": float(pi[i, cfg["global_arm"]]), "final_pi_local": float(pi[i, cfg["local_arm"]]),
        })
    df = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    return df.astype({"beta": "float64", "k": "Int64"})


def save(res: BanditResult, summary_csv, curves_npz) -> None:
    """Write the summary CSV and the curves npz (both atomically)."""
    from rsgrpo.io import atomic_path

    with atomic_path(summary_csv) as tmp:
        summary_frame(res).to_csv(tmp, index=False)
    runs = res.runs
    with atomic_path(curves_npz) as tmp:
        np.savez_compressed(
            tmp, tag=np.array([r["tag"] for r in runs]), method=np.array([r["method"] for r in runs]),
            beta=np.array([np.nan if r["beta"] is None else r["beta"] for r in runs]),
            k=np.array([-1 if r["k"] is None else r["k"] for r in runs]), seed=np.array([r["seed"] for r in runs]),
            landscape=res.landscape, pi0=res.pi0, curve_samples=res.curve_samples, ma_reward=res.ma_reward,
            entropy=res.entropy, snapshot_samples=res.snapshot_samples, snapshots=res.snapshots,
            final_theta=res.final_theta, escape_step=res.escape_step, config=json.dumps(res.config))


def load_curves(path) -> dict[str, np.ndarray]:
    """The arrays written by `save` (config decoded to a dict)."""
    with np.load(path, allow_pickle=False) as z:
        out = {k: z[k] for k in z.files}
    out["config"] = json.loads(str(out["config"]))
    return out
