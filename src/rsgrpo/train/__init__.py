"""Training: the compact CPU RL trainer (`cpu`), SFT of the tiny base model (`sft`), exact validation (`exact`),
the training grid as data (`grid`) and the verl 0.9.1 integration (`train.verl`; imports verl only there).
May import: rsgrpo.estimators, rsgrpo.data, rsgrpo.models, rsgrpo.eval (rewards, validation pass@k), rsgrpo.io, rsgrpo.runs.
"""
