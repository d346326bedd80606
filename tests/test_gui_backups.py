"""档案 → 备份与恢复 (gui/backup_dialog.py) through real widgets over real encrypted files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, admin, open_archive
from PySide6.QtWidgets import QMessageBox
from turning import assert_turned, slowed, ticking

from zhuji_archive.gui.backup_dialog import COLUMNS, BackupDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.services import access

DAY = date(2026, 11, 2)


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    path = tmp_path / "档案.sqlite3"
    with open_archive(path, today=DAY) as office:
        town = office.organisation.add_town("安华镇", "诸暨市", "330681")
        office.organisation.add_village(town, "杜黄村")
    return path


@pytest.fixture
def chief(archive_path: Path):
    arc = admin(archive_path, DAY)
    yield arc
    arc.close()


def texts(dialog: BackupDialog) -> list[list[str]]:
    table = dialog.table
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def select(dialog: BackupDialog, path: Path) -> None:
    dialog.table.selectRow(next(i for i, e in enumerate(dialog.entries) if e.path == path))


def test_the_dialog_lists_the_backups_and_makes_one_now(qtbot, chief):
    dialog = BackupDialog(chief)
    qtbot.addWidget(dialog)
    assert [dialog.table.horizontalHeaderItem(i).text() for i in range(4)] == list(COLUMNS)
    rows_before = dialog.table.rowCount()
    assert rows_before >= 1 and all(row[3] == "已校验" for row in texts(dialog))  # the day's automatic ones
    assert str(chief.backups.default_folder()) in dialog.where.text()
    dialog.make_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20000)
    assert dialog.table.rowCount() == rows_before + 1
    assert ["手动", "已校验"] in [[row[1], row[3]] for row in texts(dialog)]
    assert not dialog.restore_button.isEnabled()  # nothing selected
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()


def test_a_damaged_backup_shows_as_not_verified_and_cannot_be_chosen(qtbot, chief):
    made = chief.backups.make_now()
    with open(made.path, "r+b") as file:
        file.seek(made.path.stat().st_size // 2)
        file.write(b"\0" * 32)
    dialog = BackupDialog(chief)
    qtbot.addWidget(dialog)
    row = next(i for i, e in enumerate(dialog.entries) if e.path == made.path)
    assert texts(dialog)[row][3] == "未通过"
    select(dialog, made.path)
    assert not dialog.restore_button.isEnabled()


def test_only_accounts_with_the_backup_right_see_the_menu_entry(qtbot, archive_path, settings):
    with open_archive(archive_path, today=DAY) as office:
        window = MainWindow(office, settings)
        qtbot.addWidget(window)
        assert window.backup_action is None
        assert "备份与恢复(&B)…" not in [a.text() for a in window.menuBar().actions()[0].menu().actions()]
        window.close()
    with admin(archive_path, DAY) as chief:
        window = MainWindow(chief, settings)
        qtbot.addWidget(window)
        assert window.backup_action is not None
        assert window.backup_action in window.menuBar().actions()[0].menu().actions()
        window.close()


def test_restoring_asks_first_then_closes_the_window_for_a_new_login(
    qtbot, archive_path, settings, when_modal, monkeypatch
):
    chief = admin(archive_path, DAY)
    made = chief.backups.make_now()
    village = chief.organisation.villages()[0][0]
    with open_archive(archive_path, today=DAY) as office:
        office.organisation.rename("village", village, "新杜黄村")
    window = MainWindow(chief, settings)
    qtbot.addWidget(window)
    window.show()
    informed: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: informed.append(text))
    questions: list[str] = []

    def user_restores(dialog: BackupDialog) -> int:
        select(dialog, made.path)

        def answer(box: QMessageBox) -> None:
            questions.append(box.text())
            box.button(QMessageBox.StandardButton.Yes).click()

        when_modal(answer)
        dialog.restore_button.click()
        return 1

    monkeypatch.setattr(BackupDialog, "exec", user_restores)
    with qtbot.waitSignal(window.relogin, timeout=20000) as relogin:
        window.open_backups()
    assert relogin.args == [archive_path]
    assert questions and "确定用" in questions[0] and "重新登录" in questions[0]
    assert informed and "请重新登录" in informed[0]
    assert window.restored is not None and not window.isVisible()
    with access.unlock(archive_path, ADMIN_LOGIN, ADMIN_PASSWORD, DAY) as again:
        assert [name for _, name in again.organisation.villages()] == ["杜黄村"]


def test_declining_the_question_restores_nothing(qtbot, chief, when_modal):
    made = chief.backups.make_now()
    dialog = BackupDialog(chief)
    qtbot.addWidget(dialog)
    select(dialog, made.path)
    when_modal(lambda box: box.button(QMessageBox.StandardButton.No).click())
    assert dialog.restore_selected() is None
    assert dialog.restored is None
    assert not [e for e in chief.backups.list() if e.kind_label == "恢复前"]


def test_a_chosen_backup_folder_is_used_and_shown(qtbot, chief, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened: list = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    dialog = BackupDialog(chief)
    qtbot.addWidget(dialog)
    dialog.set_folder(str(tmp_path / "U盘"))
    assert str(tmp_path / "U盘") in dialog.where.text()
    dialog.make_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20000)
    assert any(e.path.parent == tmp_path / "U盘" for e in dialog.entries)
    assert dialog.open_folder() == tmp_path / "U盘"
    assert opened == [str(tmp_path / "U盘")]


def test_the_window_keeps_turning_while_a_backup_is_made(qtbot, chief, monkeypatch):
    dialog = BackupDialog(chief)
    qtbot.addWidget(dialog)
    dialog.show()
    rows_before = dialog.table.rowCount()
    pause = slowed(monkeypatch, chief.backups, "make_now")  # a county's archive of 2 GB
    with ticking() as ticks:
        dialog.make_button.click()
        assert dialog.running and dialog.busy.text() == "正在立即备份…" and not dialog.make_button.isEnabled()
        qtbot.waitUntil(lambda: not dialog.running, timeout=30000)
    assert_turned(ticks, pause)
    assert dialog.table.rowCount() == rows_before + 1 and dialog.make_button.isEnabled()


def test_the_window_keeps_turning_while_a_backup_is_restored(
    qtbot, archive_path, settings, when_modal, monkeypatch
):
    chief = admin(archive_path, DAY)
    made = chief.backups.make_now()
    window = MainWindow(chief, settings)
    qtbot.addWidget(window)
    window.show()
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    pause = slowed(monkeypatch, chief.backups, "restore")
    dialog = BackupDialog(chief, window)
    qtbot.addWidget(dialog)
    dialog.restoredArchive.connect(window._restored)
    dialog.show()
    select(dialog, made.path)
    when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    dialog.restore_button.click()
    assert dialog.running and dialog.busy.text() == "正在恢复档案…"
    with qtbot.waitSignal(window.relogin, timeout=30000), ticking() as ticks:
        qtbot.waitUntil(lambda: dialog.restored is not None, timeout=30000)
    assert_turned(ticks, pause)
    assert window.restored is not None and not window.isVisible()
