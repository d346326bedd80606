"""The organisation tree (town / area / village / group) with household counts."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QInputDialog, QMenu, QMessageBox, QTreeView, QWidget

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.operations import Query, Runner
from zhuji_archive.services.organisation import OrganisationService, OrgNode

NodeRole = Qt.ItemDataRole.UserRole


class OrgTree(QTreeView):
    """Emits ``nodeSelected(kind, id)`` when the user picks a node."""

    nodeSelected = Signal(str, str)
    treeChanged = Signal()

    def __init__(
        self, service: OrganisationService, parent: QWidget | None = None, runner: Runner | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self._rebuilding = False
        self.tree_model = QStandardItemModel(self)
        self.tree_model.setHorizontalHeaderLabels(["组织", "户数"])
        self.setModel(self.tree_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.header().setStretchLastSection(False)
        self.selectionModel().currentChanged.connect(self._current_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.reload()

    def reload(self) -> None:
        """Rebuild from the database now (after an edit of the tree, whose new node is then selected)."""
        self.show_tree(self.service.tree())

    def refresh(self) -> None:
        """Rebuild on a worker: household counts changed (a county's GROUP BY takes most of a second).
        Without a runner (a tree on its own), at once."""
        if self.runner is None:
            self.reload()
            return
        self.loading = Query(self, "tree", self.service.tree, runner=self.runner).success(self.show_tree).run()

    def show_tree(self, towns: list[OrgNode]) -> None:
        """Show ``towns``, keeping the selected node. Reselecting the same node is not a new
        selection: the pages that follow the tree are not reloaded for new counts."""
        current = self.current_node()
        self._rebuilding = True
        try:
            self.tree_model.removeRows(0, self.tree_model.rowCount())
            for town in towns:
                self._add(self.tree_model.invisibleRootItem(), town)
            self.expandToDepth(1)
            self.resizeColumnToContents(0)
            self.setColumnWidth(0, max(self.columnWidth(0), 150))
            self.resizeColumnToContents(1)
            if current is not None:
                self.select_node(*current)
        finally:
            self._rebuilding = False
        now = self.current_node()
        if now is not None and now != current:
            self.nodeSelected.emit(*now)

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
        if parent is None:
            parent = self.tree_model.invisibleRootItem()
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

    def ancestor(self, kind: str, node: tuple[str, str]) -> tuple[str, str] | None:
        """The node itself or the nearest node above it of ``kind``, as the tree shows it."""
        item = self._find(*node)
        while item is not None and item.data(NodeRole)[0] != kind:
            item = item.parent()
        return item.data(NodeRole) if item is not None else None

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
        if node and not self._rebuilding:
            self.nodeSelected.emit(*node)

    # ---- editing the tree ----------------------------------------------------------------------
    def actions_for(self, node: tuple[str, str] | None) -> list[tuple[str, str]]:
        """(action key, Chinese label) offered on a node; on empty space only a new town; nothing to an
        account that may not change the organisation (管理组织)."""
        if not self.service.actor.can(Capability.MANAGE_ORGANISATION):
            return []
        if node is None:
            return [("town", "新建镇（乡）…")]
        kind = node[0]
        offered = {
            "town": [("area", "新建驻村分中心/网格…"), ("village", "新建行政村…")],
            "area": [("village", "新建行政村…")],
            "village": [("group", "新建村民小组…")],
            "group": [],
        }[kind]
        return [*offered, ("rename", "重命名…")]

    CREATE_LABELS = {
        "town": "新建镇（乡）…",
        "area": "新建驻村分中心/网格…",
        "village": "新建行政村…",
        "group": "新建村民小组…",
    }

    def parent_for(self, key: str) -> tuple[str, str] | None:
        """Where the menu's and the welcome page's "new …" puts a node of kind ``key``: under the
        selected node, or the town/village it belongs to; with nothing selected, under the first
        town or village. None when there is no such place yet (no town for a village)."""
        node = self.current_node()
        if node is None:
            first = self._first("village" if key == "group" else "town")
            return first.data(NodeRole) if first is not None else None
        kind, node_id = node
        if key in ("area", "village"):
            if kind == "town" or (kind == "area" and key == "village"):
                return node
            return self.ancestor("town", node)
        if key == "group":
            village = self.village_of(kind, node_id)
            return ("village", village) if village else None
        return None

    def _first(self, kind: str, parent: QStandardItem | None = None) -> QStandardItem | None:
        parent = parent or self.tree_model.invisibleRootItem()
        for row in range(parent.rowCount()):
            item = parent.child(row, 0)
            if item.data(NodeRole)[0] == kind:
                return item
            found = self._first(kind, item)
            if found is not None:
                return found
        return None

    def count_kinds(self) -> dict[str, int]:
        """How many towns, areas, villages and groups the tree shows."""
        counts = {"town": 0, "area": 0, "village": 0, "group": 0}
        stack = [self.tree_model.invisibleRootItem()]
        while stack:
            parent = stack.pop()
            for row in range(parent.rowCount()):
                item = parent.child(row, 0)
                counts[item.data(NodeRole)[0]] += 1
                stack.append(item)
        return counts

    def create(self, key: str) -> str | None:
        """Create a town, area, village or group where ``parent_for`` says; the id, or None."""
        if key == "town":
            return self.edit_node("town", None)
        parent = self.parent_for(key)
        return self.edit_node(key, parent) if parent is not None else None

    def _context_menu(self, point: QPoint) -> None:
        index = self.indexAt(point)
        node = index.data(NodeRole) if index.isValid() else None
        offered = self.actions_for(node)
        if not offered:
            return
        menu = QMenu(self)
        for key, label in offered:
            menu.addAction(label, lambda k=key, n=node: self.edit_node(k, n))
        menu.exec(self.viewport().mapToGlobal(point))

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        """Ask for a name; tests replace this."""
        value, ok = QInputDialog.getText(self, title, label, text=text)
        return value if ok else None

    def edit_node(self, key: str, node: tuple[str, str] | None) -> str | None:
        """Create a child of ``node`` (or a town) or rename it; return the id of what was created.

        (Not called ``edit``: that name is a virtual of QAbstractItemView, which Qt calls on every
        current-index change.)"""
        titles = {
            "town": "镇（乡）名称",
            "area": "驻村分中心或网格名称",
            "village": "行政村名称",
            "group": "村民小组名称（如 一组）",
            "rename": "新名称",
        }
        current = self._find(*node).text() if node and key == "rename" else ""
        name = self.ask_text("组织", titles[key], current)
        if not name:
            return None
        try:
            if key == "rename" and node:
                self.service.rename(node[0], node[1], name)
                created = node
            elif key == "town":
                created = ("town", self.service.add_town(name))
            elif key == "area" and node:
                created = ("area", self.service.add_area(node[1], name))
            elif key == "village" and node:
                town_id = self.service.town_of(*node)
                area_id = node[1] if node[0] == "area" else None
                created = ("village", self.service.add_village(town_id or "", name, area_id))
            elif key == "group" and node:
                created = ("group", self.service.add_group(node[1], name))
            else:
                return None
        except DomainError as error:
            QMessageBox.warning(self, "组织", error.message)
            return None
        self.reload()
        self.select_node(*created)
        self.treeChanged.emit()
        return created[1]
