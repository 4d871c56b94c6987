"""The one house style of every table and figure: the figure saver, the TeX escaper, method labels and colours.

    plt()                                matplotlib.pyplot on the headless Agg backend
    save_figure(fig, pdf, png)           both files atomically (PNG at DPI), then close the figure
    tex_escape(text)                     plain text / unicode (β, Δ, −, —) -> LaTeX
    method_label(method)                 a config method mapping -> "RS-GRPO (β=2)", "PKPO (k=4, (k−1)-LOO)"
    tag_label(tag)                       a method tag -> "RS-GRPO (β=2)", "GRPO", "Base"
    run_label(run)                       a run name -> the label of its method tag
    method_color(key, cache)             a stable colour per method (Base grey, GRPO blue, RS-GRPO red, ...)

Labels come from the estimator registry (`rsgrpo.estimators.spec(name).label`) and run names (`rsgrpo.runs`)
only, so a table, a legend and `rsgrpo estimators` always name a method the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

__all__ = ["DPI", "plt", "save_figure", "tex_escape", "method_label", "tag_label", "run_label", "method_color"]

DPI = 150
_BASE_COLORS = {"base": "0.45", "grpo": "tab:blue", "dr_grpo": "tab:cyan", "rs_grpo": "tab:red",
                "chen": "tab:green", "mahdavi": "tab:purple", "tang": "tab:brown", "pkpo": "tab:olive"}
_TEX = (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#"), ("β", r"$\beta$"),
        ("Δ", r"$\Delta$"), ("−", "-"), ("—", "---"))


def plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot


def save_figure(fig, pdf: str | Path, png: str | Path, dpi: int = DPI) -> None:
    """Write the PDF and the PNG atomically (`bbox_inches="tight"`: outside legends stay in frame); close fig."""
    from rsgrpo.io import atomic_path

    for path, kw in ((pdf, {}), (png, {"dpi": dpi})):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, bbox_inches="tight", **kw)
    plt().close(fig)


def tex_escape(s: str) -> str:
    for a, b in _TEX:
        s = s.replace(a, b)
    return s


def _fmt(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def method_label(method: Mapping, full: bool = True) -> str:
    """The mapping's `label`, else the registry label with its parameters: all of them (`full`, defaults
    included: Fig. 8, Table 1) or only those given (a method tag's beta / k: legends)."""
    from rsgrpo import estimators

    if method.get("label"):
        return str(method["label"])
    name = method["estimator"]
    if name == "base":
        return "Base"
    given = dict(method.get("params") or {})
    params = estimators.check_params(name, **given) if full else given
    shown = []
    for key, value in params.items():
        if key == "eps":
            continue
        if key == "beta":
            from rsgrpo.estimators import beta as beta_spec

            shown.append(beta_spec.describe(value))  # 'β=2', or a schedule
        elif key == "variant":
            shown.append(str(value).upper())
        elif key == "baseline":
            shown.append({"none": "no baseline", "loo": "LOO", "loo-1": "(k−1)-LOO"}[value])
        else:
            shown.append(f"{key}={_fmt(value)}")
    base = estimators.spec(name).label
    return f"{base} ({', '.join(shown)})" if shown else base


def tag_label(tag: str) -> str:
    """'rs_grpo-b8' -> 'RS-GRPO (β=8)'; 'chen-k4' -> 'Chen et al. (k=4)'; 'grpo' -> 'GRPO'; 'base' -> 'Base'."""
    from rsgrpo.runs import parse_method_tag

    if tag == "base":
        return "Base"
    name, beta, k = parse_method_tag(tag)
    params = {"beta": beta} if beta is not None else ({"k": k} if k is not None else {})
    return method_label({"estimator": name, "params": params}, full=False)


def run_label(run: str) -> str:
    """'m__d__rs_grpo-b2__s0' -> 'RS-GRPO (β=2)'; 'm__base' -> 'Base'."""
    from rsgrpo.runs import method_tag, parse_run

    r = parse_run(run)
    return "Base" if r.is_base else tag_label(method_tag(r.method, r.beta, r.k))


def method_color(key: str, cache: dict[str, object]) -> object:
    """A stable colour per method tag or run name's tag; `cache` (one per figure) keeps the colours distinct."""
    import matplotlib
    from matplotlib.colors import to_hex

    from rsgrpo.runs import method_tag, parse_method_tag, parse_run

    if "__" in key:  # a run name: its method tag
        r = parse_run(key)
        key = "base" if r.is_base else method_tag(r.method, r.beta, r.k)
    name = "base" if key == "base" else parse_method_tag(key)[0]
    if key not in cache:
        base = _BASE_COLORS.get(name)
        taken = {to_hex(c) for c in cache.values()}  # compare as hex: "#1f77b4" == tab10's (0.12, 0.47, 0.71)
        if base is None or to_hex(base) in taken:
            cycle = [c for c in matplotlib.colormaps["tab10"].colors if to_hex(c) not in taken]
            base = cycle[0] if cycle else "k"
        cache[key] = base
    return cache[key]
