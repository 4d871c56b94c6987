"""Tables and figures, built from results/ files only (never from live runs): Tables 1-3, Figs. 1-8, the
entropy figure, the CPU experiment's summary, PROVENANCE.md; one style module (`_style`: saver, TeX, labels).
May import: rsgrpo.estimators, rsgrpo.bandit, rsgrpo.eval, rsgrpo.io, rsgrpo.runs.
"""
