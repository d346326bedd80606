"""Where the archive lives by default: the user's data folder (platformdirs)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

APP_DIR_NAME = "zhuji-archive"


def default_database() -> Path:
    return user_data_path(APP_DIR_NAME, appauthor=False) / "archive.sqlite3"
