"""Round-trip tests of rsgrpo.runs, the one place that formats and parses run names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsgrpo.runs import RunName, format_run, method_tag, parse_method_tag, parse_run


@pytest.mark.parametrize(
    "run, text",
    [
        (RunName("qwen25-math-1.5b", "deepmath103k", "rs_grpo", beta=2.0, seed=0),
         "qwen25-math-1.5b__deepmath103k__rs_grpo-b2__s0"),
        (RunName("qwen25-math-1.5b", "deepmath103k", "rs_grpo", beta=0.5, seed=3),
         "qwen25-math-1.5b__deepmath103k__rs_grpo-b0.5__s3"),
        (RunName("llama3.2-3b", "math12k", "pkpo", k=4, seed=1), "llama3.2-3b__math12k__pkpo-k4__s1"),
        (RunName("m", "d", "grpo", seed=12), "m__d__grpo__s12"),
        (RunName("m", "d", "dr_grpo", seed=0), "m__d__dr_grpo__s0"),
        (RunName("qwen25-math-1.5b"), "qwen25-math-1.5b__base"),
    ],
)
def test_format_and_parse(run, text):
    assert format_run(run) == text == str(run)
    assert parse_run(text) == run
    assert format_run(parse_run(text)) == text


def test_base_flags():
    assert parse_run("m__base").is_base
    assert not parse_run("m__d__grpo__s0").is_base


def test_method_tag():
    assert method_tag("rs_grpo", beta=2) == "rs_grpo-b2"
    assert method_tag("rs_grpo", beta=2.0) == "rs_grpo-b2"
    assert method_tag("rs_grpo", beta=0.25) == "rs_grpo-b0.25"
    assert method_tag("chen", k=4) == "chen-k4"
    assert method_tag("grpo") == "grpo"
    with pytest.raises(ValueError):
        method_tag("x", beta=1, k=2)
    assert parse_method_tag("rs_grpo-b2") == ("rs_grpo", 2.0, None)
    assert parse_method_tag("pkpo-k4") == ("pkpo", None, 4)
    assert parse_method_tag("dr_grpo") == ("dr_grpo", None, None)


@pytest.mark.parametrize("bad", ["Rs_grpo", "rs_grpo-x2", "rs_grpo-b", "-b2", "rs grpo"])
def test_bad_method_tags(bad):
    with pytest.raises(ValueError, match="method tag"):
        parse_method_tag(bad)


@pytest.mark.parametrize("bad", ["m__d__grpo", "m__d__grpo__0", "m__d__grpo__sx", "m", "m__d__grpo__s0__x",
                                 "m__d__Bad__s0"])
def test_bad_run_names(bad):
    with pytest.raises(ValueError):
        parse_run(bad)


@pytest.mark.parametrize(
    "run",
    [RunName("Qwen", "d", "grpo", seed=0), RunName("a__b", "d", "grpo", seed=0), RunName("m", "d e", "grpo", seed=0),
     RunName("m", None, "grpo", seed=0), RunName("m", "d", "grpo", seed=None)],
)
def test_unformattable_runs(run):
    with pytest.raises(ValueError):
        format_run(run)


slug = st.from_regex(r"[a-z0-9][a-z0-9.-]{0,12}", fullmatch=True).filter(lambda s: "__" not in s)


@settings(max_examples=200, deadline=None)
@given(slug, slug, st.sampled_from(["grpo", "dr_grpo", "rs_grpo", "chen", "mahdavi", "tang", "pkpo"]),
       st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 0.25])),
       st.one_of(st.none(), st.integers(1, 64)), st.integers(0, 10_000), st.booleans())
def test_round_trip_property(model, dataset, method, beta, k, seed, use_beta):
    beta, k = (beta, None) if use_beta else (None, k)
    run = RunName(model, dataset, method, beta=beta, k=k, seed=seed)
    assert parse_run(format_run(run)) == run
