"""rsgrpo.eval.sampling: the spec, the backend registry, the hf backend on a tiny real model, the shard plan."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsgrpo.eval.sampling import SamplingSpec, available_backends, get_backend
from rsgrpo.eval.sampling.shards import EvalPlan, shard_name, shard_seed



@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory, build_tiny_lm):
    return build_tiny_lm(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="module")
def hf(tiny_lm):
    return get_backend("hf", str(tiny_lm), device="cpu", batch_size=16, progress=False)


# ------------------------------------------------------------------------------------------------ spec
@pytest.mark.parametrize("bad", [dict(n=0), dict(n=2, temperature=0.0), dict(n=2, top_p=0.0),
                                 dict(n=2, top_p=1.5), dict(n=2, max_tokens=0), dict(n=2, seed=-1)])
def test_spec_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="SamplingSpec"):
        SamplingSpec(**bad)


def test_spec_defaults_are_the_paper_eval_setting():
    s = SamplingSpec(n=4)
    assert (s.temperature, s.top_p) == (1.0, 0.7)
    assert s.replace(seed=3).seed == 3 and s.replace(seed=3).n == 4


def test_unknown_backend_names_the_choices():
    assert available_backends() == ["hf", "vllm"]
    with pytest.raises(ValueError, match="hf, vllm"):
        get_backend("sglang", "x")


def test_importing_the_vllm_backend_does_not_import_vllm():
    code = ("import sys, rsgrpo.eval.sampling.vllm_backend as v; "
            "assert 'vllm' not in sys.modules; print(v.prompt_seed(0, 1) != v.prompt_seed(0, 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


# ------------------------------------------------------------------------------------------------ hf
def test_hf_backend_returns_n_completions_per_prompt(hf):
    spec = SamplingSpec(n=3, max_tokens=8, seed=1)
    out = hf.generate(["What is 6 times 7 ?", "Add 1 and 2", "x"], spec)
    assert [len(g) for g in out] == [3, 3, 3]
    assert all(isinstance(t, str) for g in out for t in g)
    assert any(t for g in out for t in g)  # the model does write something
    # completions never echo the prompt
    assert not any(t.startswith("What is") for t in out[0])


def test_hf_backend_is_reproducible_per_seed(hf):
    prompts = ["one two", "three"]
    a = hf.generate(prompts, SamplingSpec(n=4, max_tokens=8, seed=7))
    b = hf.generate(prompts, SamplingSpec(n=4, max_tokens=8, seed=7))
    c = hf.generate(prompts, SamplingSpec(n=4, max_tokens=8, seed=8))
    assert a == b
    assert a != c


def test_hf_backend_respects_max_tokens(hf):
    out = hf.generate(["a b c"], SamplingSpec(n=8, max_tokens=3, seed=0))
    # the word-level tokenizer decodes to space-joined words: at most 3 words per completion
    assert max(len(t.split()) for t in out[0]) <= 3


def test_hf_shared_prefill_samples_exactly_what_per_row_prefill_samples(tiny_lm):
    """The prompt's KV cache prefilled once and repeated gives the same texts as prefilling every copy, with
    left padding (prompts of different lengths) and with n split over batches (n > batch_size)."""
    prompts = ["one two three four", "five", "six seven"]
    for n, bs in ((6, 12), (7, 3)):
        spec = SamplingSpec(n=n, max_tokens=6, seed=5)
        outs = [get_backend("hf", str(tiny_lm), device="cpu", batch_size=bs, progress=False,
                            shared_prefill=sp).generate(prompts, spec) for sp in (False, True)]
        assert outs[0] == outs[1]
        assert [len(g) for g in outs[1]] == [n] * len(prompts)


def test_batches_cover_every_row_once_in_prompt_major_order():
    from rsgrpo.eval.sampling.hf import _batches

    for P, n, bs in ((5, 4, 8), (5, 4, 3), (3, 10, 4), (1, 1, 1), (4, 3, 100)):
        rows = [i for group, r in _batches(P, n, bs) for i in group for _ in range(r)]
        assert rows == [i for i in range(P) for _ in range(n)]
        assert all(len(g) * r <= max(bs, 1) or len(g) == 1 for g, r in _batches(P, n, bs))


# ------------------------------------------------------------------------------------------------ plan
def test_shard_seed_is_deterministic_and_distinct():
    assert shard_seed(0, "m__base", "AIME24", 3) == shard_seed(0, "m__base", "AIME24", 3)
    seeds = {shard_seed(0, r, b, i) for r in ("m__base", "m__d__grpo__s0") for b in ("AIME24", "MATH500")
             for i in range(50)}
    assert len(seeds) == 200
    assert all(0 <= s < 2 ** 31 for s in seeds)


def test_plan_round_trips_and_names_shards():
    plan = EvalPlan("m__base", "AIME24", n=1024, spec=SamplingSpec(n=1, max_tokens=64, seed=5),
                    samples_per_shard=300, problem_shards=2)
    assert plan.num_sample_shards == 4 and plan.num_shards == 8
    assert plan.shard_names()[:2] == ["00000", "00001"] and shard_name(12) == "00012"
    assert EvalPlan.from_dict(plan.to_dict()) == plan
    assert plan.sample_range(3) == (900, 1024)
    assert plan.shard_spec(3).n == 124 and plan.shard_spec(3).max_tokens == 64
    with pytest.raises(ValueError, match="out of range"):
        plan.sample_range(8)


@settings(max_examples=60, deadline=None)
@given(P=st.integers(0, 40), n=st.integers(1, 50), sps=st.integers(1, 60), ps=st.integers(1, 8))
def test_shards_cover_every_problem_sample_pair_exactly_once(P, n, sps, ps):
    plan = EvalPlan("m__base", "b", n=n, samples_per_shard=sps, problem_shards=ps)
    seen = []
    for i in range(plan.num_shards):  # loop reference: enumerate every pair each shard owns
        p0, p1 = plan.problem_range(i, P)
        s0, s1 = plan.sample_range(i)
        assert plan.shard_spec(i).n == s1 - s0 >= 1
        seen += [(p, s) for p in range(p0, p1) for s in range(s0, s1)]
    assert sorted(seen) == [(p, s) for p in range(P) for s in range(n)]
