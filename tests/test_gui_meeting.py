"""GUI tests of the township page: the meeting decision table keeps typed decisions across refreshes,
the incomplete message follows the rows, the deadline editor starts from the meeting day; and the
挂牌督办 list marks overdue checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from loading import loaded
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit

from zhuji_archive.domain.workflow import Level
from zhuji_archive.gui.meeting_panel import MeetingPanel
from zhuji_archive.gui.township_page import TownshipPage
from zhuji_archive.services.requests import RequestQuery
from zhuji_archive.storage.models import MeetingItem, Request

UNIT, PERSON, DEADLINE = 3, 4, 5


@pytest.fixture
def township(qtbot, demo_archive) -> TownshipPage:
    page = TownshipPage(demo_archive)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    page.setCurrentWidget(page.meetings)
    qtbot.waitExposed(page)
    page.reload()
    loaded(qtbot, demo_archive)
    return page


def waiting(archive) -> list[str]:
    rows = archive.requests.list(RequestQuery(statuses=("待上会",), unscheduled=True))
    return [r.id for r in rows if not r.common_issue_id]


def new_meeting(archive, panel: MeetingPanel, count: int, held_on: date | None = None) -> str:
    ids = waiting(archive)[:count]
    assert len(ids) == count, "the demo has requests waiting for a meeting"
    meeting_id = panel.create(held_on or date.today(), "测试专题会议", "镇长")
    archive.meetings.add_requests(meeting_id, ids)
    panel.reload()
    return meeting_id


def start_editing(qtbot, panel: MeetingPanel, row: int, column: int):  # type: ignore[no-untyped-def]
    index = panel.decisions.index(row, column)
    panel.view.scrollTo(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(index).center())
    qtbot.waitUntil(lambda: panel.view.state() == panel.view.State.EditingState)
    return QApplication.focusWidget()


def type_into(qtbot, panel: MeetingPanel, row: int, column: int, text: str) -> None:
    editor = start_editing(qtbot, panel, row, column)
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    # Chinese arrives through the input method as a committed string, as from a pinyin IME.
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(editor, event)
    assert editor.text() == text
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.view.state() != panel.view.State.EditingState)


def pick_date(qtbot, panel: MeetingPanel, row: int, day: date) -> None:
    editor = start_editing(qtbot, panel, row, DEADLINE)
    assert isinstance(editor, QDateEdit)
    editor.setDate(QDate(day))
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.view.state() != panel.view.State.EditingState)


def shown(panel: MeetingPanel, row: int) -> tuple[str, str, str]:
    return tuple(panel.decisions.index(row, c).data() for c in (UNIT, PERSON, DEADLINE))  # type: ignore[return-value]


def test_typed_decisions_survive_removing_another_row_and_are_what_is_applied(
    township: TownshipPage, demo_archive, qtbot
) -> None:
    panel = township.meetings
    meeting_id = new_meeting(demo_archive, panel, 3)
    rows = [panel.decisions.record(i).request.id for i in range(3)]
    due = date.today() + timedelta(days=40)
    typed = {0: ("镇村建办", "楼国平"), 2: ("镇社会事务办", "俞红英")}
    for row, (unit, person) in typed.items():
        type_into(qtbot, panel, row, UNIT, unit)
        type_into(qtbot, panel, row, PERSON, person)
        pick_date(qtbot, panel, row, due)

    panel.view.setCurrentIndex(panel.decisions.index(1, 0))
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)

    assert [panel.decisions.record(i).request.id for i in range(2)] == [rows[0], rows[2]]
    assert shown(panel, 0) == ("镇村建办", "楼国平", due.isoformat())
    assert shown(panel, 1) == ("镇社会事务办", "俞红英", due.isoformat())

    # Putting a request (back) on the agenda from the review queue refreshes the table too.
    extra = rows[1]
    queue = township.queue
    queue.reload()
    loaded(qtbot, demo_archive)
    position = next(i for i, r in enumerate(queue.model.rows) if r.id == extra)
    queue.model.setData(
        queue.model.index(position, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    queue.choose_meeting = lambda: meeting_id
    qtbot.mouseClick(queue.to_meeting, Qt.MouseButton.LeftButton)
    assert panel.decisions.rowCount() == 3
    assert shown(panel, 0) == ("镇村建办", "楼国平", due.isoformat())
    assert shown(panel, 1) == ("镇社会事务办", "俞红英", due.isoformat())
    type_into(qtbot, panel, 2, UNIT, "镇综治办")
    type_into(qtbot, panel, 2, PERSON, "何建军")

    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "已按会议决定交办 3 件诉求" in panel.message.text(), panel.message.text()
    with demo_archive.db.sessions() as session:
        stored = {r: session.get(Request, r) for r in (rows[0], rows[1], rows[2], extra)}
        assert (stored[rows[0]].responsible_unit, stored[rows[0]].responsible_person) == ("镇村建办", "楼国平")
        assert (stored[rows[2]].responsible_unit, stored[rows[2]].responsible_person) == (
            "镇社会事务办",
            "俞红英",
        )
        assert stored[rows[0]].deadline == stored[rows[2]].deadline == due
        assert stored[rows[0]].status == stored[rows[2]].status == stored[extra].status == "办理中"
        assert stored[extra].responsible_unit == "镇综治办"


def test_unsaved_decisions_survive_looking_at_another_meeting(township: TownshipPage, demo_archive, qtbot) -> None:
    panel = township.meetings
    first = new_meeting(demo_archive, panel, 1)
    other = panel.create(date.today(), "另一次会议", "")
    panel.show_meeting(first)
    type_into(qtbot, panel, 0, UNIT, "镇农业农村办")
    panel.show_meeting(other)
    panel.show_meeting(first)
    assert panel.decisions.index(0, UNIT).data() == "镇农业农村办"
    assert panel.has_unsaved()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert not panel.has_unsaved()
    with demo_archive.db.sessions() as session:
        assert session.get(MeetingItem, panel.decisions.record(0).item_id).unit == "镇农业农村办"


def test_the_incomplete_message_follows_the_rows(township: TownshipPage, demo_archive, qtbot) -> None:
    panel = township.meetings
    new_meeting(demo_archive, panel, 3)
    heads = [panel.decisions.record(i).request.head_name for i in range(3)]
    for row, (unit, person) in enumerate((("镇村建办", ""), ("", "周丽君"), ("镇民政办", "陈海峰"))):
        if unit:
            type_into(qtbot, panel, row, UNIT, unit)
        if person:
            type_into(qtbot, panel, row, PERSON, person)
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    text = panel.message.text()
    assert "未交办任何诉求" in text
    assert f"户主{heads[0]}" in text and f"户主{heads[1]}" in text and f"户主{heads[2]}" not in text
    assert "c62828" in panel.message.styleSheet()
    assert panel.decisions.index(0, PERSON).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert panel.decisions.index(1, UNIT).data(Qt.ItemDataRole.BackgroundRole) is not None

    panel.view.setCurrentIndex(panel.decisions.index(1, 0))
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    text = panel.message.text()
    assert f"户主{heads[0]}" in text and f"户主{heads[1]}" not in text
    assert panel.decisions.index(0, PERSON).data(Qt.ItemDataRole.BackgroundRole) is not None

    type_into(qtbot, panel, 0, PERSON, "杨建军")
    assert panel.message.text() == ""
    assert panel.decisions.index(0, PERSON).data(Qt.ItemDataRole.BackgroundRole) is None
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "已按会议决定交办 2 件诉求" in panel.message.text()


def test_deadline_editor_starts_from_the_meeting_and_refuses_earlier_days(
    township: TownshipPage, demo_archive, qtbot
) -> None:
    """The demo's coming meeting has decisions without a deadline yet."""
    panel = township.meetings
    meeting = next(m for m in demo_archive.meetings.meetings() if m.status == "筹备")
    panel.show_meeting(meeting.id)
    row = next(i for i in range(panel.decisions.rowCount()) if panel.decisions.record(i).deadline is None)
    expected = demo_archive.requests.default_deadline(Level.TOWN, meeting.held_on)
    assert expected > meeting.held_on and expected != date.today()
    editor = start_editing(qtbot, panel, row, DEADLINE)
    assert isinstance(editor, QDateEdit)
    assert editor.date().toPython() == expected
    assert editor.minimumDate().toPython() == meeting.held_on
    editor.setDate(QDate(meeting.held_on - timedelta(days=5)))
    assert editor.date().toPython() == meeting.held_on  # the editor does not go before the meeting
    qtbot.keyClick(editor, Qt.Key.Key_Escape)


def test_an_early_deadline_is_refused_with_a_message(township: TownshipPage, demo_archive, qtbot) -> None:
    """A date the editor cannot produce (an earlier version's data) is refused when saving."""
    panel = township.meetings
    held = date.today() + timedelta(days=10)
    new_meeting(demo_archive, panel, 1, held_on=held)
    panel.decisions.setData(panel.decisions.index(0, DEADLINE), held - timedelta(days=1))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert f"早于会议日期{held.isoformat()}" in panel.message.text()
    with demo_archive.db.sessions() as session:
        assert session.get(MeetingItem, panel.decisions.record(0).item_id).deadline != held - timedelta(days=1)


def test_overdue_next_checks_are_red_in_the_supervision_list(township: TownshipPage, demo_archive, qtbot) -> None:
    case = next(row for row, _last in demo_archive.requests.supervised() if row.status == "办理中")
    panel = township.supervision
    model = panel.model
    column = next(i for i, c in enumerate(model.columns) if c.title == "下次督查")

    def cell_for(next_check: date):  # type: ignore[no-untyped-def]
        with demo_archive.db.transaction() as session:
            session.get(Request, case.id).next_check_on = next_check
        panel.reload()
        loaded(qtbot, demo_archive)
        row = next(i for i in range(model.rowCount()) if model.record(i).id == case.id)
        assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is None
        return model.index(row, column)

    late = cell_for(date.today() - timedelta(days=3))
    assert late.data() == (date.today() - timedelta(days=3)).isoformat()
    assert late.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert "下次督查日期已过" in late.data(Qt.ItemDataRole.ToolTipRole)
    coming = cell_for(date.today() + timedelta(days=7))
    assert coming.data(Qt.ItemDataRole.ForegroundRole) is None
    assert coming.data(Qt.ItemDataRole.ToolTipRole) is None
    # Solved cases wait for feedback, not for a check: a past date is no longer flagged.
    with demo_archive.db.transaction() as session:
        session.get(Request, case.id).status = "已办结"
    assert not cell_for(date.today() - timedelta(days=3)).data(Qt.ItemDataRole.ForegroundRole)


def test_the_leader_lists_come_with_the_first_load(qtbot, demo_archive) -> None:
    """Building the page reads no 包案领导 (a scan of the requests, twice, before the window showed):
    each panel's first load brings them, and a leader chosen then filters the cases."""
    page = TownshipPage(demo_archive)
    qtbot.addWidget(page)
    queue, supervision = page.queue, page.supervision
    assert [queue.leader.itemText(i) for i in range(queue.leader.count())] == ["全部"]
    leaders = demo_archive.requests.leaders()
    assert leaders, "the demo has cases with a leader"
    page.show()
    loaded(qtbot, demo_archive)
    page.setCurrentWidget(supervision)
    loaded(qtbot, demo_archive)
    for panel in (queue, supervision):
        assert [panel.leader.itemText(i) for i in range(panel.leader.count())] == ["全部", *leaders]
        assert panel.leader.width() >= panel.leader.fontMetrics().horizontalAdvance(max(leaders, key=len))
    supervision.leader.setCurrentText(leaders[0])
    loaded(qtbot, demo_archive)
    assert {supervision.model.record(i).leader for i in range(supervision.model.rowCount())} == {leaders[0]}
