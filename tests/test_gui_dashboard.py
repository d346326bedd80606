"""The dashboard's charts are readable: every category name is drawn in full (nothing elided) at the
window's size on a 1366×768 laptop, and each bar's tooltip gives the full name and its count."""

from __future__ import annotations

import pytest
from loading import loaded
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QGraphicsTextItem, QToolTip

from zhuji_archive.gui.dashboard_page import BarChart

ELLIPSES = ("…", "...")


def drawn_texts(chart: BarChart) -> list[str]:
    """The text the chart's scene actually draws: axis labels, bar values and the title are text
    items in the scene (reached through ``toGraphicsObject``, as their classes are private to Qt)."""
    texts = []
    for item in chart.scene().items():
        obj = item.toGraphicsObject()
        if isinstance(obj, QGraphicsTextItem) and obj.isVisible() and obj.toPlainText():
            texts.append(obj.toPlainText())
    return texts


def charts(dashboard) -> list[BarChart]:  # type: ignore[no-untyped-def]
    return [dashboard.status_chart, dashboard.category_chart, dashboard.level_chart]


@pytest.mark.parametrize("size", [None, (1366, 768)])
def test_every_category_name_is_drawn_in_full(window, qtbot, size) -> None:
    if size is not None:
        window.resize(*size)
    window.tabs.setCurrentWidget(window.dashboard)
    dashboard = window.dashboard
    dashboard.reload()
    loaded(qtbot, window.archive)
    for chart in charts(dashboard):
        assert chart.categories and chart.categories != ["无"]

        def complete(c: BarChart = chart) -> bool:
            texts = drawn_texts(c)
            return all(name in texts for name in c.categories)

        # Resizing lays the charts out again after the event loop runs; wait for that, not a fixed time.
        try:
            qtbot.waitUntil(complete, timeout=3000)
        except qtbot.TimeoutError:
            pass
        texts = drawn_texts(chart)
        for category in chart.categories:
            assert category in texts, (chart.chart_title, category, texts, chart.size())
        elided = [t for t in texts if any(e in t for e in ELLIPSES)]
        assert not elided, (chart.chart_title, elided, chart.size())


def test_each_bar_tells_its_full_name_and_count(window, qtbot) -> None:
    window.tabs.setCurrentWidget(window.dashboard)
    dashboard = window.dashboard
    dashboard.reload()
    loaded(qtbot, window.archive)
    data = dashboard.data
    for chart, counts in (
        (dashboard.status_chart, data.by_status),
        (dashboard.category_chart, data.by_category),
        (dashboard.level_chart, data.by_level),
    ):
        for index, category in enumerate(chart.categories):
            chart.bar_set.hovered.emit(True, index)
            expected = f"{category}：{counts.get(category, 0)} 件"
            assert chart.toolTip() == expected
            qtbot.waitUntil(lambda e=expected: QToolTip.isVisible() and QToolTip.text() == e)
            # Resting on the bar, Qt asks the view for a tooltip; the answer must not hide it again.
            here = chart.viewport().rect().center()
            QApplication.sendEvent(
                chart.viewport(), QHelpEvent(QEvent.Type.ToolTip, here, chart.viewport().mapToGlobal(here))
            )
            assert QToolTip.isVisible() and QToolTip.text() == expected
            chart.bar_set.hovered.emit(False, index)
            assert chart.toolTip() == ""
