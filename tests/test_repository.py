"""The repository as a newcomer reads it: the library's import graph points down the pipeline only, the
library knows nothing of Snakemake or W&B, every package says what it may import, every citation names a
document of this repository (and a section that exists), and the workflow has no cross-file tricks."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "rsgrpo"

# Each package and what it may import of rsgrpo (its own modules always). This table and the "May import:"
# line of each package's __init__ docstring say the same thing; test_docstrings_state_the_layers checks it.
STAGES = ("estimators", "bandit", "data", "models", "eval", "train", "reports", "config")
ALLOWED = {
    "runs": {"estimators"}, "io": set(), "estimators": set(),  # runs: β schedule tags (rsgrpo.estimators.beta)
    "bandit": {"estimators", "io", "runs"},
    "data": {"io", "runs"},
    "models": {"io"},
    "eval": {"data", "models", "io", "runs"},
    "train": {"estimators", "data", "models", "eval", "io", "runs"},
    "reports": {"estimators", "bandit", "eval", "io", "runs"},
    "config": {"runs", "io", "estimators", "bandit", "data", "models", "eval", "train"},
    "cli": {"runs", "io", *STAGES},
}
SUBPACKAGES = {"eval.grading": {"io"}}  # stricter than their package
FORBIDDEN_THIRD_PARTY = ("snakemake", "wandb")  # the workflow's business (workflow/lib, workflow/scripts)
SMALL_TOP_LEVEL_MODULES = {"__init__", "runs"}  # shared modules beside the packages


def _module_name(path: Path, src: Path = SRC) -> str:
    rel = path.relative_to(src.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, src: Path = SRC) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file, lazy ones inside functions included."""
    mod = _module_name(path, src)
    package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((node.lineno, name))
            out += [(node.lineno, f"{name}.{a.name}") for a in node.names
                    if (src.parent / name.replace(".", "/") / f"{a.name}.py").exists()]
    return out


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_library_modules_and_packages():
    top = {p.stem for p in SRC.glob("*.py")}
    assert top <= SMALL_TOP_LEVEL_MODULES, f"top-level modules beyond the shared ones: {sorted(top - SMALL_TOP_LEVEL_MODULES)}"
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")}
    assert packages == set(ALLOWED) - {"runs"}, packages


def _violations(src: Path = SRC) -> list[str]:
    bad = []
    for path in sorted(src.rglob("*.py")):
        me = _module_name(path, src)
        layer = _layer(me)
        sub = next((s for s in SUBPACKAGES if me == f"rsgrpo.{s}" or me.startswith(f"rsgrpo.{s}.")), None)
        for line, name in _imports(path, src):
            where = f"{path.relative_to(src.parent)}:{line} imports {name}"
            if name.split(".")[0] in FORBIDDEN_THIRD_PARTY:
                bad.append(f"{where} (the library knows nothing of {name.split('.')[0]})")
            if not name.startswith("rsgrpo.") or not layer:
                continue
            target = _layer(name)
            if target != layer and target not in ALLOWED[layer]:
                bad.append(f"{where} ({layer} may import only {sorted(ALLOWED[layer]) or 'nothing of rsgrpo'})")
            if sub and not (name.startswith(f"rsgrpo.{sub}") or target in SUBPACKAGES[sub]):
                bad.append(f"{where} (rsgrpo.{sub} may import only {sorted(SUBPACKAGES[sub])} and itself)")
    return bad


def test_imports_point_down_the_pipeline():
    assert len([n for p in SRC.rglob("*.py") for _, n in _imports(p) if n.startswith("rsgrpo.")]) > 100
    bad = _violations()
    assert not bad, "\n".join(bad)


def test_the_import_check_can_fail(tmp_path):
    """A lazy upward import (eval -> train), a relative one (eval -> config), snakemake, and grading -> passk."""
    pkg = tmp_path / "rsgrpo" / "eval" / "grading"
    pkg.mkdir(parents=True)
    (pkg / "bad.py").write_text("def g():\n    from rsgrpo.train import cpu\n    from ...config import jobs\n"
                                "    import snakemake\n    from rsgrpo.eval import passk\n")
    bad = _violations(tmp_path / "rsgrpo")
    assert len(bad) == 6, bad  # train and config break both rules; snakemake; passk breaks grading's
    assert any("imports rsgrpo.config" in b for b in bad) and any("knows nothing of snakemake" in b for b in bad)


def _may_import(package: str) -> str:
    doc = ast.get_docstring(ast.parse((SRC / package / "__init__.py").read_text())) or ""
    lines = doc.strip().splitlines()
    assert len(lines) >= 3 and lines[2].startswith("May import:"), f"rsgrpo.{package}: third docstring line must say 'May import:'"
    return lines[2]


@pytest.mark.parametrize("package", sorted(set(ALLOWED) - {"runs", "cli", "config"}))
def test_docstrings_state_the_layers(package):
    line = _may_import(package)
    stated = set(re.findall(r"rsgrpo\.(\w+)", line.split("(")[0] if package != "train" else line)) - {package}
    if "nothing else of rsgrpo" in line:
        stated = set()
    if line.startswith("May import: what rsgrpo."):
        return
    assert stated == ALLOWED[package], f"rsgrpo.{package}: docstring says {sorted(stated)}, the check enforces {sorted(ALLOWED[package])}"


def test_cli_and_config_docstrings():
    assert "anything in rsgrpo" in _may_import("cli")
    assert "except rsgrpo.reports" in _may_import("config") and "reports" not in ALLOWED["config"]


# --- citations -------------------------------------------------------------------------------------------
# The project's notes were written from reference documents that a user of the repository does not have; they
# now live in docs/. A citation names docs/<file>.md and, optionally, a section number that must exist there.
OUTSIDE_NOTES = re.compile(r"\b(ALGORITHMS|VERL|DATA_AND_EVAL|FEASIBILITY|MINI_EXPERIMENT|HARNESS_STYLE|DESIGN)\.md\b"
                           r"|\b(ALGORITHMS|DATA_AND_EVAL|FEASIBILITY|MINI_EXPERIMENT|HARNESS_STYLE) §|shared/reference")
CITE = re.compile(r"(?<![\w/.-])docs/([a-z_]+)\.md(?: §(\d+(?:\.\d+)?))?")
REPO_CITE = re.compile(r"[\w-]+/[\w.-]+: `?$")  # `owner/repo: docs/x.md` is another repository's file


def _text_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    for f in out:
        p = ROOT / f
        if p.suffix in {".py", ".md", ".smk", ".yaml", ".yml", ".rst", ".sh", ".toml", ".txt", ".cfg"} \
                or p.name in {"Snakefile", "run"}:
            if p.is_file():
                yield p


def _sections(doc: Path) -> set[str]:
    return set(re.findall(r"^#{2,4} (\d+(?:\.\d+)*)[. ]", doc.read_text(), flags=re.M))


def test_no_citation_names_a_missing_document():
    bad = []
    for p in _text_files():
        if p == Path(__file__):
            continue
        text = p.read_text(errors="replace")
        for m in OUTSIDE_NOTES.finditer(text):
            bad.append(f"{p.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)} is not in the repository")
        for m in CITE.finditer(text):
            line = text[text.rfind("\n", 0, m.start()) + 1: m.start()]
            if REPO_CITE.search(line):
                continue
            doc = ROOT / "docs" / f"{m.group(1)}.md"
            where = f"{p.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
            if not doc.exists():
                bad.append(f"{where}: no such document")
            elif m.group(2) and m.group(2) not in _sections(doc):
                bad.append(f"{where}: no section {m.group(2)} in docs/{m.group(1)}.md")
    assert not bad, "\n".join(bad)


def test_docs_index_lists_every_document():
    index = (ROOT / "docs" / "README.md").read_text()
    missing = [d.name for d in (ROOT / "docs").glob("*.md") if d.name != "README.md" and d.name not in index]
    assert not missing, f"docs/README.md does not list {missing}"


# --- the workflow ----------------------------------------------------------------------------------------

def test_workflow_has_no_cross_file_tricks():
    bad = []
    for p in sorted((ROOT / "workflow").rglob("*")):
        if p.suffix not in (".smk", ".py") or "__pycache__" in p.parts:
            continue
        for i, line in enumerate(p.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"\bglobals\(\)|\bdir\(rules\)|\bsys\.exit\(", code) or \
                    (p.suffix == ".smk" and re.search(r"^\s*ruleorder\b", code)):
                bad.append(f"{p.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_rule_files_by_stage():
    rules = {p.stem for p in (ROOT / "workflow" / "rules").glob("*.smk")}
    assert rules == {"common", "bandit", "data", "train", "eval", "report", "studies"}
    snakefile = (ROOT / "Snakefile").read_text()
    assert re.findall(r'^include: "workflow/rules/(\w+)\.smk"', snakefile, flags=re.M) == \
        ["common", "bandit", "data", "train", "eval", "report", "studies"]
