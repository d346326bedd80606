"""GUI tests of the request printouts: 打印情况反馈意见单 from the request window, 打印交办单 from the
meeting panel, 打印/导出Excel on the summary page, and 导出台账 with its progress dialog and cancel."""

from __future__ import annotations

import threading
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QPushButton

from zhuji_archive.services.requests import RequestQuery


def finished(qtbot, task, timeout: int = 20000) -> None:
    with qtbot.waitSignal(task.ended, timeout=timeout) as ended:
        pass
    assert ended.args == ["finished"], task.error


def test_feedback_form_printed_from_the_request_window(qtbot, window, demo_archive) -> None:
    row = demo_archive.requests.list(RequestQuery(statuses=("已办结",)))[0]
    dialog = window.open_request(row.id)
    assert dialog.print_button.text() == "打印情况反馈意见单"
    assert dialog.print_button in dialog.ui.buttonBox.buttons()
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.printing.previews), timeout=20000)
    preview = dialog.printing.previews[-1]
    assert preview.isVisible()
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() == 1 and preview.pages_label.text() == "共 1 页"
    owned = preview.owned_dir
    assert owned is not None
    (name,) = [p.name for p in owned.iterdir()]  # named after the household (and request number)
    assert name.startswith(f"{row.village_name}{row.group_name}第{row.household_number}户情况反馈意见单")
    preview.close()
    qtbot.waitUntil(lambda: not owned.exists())
    history = demo_archive.households.history(row.household_id)
    assert history[0].action == "打印" and history[0].entity == "情况反馈意见单"


def test_blank_feedback_form_from_the_output_menu(qtbot, window) -> None:
    action = next(a for a in window.outputs.menu.actions() if a.text().startswith("打印空白情况反馈意见单"))
    action.trigger()
    qtbot.waitUntil(lambda: bool(window.request_printing.previews), timeout=20000)
    preview = window.request_printing.previews[-1]
    assert preview.document.pageCount() == 1
    preview.close()


def test_meeting_sheet_printed_from_the_meeting_panel(qtbot, window, demo_archive) -> None:
    panel = window.township.meetings
    meeting = next(m for m in demo_archive.meetings.meetings() if m.status == "已决定")
    panel.show_meeting(meeting.id)
    assert panel.print_button.text() == "打印交办单" and panel.print_button.isEnabled()
    task = panel.print_sheet()
    finished(qtbot, task)
    assert task.result.rows == meeting.items
    preview = panel.printing.previews[-1]
    assert preview.document.pageCount() == task.result.pages >= 1
    preview.close()


def test_summary_page_prints_and_exports_excel(qtbot, window, tmp_path: Path) -> None:
    page = window.summary
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.summary is not None)
    summary = page.summary
    assert page.print_button.text() == "打印" and page.excel_button.text() == "导出Excel"
    task = page.print_summary()
    finished(qtbot, task)
    preview = page.printing.previews[-1]
    assert preview.document.pageCount() == task.result.pages
    preview.close()
    path = tmp_path / "月报.xlsx"
    task = page.printing.start_summary_xlsx(path, summary.scope_kind, summary.scope_id, summary.period)
    finished(qtbot, task)
    ws = load_workbook(path).active
    assert summary.scope_name in ws["A1"].value
    assert "已导出" in window.statusBar().currentMessage()


def test_ledger_export_from_the_requests_page_cancel_then_complete(
    qtbot, window, demo_archive, tmp_path: Path, monkeypatch
) -> None:
    page = window.requests
    window.tabs.setCurrentWidget(page)
    assert page.ledger_button.text() == "导出台账…"
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "诉求台账.xlsx"
    exports = demo_archive.request_exports
    real = exports.ledger
    gate = threading.Event()

    def held(*args, progress, cancelled, **kwargs):
        # Hold the worker once rows are written, until the test has clicked 取消.
        def progress_then_wait(done: int, total: int) -> None:
            progress(done, total)
            if done > 0 and not gate.is_set():
                gate.wait(10)

        return real(*args, progress=progress_then_wait, cancelled=cancelled, **kwargs)

    monkeypatch.setattr(exports, "ledger", held)
    query = page.ledger_query()
    task = page.printing.start_ledger(path, query)
    dialog = task.dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.value() > 0)
    assert window.isEnabled()
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "取消"
    with qtbot.waitSignal(task.ended, timeout=10000) as ended:
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        gate.set()
    assert ended.args == ["cancelled"]
    assert list(folder.iterdir()) == []  # neither the ledger nor a temporary part
    assert "已取消" in window.statusBar().currentMessage()

    again = page.printing.start_ledger(path, query)
    finished(qtbot, again)
    expected = demo_archive.requests.list(query)
    ws = load_workbook(path)["诉求台账"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == len(expected) == again.result.rows
    assert again.result.masked
    assert "已导出诉求台账" in window.statusBar().currentMessage()
