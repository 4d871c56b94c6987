"""rsgrpo: a reproducibility harness for Risk-Sensitive RL (RS-GRPO, arXiv 2509.24261).

The library holds pure, tested functions, one package per pipeline stage; the Snakemake workflow (`Snakefile`,
`workflow/`) chains them into the paper's experiments. Layers, lowest first (a package imports only packages
below it; `tests/test_repository.py` enforces it, README "Architecture" explains it)::

    runs, io            run names; atomic writes, provenance, results bundles, the results/ layout
    estimators          the advantage-estimator registry and its parameter table
    bandit, data, models   Section 5 bandit + lemmas; benchmarks, training sets, the ops task; the tiny HF model
    eval                sampling backends, grading, pass@k, answer diversity
    train               CPU trainer, SFT, exact validation, the training grid, verl integration (train.verl)
    reports             tables and figures from results/ files
    config              config validation and the config -> jobs expansion used by the workflow
    cli                 the `rsgrpo` command

"""

__version__ = "0.1.0"
