"""The 村情信息 and 周报月报 pages follow the organisation tree: a village (or its group) shows that
village; the town or an area shows no village's figures on 村情信息, and reports on the whole town
or the area's villages on 周报月报, whose title names the period once."""

from __future__ import annotations

from accounts import raw_connection
from loading import loaded
from PySide6.QtCore import Qt
from sqlalchemy import select

from zhuji_archive.domain.reporting import period_of
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.org_tree import NodeRole
from zhuji_archive.storage.models import Area, Town, Village, VillageGroup


def click_node(qtbot, window: MainWindow, kind: str, node_id: str) -> None:
    """Click a node of the tree as a user does (its parents expanded first)."""
    tree = window.tree
    item = tree._find(kind, node_id)
    assert item is not None
    parent = item.parent()
    while parent is not None:
        tree.expand(parent.index())
        parent = parent.parent()
    tree.scrollTo(item.index())
    rect = tree.visualRect(item.index())
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tree.currentIndex().data(NodeRole) == (kind, node_id)


def ids(demo_archive) -> dict[str, str]:
    with demo_archive.db.sessions() as session:
        village = session.scalar(select(Village).where(Village.name == "杜黄村"))
        group = session.scalar(select(VillageGroup.id).where(VillageGroup.village_id == village.id).limit(1))
        return {
            "town": session.scalar(select(Town.id)),
            "area": village.area_id,
            "area_name": session.scalar(select(Area.name).where(Area.id == village.area_id)),
            "village": village.id,
            "group": group,
            "population": str(village.population),
        }


def test_village_page_shows_no_other_villages_figures_for_the_town(window, demo_archive, qtbot) -> None:
    page = window.village
    known = ids(demo_archive)
    window.tabs.setCurrentWidget(page)
    click_node(qtbot, window, "village", known["village"])
    assert page.title.text() == "杜黄村 村级信息表"
    assert page.content.isVisible() and page.population.text() == known["population"]
    for kind in ("town", "area"):
        click_node(qtbot, window, kind, known[kind])
        assert page.title.text() == "请在左侧选择一个村"
        assert page.title.isEnabled()  # a plain label, not a greyed-out form
        assert not page.content.isVisible()  # no village's figures, greyed or not
    click_node(qtbot, window, "group", known["group"])  # a group shows its village
    assert page.title.text() == "杜黄村 村级信息表" and page.content.isVisible()


def test_village_edits_survive_a_look_at_the_town(window, demo_archive, qtbot, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    # Closing the window at the end asks about the unsaved edit: answer "discard".
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    page = window.village
    known = ids(demo_archive)
    window.tabs.setCurrentWidget(page)
    click_node(qtbot, window, "village", known["village"])
    page.industries.clear()
    qtbot.keyClicks(page.industries, "xiangfei")
    click_node(qtbot, window, "town", known["town"])
    click_node(qtbot, window, "village", known["village"])
    assert page.industries.text() == "xiangfei" and page.dirty


def visited(demo_archive, period, village_ids: list[str] | None) -> int:
    """Households visited in the period, counted from the raw tables."""
    conn = raw_connection(demo_archive.db.path)
    try:
        rows = conn.execute(
            "SELECT DISTINCT v.household_id, h.village_id FROM visit v JOIN household h ON h.id = v.household_id"
            " WHERE v.deleted = 0 AND v.date BETWEEN ? AND ?",
            (period.start.isoformat(), period.end.isoformat()),
        ).fetchall()
    finally:
        conn.close()
    return len([1 for _h, village in rows if village_ids is None or village in village_ids])


def test_summary_page_follows_the_tree_and_titles_once(window, demo_archive, qtbot) -> None:
    page = window.summary
    known = ids(demo_archive)
    with demo_archive.db.sessions() as session:
        area_villages = list(session.scalars(select(Village.id).where(Village.area_id == known["area"])))
    window.tabs.setCurrentWidget(page)
    page.kind.setCurrentText("月报")
    period = period_of("月报", page.day.date().toPython())
    month = f"{period.start.year}年{period.start.month}月"
    for kind, name, villages in (
        ("town", "安华镇", None),
        ("area", known["area_name"], area_villages),
        ("village", "杜黄村", [known["village"]]),
        ("group", "杜黄村", [known["village"]]),
    ):
        click_node(qtbot, window, kind, known[kind])
        loaded(qtbot, demo_archive)
        assert page.title.text() == f"{name}{month}月报", kind
        assert page.figures["走访户数"].text() == str(visited(demo_archive, period, villages)), kind
    page.kind.setCurrentText("周报")
    loaded(qtbot, demo_archive)
    week = period_of("周报", page.day.date().toPython())
    title = page.title.text()
    assert title == f"杜黄村{week.start}至{week.end}周报"
    assert title.count(str(week.start)) == 1 and title.count(str(week.end)) == 1


def test_a_report_opened_from_the_todo_list_shows_that_cadres_report(window, demo_archive, qtbot) -> None:
    """The to-do list opens a cadre's unsubmitted report: the page must select that cadre (it used
    to stay on the first entry because the scope was looked up by tuple identity)."""
    from zhuji_archive.storage.models import Cadre

    with demo_archive.db.sessions() as session:
        cadre_id, name = session.execute(
            select(Cadre.id, Cadre.name).where(Cadre.kind == "驻村干部").order_by(Cadre.name.desc())
        ).first()
    start = period_of("月报", demo_archive.requests.today).start
    window.open_report(("月报", "cadre", cadre_id, start))
    assert window.tabs.currentWidget() is window.summary
    loaded(qtbot, demo_archive)
    assert window.summary.title.text() == f"驻村干部{name}{start.year}年{start.month}月月报"
