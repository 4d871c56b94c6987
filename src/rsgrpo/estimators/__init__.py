"""Advantage estimators: the registry (GRPO, Dr.GRPO, RS-GRPO, Chen, Mahdavi, Tang, PKPO), parameters, β schedules.
`(num_prompts, group_size)` rewards in and advantages out; math in docs/algorithms.md §1-§4 and §1.8 (schedules).
May import: nothing else of rsgrpo.

The registry (names, parameters, checks) and the schedules (rsgrpo.estimators.beta) are plain Python; the torch
kernels (rsgrpo.estimators.kernels) load on the first `compute`.
"""

from rsgrpo.estimators.registry import EstimatorSpec, Param, available, binomial, check_params, compute, spec

__all__ = ["compute", "available", "spec", "check_params", "EstimatorSpec", "Param", "binomial"]
