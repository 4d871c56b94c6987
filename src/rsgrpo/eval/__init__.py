"""Evaluation: n-sample generation (`sampling`: hf and vllm backends, shards, merge), grading (`grading`:
extraction, dedup, Math-Verify in killable workers), unbiased pass@k with CIs (`passk`), answer diversity.
May import: rsgrpo.data, rsgrpo.models, rsgrpo.io, rsgrpo.runs (never rsgrpo.train: evaluation cannot tell trainers apart).
"""
