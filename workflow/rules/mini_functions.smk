# Helpers of mini.smk (run list, RL settings, report hand-over), kept apart from its rules.
import re

from rsgrpo.runs import RunName, format_run

MINI = config.get("mini") or {}
MINI_ON = bool(MINI) and config.get("grid", "embedded") != "paper"


def _mini_runs():
    """{run name: method entry} of the trained mini runs (method x seed), in config order."""
    out = {}
    for m in MINI.get("methods", []):
        params = m.get("params") or {}
        for seed in MINI.get("seeds", []):
            name = format_run(RunName(model=MINI["model"], dataset=MINI["dataset"], method=m["estimator"],
                                      beta=params.get("beta"), k=params.get("k"), seed=int(seed)))
            out[name] = {"estimator": m["estimator"], "params": dict(params), "seed": int(seed)}
    return out


def mini_rl(run):
    """RLConfig fields of one trained mini run (config mini.rl + its method, seed and group size)."""
    e = MINI_TRAINED[run]
    rl = {k: v for k, v in MINI.get("rl", {}).items() if k != "wandb"}
    return {**rl, "estimator": e["estimator"], "params": e["params"], "seed": e["seed"],
            "group_size": int(MINI["group_size"])}


if MINI_ON:
    MINI_TRAINED = _mini_runs()
    MINI_BASE = format_run(RunName(model=MINI["model"]))
    MINI_RUNS = [MINI_BASE] + list(MINI_TRAINED)
    MINI_BENCH = MINI["benchmark"]
    MINI_TRAIN_DATA = f"results/data/{MINI['dataset']}_train.parquet"
    MINI_TEST_DATA = f"results/data/{MINI_BENCH}.parquet"
    _MINI_TRAINED_RE = "|".join(re.escape(r) for r in MINI_TRAINED) or "(?!)"
    _MINI_ALL_RE = "|".join(re.escape(r) for r in MINI_RUNS)
    # beta = 0 is the Dr.GRPO limit of RS-GRPO (ALGORITHMS.md §1.4); GRPO (std-normalised) appears in Fig. 6.
    _MINI_BETAS = [0.0] + sorted({float(e["params"]["beta"]) for e in MINI_TRAINED.values()
                                  if e["estimator"] == "rs_grpo" and float(e["params"]["beta"]) > 0})
    _MINI_DYN = {
        "fig5_beta_ablation": {"betas": _MINI_BETAS, "beta0_tag": "dr_grpo"},
        "fig6_baselines": {"methods": list(dict.fromkeys(r.split("__")[2] for r in MINI_TRAINED
                                                         if not r.split("__")[2].startswith("dr_grpo")))},
        "fig_entropy": {"betas": _MINI_BETAS, "beta0_tag": "dr_grpo"},
    }


def mini_fig7_runs():
    """(baseline run, treatment run, [every run of the first seed and the base]) of the mini Fig. 7."""
    f7 = {"baseline": "grpo", "treatment": "rs_grpo-b2", **(MINI.get("fig7") or {})}
    seed = int(MINI["seeds"][0])
    first = {r.split("__")[2]: r for r in MINI_TRAINED if MINI_TRAINED[r]["seed"] == seed}
    for role in ("baseline", "treatment"):
        if f7[role] not in first:
            raise ValueError(f"config mini.fig7.{role}: {f7[role]!r} is not a method tag of the mini runs "
                             f"({', '.join(first)})")
    return first[f7["baseline"]], first[f7["treatment"]], [MINI_BASE] + list(first.values())


if MINI_ON:
    MINI_FIG7_BASELINE, MINI_FIG7_TREATMENT, MINI_FIG7_RUNS = mini_fig7_runs()


# Hand the mini results to the report rules (tables.smk reads these input functions when it builds Table 2,
# Figs. 5/6 and PROVENANCE.md): chain onto any function another stage defined under the same name.
def _chain(name, extra):
    prev = globals().get(name)

    def fn():
        return (list(prev()) if callable(prev) else []) + [p for p in extra() if p]

    globals()[name] = fn
