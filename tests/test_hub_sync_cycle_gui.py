"""The full cycle of a request through the GUI (issue 14): two real windows, one on a PostgreSQL hub for
党政办 and one on the laptop of a 驻村干部 who joined it. The cadre records a request in the household
file, sorts it and reports it to the town (上报镇), 生成同步文件 on the 同步 page; 党政办 导入同步文件 on
设备与同步, puts it on the monthly meeting from 待上会审核 and 全部交办; the laptop's next file brings back
a receipt whose 导入回执 shows the decision on the request page (and in the request window left open);
the cadre records 办结 and the household's 反馈 there; the next sync brings them to the hub, whose
领导驾驶舱 and 周报 count the request as closed, compared with what they showed before. The modal
questions are answered by the test as a person would (the folder and file pickers, 登记设备 filled in, 新建会议
with its defaults, the meeting chosen for 列入专题会议…, the one-time code box left unread); the
meeting's decision is set in its table's model (tests/test_gui_meeting.py types into the editors);
everything else is clicked."""

from __future__ import annotations

from pathlib import Path

import pytest
from accounts import PASSWORD
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QMessageBox, QTableWidget
from sync_windows import hub_town, settle, window

from zhuji_archive.domain.workflow import Action, Status
from zhuji_archive.gui.action_dialog import ActionDialog
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.meeting_panel import NewMeetingDialog
from zhuji_archive.gui.request_detail import RequestDetailDialog
from zhuji_archive.gui.request_model import COLUMNS
from zhuji_archive.gui.sync_page import EnrolDialog, HubSyncPage, LaptopSyncPage
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.sync import join

DESCRIPTION = "村口道路坑洼，雨天积水，请求修缮"
RESPONSIBLE = COLUMNS.index(("responsible", "责任单位/责任人"))
STATUS = COLUMNS.index(("status", "状态"))


def _front(qtbot, window: MainWindow, page, *archives: Archive) -> None:  # type: ignore[no-untyped-def]
    """Go to a machine's window and one of its pages, as the person sitting there would."""
    window.raise_()
    window.activateWindow()
    window.tabs.setCurrentWidget(page)
    settle(qtbot, window.archive, *archives)


def _ok(qtbot, dialog: QDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


def _act(qtbot, detail: RequestDetailDialog, action: Action, **values: object) -> ActionDialog:  # type: ignore[no-untyped-def]
    """Click the action's button in the request window, fill its dialog and press 确定."""
    assert action in detail.action_buttons, f"{action} not offered; offered: {list(detail.action_buttons)}"
    qtbot.mouseClick(detail.action_buttons[action], Qt.MouseButton.LeftButton)
    dialog = detail.action_dialog
    assert dialog is not None and dialog.isVisible()
    for name, value in values.items():
        dialog.set_value(name, value)
    _ok(qtbot, dialog)
    assert not dialog.isVisible(), dialog.error.text()
    return dialog


def _table(table: QTableWidget) -> dict[str, str]:
    """A two-column table of the 周报 as {name: count}."""
    return {table.item(r, 0).text(): table.item(r, table.columnCount() - 1).text() for r in range(table.rowCount())}


def _hub_numbers(qtbot, win: MainWindow) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What 领导驾驶舱 and 周报月报 show of the whole town this week, read from their widgets."""
    _front(qtbot, win, win.dashboard)
    board = win.dashboard
    assert board.scope.currentText() == "全镇"
    _front(qtbot, win, win.summary)
    summary = win.summary
    assert summary.kind.currentText() == "周报" and summary.scope.currentText().endswith("（全镇）")
    return {
        "驾驶舱·状态": dict(board.status_chart.counts),
        "驾驶舱·满意率": board.values["反馈满意率"].text(),
        "驾驶舱·超期": board.values["超期未办结诉求"].text(),
        "周报·数字": {name: label.text() for name, label in summary.figures.items()},
        "周报·状态": _table(summary.statuses),
        "周报·反馈": _table(summary.feedback),
        "周报·分类": [tuple(summary.classes.item(r, c).text() for c in range(4))
                     for r in range(summary.classes.rowCount())],
    }


def _more(before: str, by: int) -> str:
    return str(int(before) + by)


def test_a_request_goes_round_the_whole_cycle_through_the_windows(
    qtbot, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    make_application()
    monkeypatch.setattr(QMessageBox, "open", lambda self: None)  # the one-time code box must not block
    name = "hub_sync_cycle_gui"
    made = hub_town(request, name)
    hub, household, login = made.hub, made.household, made.cadre_login

    hub_window = window(qtbot, hub, tmp_path, "hub")
    page = hub_window.sync_page
    assert isinstance(page, HubSyncPage)
    before = _hub_numbers(qtbot, hub_window)

    # ---- 党政办 enrols the laptop at 登记设备…; the cadre joins with the file and the code read out.
    _front(qtbot, hub_window, page)
    enrolment_file = tmp_path / "小李的笔记本.zjenrol"

    def fill_enrolment(dialog: EnrolDialog) -> int:
        dialog.name.setText("小李的笔记本")
        dialog.login.setText(login)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(EnrolDialog, "exec", fill_enrolment)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(enrolment_file), ""))
    qtbot.mouseClick(page.enrol_button, Qt.MouseButton.LeftButton)
    settle(qtbot, hub)
    assert page.last_code and enrolment_file.exists()
    laptop = join(enrolment_file, tmp_path / "laptop" / "档案.sqlite3", PASSWORD, page.last_code)
    request.addfinalizer(laptop.close)
    laptop_window = window(qtbot, laptop, tmp_path, "laptop")
    mine = laptop_window.sync_page
    assert isinstance(mine, LaptopSyncPage)

    # ---- On the laptop: the request is recorded in the household file (家庭诉求) and saved.
    _front(qtbot, laptop_window, laptop_window.households)
    house = laptop_window.open_household(household)
    house.ui.tabs.setCurrentIndex(3)
    qtbot.mouseClick(house.ui.requestsAddButton, Qt.MouseButton.LeftButton)
    row = house.requests.rowCount() - 1
    house.requests.setData(house.requests.index(row, 1), "基础设施")
    house.requests.setData(house.requests.index(row, 2), DESCRIPTION)
    qtbot.mouseClick(house.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    settle(qtbot, laptop)
    assert not house.dirty, house.ui.problemsLabel.text()
    request_id = next(r.id for r in house.file.requests if r.description == DESCRIPTION)

    # From the household's list to the request window: 梳理 as a 镇级 request, then 上报镇.
    with qtbot.waitSignal(house.openRequest):
        house.ui.requestsTable.doubleClicked.emit(house.requests.index(row, 3))
    detail = laptop_window.request_dialogs[request_id]
    _act(qtbot, detail, Action.SORT, category="基础设施", scope="个性", solvability="近期一时难以解决", level="镇级")
    _act(qtbot, detail, Action.REPORT)
    assert detail.ui.statusLabel.text() == Status.AWAITING_MEETING.value

    # ---- 同步 on the laptop: the changes wait; 生成同步文件… to the USB stick.
    usb = tmp_path / "U盘"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(usb))
    _front(qtbot, laptop_window, mine, laptop)
    assert mine.waiting.text() != "没有，全部已送达镇里"
    qtbot.mouseClick(mine.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, laptop)
    first = mine.last_file
    assert first is not None and first.parent == usb and first.name in mine.exported.text()

    # ---- At the hub: 导入同步文件…; the request is in 待上会审核.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(first), ""))
    _front(qtbot, hub_window, page)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    settle(qtbot, hub)
    applied = page.last_result
    assert applied is not None and applied.applied > 0 and applied.conflicts == 0
    assert "回执已保存" in page.result.text() and page.conflicts.rowCount() == 0
    assert page.devices.item(0, 4).text() != "第0号"

    township = hub_window.township
    queue = township.queue
    _front(qtbot, hub_window, township)
    township.setCurrentWidget(queue)
    settle(qtbot, hub)
    assert [r.id for r in queue.model.rows] == [request_id]

    # ---- The monthly meeting: 新建会议, 列入专题会议…, the decision typed into its row, 全部交办.
    panel = township.meetings
    township.setCurrentWidget(panel)
    monkeypatch.setattr(NewMeetingDialog, "exec", lambda _dialog: QDialog.DialogCode.Accepted.value)
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    meeting_id = panel.meeting_id
    assert meeting_id is not None
    township.setCurrentWidget(queue)
    queue.model.setData(queue.model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    queue.choose_meeting = lambda: meeting_id  # the meeting picked in the chooser
    qtbot.mouseClick(queue.to_meeting, Qt.MouseButton.LeftButton)
    settle(qtbot, hub)
    township.setCurrentWidget(panel)
    decisions = panel.decisions
    assert decisions.rowCount() == 1 and decisions.record(0).request.id == request_id
    decisions.setData(decisions.index(0, 3), "镇交通办")
    decisions.setData(decisions.index(0, 4), "周主任")
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "已按会议决定交办 1 件诉求" in panel.message.text(), panel.message.text()
    settle(qtbot, hub)

    # ---- The cadre's next trip: the laptop's file (nothing new to send) brings back the decision.
    _front(qtbot, laptop_window, mine, laptop)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(applied.receipt_path), ""))
    qtbot.mouseClick(mine.receipt_button, Qt.MouseButton.LeftButton)  # the first file's receipt
    settle(qtbot, laptop)
    assert mine.waiting.text() == "没有，全部已送达镇里"
    qtbot.mouseClick(mine.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, laptop)
    second = mine.last_file
    assert second is not None and second != first
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(second), ""))
    _front(qtbot, hub_window, page)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    settle(qtbot, hub)
    receipt = page.last_result.receipt_path
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(receipt), ""))
    _front(qtbot, laptop_window, mine, laptop)
    qtbot.mouseClick(mine.receipt_button, Qt.MouseButton.LeftButton)
    settle(qtbot, laptop)
    assert mine.last_result is not None and mine.last_result.applied > 0 and mine.last_result.conflicts == 0
    assert "更新了" in mine.applied.text()

    # The request page shows the meeting's decision without reopening anything …
    requests = laptop_window.requests
    _front(qtbot, laptop_window, requests, laptop)
    (shown,) = [r for r in range(requests.model.rowCount()) if requests.model.rows[r].id == request_id]
    assert requests.model.index(shown, STATUS).data() == Status.IN_PROGRESS.value
    assert "镇交通办" in requests.model.index(shown, RESPONSIBLE).data()
    # … and so does the request window the cadre left open.
    assert detail.isVisible()
    assert detail.ui.statusLabel.text() == Status.IN_PROGRESS.value
    assert "镇交通办" in detail.ui.assignmentLabel.text() and "周主任" in detail.ui.assignmentLabel.text()
    # … and the household file left open behind it.
    assert house.isVisible() and house.requests.record(row).status == Status.IN_PROGRESS.value

    # ---- 办结 and the household's 反馈 on the laptop, in that window.
    _act(qtbot, detail, Action.SOLVE, measures="铺设路面", method="镇村共建", result="路面已修复")
    _act(qtbot, detail, Action.FEEDBACK, village_cadre="王村长", satisfaction="满意", form_received=True)
    assert detail.ui.statusLabel.text() == Status.CLOSED.value
    settle(qtbot, laptop)
    assert requests.model.index(shown, STATUS).data() == Status.CLOSED.value
    assert house.resolution.record(row).status == Status.CLOSED.value
    assert "路面已修复" in house.resolution.record(row).resolution

    # ---- Sync again: 同步 says what waits, the file goes to the hub, its receipt comes back.
    _front(qtbot, laptop_window, mine, laptop)
    assert mine.waiting.text() != "没有，全部已送达镇里"  # the page follows the request's steps
    qtbot.mouseClick(mine.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, laptop)
    third = mine.last_file
    assert third is not None and third not in (first, second)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(third), ""))
    _front(qtbot, hub_window, page)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    settle(qtbot, hub)
    assert page.last_result is not None and page.last_result.applied > 0 and page.last_result.conflicts == 0
    assert page.conflicts.rowCount() == 0
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(page.last_result.receipt_path), ""))
    _front(qtbot, laptop_window, mine, laptop)
    qtbot.mouseClick(mine.receipt_button, Qt.MouseButton.LeftButton)
    settle(qtbot, laptop)
    assert mine.waiting.text() == "没有，全部已送达镇里" and mine.conflicts.rowCount() == 0

    # ---- The hub's 领导驾驶舱 and 周报 count the closed request.
    after = _hub_numbers(qtbot, hub_window)
    closed = Status.CLOSED.value
    assert after["驾驶舱·状态"].get(closed, 0) == before["驾驶舱·状态"].get(closed, 0) + 1
    assert sum(after["驾驶舱·状态"].values()) == sum(before["驾驶舱·状态"].values()) + 1
    assert before["驾驶舱·满意率"] == "—" and after["驾驶舱·满意率"] == "100%"
    assert after["驾驶舱·超期"] == before["驾驶舱·超期"]
    figures, was = after["周报·数字"], before["周报·数字"]
    for name in ("新增诉求", "已办结", "上报镇"):
        assert figures[name] == _more(was[name], 1), name
    assert figures["不能解决（已解释）"] == was["不能解决（已解释）"]
    assert was["反馈满意率"] == "—" and figures["反馈满意率"] == "100%"
    assert after["周报·状态"][closed] == _more(before["周报·状态"][closed], 1)
    assert after["周报·反馈"].get("满意") == _more(before["周报·反馈"].get("满意", "0"), 1)
    assert ("基础设施", "个性", "近期一时难以解决", "1") in after["周报·分类"]

    hub_window.close()
    laptop_window.close()
    settle(qtbot, hub, laptop)
