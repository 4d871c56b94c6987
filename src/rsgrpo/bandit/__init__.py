"""Section 5 of the paper: the vectorised 100-armed bandit (`experiment`) and the exact Lemma 2-4 checks (`lemmas`).
Setup in docs/algorithms.md §8-§9. `rsgrpo.bandit.run(BanditConfig(...))` is the experiment's entry point.
May import: rsgrpo.estimators, rsgrpo.io, rsgrpo.runs.
"""

from rsgrpo.bandit.experiment import *  # noqa: F401,F403  (the experiment's public API: BanditConfig, run, ...)
from rsgrpo.bandit.experiment import __all__  # noqa: F401
