"""GUI tests of 动态维护: the to-do page, recording a visit from it, and the dashboard's click-through."""

from __future__ import annotations

from loading import loaded
from PySide6.QtCore import Qt

from zhuji_archive.gui.todo_page import ItemRole
from zhuji_archive.services.maintenance import REVISIT


def _lines(page, kind: str):
    group = next(
        page.tree.topLevelItem(i)
        for i in range(page.tree.topLevelItemCount())
        if page.tree.topLevelItem(i).text(0).startswith(kind)
    )
    return group, [group.child(i) for i in range(group.childCount())]


def test_todo_is_the_first_page_and_lists_due_revisits(window, demo_archive, qtbot):
    assert window.tabs.currentWidget() is window.todo
    qtbot.waitUntil(lambda: window.todo.tree.topLevelItemCount() > 0, timeout=3000)
    page = window.todo
    page.cadre.setCurrentIndex(0)  # everyone
    todo = demo_archive.maintenance.todo(None)
    group, lines = _lines(page, REVISIT)
    assert group.text(0) == f"{REVISIT}（{todo.counts[REVISIT]}）"
    assert todo.counts[REVISIT] > 0
    shown = {line.data(0, ItemRole).household_id for line in lines}
    expected = {item.household_id for item in todo.items if item.kind == REVISIT}
    assert shown == expected
    assert window.tabs.tabText(0) == f"今日待办（{todo.total}）"


def test_recording_a_visit_from_the_todo_page_removes_the_line(window, demo_archive, qtbot):
    page = window.todo
    page.reload()
    loaded(qtbot, demo_archive)
    _group, lines = _lines(page, REVISIT)
    line = lines[0]
    household_id = line.data(0, ItemRole).household_id
    page.tree.setCurrentItem(line)
    assert page.visit_button.isEnabled()
    qtbot.mouseClick(page.visit_button, Qt.MouseButton.LeftButton)
    dialog = page.visit_dialog
    assert dialog is not None and dialog.kind.currentText() == "半年大走访"
    dialog.notes.setPlainText("半年大走访，家中老人身体尚好")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    loaded(qtbot, demo_archive)
    _group, after = _lines(page, REVISIT)
    assert household_id not in {item.data(0, ItemRole).household_id for item in after}
    next_day, status = demo_archive.maintenance.next_visit(household_id)
    assert status.value == "正常" and next_day is not None
    file = demo_archive.households.load(household_id)
    assert file.visits[0].notes == "半年大走访，家中老人身体尚好"


def test_dashboard_bar_opens_the_matching_request_list(window, demo_archive, qtbot):
    window.tabs.setCurrentWidget(window.dashboard)
    dashboard = window.dashboard
    loaded(qtbot, demo_archive)
    assert dashboard.data is not None
    assert dashboard.values["在册户数"].text() == str(dashboard.data.households)
    chart = dashboard.status_chart
    index = chart.categories.index("办理中")
    chart.bar_set.clicked.emit(index)
    assert window.tabs.currentWidget() is window.requests
    loaded(qtbot, demo_archive)
    rows = window.requests.model.rows
    assert rows and {r.status for r in rows} == {"办理中"}
    assert len(rows) == dashboard.data.by_status["办理中"]

    window.tabs.setCurrentWidget(dashboard)
    category_index = 0
    category = dashboard.category_chart.categories[category_index]
    dashboard.category_chart.bar_set.clicked.emit(category_index)
    loaded(qtbot, demo_archive)
    rows = window.requests.model.rows
    assert {r.category for r in rows} == {category}
    assert len(rows) == dashboard.data.by_category[category]


def test_the_first_load_brings_the_cadres_and_the_operators_own_todo(qtbot, demo_archive, settings):
    """The 驻村干部 come with the to-do list's first load (not while the window is built): in pinyin
    order, the choice as wide as the longest name, and an operator who is a 驻村干部 sees their own."""
    from accounts import as_person

    from zhuji_archive.gui.main_window import MainWindow

    village_id = demo_archive.organisation.villages()[0][0]
    demo_archive.organisation.add_cadre("艾力·买买提江", "驻村干部", village_id=village_id)
    cadres = demo_archive.organisation.cadres("驻村干部")
    own = cadres[len(cadres) // 2]
    archive = as_person(demo_archive, own.name)
    window = MainWindow(archive, settings)
    qtbot.addWidget(window)
    combo = window.todo.cadre
    assert [combo.itemText(i) for i in range(combo.count())] == ["全部干部"]  # not yet: nothing read
    window.show()
    loaded(qtbot, archive)
    assert [combo.itemText(i) for i in range(combo.count())] == ["全部干部", *(c.name for c in cadres)]
    assert combo.currentData() == own.id
    assert window.todo.todo.total == archive.maintenance.todo(own.id).total
    assert combo.width() >= combo.fontMetrics().horizontalAdvance("艾力·买买提江")
    window.close()
