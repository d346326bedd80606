"""GUI tests of the request workflow: a request from recording in a household file to closed feedback."""

from __future__ import annotations

from datetime import date, timedelta

from loading import loaded
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from zhuji_archive.domain.workflow import Action
from zhuji_archive.gui.action_dialog import ActionDialog
from zhuji_archive.gui.request_detail import RequestDetailDialog
from zhuji_archive.storage.models import Request, RequestEvent


def act(qtbot, detail: RequestDetailDialog, action: Action, **values) -> ActionDialog:
    """Click the action's button, fill the dialog's fields and press its OK button."""
    assert action in detail.action_buttons, f"{action} not offered; offered: {list(detail.action_buttons)}"
    qtbot.mouseClick(detail.action_buttons[action], Qt.MouseButton.LeftButton)
    dialog = detail.action_dialog
    assert dialog is not None and dialog.isVisible()
    for name, value in values.items():
        dialog.set_value(name, value)
    qtbot.mouseClick(
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok),
        Qt.MouseButton.LeftButton,
    )
    return dialog


def offered(detail: RequestDetailDialog) -> set[str]:
    return {a.value for a in detail.action_buttons}


def test_request_from_household_file_to_closed_feedback(window, demo_archive, qtbot):
    # 1. Record the request in a household file.
    household_id = window.households.model.rows[0].id
    household = window.open_household(household_id)
    household.ui.tabs.setCurrentIndex(3)
    qtbot.mouseClick(household.ui.requestsAddButton, Qt.MouseButton.LeftButton)
    row = household.requests.rowCount() - 1
    household.requests.setData(household.requests.index(row, 2), "村口桥梁护栏损坏，存在安全隐患")
    assert household.save(), household.ui.problemsLabel.text()
    request_id = next(r.id for r in household.file.requests if r.description.startswith("村口桥梁"))
    row = household.requests.view_row([r.id for r in household.file.requests].index(request_id))
    assert household.requests.record(row).status == "登记"

    # 2. From the household's request list to the request page (and a way back to the household).
    with qtbot.waitSignal(household.openRequest):
        household.ui.requestsTable.doubleClicked.emit(household.requests.index(row, 3))
    detail = window.request_dialogs[request_id]
    assert detail.ui.householdLabel.text().endswith(household.file.head.name)
    assert offered(detail) == {"梳理", "当场解决"}

    # 3. Sort it as a township-level request and report it to the town.
    act(
        qtbot,
        detail,
        Action.SORT,
        category="基础设施",
        scope="个性",
        solvability="近期一时难以解决",
        level="镇级",
    )
    assert detail.ui.statusLabel.text() == "已梳理"
    assert offered(detail) == {"梳理", "上报镇"}
    act(qtbot, detail, Action.REPORT)
    assert detail.ui.statusLabel.text() == "待上会"
    assert offered(detail) == {"交办", "市镇联动"}

    # 4. The township puts it on a meeting and decides it.
    township = window.township
    window.tabs.setCurrentWidget(township)
    meeting_id = township.meetings.create(date.today(), "测试专题会议", "镇长、副镇长")
    queue = township.queue
    queue.reload()
    loaded(qtbot, demo_archive)
    row_in_queue = next(i for i, r in enumerate(queue.model.rows) if r.id == request_id)
    queue.model.setData(
        queue.model.index(row_in_queue, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    queue.choose_meeting = lambda: meeting_id
    qtbot.mouseClick(queue.to_meeting, Qt.MouseButton.LeftButton)
    loaded(qtbot, demo_archive)
    assert request_id not in {r.id for r in queue.model.rows}
    panel = township.meetings
    panel.show_meeting(meeting_id)
    decisions = panel.decisions
    mine = next(i for i in range(decisions.rowCount()) if decisions.record(i).request.id == request_id)
    deadline = date.today() + timedelta(days=30)
    for column, value in ((3, "镇村建办"), (4, "周国平"), (5, deadline)):
        decisions.setData(decisions.index(mine, column), value)
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "已按会议决定交办" in panel.message.text(), panel.message.text()

    # 5. Solve it; the household is not satisfied; solve again; satisfied closes it.
    detail.reload()
    assert detail.ui.statusLabel.text() == "办理中"
    assert "镇村建办" in detail.ui.assignmentLabel.text()
    assert offered(detail) == {"记录进展", "办结", "不能解决"}
    act(qtbot, detail, Action.SOLVE, measures="更换护栏", method="村级实施", result="护栏已修复")
    assert detail.ui.statusLabel.text() == "已办结"
    assert offered(detail) == {"反馈"}
    act(qtbot, detail, Action.FEEDBACK, village_cadre="王村长", satisfaction="不满意", opinion="护栏高度不够")
    assert detail.ui.statusLabel.text() == "办理中"
    act(qtbot, detail, Action.SOLVE, measures="加高护栏", method="复查整改", result="整改到位")
    act(qtbot, detail, Action.FEEDBACK, village_cadre="王村长", satisfaction="满意", form_received=True)
    assert detail.ui.statusLabel.text() == "已反馈"
    assert offered(detail) == {"重新办理"}

    # Every step is on the timeline and in the database, in order.
    steps = [detail.timeline.record(i).action for i in range(detail.timeline.rowCount())]
    assert steps == ["梳理", "上报镇", "交办", "办结", "反馈", "办结", "反馈"]
    with demo_archive.db.sessions() as session:
        stored = session.get(Request, request_id)
        assert (stored.status, stored.satisfaction, stored.responsible_unit) == ("已反馈", "满意", "镇村建办")
        assert session.query(RequestEvent).filter_by(request_id=request_id).count() == 7

    # The household file shows the new state and the resolution.
    household.refresh_requests()
    shown = next(r for r in household.file.requests if r.id == request_id)
    assert shown.status == "已反馈" and "整改到位" in shown.resolution


def test_missing_field_keeps_the_action_dialog_open(window, demo_archive, qtbot):
    request_id = next(r.id for r in demo_archive.requests.list() if r.status == "登记")
    detail = window.open_request(request_id)
    dialog = act(qtbot, detail, Action.SORT, scope="", level="村级")
    assert dialog.isVisible()
    assert "问题性质" in dialog.error.text()
    assert detail.ui.statusLabel.text() == "登记"


def test_incomplete_meeting_decision_applies_nothing(window, demo_archive, qtbot):
    waiting = [r.id for r in demo_archive.requests.list() if r.status == "待上会" and not r.common_issue]
    panel = window.township.meetings
    meeting_id = panel.create(date.today(), "十二月专题会议", "")
    free = [
        rid
        for rid in waiting
        if demo_archive.requests.detail(rid).row.id
        not in {
            d.request.id
            for m in demo_archive.meetings.meetings()
            for d in demo_archive.meetings.decisions(m.id)
        }
    ]
    assert free, "the demo has requests waiting for a meeting"
    demo_archive.meetings.add_requests(meeting_id, free)
    panel.show_meeting(meeting_id)
    panel.decisions.setData(panel.decisions.index(0, 3), "镇农业农村办")  # unit only: person missing
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "未交办任何诉求" in panel.message.text()
    assert all(demo_archive.requests.detail(rid).row.status == "待上会" for rid in free)
    assert demo_archive.meetings.meeting(meeting_id).status == "筹备"


def test_common_issue_is_decided_once_for_every_household(window, demo_archive, qtbot):
    page = window.requests
    window.tabs.setCurrentWidget(page)
    page.status.setCurrentText("登记")
    loaded(qtbot, demo_archive)
    free = [r for r in page.model.rows if not r.common_issue_id]
    assert len({r.household_id for r in free[:2]}) == 2
    selection = page.view.selectionModel()
    for row_index, row in enumerate(page.model.rows):
        if row.id in {free[0].id, free[1].id}:
            selection.select(
                page.model.index(row_index, 0), selection.SelectionFlag.Select | selection.SelectionFlag.Rows
            )
    page.ask_title = lambda suggestion: "村道灌溉渠统一修复"
    qtbot.mouseClick(page.common_button, Qt.MouseButton.LeftButton)
    linked = [r for r in demo_archive.requests.list() if r.common_issue == "村道灌溉渠统一修复"]
    assert {r.id for r in linked} == {free[0].id, free[1].id}

    detail = window.open_request(free[0].id)
    assert detail.ui_together.isVisible()
    detail.ui_together.setChecked(True)
    act(
        qtbot,
        detail,
        Action.SORT,
        category="生产困难",
        scope="共性",
        solvability="近期一时难以解决",
        level="村级",
    )
    both = {r.id: r for r in demo_archive.requests.list() if r.common_issue == "村道灌溉渠统一修复"}
    assert {r.status for r in both.values()} == {"已梳理"}
    assert {r.scope for r in both.values()} == {"共性"}
