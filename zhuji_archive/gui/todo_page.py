"""今日待办: what is due for the chosen cadre (or everyone), grouped by kind; each line opens its thing,
and a visit recorded from here removes the lines it fulfils."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.gui.operations import Changes, PageFeed, runner_for
from zhuji_archive.gui.visit_dialog import VisitDialog
from zhuji_archive.gui.widgets import fit_to_items, refill
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.maintenance import EVENT, KINDS, REVISIT, TodoItem, TodoList
from zhuji_archive.views.organisation import CadreItem

ItemRole = Qt.ItemDataRole.UserRole
EVERYONE = "全部干部"
# What the list is made of: a change to any of these refreshes it.
TODO_CHANGES = ("households", "visits", "requests", "reports", "cadres", "organisation", "settings")


class TodoPage(QWidget):
    """Signals ask the main window to open a household, a request or a report."""

    openHousehold = Signal(str)
    openRequest = Signal(str)
    openReport = Signal(object)  # (period kind, scope kind, scope id, period start)
    countChanged = Signal(int)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.todo = TodoList()
        self.visit_dialog: VisitDialog | None = None
        self.feed = PageFeed(self, runner_for(archive), TODO_CHANGES, self.reload)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        # The 驻村干部 come with the first load, on the worker: sorting them by pinyin loads pypinyin's
        # dictionaries (a quarter of a second), which the window need not wait for.
        self.cadre = QComboBox()
        self.cadre.addItem(EVERYONE, None)
        self.scopes_filled = False
        self.first: dict[str, object] = {}  # what of the first load has come back, by part
        self.cadre.currentIndexChanged.connect(lambda _i: self.reload())
        self.summary = QLabel()
        self.summary.setStyleSheet("font-size: 13pt; font-weight: bold;")
        bar.addWidget(QLabel("驻村干部"))
        bar.addWidget(self.cadre)
        bar.addWidget(self.summary, 1)
        self.visit_button = QPushButton("记录走访…")
        self.open_button = QPushButton("打开")
        bar.addWidget(self.visit_button)
        bar.addWidget(self.open_button)
        layout.addLayout(bar)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["事项", "情况", "期限"])
        self.tree.setColumnWidth(0, 300)
        self.tree.setColumnWidth(1, 560)
        self.tree.setAlternatingRowColors(True)
        layout.addWidget(self.tree, 1)
        self.tree.itemActivated.connect(lambda item, _c: self.open_item(item))
        self.tree.itemDoubleClicked.connect(lambda item, _c: self.open_item(item))
        self.tree.currentItemChanged.connect(lambda _cur, _prev: self._update_buttons())
        self.visit_button.clicked.connect(self.record_visit)
        self.open_button.clicked.connect(lambda: self.open_item(self.tree.currentItem()))
        self._update_buttons()

    def refresh_scopes(self) -> None:
        """The 驻村干部 again (the register changed); before the first load, that load brings them."""
        if self.scopes_filled:
            self._fill_scopes(self.archive.organisation.cadres("驻村干部"))

    def _fill_scopes(self, cadres: list[CadreItem]) -> None:
        refill(self.cadre, [(EVERYONE, None), *((c.name, c.id) for c in cadres)])
        self.scopes_filled = True

    def reload(self) -> None:
        """Load the list on a worker (at county scale it takes seconds); shown when it arrives. The
        first load lists the operator's own to-do when the operator is a 驻村干部, and brings the
        cadres for the choice beside it (in pinyin order, on a second worker: loading pypinyin's
        dictionaries takes a quarter of a second, the to-do list's queries as long or longer)."""
        maintenance = self.archive.maintenance
        if self.scopes_filled:
            cadre_id = self.cadre.currentData()
            self.feed.load("todo", lambda: maintenance.todo(cadre_id), self.show_todo)
            return
        organisation, operator = self.archive.organisation, self.archive.operator

        def own_todo() -> tuple[str | None, TodoList]:
            # The first of that name, as the pinyin order would have it (equal names keep their order).
            own = next((c.id for c in organisation.cadres("驻村干部", ordered=False) if c.name == operator), None)
            return own, maintenance.todo(own)

        self.first = {}
        self.feed.load("todo", own_todo, lambda result: self._first_part("todo", result))
        self.feed.load("cadres", lambda: organisation.cadres("驻村干部"), lambda result: self._first_part("cadres", result))

    def _first_part(self, part: str, result: object) -> None:
        """The first load is shown when both its parts are back: the cadres, the operator chosen
        among them, and the operator's to-do."""
        self.first[part] = result
        if len(self.first) < 2:
            return
        own, todo = self.first["todo"]  # type: ignore[misc]
        self.cadre.blockSignals(True)
        self._fill_scopes(self.first["cadres"])  # type: ignore[arg-type]
        self.cadre.setCurrentIndex(max(self.cadre.findData(own), 0))
        self.cadre.blockSignals(False)
        fit_to_items(self.cadre)  # as wide as the longest name, as when it was filled before showing
        self.show_todo(todo)

    def show_todo(self, todo: TodoList) -> None:
        self.todo = todo
        self.tree.clear()
        red, yellow = QBrush(QColor("#b71c1c")), QBrush(QColor("#8d6e00"))
        for kind in KINDS:
            items = [i for i in todo.items if i.kind == kind]
            count = todo.counts.get(kind, 0)
            group = QTreeWidgetItem(
                [f"{kind}（{count}）", "" if len(items) == count else f"显示前 {len(items)} 条", ""]
            )
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for item in items:
                line = QTreeWidgetItem([item.title, item.detail, item.due.isoformat() if item.due else ""])
                line.setData(0, ItemRole, item)
                line.setForeground(2, red if item.urgent else yellow)
                group.addChild(line)
            group.setExpanded(kind in (EVENT, REVISIT) or len(items) <= 20)
        self.summary.setText(f"共 {todo.total} 项待办")
        self.countChanged.emit(todo.total)
        self._update_buttons()

    def current(self) -> TodoItem | None:
        item = self.tree.currentItem()
        return item.data(0, ItemRole) if item is not None else None

    def _update_buttons(self) -> None:
        current = self.current()
        self.visit_button.setEnabled(
            current is not None
            and current.household_id is not None
            and self.archive.actor.can(Capability.EDIT_FILES)
        )
        self.open_button.setEnabled(current is not None)

    def open_item(self, tree_item: QTreeWidgetItem | None) -> None:
        item = tree_item.data(0, ItemRole) if tree_item is not None else None
        if item is None:
            return
        if item.request_id:
            self.openRequest.emit(item.request_id)
        elif item.report is not None:
            self.openReport.emit(item.report)
        elif item.household_id:
            self.openHousehold.emit(item.household_id)

    def record_visit(self) -> VisitDialog | None:
        item = self.current()
        if item is None or item.household_id is None:
            return None
        kind = "事件必访" if item.kind == EVENT else ("回访" if item.request_id else "半年大走访")
        dialog = VisitDialog(self.archive, item.household_id, item.title, kind, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(
            lambda: self.feed.runner.notify(Changes.of_households(item.household_id or "", visits=True))
        )
        self.visit_dialog = dialog
        dialog.open()
        return dialog
