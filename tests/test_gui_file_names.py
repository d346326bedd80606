"""Default names of every export and print name the village (and group, household or period), so
files from two villages never collide: the 另存为 suggestion, the preview's file and the print job."""

from __future__ import annotations

from pathlib import Path

import pytest
from loading import loaded
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from sqlalchemy import select

from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.export_actions import BookOptionsDialog, RosterOptionsDialog
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.request_detail import RequestDetailDialog
from zhuji_archive.services.export_files import file_name
from zhuji_archive.storage.models import Household, Request, Village, VillageGroup


@pytest.fixture
def window(qtbot, demo_archive, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(HouseholdDialog, "ask_unsaved", lambda self: QMessageBox.StandardButton.Discard)
    make_application()
    win = MainWindow(demo_archive, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.outputs.wait_all()


@pytest.fixture
def suggested(monkeypatch) -> list[str]:
    """The file names the save dialogs suggest; every dialog is then cancelled."""
    names: list[str] = []

    def fake(_parent, _title, path, _filter=""):  # noqa: ANN001, ANN202
        names.append(Path(path).name)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return names


def group_id(archive, village: str, group: str) -> str:
    with archive.db.sessions() as session:
        return session.scalar(
            select(VillageGroup.id)
            .join(Village, Village.id == VillageGroup.village_id)
            .where(Village.name == village, VillageGroup.name == group)
        )


def test_group_rosters_and_books_name_village_and_group(window, demo_archive, suggested, monkeypatch) -> None:
    monkeypatch.setattr(RosterOptionsDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(BookOptionsDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    for village in ("杜黄村", "湖塘村"):
        assert window.tree.select_node("group", group_id(demo_archive, village, "一组"))
        window.outputs.export_roster("households")
        window.outputs.export_roster("members")
        window.outputs.print_book()
    assert suggested == [
        "杜黄村一组户花名册.xlsx",
        "杜黄村一组成员花名册.xlsx",
        "杜黄村一组群众档案册.pdf",
        "湖塘村一组户花名册.xlsx",
        "湖塘村一组成员花名册.xlsx",
        "湖塘村一组群众档案册.pdf",
    ]


def test_household_sheet_is_named_after_its_household(qtbot, window, demo_archive, suggested) -> None:
    with demo_archive.db.sessions() as session:
        household_id, number = session.execute(
            select(Household.id, Household.number)
            .where(Household.group_id == group_id(demo_archive, "杜黄村", "二组"))
            .limit(1)
        ).one()
    dialog = window.open_household(household_id)
    task = dialog.print_sheet()
    with qtbot.waitSignal(task.ended, timeout=20000):
        pass
    preview = dialog.printing.previews[-1]
    assert preview.current.name == f"杜黄村二组第{number}户户表.pdf"  # the print job's name too
    preview.save_copy()
    assert suggested == [f"杜黄村二组第{number}户户表.pdf"]
    preview.close()


def test_feedback_form_is_named_after_household_and_request_number(
    qtbot, window, demo_archive, suggested
) -> None:
    with demo_archive.db.sessions() as session:
        request_id, request_number, number, village, group = session.execute(
            select(Request.id, Request.number, Household.number, Village.name, VillageGroup.name)
            .join(Household, Household.id == Request.household_id)
            .join(Village, Village.id == Household.village_id)
            .join(VillageGroup, VillageGroup.id == Household.group_id)
            .limit(1)
        ).one()
    assert request_number  # the demo numbers its requests as recording does
    dialog = RequestDetailDialog(demo_archive, request_id, window)
    qtbot.addWidget(dialog)
    task = dialog.print_feedback()
    with qtbot.waitSignal(task.ended, timeout=20000):
        pass
    preview = dialog.printing.previews[-1]
    assert preview.current.name == f"{village}{group}第{number}户情况反馈意见单（{request_number}）.pdf"
    preview.close()


def test_summary_print_and_excel_are_named_by_scope_and_period(qtbot, window, demo_archive, suggested) -> None:
    page = window.summary
    window.tabs.setCurrentWidget(page)
    with demo_archive.db.sessions() as session:
        village_id = session.scalar(select(Village.id).where(Village.name == "杜黄村"))
    assert window.tree.select_node("village", village_id)
    page.kind.setCurrentText("月报")
    loaded(qtbot, demo_archive)
    day = page.day.date().toPython()
    page.export_excel()
    assert suggested == [f"杜黄村{day.year}年{day.month}月月报.xlsx"]
    task = page.print_summary()
    with qtbot.waitSignal(task.ended, timeout=20000):
        pass
    preview = page.printing.previews[-1]
    assert preview.current.name == f"杜黄村{day.year}年{day.month}月月报.pdf"
    preview.close()


def test_meeting_sheet_and_blank_form_names(workflow_town) -> None:
    from datetime import date

    archive = workflow_town.archive
    meeting = archive.meetings.create(date(2025, 9, 26), "九月诉求专题会议", "镇长")
    assert archive.request_exports.meeting_sheet_name(meeting) == "安华镇九月诉求专题会议交办单"
    assert archive.request_exports.feedback_form_name(None) == "空白情况反馈意见单"


def test_file_names_drop_characters_windows_refuses() -> None:
    assert file_name('杜黄村/一组:第3户*?"<>|') == "杜黄村_一组_第3户______"
    assert file_name("  . ") == "未命名"
