"""Entry point of the bundled application: the same `main` as the `zhuji-archive` console script."""

import sys

from zhuji_archive.cli import main

if __name__ == "__main__":
    sys.exit(main())
