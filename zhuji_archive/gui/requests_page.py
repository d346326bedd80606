"""The requests page: every request with status, level, category, household, deadline and light,
filterable by each of them, with counts per status."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Level, Status, TimeStatus
from zhuji_archive.gui.operations import PageFeed, runner_for
from zhuji_archive.gui.request_model import IdRole, PagedRequestModel, fit_request_columns
from zhuji_archive.gui.request_printing import RequestPrinting
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.requests import RequestQuery
from zhuji_archive.views.requests import RequestRow

# Rows show the household's head and the request's state, deadline and category.
REQUEST_CHANGES = ("requests", "households", "meetings", "settings", "codes")

ALL = "全部"


def combo(values: list[str]) -> QComboBox:
    box = QComboBox()
    box.addItems([ALL, *values])
    return box


def pick(box: QComboBox) -> str | None:
    return None if box.currentText() == ALL else box.currentText()


class RequestsPage(QWidget):
    """Emits ``openRequest(id)`` when a request is activated."""

    openRequest = Signal(str)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.village_id: str | None = None
        self.feed = PageFeed(self, runner_for(archive), REQUEST_CHANGES, self.reload)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索诉求编号、诉求内容或户主姓名")
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 2)
        self.status = combo([s.value for s in Status])
        self.light = combo([t.value for t in (TimeStatus.OVERDUE, TimeStatus.DUE_SOON, TimeStatus.ON_TRACK)])
        self.level = combo([level.value for level in Level])
        self.category = combo(archive.codes.values("request_category"))
        for title, box in (
            ("状态", self.status),
            ("时限", self.light),
            ("层级", self.level),
            ("类别", self.category),
        ):
            bar.addWidget(QLabel(title))
            bar.addWidget(box)
            box.currentIndexChanged.connect(lambda _i: self.reload())
        layout.addLayout(bar)
        tools = QHBoxLayout()
        self.common_button = QPushButton("归入共性问题…")
        self.common_button.setEnabled(archive.actor.can(Capability.REVIEW_REQUESTS))
        self.common_button.setToolTip(
            "选中多户的同类诉求（按住Ctrl多选），作为一个共性问题统一研究、统一办理"
        )
        self.common_button.clicked.connect(self.make_common_issue)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        tools.addWidget(self.counts, 1)
        tools.addWidget(self.common_button)
        self._add_ledger_button(tools)
        layout.addLayout(tools)
        self.model = PagedRequestModel(parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        fit_request_columns(self.view)
        self.view.doubleClicked.connect(self._open)
        self.view.activated.connect(self._open)
        layout.addWidget(self.view, 1)
        self.search.returnPressed.connect(self.reload)
        self.search.textChanged.connect(lambda text: self.reload() if not text else None)

    def _add_ledger_button(self, tools: QHBoxLayout) -> None:
        """导出台账…: the requests the filters show, as the Excel ledger with its 销号 column."""
        self.printing = RequestPrinting(self.archive, self)
        self.ledger_button = QPushButton("导出台账…")
        self.ledger_button.setToolTip("按当前筛选条件导出诉求台账（Excel），含责任单位、时限、办理结果和销号")
        self.ledger_button.clicked.connect(self.export_ledger)
        self.ledger_button.setEnabled(self.archive.actor.can(Capability.EXPORT))
        tools.addWidget(self.ledger_button)

    def export_ledger(self):  # type: ignore[no-untyped-def]
        where = self.archive.exports.scope_title(village_id=self.village_id)
        return self.printing.export_ledger(self.ledger_query(), where)

    def ledger_query(self) -> RequestQuery:
        """The filters shown, for the ledger (every matching request, not only the rows loaded)."""
        return self.query()

    def set_village(self, village_id: str | None) -> None:
        self.village_id = village_id
        self.reload()

    def query(self) -> RequestQuery:
        status = pick(self.status)
        return RequestQuery(
            village_id=self.village_id,
            category=pick(self.category),
            level=pick(self.level),
            statuses=(status,) if status else (),
            time_status=pick(self.light),
            text=self.search.text(),
        )

    def reload(self) -> None:
        """Load the list and the counts on a worker; a newer filter's load supersedes an older one."""
        query, requests = self.query(), self.archive.requests

        def work() -> tuple[RequestQuery, list[RequestRow], int, dict[str, int]]:
            rows = requests.page(query)
            total = len(rows) if len(rows) < requests.PAGE_SIZE else requests.total(query)
            return query, rows, total, requests.counts(replace(query, statuses=()))

        self.feed.load("requests", work, self.show_rows)

    def show_rows(self, loaded: tuple[RequestQuery, list[RequestRow], int, dict[str, int]]) -> None:
        query, rows, total, counts = loaded
        requests = self.archive.requests
        self.model.set_page(rows, total, lambda last: requests.page(query, after=requests.page_key(last)))
        parts = [f"{s.value} {counts.get(s.value, 0)}" for s in Status]
        self.counts.setText(f"共 {self.model.total} 条　|　" + "　".join(parts))

    def selected_ids(self) -> list[str]:
        return [index.data(IdRole) for index in self.view.selectionModel().selectedRows()]

    def ask_title(self, suggestion: str) -> str | None:
        """The common issue's name; tests replace this."""
        text, ok = QInputDialog.getText(self, "归入共性问题", "共性问题名称：", text=suggestion)
        return text if ok else None

    def make_common_issue(self) -> None:
        ids = self.selected_ids()
        if len(ids) < 2:
            QMessageBox.information(self, "归入共性问题", "请选中至少两户的诉求（按住Ctrl多选）")
            return
        first = next(r for r in self.model.rows if r.id == ids[0])
        title = self.ask_title(first.description.split("，")[0][:20])
        if not title:
            return
        try:
            self.archive.requests.create_common_issue(title, "", ids)
        except DomainError as error:
            QMessageBox.warning(self, "归入共性问题", error.message)
            return
        self.reload()

    def _open(self, index: QModelIndex) -> None:
        request_id = index.data(IdRole)
        if request_id:
            self.openRequest.emit(request_id)
