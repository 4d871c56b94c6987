"""Training: the compact CPU RL trainer (`rsgrpo.train.cpu`) and SFT of the tiny base model (`rsgrpo.train.sft`)."""
