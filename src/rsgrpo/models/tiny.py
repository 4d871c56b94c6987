"""A tiny real Hugging Face causal LM with an offline word-level tokenizer (the embedded default's model).

    build_tokenizer(words) -> PreTrainedTokenizerFast    WordLevel over `words` + <pad>, <unk>, </s>
    build_model(tokenizer, arch='qwen2', ...) -> Qwen2ForCausalLM | LlamaForCausalLM   (~0.1-0.5 M params)
    save_pretrained_atomic(model, tokenizer, directory)   HF format; the directory appears whole or not at all
    load(directory) -> (model, tokenizer)

The tokenizer splits on whitespace only, so each task word (``T1``, ``7``, ``=``, ``sub``, ``\\boxed{14}``) is
one token; decoding joins tokens with spaces. It carries a trivial chat template (the concatenated message
contents, no role markers, nothing added for the generation prompt), so verl's and vLLM's chat rendering give
the same prompt as plain tokenisation. Nothing is downloaded: transformers, vLLM's CPU build and verl load the
saved directory like any hub checkpoint.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SPECIAL_TOKENS", "CHAT_TEMPLATE", "build_tokenizer", "model_config", "build_model",
           "save_pretrained_atomic", "load", "num_parameters"]

PAD, UNK, EOS = "<pad>", "<unk>", "</s>"
SPECIAL_TOKENS = (PAD, UNK, EOS)
CHAT_TEMPLATE = "{% for message in messages %}{{ message['content'] }}{% endfor %}"


def build_tokenizer(words: list[str]):
    """A PreTrainedTokenizerFast: WordLevel vocab = special tokens (ids 0, 1, 2) + `words` in order."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    if len(set(words)) != len(words):
        raise ValueError("tokenizer words must be unique")
    bad = [w for w in words if not w or any(ch.isspace() for ch in w) or w in SPECIAL_TOKENS]
    if bad:
        raise ValueError(f"tokenizer words must be non-empty, without whitespace, not special: {bad[:5]}")
    vocab = {tok: i for i, tok in enumerate(list(SPECIAL_TOKENS) + list(words))}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with single spaces
    tok = PreTrainedTokenizerFast(tokenizer_object=core, pad_token=PAD, unk_token=UNK, eos_token=EOS,
                                  bos_token=None, clean_up_tokenization_spaces=False)
    tok.chat_template = CHAT_TEMPLATE
    tok.padding_side = "left"  # generation batches pad on the left
    return tok


def model_config(vocab_size: int, pad_id: int, eos_id: int, arch: str = "qwen2", hidden: int = 64,
                 layers: int = 2, heads: int = 4, intermediate: int = 256, max_positions: int = 32):
    """A transformers config for a tiny pre-LN decoder (RoPE positions; tied input/output embeddings)."""
    from transformers import LlamaConfig, Qwen2Config

    common = dict(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                  num_key_value_heads=heads, intermediate_size=intermediate, max_position_embeddings=max_positions,
                  tie_word_embeddings=True, pad_token_id=pad_id, eos_token_id=eos_id, bos_token_id=None,
                  rms_norm_eps=1e-6, torch_dtype="float32")
    if arch == "qwen2":
        return Qwen2Config(**common, use_sliding_window=False)
    if arch == "llama":
        return LlamaConfig(**common)
    raise ValueError(f"unknown tiny model arch {arch!r}; use 'qwen2' or 'llama'")


def build_model(tokenizer, arch: str = "qwen2", seed: int = 0, **config: Any):
    """A randomly initialised causal LM sized by `config` (see model_config) for `tokenizer`."""
    import torch
    from transformers import AutoModelForCausalLM

    cfg = model_config(len(tokenizer), tokenizer.pad_token_id, tokenizer.eos_token_id, arch=arch, **config)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.bos_token_id = None
    return model


def num_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


def save_pretrained_atomic(model, tokenizer, directory: str | os.PathLike,
                           extra_json: dict[str, Any] | None = None) -> Path:
    """save_pretrained model + tokenizer (+ `extra_json` {file name: object}) into a temp dir next to
    `directory`, then swap it in by rename."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        for name, obj in (extra_json or {}).items():
            (tmp / name).write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old.{os.getpid()}")
            os.replace(directory, old)
        os.replace(tmp, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return directory


def load(directory: str | os.PathLike):
    """(model, tokenizer) from a saved directory; float32, eval mode, on CPU."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    directory = Path(directory)
    if not (directory / "config.json").exists():
        raise ValueError(f"not a saved model directory (no config.json): {directory}")
    tok = AutoTokenizer.from_pretrained(directory)
    model = AutoModelForCausalLM.from_pretrained(directory, torch_dtype=torch.float32)
    model.eval()
    return model, tok
