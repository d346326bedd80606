"""Start-up as the user sees it: a damaged archive names its backups, a read-only one opens with a
banner, an unexpected failure is an apology in Chinese — never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts import open_archive
from filesystems import make_read_only, small_tmpfs
from PySide6.QtWidgets import QLabel, QMessageBox

from zhuji_archive.gui import app
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.database import backup_file


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


def test_a_damaged_archive_names_its_backup(qapp, tmp_path: Path, critical: list[str]) -> None:
    path = tmp_path / "archive.sqlite3"
    _seed(path)
    backup = backup_file(path, "before-0005")
    path.write_bytes(b"\x00not an archive\x00" * 1000)
    assert app.open_archive(path, "测试员") is None
    (message,) = critical
    assert "已损坏" in message and str(backup) in message
    assert "Traceback" not in message and "sqlalchemy" not in message and "file is not a database" not in message


def test_an_unexpected_failure_at_start_is_told_in_chinese(qapp, tmp_path: Path, critical, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> Archive:
        raise RuntimeError("郑智宸 330681199001011234")

    monkeypatch.setattr(Archive, "open", broken)
    assert app.open_archive(tmp_path / "a.sqlite3", "测试员") is None
    (message,) = critical
    assert "意外错误" in message and "郑智宸" not in message and "330681199001011234" not in message


def test_a_read_only_archive_opens_with_a_banner(qtbot, tmp_path: Path, settings, monkeypatch) -> None:
    from zhuji_archive.gui.main_window import MainWindow

    with small_tmpfs(tmp_path / "usb", "8m") as usb:
        _seed(usb / "archive.sqlite3")
        make_read_only(usb)
        archive = app.open_archive(usb / "archive.sqlite3", "测试员")
        assert archive is not None and archive.db.read_only
        try:
            window = MainWindow(archive, settings)
            qtbot.addWidget(window)
            banner = app.show_read_only_banner(window, archive.db.read_only_reason)
            window.show()
            qtbot.waitExposed(window)
            assert window.findChild(QLabel, "readOnlyBanner") is banner and banner.isVisible()
            assert "只读" in banner.text() and window.windowTitle().endswith("（只读）")
            window.close()
        finally:
            archive.close()
