"""Where the archive lives by default: the user's data folder (platformdirs)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path

APP_DIR_NAME = "zhuji-archive"


def resource_dir() -> Path:
    """Bundled resources: inside the installed package, or the top-level resources/ of a checkout."""
    from importlib import resources

    try:
        return Path(str(resources.files("zhuji_archive.resources")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def default_database() -> Path:
    return user_data_path(APP_DIR_NAME, appauthor=False) / "archive.sqlite3"


def settings_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_DIR_NAME, appauthor=False) / "settings.ini"
