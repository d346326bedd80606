"""The household list model: pages rows in from the service as the view scrolls (keyset paging),
sorts and filters in SQL. It never holds more rows than the user has scrolled through."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from zhuji_archive.services.household_list import HouseholdFilter, HouseholdListService, HouseholdRow

Index = QModelIndex | QPersistentModelIndex

(
    COL_HEAD,
    COL_GROUP,
    COL_MEMBERS,
    COL_ECONOMIC,
    COL_FOCUS,
    COL_CADRE,
    COL_LAST_VISIT,
    COL_STATUS,
    COL_PHONE,
    COL_MATCHED,
) = range(10)
HEADERS = (
    "户主",
    "村民小组",
    "人数",
    "经济类型",
    "重点关注",
    "责任干部",
    "最近走访",
    "状态",
    "联系电话",
    "命中成员",
)
# The matched members exist only for a search, so that column does not sort (None); nor does the
# phone, which most roles see masked.
SORT_KEY_OF_COLUMN = (
    "head",
    "group",
    "members",
    "economic",
    "focus",
    "cadre",
    "last_visit",
    "status",
    None,
    None,
)
IdRole = Qt.ItemDataRole.UserRole
RowRole = Qt.ItemDataRole.UserRole + 1


class HouseholdTableModel(QAbstractTableModel):
    """Rows of the current filter, fetched a page at a time."""

    countChanged = Signal(int)

    def __init__(self, service: HouseholdListService, parent: Any = None) -> None:
        super().__init__(parent)
        self.service = service
        self.filter = HouseholdFilter()
        self.rows: list[HouseholdRow] = []
        self.total = 0
        self.revealed: dict[str, str] = {}  # household id -> full phone the user asked to see (logged)
        self.loaded = False  # nothing is read before the first set_filter (the page's place)

    def set_filter(self, flt: HouseholdFilter) -> None:
        """Show another node, search or filter: reset and load the first page."""
        self.beginResetModel()
        self.filter = flt
        self.loaded = True
        self.revealed.clear()
        if self.service.may_read:
            self.rows = self.service.page(flt)
            self.total = (
                len(self.rows) if len(self.rows) < self.service.PAGE_SIZE else self.service.count(flt)
            )
        else:  # an account without casework (系统管理员) is shown no list
            self.rows, self.total = [], 0
        self.endResetModel()
        self.countChanged.emit(self.total)

    def reload(self) -> None:
        self.set_filter(self.filter)

    def refresh_household(self, household_id: str) -> bool:
        """After a save: re-read the household's one row and tell the view it changed (Vorta's
        one-row ``dataChanged``). A row that left the filter, joined it or moved in the order resets
        the list instead. True when only the one row was refreshed."""
        index = self.row_of(household_id)
        fresh = self.service.row(self.filter, household_id)
        if index is None or fresh is None or fresh.sort_key != self.rows[index].sort_key:
            if index is None and fresh is None:
                return True  # neither shown nor to be shown: nothing in the list changed
            self.reload()
            return False
        self.rows[index] = fresh
        self.dataChanged.emit(self.index(index, 0), self.index(index, self.columnCount() - 1))
        return True

    # ---- paging -------------------------------------------------------------------------
    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self.rows:
            return
        more = self.service.page(self.filter, after=self.rows[-1].sort_key)
        if not more:
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    # ---- Qt model API -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.head_name or "（无户主）",
                f"{row.village_name}{row.group_name} 第{row.number}户",
                str(row.member_count),
                row.economic_types,
                row.focus_tags,
                row.cadre_name,
                row.last_visit_date.isoformat() if row.last_visit_date else "未走访",
                row.status,
                self.revealed.get(row.id, row.phone),
                matched_text(row),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and row.matched and column in (COL_HEAD, COL_MATCHED):
            return f"命中成员：{matched_text(row)}"
        if role == IdRole:
            return row.id
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_LAST_VISIT and row.last_visit_date is None:
                return QBrush(QColor("#c62828"))
            if column == COL_STATUS and row.status != "在册":
                return QBrush(QColor("#757575"))
            if column == COL_FOCUS and row.focus_tags:
                return QBrush(QColor("#b26a00"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_MEMBERS:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if SORT_KEY_OF_COLUMN[column] is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        flt = replace(self.filter, sort=SORT_KEY_OF_COLUMN[column], descending=descending)
        if not self.loaded:  # the view and the saved column layout set the order while the page is
            self.filter = flt  # built: kept for the first load (three loads of the whole county before)
            return
        self.set_filter(flt)

    def show_revealed(self, household_id: str, phone: str) -> None:
        """Show a household's full number (revealed and logged by the service) until the list reloads."""
        index = self.row_of(household_id)
        if index is None:
            return
        self.revealed[household_id] = phone
        self.dataChanged.emit(self.index(index, COL_PHONE), self.index(index, COL_PHONE))

    def row_of(self, household_id: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.id == household_id), None)


def matched_text(row: HouseholdRow) -> str:
    """The members a search hit, as 李秀英（配偶）、张伟（子）; empty outside a search."""
    return "、".join(f"{name}（{relation}）" if relation else name for name, relation in row.matched)
