"""verl 0.9.1 integration: estimator registration + `RSAlgoConfig` (`plugin`), Hydra overrides (`overrides`), the
Math-Verify reward (`reward`), the metrics.jsonl mirror (`metrics`), one training job (`job`), GPU checks (`gpus`).
May import: what rsgrpo.train may. Importing this package does not import verl (only `plugin` does).
"""

# The module verl imports to register our estimators (entry point `verl.plugins`, VERL_USE_EXTERNAL_MODULES), and
# the config class its `algorithm._target_` names. Here, so that the override builder needs no verl import.
PLUGIN_MODULE = "rsgrpo.train.verl.plugin"
ALGO_CONFIG_TARGET = f"{PLUGIN_MODULE}.RSAlgoConfig"
# The `hf` rollout's names in verl's two rollout registries (rsgrpo.train.verl.rollout_hf), here so that the
# plugin registers it without importing the module until a run selects it.
HF_ROLLOUT = "hf"
HF_ROLLOUT_ADAPTER = "rsgrpo.train.verl.rollout_hf.HFServerAdapter"
# Where verl runs (config train.verl, workflow/schemas/config.schema.yaml): the schema's defaults, for job
# descriptions not validated by it (tests, the library).
VERL_DEFAULTS = {"device": "cuda", "rollout": "vllm", "cpu_processes": 1, "ray_num_cpus": 16}
