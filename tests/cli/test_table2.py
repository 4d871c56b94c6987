"""`rsgrpo table2` writes the same table2.{csv,md,tex} as the Snakemake rule, byte for byte (issue 15)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rsgrpo.cli import main
from rsgrpo.io.cache import export_bundle
from rsgrpo.reports.synthetic import PAPER_GRID, make_synthetic_cache

SNAKEMAKE = Path(sys.executable).with_name("snakemake")
FILES = ("table2.csv", "table2.md", "table2.tex")


@pytest.fixture(scope="module")
def laptop(tmp_path_factory, copy_workflow):
    """A workflow copy holding a synthetic cache of part of the paper grid, with the rule's table2 built."""
    d = copy_workflow(tmp_path_factory.mktemp("t2") / "laptop", subs=("workflow", "config"))
    make_synthetic_cache(d / "results", grid=PAPER_GRID[:4])
    proc = subprocess.run([str(SNAKEMAKE), "--cores", "1", "table2", "--configfile", "config/paper.yaml",
                           "--config", "report={source: results}"], cwd=d, capture_output=True, text=True,
                          env={**os.environ, "WANDB_MODE": "disabled"}, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    return d


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")
def test_cli_table2_equals_the_rule_output(laptop, monkeypatch, capsys):
    monkeypatch.chdir(laptop)
    assert main(["table2", "-o", "cli_out"]) == 0
    assert "rows" in capsys.readouterr().out
    for name in FILES:
        assert (laptop / "cli_out" / name).read_bytes() == (laptop / "paper_figures" / name).read_bytes(), name


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")
def test_cli_table2_from_a_bundle_equals_the_rule_output(laptop, tmp_path, monkeypatch):
    bundle = tmp_path / "cache.tar.gz"
    export_bundle(laptop / "results", bundle)
    monkeypatch.chdir(laptop)
    assert main(["table2", "--cache", str(bundle), "--results", "does-not-matter", "-o", str(tmp_path / "o")]) == 0
    for name in FILES:
        assert (tmp_path / "o" / name).read_bytes() == (laptop / "paper_figures" / name).read_bytes(), name


def test_cli_table2_without_results_says_what_is_missing(tmp_path, monkeypatch, capsys, root):
    monkeypatch.chdir(root)
    assert main(["table2", "--results", str(tmp_path / "empty"), "-o", str(tmp_path / "o")]) == 2
    assert "no {run}/{benchmark}/counts.parquet under" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
