"""The household list as a cadre uses it: the 责任干部 column sorts by pinyin, and a search says
which member of each listed household it hit."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from zhuji_archive.domain import idcard
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.household_model import COL_CADRE, COL_HEAD, COL_MATCHED, COL_STATUS
from zhuji_archive.gui.household_page import HouseholdPage
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.views.household_file import MemberData

SPOUSE_ID = idcard.make("330681", date(1966, 2, 14), 42)


@pytest.fixture
def town(archive: Archive) -> tuple[Archive, str]:
    """Three households with the cadres 张, 李, 王 (in code point order 张 < 李 < 王)."""
    (town_node,) = archive.organisation.tree()
    (village,) = town_node.children
    group = village.children[0].id
    families = (
        ("张驻村", "赵一", (("李秀英", "配偶", SPOUSE_ID), ("赵小明", "子", ""))),
        ("李驻村", "钱二", ()),
        ("王驻村", "孙三", (("周梅", "配偶", ""),)),
    )
    for cadre, head, others in families:
        file = archive.households.new_file(group)
        file.responsible_cadre_id = archive.organisation.add_cadre(cadre, "驻村干部")
        file.members = [
            MemberData(name=head, relation="户主"),
            *(MemberData(name=n, relation=r, id_number=i) for n, r, i in others),
        ]
        archive.households.save(file)
    return archive, town_node.id


@pytest.fixture
def page(qtbot, town: tuple[Archive, str]) -> HouseholdPage:
    make_application()
    archive, town_id = town
    widget = HouseholdPage(archive)
    qtbot.addWidget(widget)
    widget.resize(1200, 500)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_node("town", town_id)
    return widget


def column(page: HouseholdPage, col: int) -> list[str]:
    model = page.model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def click_header(qtbot, page: HouseholdPage, col: int) -> None:
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_clicking_the_cadre_header_sorts_by_pinyin(qtbot, page: HouseholdPage) -> None:
    click_header(qtbot, page, COL_CADRE)
    assert column(page, COL_CADRE) == ["李驻村", "王驻村", "张驻村"]
    click_header(qtbot, page, COL_CADRE)
    assert column(page, COL_CADRE) == ["张驻村", "王驻村", "李驻村"]


def test_nothing_is_read_before_a_place_is_chosen_and_the_order_set_meanwhile_is_kept(
    qtbot, town: tuple[Archive, str]
) -> None:
    """Building the page (the view's sorting, a saved column layout) read the whole county's first
    page and count three times before the window chose its place; now the order is only noted."""
    from sqlalchemy import event

    make_application()
    archive, town_id = town
    statements: list[str] = []
    listen = lambda _c, _cur, statement, *_a: statements.append(statement)  # noqa: E731
    event.listen(archive.db.engine, "before_cursor_execute", listen)
    try:
        widget = HouseholdPage(archive)
        qtbot.addWidget(widget)
        widget.view.horizontalHeader().setSortIndicator(COL_CADRE, Qt.SortOrder.DescendingOrder)
        assert [s for s in statements if "FROM household" in s] == []
        assert widget.model.rowCount() == 0
        widget.set_node("town", town_id)
    finally:
        event.remove(archive.db.engine, "before_cursor_execute", listen)
    assert column(widget, COL_CADRE) == ["张驻村", "王驻村", "李驻村"]


def test_service_names_the_member_a_search_hit(town: tuple[Archive, str]) -> None:
    archive, _ = town
    (row,) = archive.household_list.page(HouseholdFilter(text="lxy"))
    assert (row.head_name, row.matched) == ("赵一", (("李秀英", "配偶"),))
    (row,) = archive.household_list.page(HouseholdFilter(text=SPOUSE_ID[-6:]))
    assert row.matched == (("李秀英", "配偶"),)
    rows = archive.household_list.page(HouseholdFilter(text="z"))  # 赵一, 赵小明, 周梅
    assert {r.head_name: r.matched for r in rows} == {
        "赵一": (("赵一", "户主"), ("赵小明", "子")),
        "孙三": (("周梅", "配偶"),),
    }
    assert all(r.matched == () for r in archive.household_list.page(HouseholdFilter()))


def test_search_shows_the_matched_member_in_a_column_and_tooltip(qtbot, page: HouseholdPage) -> None:
    assert page.view.isColumnHidden(COL_MATCHED)  # nothing searched, nothing to show
    qtbot.keyClicks(page.search, "lxy")
    qtbot.waitUntil(lambda: page.model.filter.text == "lxy", timeout=3000)
    assert column(page, COL_HEAD) == ["赵一"]
    assert not page.view.isColumnHidden(COL_MATCHED)
    assert column(page, COL_MATCHED) == ["李秀英（配偶）"]
    tip = page.model.index(0, COL_HEAD).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "命中成员：李秀英（配偶）"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.filter.text == "", timeout=3000)
    assert page.view.isColumnHidden(COL_MATCHED)
    assert page.model.index(0, COL_HEAD).data(Qt.ItemDataRole.ToolTipRole) is None


def test_the_matched_column_does_not_sort(qtbot, page: HouseholdPage) -> None:
    click_header(qtbot, page, COL_STATUS)
    qtbot.keyClicks(page.search, "z")
    qtbot.waitUntil(lambda: page.model.filter.text == "z", timeout=3000)
    before = column(page, COL_HEAD)
    click_header(qtbot, page, COL_MATCHED)
    assert column(page, COL_HEAD) == before
    assert page.view.horizontalHeader().sortIndicatorSection() == COL_STATUS
