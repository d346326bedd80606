"""档案 → 操作日志: offered to the administrator and 党政办 only; filters by person, household, action
and date; pages; exports (itself logged); the start-up warning when the chain is broken; opening a
household file from the window is logged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from accounts import as_person, raw_connection
from PySide6.QtCore import QDate, QSettings

from zhuji_archive.domain import idcard
from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.audit_log import AuditLogDialog, cells
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.audit import AuditFilter
from zhuji_archive.views.household_file import MemberData


def _household(archive: Archive, head: str, serial: int) -> str:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    file = archive.households.new_file(village.children[0].id)
    file.members = [
        MemberData(name=head, relation="户主", id_number=idcard.make("330681", date(1971, 6, 3), serial))
    ]
    return archive.households.save(file)


def _select(combo, data) -> None:  # type: ignore[no-untyped-def]
    combo.setCurrentIndex(combo.findData(data))


def _window(qtbot, archive: Archive, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    make_application()
    window = MainWindow(archive, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    return window


def test_opening_a_household_window_is_logged(qtbot, archive: Archive) -> None:
    household = _household(archive, "金德明", 17)
    dialog = HouseholdDialog(archive, household)
    qtbot.addWidget(dialog)
    (line,) = archive.audit.page(AuditFilter(action="查看档案"))
    assert line.person == archive.actor.display_name and "第1户" in line.target


def test_the_log_window_filters_pages_and_exports(qtbot, archive: Archive, tmp_path: Path) -> None:
    first = _household(archive, "金德明", 17)
    second = _household(archive, "王小明", 18)
    other = as_person(archive, "乙", Role.OFFICE)
    other.audit.opened_household(first)
    archive.audit.opened_household(second)
    archive.audit.opened_household(first)
    dialog = AuditLogDialog(archive)
    qtbot.addWidget(dialog)
    assert dialog.total == archive.audit.count(AuditFilter()) and dialog.table.rowCount() == dialog.total
    assert dialog.table.horizontalHeaderItem(4).text() == "内容"

    _select(dialog.action, "查看档案")
    dialog.apply()
    assert dialog.table.rowCount() == 3
    assert {cells(dialog.table, row)[2] for row in range(3)} == {"查看档案"}

    _select(dialog.person, other.actor.account_id)
    dialog.apply()
    assert dialog.table.rowCount() == 1 and cells(dialog.table, 0)[1] == "乙"

    _select(dialog.person, None)
    dialog.household_text.setText("金德")
    dialog.find_households()
    assert dialog.household.currentData() == first
    assert dialog.table.rowCount() == 2 and all("第1户" in cells(dialog.table, r)[3] for r in range(2))

    dialog.by_date.setChecked(True)
    dialog.since.setDate(QDate(2020, 1, 1))
    dialog.until.setDate(QDate(2020, 1, 31))
    dialog.apply()
    assert dialog.table.rowCount() == 0 and "共 0 条" in dialog.pages.text()
    dialog.until.setDate(QDate.currentDate())
    dialog.apply()
    assert dialog.table.rowCount() == 2

    written = dialog.export_to(tmp_path / "日志.xlsx")
    assert written == 2 and (tmp_path / "日志.xlsx").exists()
    exported = archive.audit.page(AuditFilter(action="导出"))
    assert exported and "操作日志" in exported[0].content


def test_the_log_window_pages_through_many_entries(qtbot, archive: Archive) -> None:
    household = _household(archive, "金德明", 17)
    for _ in range(210):
        archive.audit.opened_household(household)
    dialog = AuditLogDialog(archive)
    qtbot.addWidget(dialog)
    _select(dialog.action, "查看档案")
    dialog.apply()
    assert dialog.table.rowCount() == 200 and "第 1/2 页" in dialog.pages.text()
    assert dialog.next.isEnabled() and not dialog.previous.isEnabled()
    dialog.next.click()
    assert dialog.table.rowCount() == 10 and "第 2/2 页" in dialog.pages.text()


def test_only_the_administrator_and_the_office_get_the_menu_item(
    qtbot, archive: Archive, tmp_path: Path
) -> None:
    window = _window(qtbot, archive, tmp_path)
    assert window.audit_action.text().startswith("操作日志")
    reader = as_person(archive, "县里", Role.READER)
    other = _window(qtbot, reader, tmp_path)
    assert not hasattr(other, "audit_action")


def test_a_broken_log_warns_at_start(qtbot, archive: Archive, tmp_path: Path) -> None:
    _household(archive, "金德明", 17)
    connection = raw_connection(archive.db.path)
    connection.execute("DELETE FROM change_log WHERE seq = 2")
    connection.commit()
    connection.close()
    window = _window(qtbot, archive, tmp_path)
    qtbot.waitUntil(lambda: window.audit_warning is not None, timeout=10000)
    assert window.audit_warning is not None
    text = window.audit_warning.text()
    assert "第 2 条" in text and "篡改" in text
    reader = as_person(archive, "县里", Role.READER)
    quiet = _window(qtbot, reader, tmp_path)
    qtbot.wait(300)
    assert quiet.audit_warning is None
