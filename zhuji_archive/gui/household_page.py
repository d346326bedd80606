"""The household list page: search as you type, filters, the paged list, and opening files."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.codes import HOUSEHOLD_STATUSES
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.household_model import (
    COL_MATCHED,
    COL_PHONE,
    SORT_KEY_OF_COLUMN,
    HouseholdTableModel,
    IdRole,
)
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.household_list import HouseholdFilter

SEARCH_DELAY_MS = 120
ALL = "全部"


class HouseholdPage(QWidget):
    """Emits ``openHousehold(id)`` on double-click/Enter and ``newHousehold(group_id)`` for 新建户."""

    openHousehold = Signal(str)
    newHousehold = Signal(str)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.node: tuple[str, str] | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索：姓名、拼音或首字母（如 zjg）、身份证号、电话")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        bar.addWidget(self.search, 2)
        self.economic = self._combo(bar, "经济类型", [ALL, *archive.codes.values("economic_type")])
        self.focus = self._combo(bar, "重点关注", [ALL, *archive.codes.values("focus_tag")])
        self.status = self._combo(bar, "状态", [*HOUSEHOLD_STATUSES, ALL])
        self.new_button = QPushButton("新建户")
        self.new_button.setToolTip("在选中的村民小组中建立新户档案")
        self.new_button.clicked.connect(self._new_household)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)
        self.model = HouseholdTableModel(archive.household_list, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self._sorted_by = (0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._keep_sort_indicator)
        for column, width in enumerate((90, 170, 50, 150, 130, 90, 100, 60, 110)):
            self.view.setColumnWidth(column, width)
        self.view.setColumnHidden(COL_MATCHED, True)
        self.view.doubleClicked.connect(self._open_index)
        self.view.activated.connect(self._open_index)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.reveal_action = self.view.addAction("显示完整号码")  # also reachable for tests and shortcuts
        self.reveal_action.triggered.connect(self.reveal_phone)
        layout.addWidget(self.view, 1)
        self.model.countChanged.connect(self._show_count)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        self._update_new_button()

    def _combo(self, bar: QHBoxLayout, title: str, values: list[str]) -> QComboBox:
        bar.addWidget(QLabel(title))
        combo = QComboBox()
        combo.addItems(values)
        combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        bar.addWidget(combo)
        return combo

    def reload_codes(self) -> None:
        """Refill the type and tag filters after the code lists were edited."""
        for combo, kind in ((self.economic, "economic_type"), (self.focus, "focus_tag")):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([ALL, *self.archive.codes.values(kind)])
            combo.setCurrentText(current)
            combo.blockSignals(False)

    def set_node(self, kind: str, node_id: str) -> None:
        self.node = (kind, node_id)
        self._update_new_button()
        self.apply_filter()

    def current_filter(self) -> HouseholdFilter:
        kind, node_id = self.node or ("", "")
        pick = lambda combo: None if combo.currentText() == ALL else combo.currentText()  # noqa: E731
        old = self.model.filter
        return replace(
            old,
            town_id=node_id if kind == "town" else None,
            area_id=node_id if kind == "area" else None,
            village_id=node_id if kind == "village" else None,
            group_id=node_id if kind == "group" else None,
            text=self.search.text(),
            economic_type=pick(self.economic),
            focus_tag=pick(self.focus),
            status=pick(self.status),
        )

    def apply_filter(self) -> None:
        self.timer.stop()
        if self.node is None:
            return
        self.model.set_filter(self.current_filter())
        self.view.setColumnHidden(COL_MATCHED, not self.search.text().strip())

    def _keep_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        """The 命中成员 column does not sort: its header click leaves the indicator where it was."""
        header = self.view.horizontalHeader()
        if SORT_KEY_OF_COLUMN[column] is None:
            header.blockSignals(True)
            header.setSortIndicator(*self._sorted_by)
            header.blockSignals(False)
        else:
            self._sorted_by = (column, order)

    def _show_count(self, total: int) -> None:
        text = self.search.text().strip()
        self.count_label.setText(f"共 {total} 户" + (f"（搜索“{text}”）" if text else ""))

    def _open_index(self, index: QModelIndex) -> None:
        household_id = index.data(IdRole)
        if household_id:
            self.openHousehold.emit(household_id)

    def _context_menu(self, point: QPoint) -> None:
        menu = self.row_menu(self.view.indexAt(point))
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(point))

    def row_menu(self, index: QModelIndex) -> QMenu | None:
        """The context menu of a list row: open the file, and 显示完整号码 when its number is masked."""
        if not index.isValid():
            return None
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction("打开户档案", lambda: self._open_index(index))
        if "*" in str(index.siblingAtColumn(COL_PHONE).data() or ""):
            menu.addAction(self.reveal_action)
        return menu

    def reveal_phone(self) -> None:
        """Ask the service for the selected household's full number (it checks scope and logs it)."""
        household_id = self.view.currentIndex().data(IdRole)
        if not household_id:
            return
        try:
            numbers = self.archive.numbers.reveal_household_phone(household_id)
        except DomainError as error:
            QMessageBox.warning(self, "显示完整号码", error.message)
            return
        self.model.show_revealed(household_id, numbers.phone)

    def _update_new_button(self) -> None:
        allowed = self.archive.actor.can(Capability.EDIT_FILES)
        enabled = allowed and self.node is not None and self.node[0] == "group"
        self.new_button.setEnabled(enabled)
        self.new_button.setToolTip(
            "您的账号不能新建户档案"
            if not allowed
            else "在选中的村民小组中建立新户档案"
            if enabled
            else "请先在左侧选择一个村民小组"
        )

    def _new_household(self) -> None:
        if self.node and self.node[0] == "group":
            self.newHousehold.emit(self.node[1])
