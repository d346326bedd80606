"""The weekly/monthly classified summary (周报/月报) of a village or a cadre, and marking it submitted."""

from __future__ import annotations

from datetime import UTC

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import MONTHLY, WEEKLY, period_of
from zhuji_archive.domain.workflow import Status
from zhuji_archive.gui.operations import Changes, PageFeed, runner_for
from zhuji_archive.gui.request_printing import RequestPrinting
from zhuji_archive.gui.widgets import date_edit, fit_to_items, refill
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.export_files import file_name
from zhuji_archive.views.summaries import Summary

# A report counts requests, visits and feedback of its period; whether it was reported.
SUMMARY_CHANGES = ("requests", "visits", "households", "reports", "organisation", "cadres", "settings", "codes")


class SummaryPage(QWidget):
    """The 周报/月报 of the town, area or village selected in the organisation tree (or of a cadre
    chosen in 对象), for a date; 标记已上报 records it."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.summary: Summary | None = None
        self.feed = PageFeed(self, runner_for(archive), SUMMARY_CHANGES, self.reload)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        # The places and 驻村干部 to report on are listed when the page is first wanted (the cadres'
        # pinyin order loads pypinyin's dictionaries, which the window need not wait for).
        self.scope = QComboBox()
        self.scopes_filled = False
        self.followed: str | None = None  # the tree's selection, chosen once the list is filled
        self.kind = QComboBox()
        self.kind.addItems([WEEKLY, MONTHLY])
        self.day = date_edit(archive.requests.today)
        self.submit_button = QPushButton("标记为已上报")
        self.submit_button.clicked.connect(self.submit)
        for label, widget in (("对象", self.scope), ("类型", self.kind), ("日期", self.day)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addStretch(1)
        self._add_output_buttons(bar)
        bar.addWidget(self.submit_button)
        layout.addLayout(bar)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        layout.addWidget(self.title)
        self.state = QLabel()
        layout.addWidget(self.state)
        figures = QGroupBox("主要数字")
        self.grid = QGridLayout(figures)
        self.figures: dict[str, QLabel] = {}
        names = (
            "走访户数",
            "新增诉求",
            "已办结",
            "不能解决（已解释）",
            "上报镇",
            "市镇联动",
            "超期未办结",
            "反馈满意率",
        )
        for n, name in enumerate(names):
            caption = QLabel(name)
            caption.setStyleSheet("color: #555;")
            value = QLabel("—")
            value.setStyleSheet("font-size: 18pt; font-weight: bold;")
            self.grid.addWidget(caption, 0, n)
            self.grid.addWidget(value, 1, n)
            self.figures[name] = value
        layout.addWidget(figures)
        tables = QHBoxLayout()
        self.classes = self._table(("类别", "性质", "难易", "新增件数"))
        self.statuses = self._table(("办理状态", "件数"))
        self.feedback = self._table(("满意程度", "件数"))
        for caption, widget in (
            ("新增诉求分类", self.classes),
            ("诉求状态（截至期末）", self.statuses),
            ("本期情况反馈", self.feedback),
        ):
            box = QGroupBox(caption)
            QVBoxLayout(box).addWidget(widget)
            tables.addWidget(box, 2 if widget is self.classes else 1)
        layout.addLayout(tables, 1)
        for widget in (self.scope, self.kind):
            widget.currentIndexChanged.connect(lambda _i: self.reload())
        self.day.dateChanged.connect(lambda _d: self.reload())

    def _add_output_buttons(self, bar: QHBoxLayout) -> None:
        """打印 (PDF with charts, in the print preview) and 导出Excel of the summary shown."""
        self.printing = RequestPrinting(self.archive, self)
        self.print_button = QPushButton("打印")
        self.print_button.clicked.connect(self.print_summary)
        self.excel_button = QPushButton("导出Excel")
        self.excel_button.clicked.connect(self.export_excel)
        bar.addWidget(self.print_button)
        bar.addWidget(self.excel_button)

    def print_summary(self):  # type: ignore[no-untyped-def]
        if self.summary is None:
            return None
        s = self.summary
        return self.printing.print_summary(s.scope_kind, s.scope_id, s.period, s.title)

    def export_excel(self):  # type: ignore[no-untyped-def]
        if self.summary is None:
            return None
        s = self.summary
        suggested = f"{file_name(s.title)}.xlsx"
        return self.printing.export_summary(s.scope_kind, s.scope_id, s.period, suggested)

    @staticmethod
    def _table(headers: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return table

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[object, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(str(value)))
        table.resizeColumnsToContents()

    def reload(self) -> None:
        self._ensure_scopes()
        data = self.scope.currentData()
        if data is None:
            return
        scope_kind, scope_id = data.split(":", 1)
        period = period_of(self.kind.currentText(), self.day.date().toPython())
        summaries = self.archive.summaries
        self.feed.load("summary", lambda: summaries.build(scope_kind, scope_id, period), self.show_summary)

    def show_summary(self, s: Summary) -> None:
        self.summary = s
        self.title.setText(s.title)
        if s.submitted_at:
            local = s.submitted_at.replace(tzinfo=UTC).astimezone()
            self.state.setText(f"已于 {local:%Y-%m-%d %H:%M} 由{s.submitted_by}上报")
            self.state.setStyleSheet("color: #2e7d32;")
        else:
            self.state.setText("尚未上报")
            self.state.setStyleSheet("color: #b26a00;")
        self.submit_button.setEnabled(
            s.submitted_at is None and self.archive.actor.can(Capability.SUBMIT_REPORTS)
        )
        rate = s.satisfaction_rate
        values = (
            s.households_visited,
            s.new_total,
            s.solved,
            s.explained,
            s.escalated_town,
            s.escalated_city,
            s.overdue,
            "—" if rate is None else f"{rate:.0%}",
        )
        for label, value in zip(self.figures.values(), values, strict=True):
            label.setText(str(value))
        self._fill(self.classes, [tuple(row) for row in s.new_by_class])
        self._fill(self.statuses, [(st.value, s.by_status.get(st.value, 0)) for st in Status])
        self._fill(self.feedback, sorted(s.feedback.items()))

    def _ensure_scopes(self) -> None:
        if self.scopes_filled:
            return
        self.scope.blockSignals(True)
        self.scopes_filled = True
        self.refresh_scopes()
        if self.followed is not None:
            self.scope.setCurrentIndex(max(self.scope.findData(self.followed), 0))
        self.scope.blockSignals(False)
        fit_to_items(self.scope)  # filled as the page shows: sized to its items as before

    def refresh_scopes(self) -> None:
        """Towns, areas, villages and 驻村干部 to report on (again after the tree or the cadre
        register changed; before the page is first wanted, nothing: it lists them then)."""
        if not self.scopes_filled:
            return
        # Item data is "kind:id" text: Qt compares text by value (a Python tuple only by identity).
        places: list[tuple[str, str]] = []
        for town in self.archive.organisation.tree():
            places.append((f"{town.name}（全镇）", f"town:{town.id}"))
            for node in town.children:
                if node.kind == "area":
                    places.append((f"{node.name}（所辖各村）", f"area:{node.id}"))
        places += [(name, f"village:{vid}") for vid, name in self.archive.organisation.villages()]
        cadres = [
            (f"驻村干部 {c.name}", f"cadre:{c.id}") for c in self.archive.organisation.cadres("驻村干部")
        ]
        refill(self.scope, places + cadres)

    def follow_node(self, kind: str, node_id: str, village_id: str | None) -> None:
        """The tree's selection: a town reports on the whole town, an area on its villages, a village
        or a group on that village. The summary is built when the page is next shown."""
        scope = f"village:{village_id}" if village_id else f"{kind}:{node_id}"
        if not self.scopes_filled:
            self.followed = scope
            return
        index = self.scope.findData(scope)
        if index < 0:  # a node added since the list was filled
            self.refresh_scopes()
            index = self.scope.findData(scope)
        if index >= 0:
            self.scope.blockSignals(True)
            self.scope.setCurrentIndex(index)
            self.scope.blockSignals(False)

    def show_report(self, kind: str, scope_kind: str, scope_id: str, start) -> None:  # type: ignore[no-untyped-def]
        self._ensure_scopes()
        index = self.scope.findData(f"{scope_kind}:{scope_id}")
        if index >= 0:
            self.scope.setCurrentIndex(index)
        self.kind.setCurrentText(kind)
        self.day.setDate(QDate(start))
        self.reload()

    def submit(self) -> bool:
        if self.summary is None:
            return False
        try:
            self.archive.summaries.submit(self.summary.scope_kind, self.summary.scope_id, self.summary.period)
        except DomainError as error:
            self.state.setText(error.message)
            self.state.setStyleSheet("color: #c62828;")
            return False
        self.feed.runner.notify(Changes(reports=True))  # the to-do list drops it; this page reloads
        if self.feed.stale:
            self.reload()
        return True
