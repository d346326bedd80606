"""The 诉求编号 in the window: request list and its search, the request window, the household file's
request tabs, the township's review queue, meeting table and 挂牌督办 list, and the to-do lines."""

from __future__ import annotations

import re

from loading import loaded
from PySide6.QtCore import Qt

from zhuji_archive.services.requests import RequestQuery

NUMBER = re.compile(r"^安华20\d\d-\d{4}$")


def column_of(model, title: str) -> int:  # type: ignore[no-untyped-def]
    return next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == title
    )


def test_request_list_shows_numbers_and_finds_a_request_by_number(window, demo_archive, qtbot) -> None:
    page = window.requests
    window.tabs.setCurrentWidget(page)
    page.reload()
    loaded(qtbot, demo_archive)
    model = page.model
    column = column_of(model, "诉求编号")
    shown = [model.index(r, column).data() for r in range(model.rowCount())]
    assert shown and all(NUMBER.match(n) for n in shown)
    assert shown == [row.number for row in model.rows]
    target = model.rows[len(model.rows) // 2]
    qtbot.keyClicks(page.search, target.number.removeprefix("安华"))
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    loaded(qtbot, demo_archive)
    assert [row.id for row in model.rows] == [target.id]
    assert model.index(0, column).data() == target.number


def test_request_window_and_household_file_name_the_number(window, demo_archive) -> None:
    row = demo_archive.requests.list(RequestQuery(statuses=("办理中",)))[0]
    detail = window.open_request(row.id)
    assert row.number in detail.windowTitle() and row.id not in detail.windowTitle()
    assert detail.ui.titleLabel.text().startswith(row.number)

    household = window.open_household(row.household_id)
    for model in (household.requests, household.resolution):
        column = column_of(model, "诉求编号")
        numbers = {model.index(r, column).data() for r in range(model.rowCount())}
        assert row.number in numbers and all(NUMBER.match(n) for n in numbers)


def test_township_lists_show_numbers(window, demo_archive, qtbot) -> None:
    township = window.township
    township.reload()
    loaded(qtbot, demo_archive)
    queue = township.queue.model
    assert queue.rowCount()
    column = column_of(queue, "诉求编号")
    assert all(NUMBER.match(queue.index(r, column).data()) for r in range(queue.rowCount()))

    panel = township.meetings
    meeting = next(m for m in demo_archive.meetings.meetings() if m.items)
    panel.show_meeting(meeting.id)
    decisions = panel.decisions
    column = column_of(decisions, "诉求编号")
    assert decisions.rowCount() == meeting.items
    for r in range(decisions.rowCount()):
        assert decisions.index(r, column).data() == demo_archive.requests.detail(
            decisions.record(r).request.id
        ).row.number

    supervision = township.supervision.model
    assert supervision.rowCount()
    column = column_of(supervision, "诉求编号")
    assert all(NUMBER.match(supervision.index(r, column).data()) for r in range(supervision.rowCount()))


def test_todo_request_lines_name_the_number(window, demo_archive, qtbot) -> None:
    todo = window.todo
    todo.reload()
    loaded(qtbot, demo_archive)
    lines = [
        todo.tree.topLevelItem(g).child(c)
        for g in range(todo.tree.topLevelItemCount())
        for c in range(todo.tree.topLevelItem(g).childCount())
    ]
    requests = [line for line in lines if line.data(0, Qt.ItemDataRole.UserRole).request_id]
    assert requests
    for line in requests:
        number = demo_archive.requests.detail(line.data(0, Qt.ItemDataRole.UserRole).request_id).row.number
        assert number in line.text(1)
