"""rsgrpo: a reproducibility harness for Risk-Sensitive RL (RS-GRPO, arXiv 2509.24261).

The library (this package) holds pure, tested functions; the Snakemake workflow (`Snakefile`, `workflow/`)
chains them into the paper's experiments. Modules: see DESIGN in the README.
"""

__version__ = "0.1.0"
