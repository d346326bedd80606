"""Start-up as the user sees it: a damaged archive names its backups, a read-only one opens with a
banner, an unexpected failure is an apology in Chinese — never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts import PASSWORD, archive_key, login_for, open_archive
from filesystems import make_read_only, small_tmpfs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui import app
from zhuji_archive.gui.login import LoginDialog
from zhuji_archive.services import access
from zhuji_archive.storage.database import backup_file

LOGIN = login_for("测试员" + Role.OFFICE.value)  # the account open_archive makes for 测试员


@pytest.fixture
def critical(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    return shown


def _seed(path: Path) -> None:
    archive = open_archive(path, "测试员")
    town = archive.organisation.add_town("安华镇", "诸暨市", "330681")
    archive.organisation.add_group(archive.organisation.add_village(town, "杜黄村"), "一组")
    archive.close()


def _log_in(qtbot, dialog: QWidget) -> None:
    assert isinstance(dialog, LoginDialog)
    qtbot.keyClicks(dialog.login, LOGIN)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)


def test_a_damaged_archive_names_its_backup(qtbot, tmp_path: Path, critical: list[str]) -> None:
    path = tmp_path / "archive.sqlite3"
    _seed(path)
    backup = backup_file(path, "before-0005", archive_key(path))
    path.write_bytes(b"\x00not an archive\x00" * 1000)
    dialog = LoginDialog(path)
    qtbot.addWidget(dialog)
    _log_in(qtbot, dialog)
    assert dialog.archive is None
    (message,) = critical
    assert "已损坏" in message and str(backup) in message
    assert (
        "Traceback" not in message and "sqlalchemy" not in message and "file is not a database" not in message
    )


def test_an_unexpected_failure_at_start_is_told_in_chinese(
    qtbot, tmp_path: Path, critical, monkeypatch, settings
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("郑智宸 330681199001011234")

    _seed(tmp_path / "a.sqlite3")
    monkeypatch.setattr(access, "unlock", broken)
    dialog = LoginDialog(tmp_path / "a.sqlite3")
    qtbot.addWidget(dialog)
    _log_in(qtbot, dialog)
    assert dialog.archive is None
    (message,) = critical
    assert "意外错误" in message and "郑智宸" not in message and "330681199001011234" not in message
    monkeypatch.setattr(access, "state", broken)  # before any window: the start-up's own net
    assert app.open_session(tmp_path / "a.sqlite3", settings) is None
    assert "意外错误" in critical[1] and "郑智宸" not in critical[1]


def test_a_read_only_archive_opens_with_a_banner(qtbot, tmp_path: Path, settings, when_modal) -> None:
    with small_tmpfs(tmp_path / "usb", "8m") as usb:
        _seed(usb / "archive.sqlite3")
        make_read_only(usb)
        when_modal(lambda dialog: _log_in(qtbot, dialog))
        window = app.start_window(usb / "archive.sqlite3", settings)
        assert window is not None
        archive = window.archive
        assert archive.db.read_only
        try:
            qtbot.addWidget(window)
            banner = window.findChild(QLabel, "readOnlyBanner")
            qtbot.waitExposed(window)
            assert window.findChild(QLabel, "readOnlyBanner") is banner and banner.isVisible()
            assert "只读" in banner.text() and window.windowTitle().endswith("（只读）")
            window.close()
        finally:
            archive.close()
