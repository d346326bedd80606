"""群众档案 (zhuji-archive): household files and request handling for township and village cadres."""

from importlib.metadata import PackageNotFoundError, version

APP_NAME = "群众档案"
try:
    # pyproject.toml is the one place the version is written; the installed metadata (also copied into
    # the PyInstaller bundle) carries it to the window title, 关于, the CLI and the archive's setting table.
    __version__ = version("zhuji-archive")
except PackageNotFoundError:  # a bare checkout on sys.path, never installed
    __version__ = "0+unknown"
