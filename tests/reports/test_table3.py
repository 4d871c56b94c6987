"""rsgrpo.reports.table3: Table 3 regenerated from the paper config."""

from rsgrpo.reports import table3
from rsgrpo.train import grid as traingrid


def test_table3_from_config(paper):
    hp = traingrid.hyperparameters(paper["train"])
    rows = table3.table3_rows(hp, hp["group_size"], paper["train"]["models"])
    d = {h: v for h, v, _ in rows}
    assert d["Training prompt batch size"] == "512" and d["Responses per prompt"] == "16"
    assert d["PPO clip high"] == "0.28" and d["PPO clip low"] == "0.2" and d["KL coefficient"] == "0"
    assert d["Learning rate"] == "1e-06"
    md, tex = table3.to_markdown(rows), table3.to_latex(rows)
    assert md.count("\n") == len(rows) + 2 and "| PPO epochs | 1 | Table 3 |" in md
    assert "\\begin{tabular}" in tex and "qwen25-math-1.5b" in md
