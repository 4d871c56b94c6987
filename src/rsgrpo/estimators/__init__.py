"""Advantage estimators: the registry (GRPO, Dr.GRPO, RS-GRPO, Chen, Mahdavi, Tang, PKPO) and its parameter table.
`(num_prompts, group_size)` rewards in and advantages out; math in docs/algorithms.md §1-§4. The registry (names,
parameters, checks) is plain Python; the torch kernels (rsgrpo.estimators.kernels) load on the first `compute`.
May import: nothing else of rsgrpo.
"""

from rsgrpo.estimators.registry import EstimatorSpec, Param, available, binomial, check_params, compute, spec

__all__ = ["compute", "available", "spec", "check_params", "EstimatorSpec", "Param", "binomial"]
