"""The township's side (党政办): the review queue, the monthly meeting (gui/meeting_panel.py) and the
挂牌督办/领导包案 list, as the tabs of 镇级审核."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Level, TimeStatus
from zhuji_archive.gui.meeting_panel import MeetingPanel
from zhuji_archive.gui.operations import PageFeed, runner_for
from zhuji_archive.gui.record_table import Column, RecordTableModel
from zhuji_archive.gui.request_model import IdRole, PagedRequestModel, fit_request_columns
from zhuji_archive.gui.requests_page import combo, pick
from zhuji_archive.gui.widgets import fit_to_items, record_view, refill
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.requests import RequestQuery
from zhuji_archive.views.requests import RequestRow

T = TypeVar("T")

OVERDUE_BRUSH = QBrush(QColor("#c62828"))
# The review lists show requests with their households, meetings and deadlines.
TOWNSHIP_CHANGES = ("requests", "meetings", "households", "settings", "codes", "cadres")


class ReviewQueue(QWidget):
    """All requests reported to the town, across villages; tick several and put them on a meeting."""

    openRequest = Signal(str)
    agendaChanged = Signal()

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.feed = PageFeed(self, runner_for(archive), TOWNSHIP_CHANGES, self.reload)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.village = QComboBox()
        self.refresh_scopes()
        self.category = combo(archive.codes.values("request_category"))
        self.level = combo([Level.TOWN.value, Level.JOINT.value])
        self.light = combo([t.value for t in (TimeStatus.OVERDUE, TimeStatus.DUE_SOON, TimeStatus.ON_TRACK)])
        self.leader = combo([])  # the 包案领导 come with the first load (_load_with_leaders)
        self.leaders_filled = False
        self.waiting_only = QCheckBox("只看未列入会议的待上会诉求")
        self.waiting_only.setChecked(True)
        for title, box in (
            ("村", self.village),
            ("类别", self.category),
            ("层级", self.level),
            ("时限", self.light),
            ("包案领导", self.leader),
        ):
            bar.addWidget(QLabel(title))
            bar.addWidget(box)
            box.currentIndexChanged.connect(lambda _i: self.reload())
        self.waiting_only.toggled.connect(lambda _c: self.reload())
        bar.addStretch(1)
        layout.addLayout(bar)
        actions = QHBoxLayout()
        actions.addWidget(self.waiting_only)
        self.check_all = QCheckBox("全选")
        self.check_all.toggled.connect(lambda checked: self.model.set_all_checked(checked))
        self.to_meeting = QPushButton("列入专题会议…")
        self.to_meeting.clicked.connect(self.put_on_meeting)
        self.to_meeting.setEnabled(archive.actor.can(Capability.RUN_MEETING))
        self.count = QLabel()
        actions.addWidget(self.check_all)
        actions.addWidget(self.to_meeting)
        actions.addWidget(self.count, 1)
        layout.addLayout(actions)
        self.model = PagedRequestModel(checkable=True, parent=self)
        self.model.rowsInserted.connect(lambda *_: self.show_count())
        self.view = record_view(self.model)
        fit_request_columns(self.view, checkbox=22)
        self.view.doubleClicked.connect(lambda index: self.openRequest.emit(index.data(IdRole)))
        layout.addWidget(self.view, 1)

    def refresh_scopes(self) -> None:
        refill(
            self.village,
            [("全部", None), *((name, vid) for vid, name in self.archive.organisation.villages())],
        )

    def query(self) -> RequestQuery:
        return RequestQuery(
            township_only=True,
            village_id=self.village.currentData(),
            category=pick(self.category),
            level=pick(self.level),
            time_status=pick(self.light),
            leader=pick(self.leader),
            statuses=("待上会",) if self.waiting_only.isChecked() else (),
            unscheduled=self.waiting_only.isChecked(),
        )

    def reload(self) -> None:
        """Load the queue's first page and its total on a worker; a newer filter's load supersedes an
        older one. Further pages come as the view scrolls: every reported request of a county (a
        filter the user may pick) took 400 ms to load as one list of up to 5,000 rows."""
        query, requests = self.query(), self.archive.requests

        def work() -> tuple[RequestQuery, list[RequestRow], int]:
            rows = requests.page(query)
            return query, rows, len(rows) if len(rows) < requests.PAGE_SIZE else requests.total(query)

        _load_with_leaders(self, "queue", work, self.show_rows)

    def show_rows(self, loaded: tuple[RequestQuery, list[RequestRow], int]) -> None:
        query, rows, total = loaded
        requests = self.archive.requests
        self.model.set_page(rows, total, lambda last: requests.page(query, after=requests.page_key(last)))
        self.check_all.setChecked(False)
        self.show_count()

    def show_count(self) -> None:
        shown, total = len(self.model.rows), self.model.total
        self.count.setText(f"共 {total} 条" if shown >= total else f"共 {total} 条，已列出 {shown} 条（向下滚动列出其余）")

    def choose_meeting(self) -> str | None:
        """Ask which open meeting; tests replace this."""
        meetings = [m for m in self.archive.meetings.meetings() if m.status == "筹备"]
        if not meetings:
            QMessageBox.information(self, "列入会议", "还没有筹备中的专题会议，请先在“月度专题会议”中新建。")
            return None
        labels = [f"{m.held_on} {m.title}" for m in meetings]
        label, ok = QInputDialog.getItem(self, "列入会议", "选择会议：", labels, 0, False)
        return meetings[labels.index(label)].id if ok else None

    def put_on_meeting(self) -> None:
        ids = self.model.checked_ids()
        if not ids:
            QMessageBox.information(self, "列入会议", "请先勾选要列入会议的诉求")
            return
        meeting_id = self.choose_meeting()
        if meeting_id is None:
            return
        try:
            added = self.archive.meetings.add_requests(meeting_id, ids)
        except DomainError as error:
            QMessageBox.warning(self, "列入会议", error.message)
            return
        self.model.set_all_checked(False)
        self.reload()
        self.agendaChanged.emit()
        self.count.setText(f"已列入会议 {added} 条")


@dataclass(frozen=True)
class SupervisedRow:
    """A 挂牌督办 case as listed."""

    id: str
    number: str
    household: str
    description: str
    leader: str
    body: str
    last_progress: str
    next_check: str
    light: str
    status: str
    check_overdue: bool = False


class SupervisionModel(RecordTableModel):
    """The 挂牌督办 list; a 下次督查 date that has passed is red, as overdue dates are elsewhere."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            index.isValid()
            and self.columns[index.column()].attr == "next_check"
            and self.record(index.row()).check_overdue
        ):
            if role == Qt.ItemDataRole.ForegroundRole:
                return OVERDUE_BRUSH
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return "下次督查日期已过，请尽快督查并记录进展"
        return super().data(index, role)


class SupervisionPanel(QWidget):
    """挂牌督办 / 领导包案: cases, leader, supervising body, last progress, next check, time status."""

    openRequest = Signal(str)

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.feed = PageFeed(self, runner_for(archive), TOWNSHIP_CHANGES, self.reload)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.leader = combo([])  # the 包案领导 come with the first load (_load_with_leaders)
        self.leaders_filled = False
        self.leader.currentIndexChanged.connect(lambda _i: self.reload())
        self.closed = QCheckBox("含已办结归档")
        self.closed.toggled.connect(lambda _c: self.reload())
        bar.addWidget(QLabel("包案领导"))
        bar.addWidget(self.leader)
        bar.addWidget(self.closed)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.model = SupervisionModel(
            [
                Column("number", "诉求编号", "readonly"),
                Column("household", "户", "readonly"),
                Column("description", "诉求内容", "readonly"),
                Column("leader", "包案领导", "readonly"),
                Column("body", "挂牌督办单位", "readonly"),
                Column("last_progress", "最近进展", "readonly"),
                Column("next_check", "下次督查", "readonly"),
                Column("light", "时限", "readonly"),
                Column("status", "状态", "readonly"),
            ],
            [],
            editable=False,
            parent=self,
        )
        self.view = record_view(self.model)
        for column, width in enumerate((110, 170, 200, 70, 140, 200, 95, 60)):  # 下次督查 in sight
            self.view.setColumnWidth(column, width)
        self.view.doubleClicked.connect(
            lambda index: self.openRequest.emit(self.model.record(index.row()).id)
        )
        layout.addWidget(self.view, 1)

    def reload(self) -> None:
        """Load the cases on a worker; a newer choice's load supersedes an older one."""
        leader, closed, requests = pick(self.leader), self.closed.isChecked(), self.archive.requests
        _load_with_leaders(self, "supervised", lambda: requests.supervised(leader, closed), self.show_rows)

    def show_rows(self, supervised: list) -> None:  # type: ignore[type-arg]
        rows = []
        for row, last in supervised:
            rows.append(
                SupervisedRow(
                    row.id,
                    row.number,
                    row.household_label,
                    row.description,
                    row.leader,
                    row.supervising_body,
                    last or "—",
                    row.next_check_on.isoformat() if row.next_check_on else "—",
                    row.time_status.value,
                    row.status,
                    row.check_overdue,
                )
            )
        self.model.set_rows(rows)


class TownshipPage(QTabWidget):
    """The three township panels as tabs."""

    openRequest = Signal(str)
    changed = Signal()

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = ReviewQueue(archive)
        self.meetings = MeetingPanel(archive)
        self.supervision = SupervisionPanel(archive)
        self.addTab(self.queue, "待上会审核")
        self.addTab(self.meetings, "月度专题会议")
        self.addTab(self.supervision, "挂牌督办·领导包案")
        for panel in (self.queue, self.meetings, self.supervision):
            panel.openRequest.connect(self.openRequest)
        self.queue.agendaChanged.connect(self.meetings.reload)
        self.meetings.decided.connect(self.queue.reload)
        self.meetings.decided.connect(self.supervision.reload)
        self.meetings.decided.connect(self.changed)
        # The meeting list is small and read at once (what was typed into decisions is kept).
        self.feed = PageFeed(self, runner_for(archive), ("meetings", "requests"), self.meetings.reload)

    def reload(self) -> None:
        self.queue.reload()
        self.meetings.reload()
        self.supervision.reload()


def _leaders(archive: Archive) -> list[str]:
    """The 包案领导 pick-list; an account without casework (系统管理员) never sees this page."""
    return archive.requests.leaders() if archive.actor.can(Capability.READ_FILES) else []


def _load_with_leaders(panel: ReviewQueue | SupervisionPanel, key: str, work: Callable[[], T], show: Callable[[T], None]) -> None:
    """A panel's load; its first brings the 包案领导 pick-list too (a scan of the requests that the
    window, building this hidden tab, used to make twice on the GUI thread before it showed)."""
    if panel.leaders_filled:
        panel.feed.load(key, work, show)
        return
    archive = panel.archive

    def shown(result: tuple[list[str], T]) -> None:
        leaders, rows = result
        if not panel.leaders_filled:
            panel.leaders_filled = True
            panel.leader.blockSignals(True)
            panel.leader.addItems(leaders)
            panel.leader.blockSignals(False)
            fit_to_items(panel.leader)  # sized to the names, as when they were there before showing
        show(rows)

    panel.feed.load(key, lambda: (_leaders(archive), work()), shown)
