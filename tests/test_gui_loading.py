"""Pages load off the GUI thread: while a slow county-scale query runs the window keeps turning (a
timer ticks, the user switches tabs and types), a light 正在载入… note shows, and the result lands
afterwards; an older load superseded by a newer filter is dropped; a saved household refreshes its
one row of the list; a change reaches the pages that show it and no others."""

from __future__ import annotations

import threading

from loading import loaded
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select
from test_gui_main import _listed_ids, _select_group, ime_type
from turning import assert_turned, slowed, ticking

from zhuji_archive.gui.operations import Changes
from zhuji_archive.storage.models import Household


def test_window_keeps_turning_while_the_dashboard_loads(window, demo_archive, qtbot, monkeypatch) -> None:
    pause = slowed(
        monkeypatch, demo_archive.dashboard, "build"
    )  # the dashboard took 3 s at 400,000 households
    dashboard = window.dashboard
    with ticking() as ticks:
        window.tabs.setCurrentWidget(dashboard)
        assert dashboard.feed.loading.isVisible() and dashboard.feed.loading.text() == "正在载入…"
        assert window.busy_label.isVisible()
        qtbot.waitUntil(pause.started.is_set, timeout=5000)
        # The user goes on working: back to the household list, typing a search.
        window.tabs.setCurrentWidget(window.households)
        qtbot.keyClicks(window.households.search, "zjg")
        assert window.households.search.text() == "zjg"
        qtbot.waitUntil(lambda: dashboard.data is not None, timeout=10000)
    assert_turned(ticks, pause)
    loaded(qtbot, demo_archive)
    window.tabs.setCurrentWidget(dashboard)
    assert not dashboard.feed.loading.isVisible() and not window.busy_label.isVisible()
    assert dashboard.values["在册户数"].text() == str(dashboard.data.households)
    with demo_archive.db.sessions() as session:
        in_register = session.scalar(
            select(__import__("sqlalchemy").func.count())
            .select_from(Household)
            .where(Household.status == "在册")
        )
    assert dashboard.data.households == in_register


def test_a_superseded_request_list_is_dropped(window, demo_archive, qtbot, monkeypatch) -> None:
    """The user picks 登记, then at once 办理中, while the first list is still loading: the page ends
    showing 办理中, whatever order the two loads finish in."""
    requests = demo_archive.requests
    real_page = requests.page
    release = threading.Event()

    def page_held_for_registered(query, after=None, limit=None):  # type: ignore[no-untyped-def]
        if query.statuses == ("登记",):
            release.wait(10)  # the older load finishes last
        return real_page(query, after, limit)

    page = window.requests
    window.tabs.setCurrentWidget(page)
    loaded(qtbot, demo_archive)
    monkeypatch.setattr(requests, "page", page_held_for_registered)
    page.status.setCurrentText("登记")
    page.status.setCurrentText("办理中")
    qtbot.waitUntil(
        lambda: page.model.rows and {r.status for r in page.model.rows} == {"办理中"}, timeout=10000
    )
    release.set()
    loaded(qtbot, demo_archive)
    assert {r.status for r in page.model.rows} == {"办理中"}
    assert not page.feed.loading.isVisible()


def test_a_saved_household_refreshes_its_one_row(window, demo_archive, qtbot) -> None:
    _select_group(window, demo_archive)
    model = window.households.model
    household_id = _listed_ids(window)[1]
    row = model.row_of(household_id)
    resets: list[bool] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda top, bottom, _roles=(): changed.append((top.row(), bottom.row())))
    dialog = window.open_household(household_id)
    dialog.ui.tabs.setCurrentIndex(5)
    qtbot.mouseClick(dialog.ui.visitsAddButton, Qt.MouseButton.LeftButton)
    assert dialog.save(), dialog.ui.problemsLabel.text()
    saved = demo_archive.households.load(household_id)
    assert resets == []  # the list was not reset and reloaded
    assert (row, row) in changed
    assert model.rows[row].id == household_id
    assert model.rows[row].last_visit_date == saved.visits[0].date


def test_a_household_leaving_the_filter_leaves_the_list(window, demo_archive, qtbot, when_modal) -> None:
    _select_group(window, demo_archive)
    model = window.households.model
    household_id = _listed_ids(window)[0]
    count = model.total
    dialog = window.open_household(household_id)

    def move_away(status_dialog) -> None:  # type: ignore[no-untyped-def]
        status_dialog.ui.statusCombo.setCurrentText("迁出")
        ime_type(status_dialog.ui.noteEdit, "迁往外地")
        status_dialog.accept()

    when_modal(move_away)
    qtbot.mouseClick(dialog.ui.statusButton, Qt.MouseButton.LeftButton)
    assert dialog.file.status == "迁出"
    assert dialog.save(), dialog.ui.problemsLabel.text()
    assert model.row_of(household_id) is None  # no longer 在册: gone from the list
    assert model.total == count - 1


def test_a_change_reloads_the_shown_page_and_marks_the_hidden_ones(
    window, demo_archive, qtbot, monkeypatch
) -> None:
    window.tabs.setCurrentWidget(window.dashboard)
    loaded(qtbot, demo_archive)
    window.tabs.setCurrentWidget(window.todo)
    loaded(qtbot, demo_archive)
    calls: list[str] = []
    real_todo, real_build = demo_archive.maintenance.todo, demo_archive.dashboard.build
    monkeypatch.setattr(demo_archive.maintenance, "todo", lambda *a: calls.append("todo") or real_todo(*a))
    monkeypatch.setattr(
        demo_archive.dashboard, "build", lambda *a: calls.append("dashboard") or real_build(*a)
    )
    window.runner.notify(Changes(service_links=True))  # neither page shows links
    loaded(qtbot, demo_archive)
    assert calls == []
    window.runner.notify(Changes(visits=True))
    loaded(qtbot, demo_archive)
    assert calls == ["todo"]  # the shown page at once
    assert window.dashboard.feed.stale  # the hidden one when it is shown
    window.tabs.setCurrentWidget(window.dashboard)
    loaded(qtbot, demo_archive)
    assert calls == ["todo", "dashboard"]


def test_a_new_household_counts_in_the_tree_loaded_off_the_gui_thread(
    window, demo_archive, qtbot, monkeypatch
) -> None:
    group_id = _select_group(window, demo_archive)
    town = window.tree.tree_model.item(0, 1)
    before = int(town.text())
    threads: list[bool] = []
    real_tree = demo_archive.organisation.tree

    def tree_on_a_worker():  # type: ignore[no-untyped-def]
        threads.append(QThread.currentThread() is QApplication.instance().thread())
        return real_tree()

    monkeypatch.setattr(window.tree.service, "tree", tree_on_a_worker)
    dialog = window.new_household(group_id)
    qtbot.mouseClick(dialog.ui.membersAddButton, Qt.MouseButton.LeftButton)
    member_dialog = dialog.member_dialog
    ime_type(member_dialog.ui.nameEdit, "斯永福")
    with qtbot.waitSignal(member_dialog.accepted):
        qtbot.mouseClick(
            member_dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
    assert dialog.save(), dialog.ui.problemsLabel.text()
    loaded(qtbot, demo_archive)
    assert threads == [False]  # the counts were read on a worker
    assert int(window.tree.tree_model.item(0, 1).text()) == before + 1
    assert window.tree.current_node() == ("group", group_id)  # the selection stays
    assert dialog.file.id in _listed_ids(window)  # a new household joins the list
