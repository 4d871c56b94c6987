"""Tests of the advantage-estimator registry rsgrpo.estimators (docs/algorithms.md §1-§7).

The file keeps a plain-loop reference of every estimator (per group, per response, python floats) and
brute-force enumerations over k-subsets; the vectorised registry is compared with both.
"""

from __future__ import annotations

import itertools
import math
from math import comb

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsgrpo import estimators as adv
from rsgrpo.estimators import available, check_params, compute, spec

EPS = 1e-6
ALL = ["grpo", "dr_grpo", "rs_grpo", "chen", "mahdavi", "tang", "pkpo"]


def C(n: int, k: int) -> int:
    return 0 if n < 0 or k < 0 or k > n else comb(n, k)


def T(rows, dtype=torch.float64) -> torch.Tensor:
    return torch.tensor(rows, dtype=dtype)


def binary_group(n: int, c: int) -> list[float]:
    return [1.0] * c + [0.0] * (n - c)


# ================================================================ plain-loop references (per group)
def ref_grpo(g, eps=EPS):
    n = len(g)
    if n == 1:
        return [g[0] / (1.0 + eps)]
    m = sum(g) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in g) / (n - 1))
    return [(x - m) / (sd + eps) for x in g]


def ref_dr_grpo(g):
    if len(g) == 1:
        return [g[0]]
    m = sum(g) / len(g)
    return [x - m for x in g]


def ref_rs_grpo(g, beta):
    n = len(g)
    if n == 1 or all(x == g[0] for x in g):
        return [0.0] * n
    if beta == 0:
        return ref_dr_grpo(g)
    top = max(g)  # shift for overflow safety; cancels in the ratio
    mean_e = sum(math.exp(beta * (x - top)) for x in g) / n
    return [(math.exp(beta * (x - top)) / mean_e - 1.0) / beta for x in g]


def ref_rs_naive(g, beta):
    """Eq. 8 as written (overflows for large beta)."""
    mean_e = sum(math.exp(beta * x) for x in g) / len(g)
    return [(math.exp(beta * x) / mean_e - 1.0) / beta for x in g]


def ref_chen(g, k, eps=EPS):
    """Chen et al. analytic form (docs/algorithms.md §4.1), per response."""
    n, c = len(g), int(round(sum(g)))
    big_r = 1.0 - C(n - c, k) / C(n, k)
    sigma = math.sqrt(big_r * (1.0 - big_r))
    out = []
    for x in g:
        if x == 1:
            out.append((1.0 - big_r) / (sigma + eps))
        else:
            out.append((1.0 - big_r - C(n - c - 1, k - 1) / C(n - 1, k - 1)) / (sigma + eps))
    return out


def ref_mahdavi(g, k, variant):
    n = len(g)
    c = sum(g)
    out = []
    for x in g:
        if variant == "m1":
            p = c / n
            out.append(k * (1.0 - p) ** (k - 1) * (x - p))
        else:
            cm = int(round(c - x))
            w = C(n - 1 - cm, k - 1) / C(n - 1, k - 1)
            out.append(k * w * (x - cm / (n - 1)))
    return out


def ref_tang(g):
    n = len(g)
    return [n * (max(g) - max(g[j] for j in range(n) if j != i)) for i in range(n)]


def brute_s(g, k):
    """PKPO s_i = (1/C(n,k)) sum over k-subsets I containing i of max_I g (raw, sum scale)."""
    n = len(g)
    subsets = list(itertools.combinations(range(n), k))
    s = [0.0] * n
    for sub in subsets:
        m = max(g[j] for j in sub)
        for i in sub:
            s[i] += m
    return [x / len(subsets) for x in s]


def brute_pkpo(g, k, baseline):
    """PKPO by enumeration (eqs. 19-21, 29, 33), times N (GRPO mean scale)."""
    n = len(g)
    s = brute_s(g, k)
    if baseline == "none":
        out = s
    elif baseline == "loo":
        out = []
        for i in range(n):
            rest = [g[j] for j in range(n) if j != i]
            out.append(s[i] - sum(brute_s(rest, k)) / (n - 1))
    else:  # loo-1
        subsets = list(itertools.combinations(range(n), k))
        out = [0.0] * n
        for sub in subsets:
            m = max(g[j] for j in sub)
            for i in sub:
                out[i] += m - max(g[j] for j in sub if j != i)
        out = [x / len(subsets) for x in out]
    return [n * x for x in out]


def brute_chen(g, k, eps=EPS):
    """Average over k-subsets containing i of the subset-level GRPO advantage (max_I - R)/(sigma + eps)."""
    n = len(g)
    subsets = list(itertools.combinations(range(n), k))
    maxes = [max(g[j] for j in sub) for sub in subsets]
    big_r = sum(maxes) / len(maxes)
    sigma = math.sqrt(sum((m - big_r) ** 2 for m in maxes) / len(maxes))
    acc, cnt = [0.0] * n, [0] * n
    for sub, m in zip(subsets, maxes):
        for i in sub:
            acc[i] += (m - big_r) / (sigma + eps)
            cnt[i] += 1
    return [a / c for a, c in zip(acc, cnt)]


def reference(name, g, **p):
    """Plain-loop reference of every registry estimator for one group g (list of floats)."""
    full = check_params(name, group_size=len(g), **p)
    if name == "grpo":
        return ref_grpo(g, full["eps"])
    if name == "dr_grpo":
        return ref_dr_grpo(g)
    if name == "rs_grpo":
        return ref_rs_grpo(g, full["beta"])
    if name == "chen":
        return ref_chen(g, full["k"], full["eps"])
    if name == "mahdavi":
        return ref_mahdavi(g, full["k"], full["variant"])
    if name == "tang":
        return ref_tang(g)
    if name == "pkpo":
        return brute_pkpo(g, full["k"], full["baseline"])
    raise AssertionError(name)


def reference_batch(name, rows, **p):
    return torch.tensor([reference(name, list(map(float, g)), **p) for g in rows], dtype=torch.float64)


# ========================================================================== §6.1 binary test vectors
# c -> (A+, A-) for N = 16, k = 4, beta = 2 (docs/algorithms.md §6.1); 0 means an exact zero.
TABLE_6_1 = {
    ("dr_grpo", ()): {1: (0.9375, -0.0625), 2: (0.8750, -0.1250), 4: (0.7500, -0.2500), 8: (0.5000, -0.5000),
                      12: (0.2500, -0.7500), 13: (0.1875, -0.8125), 14: (0.1250, -0.8750), 15: (0.0625, -0.9375)},
    ("grpo", ()): {1: (3.7500, -0.2500), 2: (2.5617, -0.3660), 4: (1.6770, -0.5590), 8: (0.9682, -0.9682),
                   12: (0.5590, -1.6770), 13: (0.4651, -2.0156), 14: (0.3660, -2.5617), 15: (0.2500, -3.7500)},
    ("rs_grpo", (("beta", 2.0),)): {1: (2.1402, -0.1427), 2: (1.5541, -0.2220), 4: (0.9225, -0.3075),
                                    8: (0.3808, -0.3808), 12: (0.1379, -0.4137), 13: (0.0967, -0.4192),
                                    14: (0.0606, -0.4241), 15: (0.0286, -0.4285)},
    ("chen", (("k", 4),)): {1: (1.7320, -0.1155), 2: (1.1055, -0.1579), 4: (0.6112, -0.2037), 8: (0.2000, -0.2000),
                            12: (0.0234, -0.0703), 13: (0, 0), 14: (0, 0), 15: (0, 0)},
    ("pkpo", (("k", 4), ("baseline", "loo-1"))): {1: (4.0000, 0), 2: (3.2000, 0), 4: (1.9341, 0), 8: (0.4923, 0),
                                                  12: (0.0352, 0), 13: (0.0088, 0), 14: (0, 0), 15: (0, 0)},
    ("mahdavi", (("k", 4), ("variant", "m1"))): {1: (3.0899, -0.2060), 2: (2.3447, -0.3350), 4: (1.2656, -0.4219),
                                                 8: (0.2500, -0.2500), 12: (0.0156, -0.0469), 13: (0.0049, -0.0214),
                                                 14: (0.0010, -0.0068), 15: (0.0001, -0.0009)},
    ("mahdavi", (("k", 4), ("variant", "m2"))): {1: (4.0000, -0.2133), 2: (2.9867, -0.3352), 4: (1.5473, -0.3868),
                                                 8: (0.2626, -0.1641), 12: (0.0094, -0.0070), 13: (0.0018, 0),
                                                 14: (0, 0), 15: (0, 0)},
}


@pytest.mark.parametrize("key", list(TABLE_6_1), ids=lambda k: k[0] + "".join(f"-{v}" for _, v in k[1]))
def test_vectors_6_1_binary(key):
    name, params = key[0], dict(key[1])
    rows = {c: binary_group(16, c) for c in TABLE_6_1[key]}
    out = compute(name, T(list(rows.values())), **params)
    for (c, (a_pos, a_neg)), a in zip(TABLE_6_1[key].items(), out):
        pos, neg = a[:c], a[c:]
        assert torch.all(pos == pos[0]) and torch.all(neg == neg[0])  # one value per side
        for got, want in ((pos[0].item(), a_pos), (neg[0].item(), a_neg)):
            if want == 0:
                assert got == 0.0, f"{name} c={c}: expected an exact zero, got {got!r}"
            else:
                assert got == pytest.approx(want, abs=6e-5), f"{name} c={c}"


def test_mahdavi_m1_never_exactly_zero():
    out = compute("mahdavi", T([binary_group(16, c) for c in range(1, 16)]), k=4, variant="m1")
    assert torch.all(out != 0)


# ====================================================================== §6.2 continuous test vectors
G62 = [0.1, 0.5, 0.2, 0.9, 0.0, 0.7]


@pytest.mark.parametrize(
    "name, params, want, scale",
    [
        ("rs_grpo", {"beta": 2.0}, [-0.278415, -0.006854, -0.229355, 0.597518, -0.318582, 0.235688], 1),
        ("rs_grpo", {"beta": 8.0}, [-0.124002, -0.100518, -0.122779, 0.475594, -0.124552, -0.003742], 1),
        ("pkpo", {"k": 3, "baseline": "none"}, [0.345, 0.36, 0.345, 0.45, 0.345, 0.39], 6),  # raw = registry / N
        ("pkpo", {"k": 3, "baseline": "loo-1"}, [0.0, 0.05, 0.005, 0.21, 0.0, 0.11], 6),
        ("tang", {}, [0, 0, 0, 0.2, 0, 0], 6),
        ("grpo", {}, [-0.838523, 0.279508, -0.559015, 1.397539, -1.118031, 0.838523], 1),
    ],
)
def test_vectors_6_2_continuous(name, params, want, scale):
    out = compute(name, T([G62]), **params)[0] / scale
    assert out.tolist() == pytest.approx(want, abs=1e-6)


# ============================================================================ brute force over subsets
def _random_groups(seed, count, max_n=8, binary=False):
    g = torch.Generator().manual_seed(seed)
    for _ in range(count):
        n = int(torch.randint(2, max_n + 1, (1,), generator=g))
        if binary:
            row = torch.randint(0, 2, (n,), generator=g).double()
        else:  # few distinct values -> many ties
            row = torch.tensor([0.0, 0.3, 0.5, 1.0])[torch.randint(0, 4, (n,), generator=g)].double()
        yield row.tolist()


@pytest.mark.parametrize("baseline", ["none", "loo", "loo-1"])
def test_pkpo_equals_bruteforce_with_ties(baseline):
    for g in _random_groups(1, 40):
        n = len(g)
        for k in range(1, n + 1):
            if (baseline == "loo-1" and k < 2) or (baseline == "loo" and k > n - 1):
                continue
            got = compute("pkpo", T([g]), k=k, baseline=baseline)[0].tolist()
            assert got == pytest.approx(brute_pkpo(g, k, baseline), abs=1e-12), (g, k)


def test_chen_equals_bruteforce_and_closed_form():
    for g in _random_groups(2, 40, binary=True):
        for k in range(1, len(g) + 1):
            got = compute("chen", T([g]), k=k)[0].tolist()
            assert got == pytest.approx(brute_chen(g, k), abs=1e-9), (g, k)
            assert got == pytest.approx(ref_chen(g, k), abs=1e-12), (g, k)


def test_tang_equals_bruteforce_and_pkpo_loo1_when_n_equals_k():
    for g in _random_groups(3, 40):
        n = len(g)
        got = compute("tang", T([g]))[0]
        assert got.tolist() == pytest.approx(brute_pkpo(g, n, "loo-1"), abs=1e-12)  # loo-1 at n = k is Tang
        assert got.tolist() == pytest.approx(ref_tang(g), abs=1e-12)
        assert torch.allclose(got, compute("pkpo", T([g]), k=n, baseline="loo-1")[0], atol=1e-12)


def test_pkpo_binary_closed_form_s():
    # eq. 8: s_i = k/n if correct, (k/n) rho(n-1, c, k-1) if wrong
    n, k = 16, 4
    for c in range(0, n + 1):
        s = compute("pkpo", T([binary_group(n, c)]), k=k, baseline="none")[0] / n
        rho = 1.0 - C(n - 1 - c, k - 1) / C(n - 1, k - 1)
        if c:
            assert s[0].item() == pytest.approx(k / n, abs=1e-14)
        if c < n:
            assert s[-1].item() == pytest.approx(k / n * rho, abs=1e-14)


def test_mahdavi_m2_binary_closed_form():
    n, k = 16, 4
    for c in range(1, n):
        a = compute("mahdavi", T([binary_group(n, c)]), k=k, variant="m2")[0]
        a_pos = k * C(n - c, k - 1) / C(n - 1, k - 1) * (n - c) / (n - 1)
        a_neg = -k * C(n - c - 1, k - 1) / C(n - 1, k - 1) * c / (n - 1)
        assert a[0].item() == pytest.approx(a_pos, abs=1e-14)
        assert a[-1].item() == pytest.approx(a_neg, abs=1e-14)


@pytest.mark.parametrize(
    "name, params",
    [("pkpo", {"k": 4, "baseline": "none"}), ("pkpo", {"k": 4, "baseline": "loo"}),
     ("pkpo", {"k": 4, "baseline": "loo-1"}), ("mahdavi", {"k": 4, "variant": "m2"}), ("tang", {})],
)
def test_unbiased_for_grad_pass_at_k_exact(name, params):
    """Exact expectation over c ~ Binomial(N, p) for a one-logit Bernoulli policy (d log pi(y) = y - p):
    E[(1/N) sum_i A_i (r_i - p)] = d/dtheta pass@k = k (1-p)^(k-1) p (1-p)   (k = N for Tang)."""
    n = 8
    k = params.get("k", n)
    a = compute(name, T([binary_group(n, c) for c in range(n + 1)]), **params)
    for p in (0.05, 0.3, 0.7):
        exp = 0.0
        for c in range(n + 1):
            prob = C(n, c) * p**c * (1 - p) ** (n - c)
            grad = sum(a[c, i].item() * ((1.0 if i < c else 0.0) - p) for i in range(n)) / n
            exp += prob * grad
        assert exp == pytest.approx(k * (1 - p) ** (k - 1) * p * (1 - p), abs=1e-12)


# ================================================================================= §7 invariants
@pytest.mark.parametrize("beta", [0.0, 0.1, 1.0, 2.0, 8.0, 50.0, 1000.0])
def test_rs_grpo_zero_sum_and_bounds(beta):
    r = torch.rand(64, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    r[:32] = (r[:32] > 0.7).double()
    a = compute("rs_grpo", r, beta=beta)
    assert torch.allclose(a.sum(-1), torch.zeros(64, dtype=torch.float64), atol=1e-12)
    if beta > 0:
        assert torch.all(a >= -1 / beta - 1e-12) and torch.all(a <= 15 / beta + 1e-12)


@pytest.mark.parametrize(
    "name, params",
    [("grpo", {}), ("dr_grpo", {}), ("chen", {"k": 4}), ("mahdavi", {"k": 4, "variant": "m1"})],
)
def test_zero_sum_other_estimators(name, params):
    r = (torch.rand(40, 16, generator=torch.Generator().manual_seed(1)) > 0.6).double()
    assert torch.allclose(compute(name, r, **params).sum(-1), torch.zeros(40, dtype=torch.float64), atol=1e-10)


def test_rs_grpo_beta_to_zero_limit():
    r = torch.rand(20, 16, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    a = compute("rs_grpo", r, beta=1e-6)
    assert torch.allclose(a, r - r.mean(-1, keepdim=True), atol=1e-5)
    assert torch.equal(compute("rs_grpo", r, beta=0), compute("dr_grpo", r))


@pytest.mark.parametrize("beta", [0.01, 0.5, 2.0, 10.0, 50.0])
def test_rs_grpo_stable_equals_naive(beta):
    r = torch.rand(10, 16, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    got = compute("rs_grpo", r, beta=beta)
    naive = torch.tensor([ref_rs_naive(g.tolist(), beta) for g in r], dtype=torch.float64)
    assert torch.allclose(got, naive, rtol=1e-9, atol=1e-12)


def test_rs_grpo_no_nan_at_beta_1000_float32():
    r = torch.tensor([binary_group(16, c) for c in range(17)], dtype=torch.float32)
    a = compute("rs_grpo", r, beta=1000.0)
    assert a.dtype == torch.float32 and torch.isfinite(a).all()
    # naive float32 overflows here; the stable form gives (N/c - 1)/beta and -1/beta
    with torch.no_grad():
        naive = (torch.exp(1000.0 * r) / torch.exp(1000.0 * r).mean(-1, keepdim=True) - 1) / 1000.0
    assert not torch.isfinite(naive).all()
    for c in range(1, 16):
        assert a[c, 0].item() == pytest.approx((16 / c - 1) / 1000, rel=1e-5)
        assert a[c, -1].item() == pytest.approx(-1 / 1000, rel=1e-5)


def w_beta(p: float, beta: float) -> float:
    """docs/algorithms.md §1.6: w_beta(p) = (e^beta - 1) / (beta (1 + p (e^beta - 1)))."""
    return math.expm1(beta) / (beta * (1 + p * math.expm1(beta)))


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0, 4.0, 8.0])
def test_rs_grpo_binary_closed_form(beta):
    n = 16
    a = compute("rs_grpo", T([binary_group(n, c) for c in range(1, n)]), beta=beta)
    for c in range(1, n):
        p = c / n
        assert a[c - 1, 0].item() == pytest.approx((1 - p) * w_beta(p, beta), rel=1e-12)
        assert a[c - 1, -1].item() == pytest.approx(-p * w_beta(p, beta), rel=1e-12)
        # cumulative advantage sum |A| = 2 N p (1 - p) w
        assert a[c - 1].abs().sum().item() == pytest.approx(2 * n * p * (1 - p) * w_beta(p, beta), rel=1e-12)


W_TABLE = {  # beta -> values at p = 0, 1/16, 0.25, 0.5, 0.75, 15/16, 1 (docs/algorithms.md §1.6)
    0.5: [1.297, 1.247, 1.116, 0.980, 0.873, 0.807, 0.787],
    1: [1.718, 1.552, 1.202, 0.924, 0.751, 0.658, 0.632],
    2: [3.195, 2.283, 1.230, 0.762, 0.552, 0.457, 0.432],
    4: [13.40, 3.080, 0.931, 0.482, 0.325, 0.261, 0.245],
    8: [372.5, 1.989, 0.499, 0.250, 0.167, 0.133, 0.125],
}


@pytest.mark.parametrize("beta", list(W_TABLE))
def test_w_beta_table(beta):
    ps = [0, 1 / 16, 0.25, 0.5, 0.75, 15 / 16, 1]

    def half_last_digit(want):  # the table prints 3 decimals, or 4 significant figures above 10
        return 0.5 * max(1e-3, 10.0 ** (math.floor(math.log10(abs(want))) - 3)) + 1e-12

    for p, want in zip(ps, W_TABLE[beta]):
        assert abs(w_beta(p, beta) - want) <= half_last_digit(want), (beta, p)
    # the registry's weight A+/(1-p) at the attainable accuracies of N = 16
    for p, want in zip(ps[1:-1], W_TABLE[beta][1:-1]):
        c = round(p * 16)
        a = compute("rs_grpo", T([binary_group(16, c)]), beta=float(beta))[0, 0].item()
        assert a / (1 - p) == pytest.approx(w_beta(p, beta), rel=1e-9)
        assert abs(a / (1 - p) - want) <= half_last_digit(want), (beta, p)


def test_rs_grpo_peaks_and_a_plus_non_monotone():
    # peak of p (1 - p) w_beta(p) moves to harder prompts (docs/algorithms.md §1.6)
    grid = [i / 10000 for i in range(1, 10000)]
    for beta, want in [(0.5, 0.44), (1, 0.38), (2, 0.27), (4, 0.12), (8, 0.02)]:
        peak = max(grid, key=lambda p: p * (1 - p) * w_beta(p, beta))
        assert peak == pytest.approx(want, abs=6e-3)
    a_plus = [compute("rs_grpo", T([binary_group(16, 1)]), beta=b)[0, 0].item() for b in (1e-6, 2.0, 4.0, 8.0)]
    assert a_plus == pytest.approx([0.94, 2.14, 2.89, 1.87], abs=6e-3)


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0, 5.0])
def test_rs_grpo_reward_scale_is_part_of_beta(beta):
    r = torch.rand(12, 16, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    assert torch.allclose(compute("rs_grpo", 2 * r - 1, beta=beta), 2 * compute("rs_grpo", r, beta=2 * beta),
                          atol=1e-12)


@pytest.mark.parametrize("name", ALL)
def test_all_equal_groups_give_zero(name):
    params = {"k": 4} if name in ("chen", "mahdavi", "pkpo") else {}
    binary = T([[0.0] * 16, [1.0] * 16])
    assert torch.all(compute(name, binary, **params) == 0)
    if not spec(name).binary_only:
        assert torch.all(compute(name, T([[0.37] * 16, [0.0] * 16]), **params) == 0)


def test_pkpo_loo1_non_negative():
    r = torch.rand(200, 12, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    r[:50] = torch.round(r[:50] * 3) / 3  # ties
    for k in (2, 3, 6, 12):
        assert compute("pkpo", r, k=k, baseline="loo-1").min().item() >= -1e-12
        assert compute("pkpo", r, k=k, baseline="none").min().item() >= 0.0


def test_singleton_groups():
    r = T([[0.7], [1.0]])
    assert torch.all(compute("rs_grpo", r, beta=2.0) == 0)
    assert torch.allclose(compute("grpo", r), r / (1 + EPS))
    with pytest.raises(ValueError, match="group size"):
        compute("tang", r)


# ====================================================== reference loop vs vectorised on random shapes
def _random_params(name, n, draw):
    if name == "rs_grpo":
        return {"beta": draw(st.sampled_from([0.0, 0.25, 1.0, 2.0, 8.0, 64.0]))}
    if name == "chen":
        return {"k": draw(st.integers(1, n))}
    if name == "mahdavi":
        return {"k": draw(st.integers(1, n)), "variant": draw(st.sampled_from(["m1", "m2"]))}
    if name == "pkpo":
        baseline = draw(st.sampled_from(["none", "loo", "loo-1"]))
        lo, hi = (2, n) if baseline == "loo-1" else (1, n - 1 if baseline == "loo" else n)
        return {"k": draw(st.integers(lo, hi)), "baseline": baseline}
    return {}


@st.composite
def cases(draw):
    name = draw(st.sampled_from(ALL))
    g = draw(st.integers(1, 4))
    n = draw(st.integers(2, 8))
    binary = spec(name).binary_only or draw(st.booleans())
    if binary:
        values = st.sampled_from([0.0, 1.0])
    else:
        values = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0.0, 1.0, allow_nan=False))
    rows = draw(st.lists(st.lists(values, min_size=n, max_size=n), min_size=g, max_size=g))
    return name, rows, _random_params(name, n, draw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_registry_equals_reference_loop(case):
    name, rows, params = case
    r = T(rows)
    got = compute(name, r, **params)
    want = reference_batch(name, rows, **params)
    assert got.shape == r.shape and got.dtype == r.dtype
    assert torch.isfinite(got).all()
    assert torch.allclose(got, want, rtol=1e-9, atol=1e-9), (name, params, rows)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(2, 20), st.sampled_from([0.0, 0.5, 2.0, 16.0, 1000.0]), st.integers(0, 2**31))
def test_rs_grpo_properties_random_shapes(g, n, beta, seed):
    r = torch.rand(g, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    a = compute("rs_grpo", r, beta=beta)
    assert a.shape == (g, n) and torch.isfinite(a).all()
    assert torch.allclose(a.sum(-1), torch.zeros(g, dtype=torch.float64), atol=1e-10)
    # monotone (order-preserving) in the reward within a group
    order = torch.argsort(r, dim=-1)
    assert torch.all(torch.diff(torch.gather(a, -1, order), dim=-1) >= -1e-12)
    if beta > 0:
        assert torch.all(a >= -1 / beta - 1e-12) and torch.all(a <= (n - 1) / beta + 1e-12)


# =========================================================================================== errors
def test_available_and_spec():
    assert available() == ALL
    assert spec("chen").binary_only and spec("mahdavi").binary_only
    assert not any(spec(n).binary_only for n in ALL if n not in ("chen", "mahdavi"))
    assert spec("mahdavi").reconstruction
    assert check_params("rs_grpo") == {"beta": 2.0}
    assert check_params("pkpo", group_size=16, k=4) == {"k": 4, "baseline": "loo-1"}


def test_unknown_name_names_valid_choices():
    with pytest.raises(ValueError) as e:
        compute("ppo", T([[0.0, 1.0]]))
    for name in ALL:
        assert name in str(e.value)


def test_unknown_parameter_names_valid_ones():
    with pytest.raises(ValueError, match=r"unknown parameter.*gamma.*valid: k, baseline"):
        compute("pkpo", T([[0.0, 1.0]]), gamma=3)
    with pytest.raises(ValueError, match="valid: none"):
        compute("dr_grpo", T([[0.0, 1.0]]), beta=1.0)


@pytest.mark.parametrize(
    "name, params, match",
    [
        ("rs_grpo", {"beta": -1.0}, "beta"),
        ("rs_grpo", {"beta": float("nan")}, "beta"),
        ("rs_grpo", {"beta": True}, "beta"),
        ("chen", {"k": 5}, "k=5 must be <= the group size 4"),
        ("pkpo", {"k": 5}, "k=5 must be <= the group size 4"),
        ("mahdavi", {"k": 5}, "k=5 must be <= the group size 4"),
        ("chen", {"k": 0}, "k"),
        ("chen", {"k": 2.5}, "k"),
        ("mahdavi", {"variant": "m3"}, "'m1', 'm2'"),
        ("pkpo", {"baseline": "mean"}, "'none', 'loo', 'loo-1'"),
        ("pkpo", {"k": 1, "baseline": "loo-1"}, "k >= 2"),
        ("pkpo", {"k": 4, "baseline": "loo"}, "group size - 1"),
        ("grpo", {"eps": 0.0}, "eps"),
    ],
)
def test_bad_parameters(name, params, match):
    with pytest.raises(ValueError, match=match):
        compute(name, T([[0.0, 1.0, 1.0, 0.0]]), **params)


@pytest.mark.parametrize("name", ["chen", "mahdavi"])
def test_binary_only_rejects_continuous(name):
    with pytest.raises(ValueError, match="binary") as e:
        compute(name, T([[0.0, 0.5, 1.0, 1.0]]), k=2)
    for valid in ("rs_grpo", "grpo", "dr_grpo", "pkpo", "tang"):
        assert valid in str(e.value)


@pytest.mark.parametrize(
    "bad, match",
    [(torch.tensor([0.0, 1.0]), "shape"), (torch.tensor([[0, 1]]), "floating"), ([[0.0, 1.0]], "torch.Tensor"),
     (torch.tensor([[0.0, float("nan")]]), "NaN")],
)
def test_bad_rewards(bad, match):
    with pytest.raises(ValueError, match=match):
        compute("dr_grpo", bad)


# ================================================================================== dtype and shape
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("name", ALL)
def test_dtype_and_shape_preserved(name, dtype):
    params = {"k": 3} if name in ("chen", "mahdavi", "pkpo") else {}
    r = (torch.rand(5, 8, generator=torch.Generator().manual_seed(7)) > 0.5).to(dtype)
    out = compute(name, r, **params)
    assert out.dtype == dtype and out.shape == (5, 8)
    want = compute(name, r.double(), **params).to(dtype)
    assert torch.equal(out, want)
    assert compute(name, r[:0], **params).shape == (0, 8)


def test_names_parameters_and_checks_load_without_torch():
    # the config layer (schema checks, Table 2 from a cache, every Snakefile parse) needs the registry's names
    # and parameter checks, not its kernels: torch loads on the first compute only
    import subprocess
    import sys

    code = ("import sys\n"
            "from rsgrpo.config.files import load_files\n"
            "from rsgrpo.config.report import present_files\n"
            "from rsgrpo.estimators import check_params, spec\n"
            "assert check_params('rs_grpo', group_size=4, beta=2.0) == {'beta': 2.0}\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n"
            "import torch\n"
            "from rsgrpo.estimators import compute\n"
            "print(compute('grpo', torch.tensor([[0.0, 1.0]])).tolist())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(compute("grpo", torch.tensor([[0.0, 1.0]])).tolist())
