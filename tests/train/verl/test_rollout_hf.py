"""rsgrpo.train.verl.rollout_hf: the sampling step of the hf rollout server, and its registration in verl."""

from __future__ import annotations

import pytest
import torch

from rsgrpo.train.verl.rollout_hf import sample_batch


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, build_tiny_lm):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    d = build_tiny_lm(tmp_path_factory.mktemp("lm") / "m")
    return AutoModelForCausalLM.from_pretrained(d).eval(), AutoTokenizer.from_pretrained(d)


def _teacher_forced(model, prompt, tokens, temperature):
    """Loop reference: log_softmax(logits / T) of each response token given the prompt and earlier tokens."""
    out = []
    for t in range(len(tokens)):
        ids = torch.tensor([prompt + tokens[:t]])
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0, -1].float()
        logp = torch.log_softmax(logits / temperature if temperature > 0 else logits, -1)
        out.append(float(logp[tokens[t]]))
    return out


def test_log_probs_are_the_sampling_distribution(tiny):
    model, tok = tiny
    prompts = [tok("so the answer is", add_special_tokens=False)["input_ids"],
               tok("we get", add_special_tokens=False)["input_ids"]]  # different lengths: left padding
    torch.manual_seed(0)
    res = sample_batch(model, prompts * 3, temperature=0.7, top_p=1.0, max_new_tokens=5,
                       eos_ids=[tok.eos_token_id], pad_id=tok.pad_token_id)
    assert len(res) == 6
    for prompt, (tokens, logps) in zip(prompts * 3, res):
        assert 1 <= len(tokens) <= 5 and len(logps) == len(tokens)
        assert tok.eos_token_id not in tokens[:-1]  # stops at the first EOS
        assert logps == pytest.approx(_teacher_forced(model, prompt, tokens, 0.7), abs=1e-4)


def test_greedy_is_argmax_and_stops_at_the_limit(tiny):
    model, tok = tiny
    prompt = tok("thus", add_special_tokens=False)["input_ids"]
    (tokens, logps), = sample_batch(model, [prompt], temperature=0, max_new_tokens=3, eos_ids=[tok.eos_token_id],
                                    pad_id=tok.pad_token_id)
    ids = list(prompt)
    for t in tokens:
        with torch.no_grad():
            assert int(model(input_ids=torch.tensor([ids])).logits[0, -1].argmax()) == t
        ids.append(t)
    assert len(tokens) == 3 or tokens[-1] == tok.eos_token_id
    assert sample_batch(model, [prompt], temperature=1.0, max_new_tokens=0, eos_ids=[], pad_id=0) == [([], [])]


def test_top_p_keeps_only_the_nucleus(tiny):
    model, tok = tiny
    prompt = tok("the", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        probs = torch.softmax(model(input_ids=torch.tensor([prompt])).logits[0, -1].float(), -1)
    order = probs.argsort(descending=True)
    nucleus = set(order[: int((probs[order].cumsum(0) < 0.5).sum()) + 1].tolist())
    torch.manual_seed(1)
    res = sample_batch(model, [prompt] * 64, temperature=1.0, top_p=0.5, max_new_tokens=1, eos_ids=[],
                       pad_id=tok.pad_token_id)
    assert {r[0][0] for r in res} <= nucleus


@pytest.mark.verl
def test_registered_in_both_verl_registries():
    pytest.importorskip("verl")
    import subprocess
    import sys

    code = ("import verl\nfrom verl.workers.rollout.base import get_rollout_class\n"
            "from verl.workers.rollout.replica import RolloutReplicaRegistry\n"
            "print(get_rollout_class('hf').__name__, RolloutReplicaRegistry.get('hf').__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split()[-2:] == ["HFServerAdapter", "HFReplica"], out.stderr[-2000:]
