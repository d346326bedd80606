"""Small dialogs of 动态维护: record a visit, record a must-visit event."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from zhuji_archive.domain.codes import VISIT_KINDS
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.widgets import date_edit
from zhuji_archive.services.archive import Archive


class VisitDialog(QDialog):
    """Records one visit to a household through the maintenance service."""

    def __init__(
        self,
        archive: Archive,
        household_id: str,
        title: str,
        kind: str = "半年大走访",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.archive, self.household_id = archive, household_id
        self.setWindowTitle(f"记录走访 — {title}")
        self.setMinimumWidth(480)
        form = QFormLayout(self)
        self.day = date_edit(archive.maintenance.today)
        self.kind = QComboBox()
        self.kind.addItems(VISIT_KINDS)
        self.kind.setCurrentText(kind)
        self.cadres = QLineEdit(archive.maintenance.responsible_cadre(household_id))
        self.cadres.setPlaceholderText("走访干部姓名，多人用顿号分隔")
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(70)
        self.policies = QLineEdit()
        self.policies.setPlaceholderText("如：城乡居民医保缴费、养老保险补缴")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        for label, widget in (
            ("走访日期", self.day),
            ("走访类型", self.kind),
            ("走访干部", self.cadres),
            ("走访情况", self.notes),
            ("宣传政策", self.policies),
        ):
            form.addRow(label, widget)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存走访")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form.addRow(buttons)

    def accept(self) -> None:
        try:
            self.archive.maintenance.record_visit(
                self.household_id,
                self.day.date().toPython(),
                self.kind.currentText(),
                self.cadres.text(),
                self.notes.toPlainText(),
                self.policies.text(),
            )
        except DomainError as error:
            self.error.setText(error.message)
            return
        super().accept()


class EventDialog(QDialog):
    """Records an event that obliges a visit (事件必访)."""

    def __init__(
        self, archive: Archive, household_id: str, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.archive, self.household_id = archive, household_id
        self.setWindowTitle(f"登记必访事件 — {title}")
        form = QFormLayout(self)
        self.day = date_edit(archive.maintenance.today)
        self.kind = QComboBox()
        self.kind.addItems(archive.codes.values("event_kind"))
        self.note = QLineEdit()
        days = archive.settings.get("event.due_days")
        hint = QLabel(f"登记后须在 {days} 天内上门走访（事件必访），走访后自动销号。")
        hint.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        for label, widget in (("事件日期", self.day), ("事件类型", self.kind), ("情况说明", self.note)):
            form.addRow(label, widget)
        form.addRow(hint)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登记")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        try:
            self.archive.maintenance.record_event(
                self.household_id, self.day.date().toPython(), self.kind.currentText(), self.note.text()
            )
        except DomainError as error:
            self.error.setText(error.message)
            return
        super().accept()
