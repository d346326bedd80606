"""Pieces the login, password and account windows share: a form that shows each error next to its
field, the password rules in words, and the password fields typed twice."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from zhuji_archive.domain.accounts import MIN_PASSWORD_LENGTH
from zhuji_archive.domain.errors import DomainError

PASSWORD_RULES = (
    f"密码要求：至少 {MIN_PASSWORD_LENGTH} 个字符；须包含数字、小写字母、大写字母、符号中的至少两类；"
    "不能包含登录名；首尾不能是空格。"
)
REPEAT_FIELD = "repeat"
ERROR_STYLE = "color: #b00020;"


def title_label(text: str) -> QLabel:
    """The large bold line a login, lock or connection window starts with."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    return label


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


def password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class FieldForm(QWidget):
    """A form whose rows each have a red line beneath for what is wrong with that field; an error
    naming no known field goes to the line at the bottom."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        self.general = self._error_label()
        outer.addWidget(self.general)
        self.errors: dict[str, QLabel] = {}

    @staticmethod
    def _error_label() -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet(ERROR_STYLE)
        label.hide()
        return label

    def add(self, field: str, title: str, widget: QWidget) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = self._error_label()
        error.setObjectName(f"error_{field}")
        column.addWidget(error)
        self.errors[field] = error
        self.form.addRow(title, holder)
        return widget

    def clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.clear()
            label.hide()

    def show_error(self, error: DomainError | str, field: str | None = None) -> None:
        message = error.message if isinstance(error, DomainError) else error
        field = field or (error.field if isinstance(error, DomainError) else None)
        label = self.errors.get(field or "", self.general)
        label.setText(message)
        label.show()

    def error_text(self, field: str | None = None) -> str:
        label = self.errors.get(field or "", self.general)
        return label.text() if label.isVisible() or label.text() else ""


def check_repeat(password: str, repeat: str) -> None:
    if password != repeat:
        raise DomainError("两次输入的密码不一致", REPEAT_FIELD)
