"""档案 → 操作日志: the change log and the events, filtered by person, household, action and date,
a page at a time, exported to Excel. Everything it shows comes from the audit service, which refuses
accounts without 查看操作日志; the menu item is offered only to those that have it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.audit import PAGE_SIZE
from zhuji_archive.views.audit import COLUMNS, AuditFilter

ALL = "全部"


class AuditLogDialog(QDialog):
    """The 操作日志 window: filters on top, the paged table, 上一页/下一页 and 导出 below."""

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.audit = archive.audit
        self.setWindowTitle("操作日志")
        self.offset = 0
        self.total = 0
        self.person = QComboBox()
        self.person.addItem(ALL, None)
        for choice in self.audit.accounts():
            self.person.addItem(choice.label, choice.id)
        self.household_text = QLineEdit()
        self.household_text.setPlaceholderText("户主姓名或户号")
        self.household_text.returnPressed.connect(self.find_households)
        find = QPushButton("查找户")
        find.clicked.connect(self.find_households)
        self.household = QComboBox()
        self.household.addItem(ALL, None)
        self.household.setMinimumContentsLength(16)
        self.action = QComboBox()
        self.action.addItem(ALL, None)
        for action in self.audit.actions():
            self.action.addItem(action, action)
        self.by_date = QCheckBox("日期")
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-30))
        self.until = QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        top = QHBoxLayout()
        for label, widget in (("人员", self.person), ("户", self.household_text)):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addWidget(find)
        top.addWidget(self.household)
        top.addWidget(QLabel("操作"))
        top.addWidget(self.action)
        top.addWidget(self.by_date)
        top.addWidget(self.since)
        top.addWidget(QLabel("至"))
        top.addWidget(self.until)
        search = QPushButton("筛选")
        search.setDefault(True)
        search.clicked.connect(self.apply)
        top.addWidget(search)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.pages = QLabel()
        self.previous = QPushButton("上一页")
        self.previous.clicked.connect(lambda: self.turn(-1))
        self.next = QPushButton("下一页")
        self.next.clicked.connect(lambda: self.turn(1))
        export = QPushButton("导出…")
        export.clicked.connect(self.choose_export)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.pages, 1)
        for button in (self.previous, self.next, export, close):
            bottom.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        fit_to_screen(self)
        self.apply()

    def current_filter(self) -> AuditFilter:
        dated = self.by_date.isChecked()
        return AuditFilter(
            account_id=self.person.currentData(),
            household_id=self.household.currentData(),
            action=self.action.currentData(),
            since=self.since.date().toPython() if dated else None,  # type: ignore[arg-type]
            until=self.until.date().toPython() if dated else None,  # type: ignore[arg-type]
        )

    def find_households(self) -> None:
        """Fill the household choice with the households whose head or number matches."""
        self.household.clear()
        self.household.addItem(ALL, None)
        for choice in self.audit.households(self.household_text.text()):
            self.household.addItem(choice.label, choice.id)
        if self.household.count() > 1:
            self.household.setCurrentIndex(1)
        self.apply()

    def apply(self) -> None:
        self.offset = 0
        self.total = self.audit.count(self.current_filter())
        self.show_page()

    def turn(self, step: int) -> None:
        self.offset = max(
            0, min(self.offset + step * PAGE_SIZE, max(self.total - 1, 0) // PAGE_SIZE * PAGE_SIZE)
        )
        self.show_page()

    def show_page(self) -> None:
        lines = self.audit.page(self.current_filter(), self.offset, PAGE_SIZE)
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            for column, text in enumerate(line.cells()):
                item = QTableWidgetItem(text)
                item.setToolTip(text) if column == 4 else None
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        pages = max(1, -(-self.total // PAGE_SIZE))
        self.pages.setText(f"共 {self.total} 条，第 {self.offset // PAGE_SIZE + 1}/{pages} 页")
        self.previous.setEnabled(self.offset > 0)
        self.next.setEnabled(self.offset + PAGE_SIZE < self.total)

    def choose_export(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        target, _filter = QFileDialog.getSaveFileName(
            self, "导出操作日志", str(Path(folder) / "操作日志.xlsx"), "Excel 文件 (*.xlsx)"
        )
        if target:
            self.export_to(Path(target))

    def export_to(self, path: Path) -> int | None:
        """Write what the filter shows to a workbook (the export is itself logged)."""
        try:
            written = self.audit.export_xlsx(self.current_filter(), path)
        except DomainError as error:
            QMessageBox.warning(self, "导出操作日志", error.message)
            return None
        self.pages.setText(self.pages.text() + f"　已导出 {written} 条到“{path.name}”")
        return written


def cells(table: QTableWidget, row: int) -> list[str]:
    """The texts of one table row (for tests and copying)."""
    return [table.item(row, column).text() for column in range(table.columnCount())]


__all__ = ["AuditLogDialog", "cells"]
