"""β schedules (rsgrpo.estimators.beta) and the per-prompt β of rs_grpo: values at chosen steps (by hand), tags,
errors naming the key, and a per-prompt β tensor equal to row-wise scalar calls."""

from __future__ import annotations

import math

import pytest
import torch

from rsgrpo.estimators import beta as B
from rsgrpo.estimators import check_params, compute
from rsgrpo.runs import format_run, method_tag, parse_run, RunName

LIN = {"schedule": "linear", "beta_start": 8, "beta_end": 2, "warmup_steps": 10, "decay_steps": 60}
COS = {"schedule": "cosine", "beta_start": 8, "beta_end": 2, "warmup_steps": 10, "decay_steps": 60}
SW = {"schedule": "switch", "beta": 8, "switch_step": 50}
DIF = {"schedule": "difficulty", "beta_max": 8, "beta_min": 2}


@pytest.mark.parametrize("step,want", [(0, 8.0), (9, 8.0), (10, 8.0), (25, 6.5), (40, 5.0), (70, 2.0), (500, 2.0)])
def test_linear_values(step, want):
    # 8 held through the warm-up, then 8 -> 2 over 60 steps (0.1 per step), then 2
    assert B.value(LIN, step) == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("step,want", [(0, 8.0), (10, 8.0), (25, 2 + 6 * (1 + math.cos(math.pi / 4)) / 2),
                                       (40, 5.0), (55, 2 + 6 * (1 + math.cos(3 * math.pi / 4)) / 2),
                                       (70, 2.0), (1000, 2.0)])
def test_cosine_values(step, want):
    assert B.value(COS, step) == pytest.approx(want, abs=1e-12)


def test_switch_and_constant_values():
    assert [B.value(SW, s) for s in (0, 49, 50, 51, 10_000)] == [8.0, 8.0, 0.0, 0.0, 0.0]
    assert B.value(4, 123) == 4.0 and B.value({"schedule": "constant", "beta": 4}, 7) == 4.0


def test_difficulty_is_per_prompt_from_the_group_accuracy():
    r = torch.tensor([[0.0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 1], [0.5, 1.5, 2, 2]], dtype=torch.float64)
    beta = B.value(DIF, 0, r)  # acc 0, 1/4, 1/2, 1, and a continuous group clipped to 1
    torch.testing.assert_close(beta, torch.tensor([8.0, 6.5, 5.0, 2.0, 2.0], dtype=torch.float64), rtol=0, atol=0)
    with pytest.raises(ValueError, match="needs the group rewards"):
        B.value(DIF, 0)


def test_tags_round_trip_and_name_runs():
    assert [B.tag(s) for s in (2, LIN, COS, SW, DIF, {"schedule": "constant", "beta": 0.5})] == \
        ["b2", "lin8to2w10d60", "cos8to2w10d60", "sw8at50", "dif8to2", "b0.5"]
    for s in (LIN, COS, SW, DIF, 2.5):
        assert B.parse_tag(B.tag(s)) == B.normalise(s)
    name = format_run(RunName("tiny-ops", "ops", "rs_grpo", beta=B.tag(COS), seed=1))
    assert name == "tiny-ops__ops__rs_grpo-cos8to2w10d60__s1"
    assert parse_run(name).beta == "cos8to2w10d60" and str(parse_run(name)) == name
    assert method_tag("rs_grpo", beta=COS) == method_tag("rs_grpo", beta="cos8to2w10d60") == "rs_grpo-cos8to2w10d60"
    # a constant schedule is the fixed-beta run: same name, same parameters
    assert method_tag("rs_grpo", beta={"schedule": "constant", "beta": 4}) == "rs_grpo-b4"
    assert check_params("rs_grpo", beta={"schedule": "constant", "beta": 4}) == {"beta": 4.0}


@pytest.mark.parametrize("spec,msg", [
    ({"schedule": "cosin", "beta_start": 8}, "'schedule' must be one of constant, linear, cosine.*did you mean 'cosine'"),
    ({"schedule": "linear", "beta_start": 8, "beta_end": 2}, "missing key\\(s\\) decay_steps"),
    ({**LIN, "decay_step": 3}, "unknown key\\(s\\) decay_step \\(did you mean 'decay_steps'\\?\\)"),
    ({**LIN, "beta_end": -1}, "beta_end must be a number >= 0, got -1"),
    ({**LIN, "decay_steps": 0}, "decay_steps must be an integer >= 1, got 0"),
    ({**SW, "switch_step": 2.5}, "switch_step must be an integer >= 0, got 2.5"),
    ("cosine", "a number >= 0 or a schedule mapping"),
])
def test_bad_schedules_name_the_key(spec, msg):
    with pytest.raises(ValueError, match=msg):
        check_params("rs_grpo", beta=spec)


def test_per_prompt_beta_equals_row_wise_scalar_calls():
    g = torch.Generator().manual_seed(0)
    r = torch.rand(40, 16, generator=g, dtype=torch.float64)
    r[3] = 0.5  # all equal
    r[7] = (torch.rand(16, generator=g) < 0.3).double()  # binary
    r[8] = 0.0
    r[8, 2] = 1.0  # one success
    beta = torch.rand(40, generator=g, dtype=torch.float64) * 16
    beta[[5, 9]] = 0.0  # the beta -> 0 limit
    beta[11] = 64.0
    out = compute("rs_grpo", r, beta=beta)
    for i in range(40):  # loop reference: one scalar call per row
        assert torch.equal(out[i], compute("rs_grpo", r[i:i + 1], beta=float(beta[i]))[0]), i
    assert torch.equal(compute("rs_grpo", r, beta=beta[:, None]), out)  # (G, 1) is the same
    assert torch.equal(compute("rs_grpo", r.float(), beta=beta), compute("rs_grpo", r.float().double(), beta=beta).float())
    assert torch.equal(compute("rs_grpo", r, beta=torch.tensor(2.0)), compute("rs_grpo", r, beta=2.0))


def test_per_prompt_beta_errors():
    r = torch.rand(4, 8, dtype=torch.float64)
    with pytest.raises(ValueError, match="needs 4 values"):
        compute("rs_grpo", r, beta=torch.ones(3))
    with pytest.raises(ValueError, match=">= 0"):
        compute("rs_grpo", r, beta=torch.tensor([1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="evaluate it at the step first"):
        compute("rs_grpo", r, beta=COS)
    assert torch.equal(compute("rs_grpo", r, **B.params_at({"beta": COS}, 40, r)), compute("rs_grpo", r, beta=5.0))


def test_legend_labels():
    from rsgrpo.reports._style import tag_label

    assert tag_label("rs_grpo-b2") == "RS-GRPO (β=2)"
    assert tag_label("rs_grpo-cos8to2w25d100") == "RS-GRPO (β cosine 8→2, warm-up 25, over 100 steps)"
    assert tag_label("rs_grpo-sw8at50") == "RS-GRPO (β 8→0 at step 50)"
    assert B.describe(DIF) == "β 8(1−acc)+2·acc"
