"""Model builders (the tiny HF causal LM of the embedded default)."""
