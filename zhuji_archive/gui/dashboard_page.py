"""领导驾驶舱: the practice's three numbers, request charts that click through to their lists,
deadline and supervision counts, satisfaction, revisit coverage and the fastest-rising categories."""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.workflow import Level, Status
from zhuji_archive.gui.operations import PageFeed, runner_for
from zhuji_archive.gui.widgets import refill
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.dashboard import Dashboard

DASHBOARD_CHANGES = ("households", "visits", "requests", "meetings", "organisation", "settings", "codes")


def _tile(caption: str) -> tuple[QWidget, QLabel]:
    box = QWidget()
    box.setStyleSheet("QWidget#tile { background: #f5f7fa; border: 1px solid #d0d7de; border-radius: 6px; }")
    box.setObjectName("tile")
    layout = QVBoxLayout(box)
    title = QLabel(caption)
    title.setStyleSheet("color: #555; border: none;")
    value = QLabel("—")
    value.setStyleSheet("font-size: 22pt; font-weight: bold; color: #0d47a1; border: none;")
    layout.addWidget(title)
    layout.addWidget(value)
    return box, value


class BarChart(QChartView):
    """A one-series chart of horizontal bars, so that each category's full name reads on the left
    (upright Chinese labels under vertical bars were cut to "已…"); a bar reports the category clicked
    and tells its name and count on hover."""

    barClicked = Signal(str)

    def __init__(self, title: str, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_title = title
        self.color = QColor(color)
        self.categories: list[str] = []
        self.counts: dict[str, int] = {}
        self.setMinimumHeight(200)
        self.set_data({})

    def set_data(self, data: dict[str, int], order: list[str] | None = None) -> None:
        listed = [c for c in (order or sorted(data, key=lambda k: -data[k])) if c in data] or ["无"]
        # Horizontal bars are drawn bottom-up: reversed, the first category is the top bar.
        self.categories = list(reversed(listed))
        self.counts = {c: data.get(c, 0) for c in self.categories}
        chart = QChart()
        chart.setTitle(self.chart_title)
        chart.legend().hide()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 12, 4))
        bar_set = QBarSet(self.chart_title)
        bar_set.setColor(self.color)
        bar_set.append([float(self.counts[c]) for c in self.categories])
        bar_set.clicked.connect(lambda index: self.barClicked.emit(self.categories[index]))
        bar_set.hovered.connect(self._hovered)
        series = QHorizontalBarSeries()
        series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsInsideEnd)
        series.setBarWidth(0.7)
        chart.addSeries(series)
        axis_names = QBarCategoryAxis()
        axis_names.append(self.categories)
        axis_names.setGridLineVisible(False)
        chart.addAxis(axis_names, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_names)
        axis_counts = QValueAxis()
        axis_counts.setRange(0, max([*data.values(), 1]) * 1.15)
        axis_counts.setLabelFormat("%d")
        axis_counts.applyNiceNumbers()
        chart.addAxis(axis_counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_counts)
        self.bar_set = bar_set
        self.setChart(chart)
        self.setToolTip("")

    def tooltip_text(self, index: int) -> str:
        category = self.categories[index]
        return f"{category}：{self.counts.get(category, 0)} 件"

    def _hovered(self, entered: bool, index: int) -> None:
        if entered and 0 <= index < len(self.categories):
            text = self.tooltip_text(index)
            self.setToolTip(text)
            QToolTip.showText(QCursor.pos(), text, self)
        else:
            self.setToolTip("")
            QToolTip.hideText()

    def viewportEvent(self, event: QEvent) -> bool:
        # The scene answers tooltip requests from its items, and the bars (private to Qt) have none:
        # without this the hover text would be hidden again as soon as Qt asks for a tooltip.
        if event.type() == QEvent.Type.ToolTip and self.toolTip():
            QToolTip.showText(QCursor.pos(), self.toolTip(), self)
            return True
        return super().viewportEvent(event)


class DashboardPage(QWidget):
    """``showRequests(field, value, village_id)`` asks for the request list behind a bar."""

    showRequests = Signal(str, str, object)
    showTodo = Signal()

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.data: Dashboard | None = None
        self.feed = PageFeed(self, runner_for(archive), DASHBOARD_CHANGES, self.reload)
        # Scrolls on small laptop screens instead of forcing the window taller than the screen.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        content = QWidget()
        scroll.setWidget(content)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        bar = QHBoxLayout()
        self.scope = QComboBox()
        self.refresh_scopes()
        self.scope.currentIndexChanged.connect(lambda _i: self.reload())
        bar.addWidget(QLabel("范围"))
        bar.addWidget(self.scope)
        bar.addStretch(1)
        layout.addLayout(bar)
        tiles = QGridLayout()
        self.values: dict[str, QLabel] = {}
        captions = (
            "在册户数",
            "已走访户数",
            "收集民情信息（条）",
            "建立档案（册）",
            "超期未办结诉求",
            "挂牌督办在办",
            "反馈满意率",
            "大走访覆盖率",
        )
        for n, caption in enumerate(captions):
            box, value = _tile(caption)
            tiles.addWidget(box, n // 4, n % 4)
            self.values[caption] = value
        layout.addLayout(tiles)
        charts = QGridLayout()
        self.status_chart = BarChart("诉求办理状态", "#1565c0")
        self.category_chart = BarChart("诉求类别", "#2e7d32")
        self.level_chart = BarChart("办理层级", "#6a1b9a")
        charts.addWidget(self.status_chart, 0, 0)
        charts.addWidget(self.category_chart, 0, 1)
        charts.addWidget(self.level_chart, 1, 0)
        self.rising = QLabel()
        self.rising.setWordWrap(True)
        self.rising.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.rising.setStyleSheet(
            "font-size: 12pt; padding: 8px; background: #fff8e1; border: 1px solid #ffe082;"
        )
        charts.addWidget(self.rising, 1, 1)
        layout.addLayout(charts, 1)
        for chart, field in (
            (self.status_chart, "status"),
            (self.category_chart, "category"),
            (self.level_chart, "level"),
        ):
            chart.barClicked.connect(
                lambda value, f=field: self.showRequests.emit(f, value, self.scope.currentData())
            )

    def refresh_scopes(self) -> None:
        refill(
            self.scope, [("全镇", None), *((name, vid) for vid, name in self.archive.organisation.villages())]
        )

    def reload(self) -> None:
        """Build the dashboard on a worker (seconds at county scale); shown when it arrives."""
        village_id, title, dashboard = self.scope.currentData(), self.scope.currentText(), self.archive.dashboard
        self.feed.load("dashboard", lambda: dashboard.build(village_id, title), self.show_data)

    def show_data(self, d: Dashboard) -> None:
        self.data = d
        percent = lambda x: "—" if x is None else f"{x:.0%}"  # noqa: E731
        for caption, value in (
            ("在册户数", d.households),
            ("已走访户数", d.households_visited),
            ("收集民情信息（条）", d.information_items),
            ("建立档案（册）", d.books),
            ("超期未办结诉求", d.overdue),
            ("挂牌督办在办", d.supervised),
            ("反馈满意率", percent(d.satisfaction_rate)),
            ("大走访覆盖率", percent(d.revisit_coverage)),
        ):
            self.values[caption].setText(str(value))
        self.values["超期未办结诉求"].setStyleSheet(
            f"font-size: 22pt; font-weight: bold; border: none; color: {'#b71c1c' if d.overdue else '#0d47a1'};"
        )
        self.status_chart.set_data(d.by_status, [s.value for s in Status])
        self.category_chart.set_data(d.by_category)
        self.level_chart.set_data(d.by_level, [*[level.value for level in Level], "未梳理"])
        if d.rising:
            lines = [f"· {c}：本月 {n} 件，前三个月月均 {avg} 件" for c, n, avg in d.rising]
            self.rising.setText("早预警：本月上升最快的诉求类别\n" + "\n".join(lines))
        else:
            self.rising.setText("早预警：本月没有明显上升的诉求类别")
