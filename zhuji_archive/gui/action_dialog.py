"""The dialog behind each request action: it asks exactly for what that transition needs.

The fields of each action are declared in a table (FORMS) rather than drawn in Designer, because
there are ten of them and they differ only in which fields they hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Action, Level
from zhuji_archive.gui.widgets import date_edit
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.requests import RequestDetail


@dataclass(frozen=True)
class Field:
    """One input: attribute name, Chinese label, kind (text/long/date/choice/editable/check)."""

    name: str
    label: str
    kind: str = "text"
    choices: str | tuple[str, ...] = ()  # a code-list key or fixed values


CLASSIFY = (
    Field("category", "诉求类别", "choice", "request_category"),
    Field("scope", "问题性质", "choice", "request_scope"),
    Field("solvability", "解决难易", "choice", "solvability"),
    Field("level", "办理层级", "choice", tuple(level.value for level in Level)),
)
ASSIGN = (
    Field("unit", "责任单位", "editable"),
    Field("person", "责任人", "editable"),
    Field("deadline", "办结时限", "date"),
    Field("note", "交办意见", "long"),
)
RESOLVE = (
    Field("solved_on", "解决时间", "date"),
    Field("measures", "解决措施", "long"),
    Field("method", "解决办法"),
    Field("result", "解决结果", "long"),
)
FORMS: dict[Action, tuple[Field, ...]] = {
    Action.SORT: CLASSIFY,
    Action.SOLVE_ON_SPOT: (*CLASSIFY[:2], *RESOLVE),
    Action.ASSIGN: ASSIGN,
    Action.REPORT: (Field("confirm", "上报说明", "label"),),
    Action.JOINT: (
        Field("body", "挂牌督办单位", "editable"),
        Field("listed_on", "挂牌日期", "date"),
        Field("leader", "包案领导", "editable"),
        *ASSIGN[:3],
        Field("next_check_on", "下次督查日期", "date"),
    ),
    Action.PROGRESS: (
        Field("on", "进展日期", "date"),
        Field("content", "进展情况", "long"),
        Field("next_check_on", "下次督查日期", "date"),
    ),
    Action.SOLVE: RESOLVE,
    Action.EXPLAIN: (
        Field("text", "合理合法的解释", "long"),
        Field("given_on", "向当事人解释的日期", "date"),
    ),
    Action.FEEDBACK: (
        Field("on", "反馈日期", "date"),
        Field("responsible_person", "责任人"),
        Field("cadre", "驻村干部"),
        Field("village_cadre", "村干部"),
        Field("satisfaction", "当事人满意程度", "choice", "satisfaction"),
        Field("opinion", "当事人意见", "long"),
        Field("form_received", "已收回签字的情况反馈意见单", "check"),
    ),
    Action.REOPEN: (Field("reason", "重新办理的理由", "long"),),
}
HINTS = {
    Action.REPORT: "上报镇党政办后，诉求进入“待上会”，由月度专题会议研究确定责任单位、责任人和办结时限。",
    Action.SOLVE_ON_SPOT: "“立即可以解决”的诉求可当场解决，登记为已办结，之后仍须进行情况反馈。",
    Action.EXPLAIN: "不能解决的诉求，须向当事人作出合理合法的解释。",
    Action.FEEDBACK: "选择“不满意”时诉求将重新办理，当事人意见作为重新办理的理由。",
}


class ActionDialog(QDialog):
    """Collects one action's fields, builds the payload and applies it through the request service."""

    def __init__(
        self,
        archive: Archive,
        detail: RequestDetail,
        action: Action,
        parent: QWidget | None = None,
        apply: Callable[[Action, wf.Payload], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.archive, self.detail, self.action = archive, detail, action
        self._apply = apply or (lambda a, p: archive.requests.act(detail.row.id, a, p))
        self.setWindowTitle(f"{action.value} — {detail.row.household_label}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        if action in HINTS:
            hint = QLabel(HINTS[action])
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #555;")
            layout.addWidget(hint)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.widgets: dict[str, QWidget] = {}
        for field in FORMS[action]:
            widget = self._widget(field)
            self.widgets[field.name] = widget
            self.form.addRow(field.label, widget)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action.value)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self._prefill()

    # ---- widgets -----------------------------------------------------------------------
    def _choices(self, field: Field) -> list[str]:
        if isinstance(field.choices, str):
            return self.archive.codes.values(field.choices)
        return list(field.choices)

    def _widget(self, field: Field) -> QWidget:
        if field.kind == "date":
            return date_edit()
        if field.kind in ("choice", "editable"):
            combo = QComboBox()
            combo.setEditable(field.kind == "editable")
            combo.addItems(self._choices(field))
            return combo
        if field.kind == "long":
            text = QPlainTextEdit()
            text.setFixedHeight(70)
            return text
        if field.kind == "check":
            return QCheckBox()
        if field.kind == "label":
            label = QLabel(f"将“{self.detail.row.description}”上报镇党政办")
            label.setWordWrap(True)
            return label
        return QLineEdit()

    def set_value(self, name: str, value: Any) -> None:
        widget = self.widgets[name]
        if isinstance(widget, QDateEdit):
            widget.setDate(QDate(value))
        elif isinstance(widget, QComboBox):
            if not value:
                widget.setCurrentIndex(-1)  # nothing chosen
                widget.setEditText("")
                return
            if widget.findText(value) < 0:
                widget.addItem(value)
            widget.setCurrentText(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QLineEdit):
            widget.setText(value)

    def value(self, name: str) -> Any:
        widget = self.widgets[name]
        if isinstance(widget, QDateEdit):
            return widget.date().toPython()
        if isinstance(widget, QComboBox):
            return widget.currentText().strip()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText().strip()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QLineEdit):
            return widget.text().strip()
        return None

    def _prefill(self) -> None:
        row, case = self.detail.row, self.detail.case
        today = self.archive.requests.today
        for widget in self.widgets.values():
            if isinstance(widget, QDateEdit):
                widget.setDate(QDate(today))
        if "category" in self.widgets:
            self.set_value("category", row.category)
        if case.classification is not None and self.action == Action.SORT:
            c = case.classification
            self.set_value("scope", c.scope)
            self.set_value("solvability", c.solvability)
            self.set_value("level", c.level.value)
        if "unit" in self.widgets:
            self.set_value("unit", row.responsible_unit)
            self.set_value("person", row.responsible_person)
            level = Level.JOINT if self.action == Action.JOINT else (case.level or Level.VILLAGE)
            self.set_value("deadline", self.archive.requests.default_deadline(level))
        if "leader" in self.widgets:
            combo = self.widgets["leader"]
            assert isinstance(combo, QComboBox)
            combo.addItems([c.name for c in self.archive.organisation.cadres("镇领导")])
            self.set_value("body", "诸暨市委办（市信访局）")
        if "next_check_on" in self.widgets:
            self.set_value("next_check_on", self.archive.requests.next_check_default())
        if self.action == Action.FEEDBACK:
            self.set_value("responsible_person", row.responsible_person)
            self.set_value("cadre", self.archive.maintenance.responsible_cadre(row.household_id))
        if self.action == Action.SOLVE_ON_SPOT:
            self.setWindowTitle(f"当场解决 — {row.household_label}")

    # ---- payload -----------------------------------------------------------------------
    def payload(self) -> wf.Payload:
        v = self.value
        a = self.action
        if a == Action.SORT:
            return wf.Classification(v("category"), v("scope"), v("solvability"), Level(v("level")))
        if a == Action.SOLVE_ON_SPOT:
            return wf.OnTheSpot(
                wf.Classification(v("category"), v("scope"), wf.IMMEDIATE, Level.CADRE),
                wf.Resolution(v("solved_on"), v("measures"), v("method"), v("result")),
            )
        if a == Action.ASSIGN:
            return wf.Assignment(v("unit"), v("person"), v("deadline"), v("note"))
        if a == Action.REPORT:
            return None
        if a == Action.JOINT:
            return wf.Supervision(
                v("body"),
                v("listed_on"),
                v("leader"),
                wf.Assignment(v("unit"), v("person"), v("deadline")),
                v("next_check_on"),
            )
        if a == Action.PROGRESS:
            return wf.Progress(v("on"), v("content"), v("next_check_on"))
        if a == Action.SOLVE:
            return wf.Resolution(v("solved_on"), v("measures"), v("method"), v("result"))
        if a == Action.EXPLAIN:
            return wf.Explanation(v("text"), v("given_on"))
        if a == Action.FEEDBACK:
            return wf.Feedback(
                v("on"),
                v("responsible_person"),
                v("cadre"),
                v("village_cadre"),
                v("opinion"),
                v("satisfaction"),
                v("form_received"),
            )
        return wf.Reopen(v("reason"))

    def accept(self) -> None:
        try:
            self.result_detail = self._apply(self.action, self.payload())
        except DomainError as error:
            self.error.setText(error.message)
            widget = self.widgets.get(error.field or "")
            if widget is not None:
                widget.setFocus()
            return
        super().accept()
