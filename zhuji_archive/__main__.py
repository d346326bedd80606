"""`python -m zhuji_archive` runs the command line (and, without a subcommand, the window)."""

import sys

from zhuji_archive.cli import main

sys.exit(main())
