"""Table 1 of the paper (property comparison), every tick DERIVED by probing the estimator registry.

Columns (docs/algorithms.md §4, Table 1):

* binary     - `compute` accepts binary groups (every c = 0..N correct) and returns finite advantages;
* continuous - `compute` accepts a group of continuous rewards (a uniform grid in [0, 1]) without ValueError;
* dense      - the advantage is non-zero for EVERY binary group whose accuracy c/N lies above 1 - k/N (and
               below 1), i.e. the learning signal does not vanish on prompts the policy already solves often.
               k is the method's own k; methods without one are probed with `k_probe` (default: the largest
               k of the configured methods).

Nothing is hard-coded: a change in the registry changes the table.

    probe(method, group_size, k)      -> dict(binary=bool, continuous=bool, dense=bool)
    table1_rows(methods, group_size)  -> list of dict rows (label, estimator, k, binary, continuous, dense)
    to_markdown(rows, ...), to_latex(rows, ...), write_table1(rows, md, tex, ...)
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from rsgrpo.reports._style import tex_escape

__all__ = ["COLUMNS", "probe", "table1_rows", "to_markdown", "to_latex", "write_table1"]

COLUMNS = (("binary", "Binary reward"), ("continuous", "Continuous reward"),
           ("dense", "Dense signal above accuracy 1 − k/N"))


def _compute(method: Mapping, rewards: np.ndarray) -> np.ndarray:
    import torch

    from rsgrpo import estimators

    return estimators.compute(method["estimator"], torch.tensor(rewards, dtype=torch.float64),
                              **(method.get("params") or {})).numpy()


def probe(method: Mapping, group_size: int, k: int) -> dict[str, bool]:
    """Probe one method of the registry. Errors other than ValueError (a rejected input) propagate."""
    n = int(group_size)
    c = np.arange(n + 1)
    binary = (np.arange(n)[None, :] < c[:, None]).astype(np.float64)  # (N+1, N), row c has c correct
    try:
        a_bin = _compute(method, binary)
        ok_binary = bool(np.isfinite(a_bin).all())
    except ValueError:
        a_bin, ok_binary = None, False
    try:
        ok_cont = bool(np.isfinite(_compute(method, np.linspace(0.0, 1.0, n)[None, :])).all())
    except ValueError:
        ok_cont = False
    high = [ci for ci in range(1, n) if ci / n > 1 - k / n]  # accuracies above the pass@k threshold
    dense = ok_binary and bool(high) and all(bool(np.any(a_bin[ci] != 0)) for ci in high)
    return {"binary": ok_binary, "continuous": ok_cont, "dense": dense}


def table1_rows(methods: Sequence[Mapping], group_size: int, k_probe: int | None = None) -> list[dict]:
    """One row per configured method: label, estimator, the k probed, and the three derived properties."""
    from rsgrpo.reports.advantage_figures import method_k
    from rsgrpo.reports._style import method_label

    ks = [k for k in (method_k(m) for m in methods) if k is not None]
    if k_probe is None:
        if not ks:
            raise ValueError("table1: no configured method has a k; pass k_probe explicitly")
        k_probe = max(ks)
    rows = []
    for m in methods:
        k = method_k(m) or int(k_probe)
        rows.append({"label": method_label(m), "estimator": m["estimator"], "k": k, **probe(m, group_size, k)})
    return rows


def _tick(v: bool, tex: bool = False) -> str:
    if tex:
        return r"\cmark" if v else r"\xmark"
    return "✓" if v else "✗"


def to_markdown(rows: Sequence[Mapping], group_size: int) -> str:
    head = "| Method | k probed | " + " | ".join(name for _, name in COLUMNS) + " |"
    lines = [
        f"Table 1 (paper): properties of the advantage estimators, derived by probing `rsgrpo.estimators` "
        f"(group size N = {group_size}; k per row).",
        "",
        head,
        "|---|---|" + "---|" * len(COLUMNS),
    ]
    for r in rows:
        lines.append(f"| {r['label']} | {r['k']} | " + " | ".join(_tick(r[c]) for c, _ in COLUMNS) + " |")
    return "\n".join(lines) + "\n"



def to_latex(rows: Sequence[Mapping], group_size: int) -> str:
    lines = [
        "% Table 1 (paper): derived by probing rsgrpo.estimators; needs \\usepackage{amssymb,booktabs}.",
        r"\providecommand{\cmark}{$\checkmark$}",
        r"\providecommand{\xmark}{$\times$}",
        r"\begin{tabular}{lc" + "c" * len(COLUMNS) + "}",
        r"\toprule",
        "Method & $k$ probed & Binary reward & Continuous reward & Dense signal above $1-k/N$ \\\\",
        r"\midrule",
    ]
    for r in rows:
        cells = " & ".join(_tick(r[c], tex=True) for c, _ in COLUMNS)
        lines.append(f"{tex_escape(r['label'])} & {r['k']} & {cells} \\\\")
    lines += [r"\bottomrule", r"\end{tabular}", f"% group size N = {group_size}"]
    return "\n".join(lines) + "\n"


def write_table1(rows: Sequence[Mapping], md: str | Path, tex: str | Path, group_size: int) -> None:
    from rsgrpo.io import atomic_write_text

    atomic_write_text(md, to_markdown(rows, group_size))
    atomic_write_text(tex, to_latex(rows, group_size))
