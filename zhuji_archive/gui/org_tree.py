"""The organisation tree (town / area / village / group) with household counts."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from zhuji_archive.services.organisation import OrganisationService, OrgNode

NodeRole = Qt.ItemDataRole.UserRole


class OrgTree(QTreeView):
    """Emits ``nodeSelected(kind, id)`` when the user picks a node."""

    nodeSelected = Signal(str, str)

    def __init__(self, service: OrganisationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.tree_model = QStandardItemModel(self)
        self.tree_model.setHorizontalHeaderLabels(["组织", "户数"])
        self.setModel(self.tree_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.header().setStretchLastSection(False)
        self.selectionModel().currentChanged.connect(self._current_changed)
        self.reload()

    def reload(self) -> None:
        """Rebuild from the database, keeping the selected node."""
        current = self.current_node()
        self.tree_model.removeRows(0, self.tree_model.rowCount())
        for town in self.service.tree():
            self._add(self.tree_model.invisibleRootItem(), town)
        self.expandToDepth(1)
        self.resizeColumnToContents(0)
        self.setColumnWidth(0, max(self.columnWidth(0), 150))
        self.resizeColumnToContents(1)
        if current is not None:
            self.select_node(*current)

    def _add(self, parent: QStandardItem, node: OrgNode) -> None:
        name = QStandardItem(node.name)
        name.setData((node.kind, node.id), NodeRole)
        count = QStandardItem(str(node.households))
        count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        count.setData((node.kind, node.id), NodeRole)
        parent.appendRow([name, count])
        for child in node.children:
            self._add(name, child)

    def current_node(self) -> tuple[str, str] | None:
        index = self.currentIndex()
        return index.data(NodeRole) if index.isValid() else None

    def _find(self, kind: str, node_id: str, parent: QStandardItem | None = None) -> QStandardItem | None:
        parent = parent or self.tree_model.invisibleRootItem()
        for row in range(parent.rowCount()):
            item = parent.child(row, 0)
            if item.data(NodeRole) == (kind, node_id):
                return item
            found = self._find(kind, node_id, item)
            if found is not None:
                return found
        return None

    def select_node(self, kind: str, node_id: str) -> bool:
        item = self._find(kind, node_id)
        if item is None:
            return False
        index = item.index()
        self.scrollTo(index)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        return True

    def village_of(self, kind: str, node_id: str) -> str | None:
        """The village a node belongs to (None for town and area nodes)."""
        item = self._find(kind, node_id)
        while item is not None:
            node_kind, node_id = item.data(NodeRole)
            if node_kind == "village":
                return node_id
            item = item.parent()
        return None

    def _current_changed(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        node = current.data(NodeRole) if current.isValid() else None
        if node:
            self.nodeSelected.emit(*node)
