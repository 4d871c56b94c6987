"""Model builders: the tiny Llama-style HF causal LM and offline word-level tokenizer of the CPU experiment
(`tiny`), saved so that transformers, vLLM's CPU build and verl all load it.
May import: rsgrpo.io.
"""
