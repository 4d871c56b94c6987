"""Tables and figures built from results/ only (never from config files or live runs)."""
