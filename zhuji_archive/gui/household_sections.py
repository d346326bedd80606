"""The sections of the household file window: the columns of each tab's table and their widths,
a change entry as shown, and the status question (gui/household_dialog.py puts them together)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

from zhuji_archive.domain.codes import HOUSEHOLD_STATUSES, INCOME_KINDS, VISIT_KINDS
from zhuji_archive.gui.forms.ui_status_dialog import Ui_StatusDialog
from zhuji_archive.gui.member_dialog import fill_combo
from zhuji_archive.gui.record_table import Column
from zhuji_archive.views.history import ChangeEntry

TAB_OF_SECTION = {"members": 0, "incomes": 1, "assistance": 2, "requests": 3, "visits": 5}
Codes = Callable[[str], list[str]]


def member_columns() -> list[Column]:
    """家庭基本情况: members are edited in their own dialog, so every cell is read-only."""
    return [
        Column("name", "姓名", "readonly"),
        Column("relation", "与户主关系", "readonly"),
        Column("sex", "性别", "readonly"),
        Column("id_number", "身份证号", "readonly"),
        Column("birth_date", "出生日期", "readonly"),
        Column("education", "文化程度", "readonly"),
        Column("political_status", "政治面貌", "readonly"),
        Column("health", "健康状况", "readonly"),
        Column("phone", "联系电话", "readonly"),
        Column("migrant_place", "务工地点", "readonly"),
    ]


def income_columns() -> list[Column]:
    """家庭主要经济来源."""
    return [
        Column("kind", "来源", "choice", lambda: INCOME_KINDS),
        Column("description", "内容(作物/行业/地点)"),
        Column("land_mu", "面积(亩)", "float"),
        Column("scale", "规模"),
        Column("months", "务工月数", "int"),
        Column("annual_income", "年收入(元)", "float"),
    ]


def assistance_columns(codes: Codes) -> list[Column]:
    """帮扶记录; the kinds come from the code list."""
    return [
        Column("date", "日期", "date"),
        Column("provider", "帮扶单位"),
        Column("provider_type", "单位性质", "choice", lambda: ("政府部门", "社会组织")),
        Column("kind", "帮扶类别", "choice", lambda: codes("assistance_kind")),
        Column("content", "帮扶内容"),
        Column("amount", "金额(元)", "float"),
    ]


def request_columns(codes: Codes) -> list[Column]:
    """家庭诉求 as registered here; their state moves on in the request window."""
    return [
        Column("recorded_on", "登记日期", "date"),
        Column("category", "类别", "choice", lambda: codes("request_category")),
        Column("description", "诉求内容"),
        Column("status", "办理状态", "readonly"),
        Column("number", "诉求编号", "readonly"),
    ]


def resolution_columns() -> list[Column]:
    """解决情况 of each request, read-only."""
    return [
        Column("recorded_on", "登记日期", "readonly"),
        Column("category", "类别", "readonly"),
        Column("description", "诉求内容", "readonly"),
        Column("status", "办理状态", "readonly"),
        Column("resolution", "解决情况（时间、措施、办法、结果）", "readonly"),
        Column("number", "诉求编号", "readonly"),
    ]


def visit_columns() -> list[Column]:
    """走访记录."""
    return [
        Column("date", "走访日期", "date"),
        Column("kind", "走访类型", "choice", lambda: VISIT_KINDS),
        Column("cadres", "走访干部"),
        Column("notes", "走访情况"),
        Column("policies", "宣传政策"),
    ]


def history_columns() -> list[Column]:
    """变更记录, read-only."""
    return [
        Column("at", "时间", "readonly"),
        Column("operator", "操作人", "readonly"),
        Column("action", "操作", "readonly"),
        Column("entity", "对象", "readonly"),
        Column("field", "字段", "readonly"),
        Column("old_value", "原值", "readonly"),
        Column("new_value", "新值", "readonly"),
        Column("note", "说明", "readonly"),
    ]


# Widths of the first columns of each table (the last stretches), by the table's name in the form.
COLUMN_WIDTHS = {
    "membersTable": (80, 80, 50, 170, 95, 110, 90, 80, 110),
    "incomesTable": (100, 200, 80, 100, 80),
    "assistanceTable": (100, 160, 80, 100, 260),
    "requestsTable": (100, 100, 460),
    "resolutionTable": (100, 90, 300, 80),
    "visitsTable": (100, 100, 120, 360),
    "historyTable": (130, 70, 50, 80, 90, 160, 160),
}


@dataclass(frozen=True)
class HistoryRow:
    """A change entry as shown: local time as text."""

    at: str
    operator: str
    action: str
    entity: str
    field: str
    old_value: str
    new_value: str
    note: str

    @classmethod
    def of(cls, entry: ChangeEntry) -> HistoryRow:
        local = entry.at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
        return cls(
            local,
            entry.operator,
            entry.action,
            entry.entity,
            entry.field,
            entry.old_value,
            entry.new_value,
            entry.note,
        )


class StatusDialog(QDialog):
    """Asks for a household's new status and the reason."""

    def __init__(self, status: str, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_StatusDialog()
        self.ui.setupUi(self)
        fill_combo(self.ui.statusCombo, HOUSEHOLD_STATUSES, status, blank=False)
        self.ui.noteEdit.setPlainText(note)
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)

    def accept(self) -> None:
        if self.ui.statusCombo.currentText() != "在册" and not self.ui.noteEdit.toPlainText().strip():
            self.ui.errorLabel.setText("请写明原因（如迁往何处、并入哪一户）")
            return
        super().accept()


def ask_reload(parent: QWidget, title: str, message: str, what: str, where: str) -> bool:
    """Someone else changed what this window changed: show who and what (``message``), offer to reload
    ``what`` — which drops the unsaved edits ``where``, so the user decides."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=parent)
    box.setInformativeText(f"是否重新载入{what}的最新内容？重新载入将放弃{where}尚未保存的修改。")
    reload = box.addButton("重新载入", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("暂不载入", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is reload
