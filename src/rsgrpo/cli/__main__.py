"""`python -m rsgrpo.cli ...` = `rsgrpo ...` (e.g. in a W&B sweep's command, or where the script is not on PATH)."""

import sys

from rsgrpo.cli import main

sys.exit(main())
