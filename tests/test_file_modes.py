"""Files the application writes hold personal data or point to it: the user alone may read them (0600),
the folders it creates the user alone may open (0700). POSIX modes; Windows keeps the profile's ACLs."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from accounts import open_archive

from zhuji_archive import logs
from zhuji_archive.cli import common
from zhuji_archive.storage import keyring

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fchmod"), reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """A permissive umask (0022 is common), so the modes seen are the program's doing."""
    import os

    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_archive_and_its_keyring_are_the_users_only(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    open_archive(path).close()
    assert mode(path) == 0o600
    assert mode(keyring.keyring_path(path)) == 0o600


def test_the_log_and_its_rotated_files_are_the_users_only(tmp_path: Path):
    folder = tmp_path / "数据" / "logs"
    path = logs.setup(folder)
    assert path is not None
    try:
        logs.LOGGER.info("第一行")
        assert mode(folder) == 0o700 and mode(path) == 0o600
        handler = next(h for h in logs.LOGGER.handlers if isinstance(h, logs.PrivateRotatingFileHandler))
        handler.doRollover()
        logs.LOGGER.info("第二行")
        assert mode(path) == 0o600
        assert mode(path.with_name(path.name + ".1")) == 0o600
    finally:
        for handler in list(logs.LOGGER.handlers):
            if isinstance(handler, logging.FileHandler):
                logs.LOGGER.removeHandler(handler)
                handler.close()


def test_the_command_lines_defect_log_is_the_users_only(tmp_path: Path, monkeypatch):
    target = tmp_path / "state" / "zhuji-archive" / "zhuji-archive.log"
    monkeypatch.setattr(common, "bug_log_path", lambda: target)
    try:
        raise ValueError("张三 330681199001011234")
    except ValueError as error:
        assert common.log_bug(error, None) == target
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert "张三" not in target.read_text(encoding="utf-8")


def test_the_window_settings_file_is_the_users_only(qapp, tmp_path: Path):
    from zhuji_archive.gui.app import app_settings

    path = tmp_path / "config" / "zhuji-archive" / "settings.ini"
    settings = app_settings(path)
    settings.setValue("operators/1/name", "李新手")
    settings.sync()
    assert settings.status() == settings.Status.NoError
    assert "李新手" in path.read_text(encoding="utf-8")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    settings.setValue("window/geometry", "x")
    settings.sync()  # Qt writes a new file and renames it over the old one: the mode must stay
    assert mode(path) == 0o600


def test_an_existing_folder_of_the_users_is_left_as_it_is(tmp_path: Path):
    from zhuji_archive.paths import private_folder

    documents = tmp_path / "Documents"
    documents.mkdir(mode=0o755)
    documents.chmod(0o755)
    private_folder(documents)
    assert mode(documents) == 0o755
    private_folder(documents / "群众档案")
    assert mode(documents / "群众档案") == 0o700
