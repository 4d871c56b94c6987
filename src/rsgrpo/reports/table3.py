"""Table 3 (paper App. E): training hyper-parameters, generated from the `train` config section.

    table3_rows(hp, group_size, models) -> list of (hyper-parameter, value, source)
    to_markdown(rows) / to_latex(rows) -> str

The rows the paper prints come first (in its order); then the settings the paper leaves open, marked
"not stated (our choice)", so a reader sees which values are the paper's and which are ours.
"""

from __future__ import annotations

from typing import Any, Mapping

from rsgrpo.reports._style import tex_escape

__all__ = ["table3_rows", "to_markdown", "to_latex"]

PAPER = "Table 3"
OPEN = "not stated (our choice)"


def _num(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def table3_rows(hp: Mapping[str, Any], group_size: int, models: Mapping[str, Mapping] | None = None
                ) -> list[tuple[str, str, str]]:
    """(hyper-parameter, value, source) rows from train.hyperparameters and train.group_size."""
    rows = [
        ("Temperature", _num(hp["temperature"]), PAPER),
        ("Top-p", _num(hp["top_p"]), PAPER),
        ("Learning rate", _num(hp["lr"]), "Table 3 (value not legible; verl/DAPO default)"),
        ("Training prompt batch size", _num(hp["train_batch_size"]), PAPER),
        ("Responses per prompt", _num(group_size), PAPER),
        ("PPO epochs", _num(hp["ppo_epochs"]), PAPER),
        ("PPO mini-batch size (prompts)", _num(hp["ppo_mini_batch_size"]), PAPER),
        ("PPO clip high", _num(hp["clip_ratio_high"]), PAPER),
        ("PPO clip low", _num(hp["clip_ratio_low"]), PAPER),
        ("Entropy loss coefficient", _num(hp["entropy_coeff"]), PAPER),
        ("KL coefficient", _num(hp["kl_coef"]), PAPER),
    ]
    if models:
        lengths = sorted({int(m["max_response_length"]) for m in models.values()})
        for n in lengths:
            names = ", ".join(k for k, m in models.items() if int(m["max_response_length"]) == n)
            rows.append((f"Max response length ({names})", str(n), "App. E"))
    rows += [
        ("Dynamic sampling (drop all-0/all-1 groups)", _num(hp["dynamic_sampling"]), "Sec. 6.1 (DAPO)"),
        ("GRPO divides by group std", _num(hp["norm_adv_by_std_in_grpo"]), OPEN),
        ("KL loss in the actor", _num(hp["use_kl_loss"]), "Table 3 (no KL)"),
        ("Loss aggregation", str(hp["loss_agg_mode"]), OPEN),
        ("Weight decay", _num(hp["weight_decay"]), OPEN),
        ("Warm-up steps", _num(hp["lr_warmup_steps"]), OPEN),
        ("Max prompt length", _num(hp["max_prompt_length"]), OPEN),
        ("Training steps", _num(hp["total_training_steps"]), OPEN),
        ("Validation samples per problem", _num(hp["val_n"]), OPEN),
        ("Validation temperature / top-p", f"{_num(hp['val_temperature'])} / {_num(hp['val_top_p'])}", "App. E"),
    ]
    return rows


def to_markdown(rows: list[tuple[str, str, str]]) -> str:
    out = ["| Hyper-parameter | Value | Source |", "|---|---|---|"]
    out += [f"| {h} | {v} | {s} |" for h, v, s in rows]
    return "\n".join(out) + "\n"



def to_latex(rows: list[tuple[str, str, str]]) -> str:
    lines = [r"\begin{tabular}{lll}", r"\toprule", r"Hyper-parameter & Value & Source \\", r"\midrule"]
    lines += [f"{tex_escape(h)} & {tex_escape(v)} & {tex_escape(s)} \\\\" for h, v, s in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"
