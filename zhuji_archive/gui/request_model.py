"""The request list model: 诉求编号, status, level, category, household, deadline and a coloured time status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTableView

from zhuji_archive.domain.workflow import TimeStatus
from zhuji_archive.views.requests import RequestRow

Index = QModelIndex | QPersistentModelIndex
IdRole = Qt.ItemDataRole.UserRole
RowRole = Qt.ItemDataRole.UserRole + 1

COLUMNS = (
    ("number", "诉求编号"),
    ("status", "状态"),
    ("time_status", "时限"),
    ("deadline", "办结时限"),
    ("level", "层级"),
    ("category", "类别"),
    ("household", "户"),
    ("description", "诉求内容"),
    ("responsible", "责任单位/责任人"),
    ("recorded_on", "登记日期"),
)
LIGHTS = {
    TimeStatus.OVERDUE: (QColor("#ffcdd2"), QColor("#b71c1c"), "红灯 超期"),
    TimeStatus.DUE_SOON: (QColor("#fff3c4"), QColor("#8d6e00"), "黄灯 临期"),
    TimeStatus.ON_TRACK: (QColor("#dcedc8"), QColor("#33691e"), "正常"),
    TimeStatus.NONE: (None, QColor("#757575"), ""),
}


class RequestTableModel(QAbstractTableModel):
    """Holds the rows of one query; ``checkable`` adds a tick box in the first column for bulk actions."""

    def __init__(self, checkable: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[RequestRow] = []
        self.checkable = checkable
        self.checked: set[str] = set()

    def set_rows(self, rows: list[RequestRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.checked &= {r.id for r in rows}
        self.endResetModel()

    def checked_ids(self) -> list[str]:
        return [r.id for r in self.rows if r.id in self.checked]

    def set_all_checked(self, checked: bool) -> None:
        self.checked = {r.id for r in self.rows} if checked else set()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 0))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.checkable and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == Qt.ItemDataRole.ToolTipRole and key in ("description", "household"):
            return f"{row.household_label}\n{row.description}" + (
                f"\n共性问题：{row.common_issue}" if row.common_issue else ""
            )
        if role == Qt.ItemDataRole.CheckStateRole and self.checkable and index.column() == 0:
            return Qt.CheckState.Checked if row.id in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.BackgroundRole and key == "time_status":
            background = LIGHTS[row.time_status][0]
            return QBrush(background) if background else None
        if role == Qt.ItemDataRole.ForegroundRole and key == "time_status":
            return QBrush(LIGHTS[row.time_status][1])
        if role == IdRole:
            return row.id
        if role == RowRole:
            return row
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and self.checkable and index.column() == 0:
            row_id = self.rows[index.row()].id
            if Qt.CheckState(value) == Qt.CheckState.Checked:
                self.checked.add(row_id)
            else:
                self.checked.discard(row_id)
            self.dataChanged.emit(index, index)
            return True
        return False

    @staticmethod
    def _text(row: RequestRow, key: str) -> str:
        if key == "time_status":
            return LIGHTS[row.time_status][2]
        if key == "deadline":
            return row.deadline.isoformat() if row.deadline else ""
        if key == "recorded_on":
            return row.recorded_on.isoformat()
        if key == "household":
            return row.household_label
        if key == "responsible":
            return "／".join(x for x in (row.responsible_unit, row.responsible_person) if x)
        if key == "level":
            return row.level or "未梳理"
        return str(getattr(row, key))


class PagedRequestModel(RequestTableModel):
    """The request list a page at a time: the first page comes with the total, and ``fetch`` brings
    the rows after a given row as the view scrolls (``canFetchMore``/``fetchMore``)."""

    def __init__(self, checkable: bool = False, parent: Any = None) -> None:
        super().__init__(checkable=checkable, parent=parent)
        self.total = 0
        self.fetching = False
        self.fetch: Callable[[RequestRow], list[RequestRow]] | None = None

    def set_page(
        self, rows: list[RequestRow], total: int, fetch: Callable[[RequestRow], list[RequestRow]]
    ) -> None:
        self.fetch = fetch
        self.total = max(total, len(rows))
        self.set_rows(rows)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return (
            not parent.isValid() and not self.fetching and self.fetch is not None and len(self.rows) < self.total
        )

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        # A view (or a model tester) answering rowsInserted may ask for more again: that nested call
        # would fetch after the same last row and list its rows twice.
        if parent.isValid() or not self.rows or self.fetch is None or self.fetching:
            return
        self.fetching = True
        try:
            more = self.fetch(self.rows[-1])
            if not more:
                self.total = len(self.rows)  # rows left the filter since the count
                return
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()
        finally:
            self.fetching = False


# Widths of the request lists' columns; 诉求内容 takes what is left, so that on a 1366-wide laptop every
# column, 责任单位/责任人 and 登记日期 included, shows without scrolling sideways.
WIDTHS = {
    "number": 110, "status": 60, "time_status": 78, "deadline": 88, "level": 76, "category": 76,
    "household": 160, "responsible": 140, "recorded_on": 88,
}
DESCRIPTION = next(i for i, (key, _title) in enumerate(COLUMNS) if key == "description")


def fit_request_columns(view: QTableView, checkbox: int = 0) -> None:
    """Set a request list's column widths (the first wider by ``checkbox`` pixels for a tick box); the
    description stretches, still no narrower than a few words."""
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(40)
    for column, (key, _title) in enumerate(COLUMNS):
        if column == DESCRIPTION:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        else:
            view.setColumnWidth(column, WIDTHS[key] + (checkbox if column == 0 else 0))
