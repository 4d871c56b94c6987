"""verl 0.9.1 integration: estimator registration + `RSAlgoConfig` (`plugin`), Hydra overrides (`overrides`), the
Math-Verify reward (`reward`), the metrics.jsonl mirror (`metrics`), one training job (`job`), GPU checks (`gpus`).
May import: what rsgrpo.train may. Importing this package does not import verl (only `plugin` does).
"""

# The module verl imports to register our estimators (entry point `verl.plugins`, VERL_USE_EXTERNAL_MODULES), and
# the config class its `algorithm._target_` names. Here, so that the override builder needs no verl import.
PLUGIN_MODULE = "rsgrpo.train.verl.plugin"
ALGO_CONFIG_TARGET = f"{PLUGIN_MODULE}.RSAlgoConfig"
