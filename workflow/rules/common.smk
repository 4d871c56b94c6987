# Helpers only (no rules): the validated config as jobs, shared names and the default target.
# Everything config -> job lives in the library (rsgrpo.config.jobs, rsgrpo.config.report); this file only
# binds it to Snakemake (wildcard constraints, the results-mode file scan, the target list).
import os
import re

import configs  # workflow/lib/configs.py

from rsgrpo.config.report import DYNAMICS, Selection, present_files
from rsgrpo.io import paths

# The software environment of every step (relative to workflow/rules/); see environment.yml.
CONDA_ENV = "../../environment.yml"

# A bad config stops here with one line naming the key, before any job.
JOBS = configs.load(config, workflow.overwrite_configfiles, workflow.basedir,
                    dict(workflow.config_settings.config))  # the --config values only (not --configfile's)
REPORT = JOBS.report
# The bandit section's rsgrpo.bandit.BanditConfig fields (not its figure / lemma settings): bandit_run, lemma_checks
# and the studies' bandit runs (studies.smk) start from them.
BANDIT_RUN = {k: v for k, v in config["bandit"].items() if k not in ("figures", "lemmas")}
SUFFIX = REPORT.get("suffix", "")
RESULTS_MODE = REPORT.get("source", "dag") == "results"


# Results mode reads the files an imported cache holds; dag mode reads exactly the config's runs.
SEL = Selection(JOBS, present_files() if RESULTS_MODE else None)
# The default target includes the bandit (config default_target.bandit): its manifest is then a declared input
# of PROVENANCE; otherwise PROVENANCE lists it only if it exists.
BANDIT_IN_DAG = (config.get("default_target") or {}).get("bandit", True)


def table3_jobs():
    """The jobs whose verl hyper-parameters Table 3 documents: report.table3.config's, or this config's."""
    other = (REPORT.get("table3") or {}).get("config")
    return configs.jobs_of(other, str(workflow.basedir)) if other else JOBS


def alternatives(names):
    """A wildcard regex matching exactly `names` (none: a regex that matches nothing)."""
    return "|".join(re.escape(n) for n in sorted(names)) or "(?!)"


def fingerprint(paths_read, declared):
    """[(path, size, mtime_ns)] of the files read but not declared (results mode), so that Snakemake's params
    trigger re-runs a report rule when an import changes them; [] in dag mode (every file read is declared)."""
    if not RESULTS_MODE:
        return []
    out = []
    for p in paths_read:
        if p not in declared and os.path.exists(p):
            st = os.stat(p)
            out.append((p, st.st_size, st.st_mtime_ns))
    return out


def all_targets(wildcards):
    """The default target: the bandit's results, the grid's checkpoints and evaluations, every report artefact
    this config can make (evaluated after every rule file is read, so no include order matters); config
    `default_target` leaves out the bandit or the closed forms."""
    part = config.get("default_target") or {}
    out = [*rules.bandit_run.output, *rules.lemma_checks.output] if BANDIT_IN_DAG else []
    out += [paths.train_model(run) for run in JOBS.main_runs] + SEL.counts()[0]
    return out + report_targets(bandit=BANDIT_IN_DAG, closed_forms=part.get("closed_forms", True))


def report_targets(bandit=True, closed_forms=True):
    """Every report artefact this config can make: the bandit's and closed-form ones, and results_targets()."""
    out = [*rules.fig1_bandit_snapshots.output, *rules.fig3_bandit.output, *rules.fig3_bandit_methods.output,
           *rules.lemmas.output] if bandit else []
    if closed_forms:
        out += [*rules.fig2_rs_advantage.output, *rules.fig8_advantage_methods.output,
                *rules.table1_properties.output, *rules.table3_hyperparameters.output]
    return out + results_targets()


def results_targets():
    """The artefacts made from run results, each only when it has something to show (configured or present),
    so a config whose stages make no runs stays green."""
    out = list(rules.PROVENANCE.output)
    if SEL.counts()[1]:
        out += [*rules.table2.output, *rules.fig4_passk.output]
        if REPORT.get("mini_summary"):
            out += rules.mini_summary.output
    for kind in DYNAMICS:
        if SEL.metrics(kind)[1]:
            out += getattr(rules, kind).output
    if SEL.fig7():
        out += rules.fig7_diversity.output
    return out
