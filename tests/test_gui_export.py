"""GUI tests of exporting and printing: the progress dialog's cancel button, the 输出 menu, the
household dialog's 打印户表 button and the print preview, driven with pytest-qt."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QPushButton
from sqlalchemy import select

from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.export_actions import RosterOptionsDialog
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.storage.models import Household, Member, Village, VillageGroup


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


def out_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def members_on_file(archive) -> int:
    with archive.db.sessions() as session:
        return len(
            session.scalars(
                select(Member.id)
                .join(Household, Household.id == Member.household_id)
                .where(Household.status == "在册", Member.removed.is_(False))
            ).all()
        )


def test_roster_export_cancelled_midway_leaves_no_file_then_completes(
    qtbot, window, demo_archive, tmp_path, monkeypatch
):
    folder = out_folder(tmp_path)
    path = folder / "成员花名册.xlsx"
    gate = threading.Event()
    held_at: list[int] = []
    real = demo_archive.exports.roster

    def held_roster(*args, progress, cancelled, **kwargs):
        # Hold the worker after its first rows until the test has clicked 取消.
        def progress_then_wait(done: int, total: int) -> None:
            progress(done, total)
            if done > 0 and not gate.is_set():
                held_at.append(done)
                gate.wait(10)

        return real(*args, progress=progress_then_wait, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(demo_archive.exports, "roster", held_roster)
    task = window.outputs.start_roster(path, "members")
    dialog = task.dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.value() > 0)
    assert 0 < dialog.value() < dialog.maximum() == members_on_file(demo_archive)
    assert window.isEnabled()  # the window itself is not blocked by a running export
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"
    with qtbot.waitSignal(task.ended, timeout=10000) as ended:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        gate.set()
    assert ended.args == ["cancelled"]
    assert held_at and held_at[0] < dialog.maximum()
    assert list(folder.iterdir()) == []  # neither the file nor a temporary part
    assert not dialog.isVisible()
    assert "已取消" in window.statusBar().currentMessage()

    again = window.outputs.start_roster(path, "members")
    with qtbot.waitSignal(again.ended, timeout=20000) as ended:
        pass
    assert ended.args == ["finished"]
    assert [p.name for p in folder.iterdir()] == ["成员花名册.xlsx"]
    ws = load_workbook(path)["成员花名册"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == members_on_file(demo_archive) == again.result.rows
    assert not again.dialog.isVisible()
    assert "已导出" in window.statusBar().currentMessage()


def test_output_menu_has_the_actions(window) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert "输出(&O)" in titles and titles[-1].startswith("帮助")
    menu = window.outputs.menu
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "导出户花名册(&H)…",
        "导出成员花名册(&M)…",
        "导出重点户名册(&F)…",
        "打印本组档案册(&B)…",
        "打印空白户表(&K)",
        "打印空白情况反馈意见单(&Y)",  # added by gui/request_printing.py
    ]


def test_roster_options_default_to_masked(qtbot, window) -> None:
    focus = RosterOptionsDialog(
        "focus", "杜黄村", ["低保户", "五保户"], window.archive.exports.may_export_unmasked()
    )
    households = RosterOptionsDialog("households", "杜黄村", [], window.archive.exports.may_export_unmasked())
    qtbot.addWidget(focus)
    qtbot.addWidget(households)
    for dialog in (focus, households):
        assert not dialog.options.unmasked.isChecked() and dialog.options.chosen().masked
    assert focus.tag.currentText() == "低保户"


def test_village_roster_uses_the_selected_tree_node(qtbot, window, demo_archive, tmp_path) -> None:
    with demo_archive.db.sessions() as session:
        village_id = session.scalar(select(Village.id).where(Village.name == "杜黄村"))
    assert window.tree.select_node("village", village_id)
    path = out_folder(tmp_path) / "低保户.xlsx"
    task = window.outputs.start_roster(path, "focus", tag="低保户")
    with qtbot.waitSignal(task.ended, timeout=20000) as ended:
        pass
    assert ended.args == ["finished"] and task.result.masked
    ws = load_workbook(path).active
    assert ws["A1"].value == "安华镇杜黄村低保户名册"
    villages = {r[1] for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)}
    assert villages == {"杜黄村"}


def test_household_dialog_prints_its_sheet_through_the_preview(qtbot, window, demo_archive, tmp_path) -> None:
    with demo_archive.db.sessions() as session:
        household_id = session.scalar(select(Household.id).where(Household.status == "在册").limit(1))
    dialog = window.open_household(household_id)
    assert dialog.print_button.text() == "打印户表"
    task = dialog.print_sheet()
    with qtbot.waitSignal(task.ended, timeout=20000) as ended:
        pass
    assert ended.args == ["finished"]
    preview = dialog.printing.previews[-1]
    assert preview.isVisible()
    assert preview.document.status() == QPdfDocument.Status.Ready
    pages = preview.document.pageCount()
    assert pages >= 1 and preview.pages_label.text() == f"共 {pages} 页"
    owned = preview.owned_dir
    assert owned is not None and owned.exists()

    printed = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    assert preview.print_to(printer) == pages
    assert len(PdfReader(printed).pages) == pages
    preview.close()
    qtbot.waitUntil(lambda: not owned.exists())
    history = demo_archive.households.history(household_id)
    assert history[0].action == "打印" and history[0].entity == "户表"


def test_print_book_of_the_selected_group_opens_a_preview(qtbot, window, demo_archive, tmp_path) -> None:
    with demo_archive.db.sessions() as session:
        group_id = session.scalar(
            select(VillageGroup.id)
            .join(Village, Village.id == VillageGroup.village_id)
            .where(Village.name == "杜黄村", VillageGroup.name == "二组")
        )
    assert window.tree.select_node("group", group_id)
    path = out_folder(tmp_path) / "杜黄村二组群众档案册.pdf"
    task = window.outputs.start_book(path)
    with qtbot.waitSignal(task.ended, timeout=30000) as ended:
        pass
    assert ended.args == ["finished"]
    assert path.exists()
    preview = window.outputs.previews[-1]
    assert preview.document.pageCount() == task.result.pages == len(PdfReader(path).pages)
    assert preview.owned_dir is None  # the book is the user's file: it stays
    assert "档案册已保存" in window.statusBar().currentMessage()
    preview.close()
    assert path.exists()


def test_blank_form_from_the_menu(qtbot, window) -> None:
    action = next(a for a in window.outputs.menu.actions() if a.text().startswith("打印空白户表"))
    action.trigger()
    qtbot.waitUntil(lambda: bool(window.outputs.previews), timeout=20000)
    preview = window.outputs.previews[-1]
    assert preview.document.pageCount() == 2
    preview.close()


def test_print_book_needs_a_group(qtbot, window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    town = window.tree.tree_model.index(0, 0)
    window.tree.setCurrentIndex(town)
    assert window.outputs.print_book() is None
    assert shown and "村民小组" in shown[0]
