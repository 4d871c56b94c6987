"""The shipped Snakemake profiles (rsgrpo.cli.profile): package copy == repository copy, `rsgrpo profile install`,
and `snakemake --profile slurm` finding the installed profile (dry run; no Slurm needed)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rsgrpo.cli import profile as profiles
from rsgrpo.cli import main as rsgrpo_main


ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def test_shipped_profile_is_identical_to_the_repository_profile():
    repo = ROOT / "profiles" / "slurm"
    shipped = profiles.shipped_dir("slurm")
    names = sorted(p.name for p in repo.iterdir() if p.is_file())
    assert names == sorted(p.name for p in shipped.iterdir() if p.is_file())
    for name in names:
        assert (shipped / name).read_bytes() == (repo / name).read_bytes(), (
            f"src/rsgrpo/profiles_data/slurm/{name} differs from profiles/slurm/{name}: copy one over the other"
        )


def test_slurm_profile_is_a_cluster_profile():
    """Cluster things only (executor, status, account/partition); per-rule GPUs stay in the workflow profile."""
    cfg = yaml.safe_load((ROOT / "profiles" / "slurm" / "config.yaml").read_text())
    assert cfg["executor"] == "slurm"
    assert cfg["retries"] >= 1 and cfg["jobs"] >= 1 and cfg["latency-wait"] >= 5
    assert cfg["slurm-status-command"] in ("squeue", "sacct")
    # account and partition from the environment (YTE `?if` blocks, evaluated by Snakemake when it starts)
    blocks = {k: v for k, v in cfg["default-resources"].items() if k.startswith("?if")}
    assert any("RSGRPO_SLURM_ACCOUNT" in k and "slurm_account" in v for k, v in blocks.items()), blocks
    assert any("RSGRPO_SLURM_PARTITION" in k and "slurm_partition" in v for k, v in blocks.items()), blocks
    assert "set-resources" not in cfg, "per-rule resources belong in profiles/default/config.yaml"
    text = (ROOT / "profiles" / "slurm" / "config.yaml").read_text()
    assert "slurm_extra" not in re.sub(r"#.*", "", text), "managed flags must not go through slurm_extra"


def test_available_lists_slurm_and_unknown_names_fail():
    assert "slurm" in profiles.available()
    for bad in ("nope", "../slurm", "", ".hidden"):
        with pytest.raises(ValueError, match="no shipped Snakemake profile"):
            profiles.shipped_dir(bad)


def test_user_profile_root_follows_xdg():
    assert profiles.user_profile_root({"XDG_CONFIG_HOME": "/x/cfg", "HOME": "/h"}) == Path("/x/cfg/snakemake")
    assert profiles.user_profile_root({"HOME": "/h"}) == Path("/h/.config/snakemake")
    # relative XDG values are invalid per the spec and ignored
    assert profiles.user_profile_root({"XDG_CONFIG_HOME": "rel", "HOME": "/h"}) == Path("/h/.config/snakemake")


def test_install_copies_and_refuses_to_clobber_edits(tmp_path):
    dest = profiles.install("slurm", tmp_path)
    assert dest == tmp_path / "slurm"
    assert (dest / "config.yaml").read_bytes() == (ROOT / "profiles" / "slurm" / "config.yaml").read_bytes()
    profiles.install("slurm", tmp_path)  # identical: a no-op, no error
    (dest / "config.yaml").write_text((dest / "config.yaml").read_text() + "# my account\n")
    with pytest.raises(ValueError, match="differs from the shipped profile"):
        profiles.install("slurm", tmp_path)
    assert (dest / "config.yaml").read_text().endswith("# my account\n")  # untouched
    profiles.install("slurm", tmp_path, force=True)
    assert (dest / "config.yaml").read_bytes() == (ROOT / "profiles" / "slurm" / "config.yaml").read_bytes()


def test_cli_install_default_destination_is_xdg(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert rsgrpo_main(["profile", "install", "slurm"]) == 0
    assert (tmp_path / "cfg" / "snakemake" / "slurm" / "config.yaml").is_file()
    assert "--profile slurm" in capsys.readouterr().out
    assert rsgrpo_main(["profile", "install", "slurm", "--dest", str(tmp_path / "d")]) == 0
    assert (tmp_path / "d" / "slurm" / "config.yaml").is_file()
    assert rsgrpo_main(["profile", "install", "nope"]) == 2
    assert "no shipped Snakemake profile named 'nope'" in capsys.readouterr().err


def test_cli_module_imports_stay_light():
    code = "import sys, rsgrpo.cli, rsgrpo.cli.profile; print(sorted(m for m in ('torch','pandas','snakemake') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _env_without_slurm_conf_trap(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SNAKEMAKE_"))}
    env.update(extra)
    return env


def _workflow_with_installed_slurm_profile(tmp_path, copy_workflow, **extra_env):
    """A copy of the workflow without profiles/slurm, and the env in which `rsgrpo profile install slurm` put the
    cluster profile under XDG_CONFIG_HOME (so only the installed copy can be found)."""
    work = copy_workflow(tmp_path / "wf")
    shutil.rmtree(work / "profiles" / "slurm")
    env = _env_without_slurm_conf_trap(XDG_CONFIG_HOME=str(tmp_path / "cfg"), **extra_env)
    subprocess.run([sys.executable, "-m", "rsgrpo.cli", "profile", "install", "slurm"], env=env, check=True,
                   capture_output=True)
    return work, env


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")
def test_snakemake_finds_the_installed_profile_and_combines_it_with_the_workflow_profile(tmp_path, copy_workflow):
    """`snakemake --profile slurm` after `rsgrpo profile install slurm` (XDG_CONFIG_HOME in a temp dir): the
    dry run uses the Slurm executor, and profiles/default (applied automatically) still sets train_verl's GPUs."""
    work, env = _workflow_with_installed_slurm_profile(tmp_path, copy_workflow, RSGRPO_SLURM_ACCOUNT="acct-from-env",
                                                       RSGRPO_SLURM_PARTITION="cpu-from-env")
    proc = subprocess.run(
        [str(SNAKEMAKE), "-n", "--cores", "all", "--profile", "slurm", "fig2_rs_advantage", "--forceall"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "fig2_rs_advantage" in out
    assert re.search(r"slurm_account=acct-from-env", out) and "slurm_partition=cpu-from-env" in out, out[-3000:]


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake is not installed in this environment")
def test_dry_run_of_the_paper_grid_through_the_installed_profile(tmp_path, copy_workflow):
    """`snakemake -n --profile slurm --configfile config/paper.yaml` lists one train_verl job per grid run, with
    the workflow profile's GPU count and the GPU partition/model from the environment on the GPU rule only."""
    from rsgrpo.train import grid as traingrid

    work, env = _workflow_with_installed_slurm_profile(tmp_path, copy_workflow, RSGRPO_SLURM_PARTITION="cpu-part",
                                                       RSGRPO_SLURM_GPU_PARTITION="gpu-part",
                                                       RSGRPO_SLURM_GPU_MODEL="h100")
    proc = subprocess.run([str(SNAKEMAKE), "-n", "--profile", "slurm", "--configfile", "config/paper.yaml"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    paper = yaml.safe_load((ROOT / "config" / "paper.yaml").read_text())
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", out, flags=re.M))
    assert int(jobs["train_verl"]) == len(traingrid.expand(paper["train"])) > 20, out[-3000:]
    wanted = yaml.safe_load((ROOT / "profiles" / "default" / "config.yaml").read_text())["set-resources"]["train_verl"]
    blocks = re.split(r"\n(?=\[|rule |localrule )", out)
    train = [b for b in blocks if b.startswith("rule train_verl:")]
    assert train and all(f"gpu={wanted['gpu']}" in b and "slurm_partition=gpu-part" in b and "gpu_model=h100" in b
                         for b in train), train[:1]
    cpu = [b for b in blocks if b.startswith("rule training_data:")]
    assert cpu and all("slurm_partition=cpu-part" in b and "gpu=" not in b for b in cpu), cpu[:1]

