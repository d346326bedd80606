"""An editable table over a list of record dataclasses (members, incomes, visits …), edited in place.

Removed rows stay in the list with ``removed=True`` (the service soft-deletes them) and are hidden here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

ERROR_BRUSH = QBrush(QColor("#ffd7d7"))
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: the record attribute, its Chinese title, how it is edited."""

    attr: str
    title: str
    kind: str = "text"  # text | int | float | date | bool | choice | readonly
    choices: Callable[[], Sequence[str]] | None = None
    width: int = 0


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "bool":
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return str(value)


class RecordTableModel(QAbstractTableModel):
    """Rows are dataclass instances owned by the caller; edits change them directly."""

    edited = Signal()

    def __init__(
        self,
        columns: Sequence[Column],
        rows: list[Any] | None = None,
        editable: bool = True,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.editable = editable
        self._rows: list[Any] = []
        self._visible: list[int] = []
        self.problems: dict[tuple[int, str | None], str] = {}
        self.set_rows(rows or [])

    # ---- data ---------------------------------------------------------------------------
    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._visible = [i for i, r in enumerate(rows) if not getattr(r, "removed", False)]
        self.problems = {}
        self.endResetModel()

    @property
    def records(self) -> list[Any]:
        """All records, removed ones included (as the service expects them back)."""
        return self._rows

    def source_index(self, row: int) -> int:
        return self._visible[row]

    def record(self, row: int) -> Any:
        return self._rows[self._visible[row]]

    def view_row(self, source_index: int) -> int | None:
        return self._visible.index(source_index) if source_index in self._visible else None

    def append(self, record: Any) -> int:
        position = len(self._visible)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(record)
        self._visible.append(len(self._rows) - 1)
        self.endInsertRows()
        self.edited.emit()
        return position

    def remove(self, row: int) -> None:
        """Hide the row: new records are dropped, saved ones are marked removed."""
        self.beginRemoveRows(QModelIndex(), row, row)
        source = self._visible.pop(row)
        record = self._rows[source]
        if getattr(record, "id", None) is None:
            self._rows.pop(source)
            self._visible = [i - 1 if i > source else i for i in self._visible]
        else:
            record.removed = True
        self.endRemoveRows()
        self.edited.emit()

    def refresh_row(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def set_problems(self, problems: dict[tuple[int, str | None], str]) -> None:
        self.problems = problems
        if self._visible:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._visible) - 1, len(self.columns) - 1))

    # ---- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = self.columns[index.column()]
        if not self.editable or column.kind == "readonly":
            return base
        if column.kind == "bool":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def _problem(self, index: Index) -> str | None:
        source = self._visible[index.row()]
        column = self.columns[index.column()]
        return self.problems.get((source, column.attr)) or (
            self.problems.get((source, None)) if index.column() == 0 else None
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self.record(index.row())
        column = self.columns[index.column()]
        value = getattr(record, column.attr)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if column.kind == "bool" else format_value(value, column.kind)
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.CheckStateRole and column.kind == "bool":
            return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and self._problem(index):
            return ERROR_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._problem(index) or (
                format_value(value, column.kind) if column.kind == "text" else None
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("int", "float"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        column = self.columns[index.column()]
        record = self.record(index.row())
        if role == Qt.ItemDataRole.CheckStateRole and column.kind == "bool":
            new: Any = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role == Qt.ItemDataRole.EditRole:
            new = value
        else:
            return False
        if getattr(record, column.attr) == new:
            return False
        setattr(record, column.attr, new)
        self.problems.pop((self._visible[index.row()], column.attr), None)
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True


class RecordDelegate(QStyledItemDelegate):
    """Editors by column kind: date picker, pick-list, number field (empty means unknown)."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        column = self.columns[index.column()]
        if column.kind == "date":
            editor = QDateEdit(parent)
            editor.setCalendarPopup(True)
            editor.setDisplayFormat("yyyy-MM-dd")
            return editor
        if column.kind == "choice" and column.choices is not None:
            combo = QComboBox(parent)
            combo.addItems(list(column.choices()))
            return combo
        if column.kind in ("int", "float"):
            line = QLineEdit(parent)
            validator = QDoubleValidator(0, 1e12, 0 if column.kind == "int" else 2, line)
            validator.setNotation(QDoubleValidator.Notation.StandardNotation)
            line.setValidator(validator)
            return line
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        column = self.columns[index.column()]
        if isinstance(editor, QDateEdit):
            editor.setDate(QDate(value) if isinstance(value, date) else QDate.currentDate())
        elif isinstance(editor, QComboBox):
            position = editor.findText(value or "")
            if position < 0 and value:
                editor.addItem(value)  # a retired value stays visible on old records
                position = editor.count() - 1
            editor.setCurrentIndex(max(position, 0))
        elif isinstance(editor, QLineEdit) and column.kind in ("int", "float"):
            editor.setText("" if value is None else format_value(value, column.kind).replace(",", ""))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        column = self.columns[index.column()]
        if isinstance(editor, QDateEdit):
            model.setData(index, editor.date().toPython())
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        elif isinstance(editor, QLineEdit) and column.kind in ("int", "float"):
            text = editor.text().replace(",", "").strip()
            if not text:
                model.setData(index, None)
            else:
                number = float(text)
                model.setData(index, int(number) if column.kind == "int" else number)
        else:
            super().setModelData(editor, model, index)
