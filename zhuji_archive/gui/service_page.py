"""三式服务 and assessment: the link register, on-site days and 实事, quota fulfilment with
shortfalls highlighted, coverage checks, and the sortable, exportable cadre assessment."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain import maintenance as rules
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.operations import Changes, Operation, PageFeed, runner_for
from zhuji_archive.gui.widgets import date_edit, fit_to_items
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.export_files import file_name

SHORT = QBrush(QColor("#ffcdd2"))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAlternatingRowColors(True)
    return table


def _fill(table: QTableWidget, rows: list[list[object]]) -> None:
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem()
            item.setData(Qt.ItemDataRole.DisplayRole, value)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()

# Quotas, coverage and assessment count visits, links, requests and the register of cadres.
SERVICE_CHANGES = (
    "households", "visits", "requests", "service_links", "cadres", "organisation", "settings", "codes"
)


class ServicePage(QTabWidget):
    """The five panels of the service modes and assessment."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.links_service = archive.service_links
        self.feed = PageFeed(self, runner_for(archive), SERVICE_CHANGES, self.reload)
        today = archive.maintenance.today
        self.year_start = date(today.year, 1, 1)
        self.cadres_filled = False
        self._build_links()
        self._build_activity()
        self._build_quota()
        self._build_coverage()
        self._build_assessment()

    # ---- link register ------------------------------------------------------------------------
    def _cadre_combo(self) -> QComboBox:
        """Filled when the page is first shown (_fill_cadres): the cadres' pinyin order loads
        pypinyin's dictionaries, which the window need not wait for."""
        return QComboBox()

    def _fill_cadres(self) -> None:
        if self.cadres_filled:
            return
        self.cadres_filled = True
        cadres = self.archive.organisation.cadres()
        for combo in (self.link_cadre, self.act_cadre):
            combo.blockSignals(True)
            for cadre in cadres:
                combo.addItem(f"{cadre.name}（{cadre.kind}）", cadre.id)
            combo.blockSignals(False)
            fit_to_items(combo)  # filled as the page shows: sized to its names as before

    def _build_links(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QHBoxLayout()
        self.link_cadre = self._cadre_combo()
        self.link_mode = QComboBox()
        self.link_mode.addItems(rules.SERVICE_MODES)
        self.link_kind = QComboBox()
        for kind in rules.TARGET_KINDS:
            self.link_kind.addItem(rules.TARGET_TITLES[kind], kind)
        self.link_target = QComboBox()
        self.link_target.setMinimumWidth(260)
        self.link_start = date_edit(self.year_start)
        add = QPushButton("登记联系")
        end = QPushButton("结束所选联系")
        second = QHBoxLayout()  # two rows, so the page fits a 1024-pixel laptop screen
        for row, items in (
            (form, (("干部", self.link_cadre), ("方式", self.link_mode), ("对象", self.link_kind))),
            (second, (("", self.link_target), ("起始", self.link_start))),
        ):
            for label, widget in items:
                if label:
                    row.addWidget(QLabel(label))
                row.addWidget(widget)
        form.addStretch(1)
        second.addWidget(add)
        second.addWidget(end)
        second.addStretch(1)
        layout.addLayout(form)
        layout.addLayout(second)
        self.link_message = QLabel()
        layout.addWidget(self.link_message)
        self.links = _table(["干部", "服务方式", "对象类型", "联系对象", "起始日期", "结束日期"])
        layout.addWidget(self.links, 1)
        self.link_kind.currentIndexChanged.connect(lambda _i: self._fill_targets())
        self.link_mode.currentTextChanged.connect(self._mode_changed)
        add.clicked.connect(self.add_link)
        end.clicked.connect(self.end_link)
        for button in (add, end):
            button.setEnabled(self.archive.service_links.may_register)
        self.addTab(page, "联系登记")

    def _mode_changed(self, mode: str) -> None:
        if mode == "管线联片式":
            self.link_kind.setCurrentIndex(self.link_kind.findData("group"))

    def _fill_targets(self) -> None:
        self.link_target.clear()
        if not self.archive.service_links.may_register:
            return  # the register is the 党政办's: nothing to pick from
        for target_id, name in self.archive.service_links.targets(self.link_kind.currentData()):
            self.link_target.addItem(name, target_id)

    def add_link(self) -> bool:
        try:
            self.archive.service_links.add_link(
                self.link_cadre.currentData(),
                self.link_mode.currentText(),
                self.link_kind.currentData(),
                self.link_target.currentData() or "",
                self.link_start.date().toPython(),
            )
        except DomainError as error:
            self.link_message.setText(error.message)
            return False
        self.link_message.setText("已登记")
        self._reload_links()
        self._changed()
        return True

    def end_link(self) -> None:
        row = self.links.currentRow()
        if row < 0:
            return
        link_id = self.links.item(row, 0).data(Qt.ItemDataRole.UserRole)
        try:
            self.archive.service_links.end_link(link_id, self.archive.maintenance.today)
        except DomainError as error:
            self.link_message.setText(error.message)
            return
        self._reload_links()
        self._changed()

    def _reload_links(self) -> None:
        rows = self.archive.service_links.links()
        _fill(
            self.links,
            [
                [
                    r.cadre_name,
                    r.mode,
                    r.target_title,
                    r.target_name,
                    r.start_on.isoformat(),
                    r.end_on.isoformat() if r.end_on else "",
                ]
                for r in rows
            ],
        )
        for n, r in enumerate(rows):
            self.links.item(n, 0).setData(Qt.ItemDataRole.UserRole, r.id)

    # ---- on-site days and deeds ----------------------------------------------------------------
    def _build_activity(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        row1 = QHBoxLayout()
        self.act_cadre = self._cadre_combo()
        self.act_day = date_edit(self.archive.maintenance.today)
        self.act_place = QLineEdit()
        self.act_place.setPlaceholderText("蹲点地点（联系村或企业）")
        onsite = QPushButton("登记蹲点")
        for widget in (QLabel("干部"), self.act_cadre, QLabel("日期"), self.act_day, self.act_place, onsite):
            row1.addWidget(widget)
        row2 = QHBoxLayout()
        self.deed_title = QLineEdit()
        self.deed_title.setPlaceholderText("实事名称，如：修建村道排水沟")
        self.deed_beneficiary = QLineEdit()
        self.deed_beneficiary.setPlaceholderText("受益村/企业/户")
        self.deed_result = QLineEdit()
        self.deed_result.setPlaceholderText("办理结果")
        deed = QPushButton("登记实事")
        for widget in (self.deed_title, self.deed_beneficiary, self.deed_result, deed):
            row2.addWidget(widget)
        layout.addLayout(row1)
        layout.addLayout(row2)
        self.act_message = QLabel("蹲点天数和实事计入“定额完成”表。")
        layout.addWidget(self.act_message)
        layout.addStretch(1)
        onsite.clicked.connect(self.add_onsite)
        deed.clicked.connect(self.add_deed)
        for button in (onsite, deed):
            button.setEnabled(self.archive.service_links.may_register)
        self.addTab(page, "蹲点与实事")

    def add_onsite(self) -> None:
        try:
            self.archive.service_links.add_onsite_day(
                self.act_cadre.currentData(), self.act_day.date().toPython(), self.act_place.text()
            )
        except DomainError as error:
            self.act_message.setText(error.message)
            return
        self.act_message.setText(
            f"已登记 {self.act_cadre.currentText()} {self.act_day.date().toPython()} 蹲点"
        )
        self._changed()

    def add_deed(self) -> None:
        try:
            self.archive.service_links.add_deed(
                self.act_cadre.currentData(),
                self.act_day.date().toPython(),
                self.deed_title.text(),
                self.deed_beneficiary.text(),
                self.deed_result.text(),
            )
        except DomainError as error:
            self.act_message.setText(error.message)
            return
        self.act_message.setText(f"已登记实事“{self.deed_title.text().strip()}”")
        self._changed()

    def _changed(self) -> None:
        """A link, 蹲点 day or 实事 was recorded: quotas, coverage and assessment count it."""
        self.feed.runner.notify(Changes(service_links=True))

    # ---- quota fulfilment ---------------------------------------------------------------------
    def _period_bar(self, layout: QVBoxLayout, reload) -> tuple[QDateEdit, QDateEdit]:  # type: ignore[no-untyped-def]
        bar = QHBoxLayout()
        start, end = date_edit(self.year_start), date_edit(self.archive.maintenance.today)
        for widget in (QLabel("期间"), start, QLabel("至"), end):
            bar.addWidget(widget)
        bar.addStretch(1)
        layout.addLayout(bar)
        start.dateChanged.connect(lambda _d: reload())
        end.dateChanged.connect(lambda _d: reload())
        return start, end

    def _build_quota(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.quota_start, self.quota_end = self._period_bar(layout, self._reload_quota)
        self.quota = _table(["干部", "类别", "服务方式", "定额项目", "应完成", "已完成", "缺额"])
        layout.addWidget(self.quota, 1)
        layout.addWidget(QLabel("红色为未完成的定额；年度定额按期间月数折算。"))
        self.addTab(page, "定额完成")

    def _reload_quota(self) -> None:
        start, end, links = self.quota_start.date().toPython(), self.quota_end.date().toPython(), self.links_service
        self.feed.load("quota", lambda: links.quota_table(start, end), self._show_quota)

    def _show_quota(self, quota_rows: list) -> None:  # type: ignore[type-arg]
        rows = []
        for row in quota_rows:
            for quota in row.quotas:
                done = row.actual.get(quota.key, 0)
                rows.append(
                    [
                        row.cadre_name,
                        row.cadre_kind,
                        row.mode,
                        quota.title,
                        quota.required,
                        done,
                        max(quota.required - done, 0),
                    ]
                )
        _fill(self.quota, rows)
        for r, row in enumerate(rows):
            if row[-1]:
                for c in range(len(row)):
                    self.quota.item(r, c).setBackground(SHORT)

    # ---- coverage --------------------------------------------------------------------------------
    def _build_coverage(self) -> None:
        page = QWidget()
        layout = QHBoxLayout(page)
        left, right = QVBoxLayout(), QVBoxLayout()
        self.unlinked_label = QLabel()
        self.unlinked = _table(["重点户", "重点关注"])
        self.missing_label = QLabel()
        self.missing = _table(["干部", "服务方式", "缺少"])
        left.addWidget(self.unlinked_label)
        left.addWidget(self.unlinked)
        right.addWidget(self.missing_label)
        right.addWidget(self.missing)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self.addTab(page, "覆盖检查")

    def _reload_coverage(self) -> None:
        self.feed.load("coverage", self.links_service.coverage, self._show_coverage)

    def _show_coverage(self, coverage) -> None:  # type: ignore[no-untyped-def]
        self.unlinked_label.setText(f"没有联系干部的重点户：{len(coverage.unlinked_households)} 户")
        _fill(self.unlinked, [[label, tags] for _id, label, tags in coverage.unlinked_households])
        self.missing_label.setText(f"联系对象不全的干部：{len(coverage.cadres_missing)} 人")
        _fill(self.missing, [list(row) for row in coverage.cadres_missing])

    # ---- assessment --------------------------------------------------------------------------
    def _build_assessment(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.assess_start, self.assess_end = self._period_bar(layout, self._reload_assessment)
        last_month = self.archive.maintenance.today.replace(day=1) - timedelta(days=1)
        self.assess_start.blockSignals(True)
        self.assess_start.setDate(QDate(last_month.replace(day=1)))  # last month to date by default
        self.assess_start.blockSignals(False)
        headers = [
            "干部",
            "类别",
            *[f"{title}(%)" for _key, title in rules.ASSESSMENT_INDICATORS],
            "综合得分",
        ]
        self.assessment = _table(headers)
        layout.addWidget(self.assessment, 1)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("指标不适用的记“—”，其权重按比例分给其余指标。权重在“设置”中调整。"), 1)
        self.export_button = QPushButton("导出Excel…")
        self.export_button.clicked.connect(self.export_assessment)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.addTab(page, "干部考核")

    def _reload_assessment(self) -> None:
        start, end, links = self.assess_start.date().toPython(), self.assess_end.date().toPython(), self.links_service
        self.feed.load("assessment", lambda: links.assessment(start, end), self._show_assessment)

    def _show_assessment(self, rows: list) -> None:  # type: ignore[type-arg]
        self.assessment.setSortingEnabled(False)  # rows are filled in the service's order
        table = []
        for row in rows:
            values = [row.indicators.get(key) for key, _ in rules.ASSESSMENT_INDICATORS]
            table.append(
                [
                    row.cadre_name,
                    row.cadre_kind,
                    *("—" if v is None else f"{v:.0%}" for v in values),
                    row.score if row.score is not None else -1.0,
                ]
            )
        _fill(self.assessment, table)
        for r, row in enumerate(rows):
            if row.score is None:
                self.assessment.item(r, len(table[r]) - 1).setData(Qt.ItemDataRole.DisplayRole, "—")
        self.assessment.setSortingEnabled(True)

    def ask_export_path(self) -> str:
        """Where to save the assessment; tests replace this."""
        town = self.archive.exports.scope_title()
        start, end = self.assess_start.date().toPython(), self.assess_end.date().toPython()
        suggested = f"{file_name(f'{town}干部考核表（{start}至{end}）')}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出干部考核表", suggested, "Excel 工作簿 (*.xlsx)")
        return path

    def export_assessment(self) -> None:
        path = self.ask_export_path()
        if not path:
            return
        start, end, links = self.assess_start.date().toPython(), self.assess_end.date().toPython(), self.links_service
        Operation(
            self,
            "导出",
            lambda _progress, _cancelled: links.export_assessment(path, start, end),
            runner=self.feed.runner,
            changes=Changes(history=True),
        ).success(
            lambda count: QMessageBox.information(self, "导出", f"已导出 {count} 名干部的考核结果到\n{path}")
        ).run()

    def reload(self) -> None:
        self._fill_cadres()
        self._fill_targets()
        self._reload_links()
        self._reload_quota()
        self._reload_coverage()
        self._reload_assessment()
