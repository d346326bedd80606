"""The township's side (党政办): the review queue, the monthly meeting and the 挂牌督办/领导包案 list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Level, TimeStatus
from zhuji_archive.gui.operations import PageFeed, runner_for
from zhuji_archive.gui.record_table import Column, RecordDelegate, RecordTableModel
from zhuji_archive.gui.request_model import IdRole, PagedRequestModel
from zhuji_archive.gui.request_printing import RequestPrinting
from zhuji_archive.gui.requests_page import combo, pick
from zhuji_archive.gui.widgets import date_edit, fit_to_items, refill
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.meetings import MeetingService
from zhuji_archive.services.requests import RequestQuery
from zhuji_archive.views.meetings import DecisionRow
from zhuji_archive.views.requests import RequestRow

T = TypeVar("T")

ERROR_STYLE = "color: #c62828;"
OVERDUE_BRUSH = QBrush(QColor("#c62828"))
GAP_FIELDS = {"责任单位": "unit", "责任人": "person", "办结时限": "deadline"}
Values = tuple[str, str, date | None, str]

# The review lists show requests with their households, meetings and deadlines.
TOWNSHIP_CHANGES = ("requests", "meetings", "households", "settings", "codes", "cadres")


def _values(row: DecisionRow) -> Values:
    return (row.unit, row.person, row.deadline, row.note)


def table(model) -> QTableView:  # type: ignore[no-untyped-def]
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view


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
        self.view = table(self.model)
        for column, width in enumerate((135, 80, 80, 95, 70, 80, 190, 300, 180)):
            self.view.setColumnWidth(column, width)
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


class NewMeetingDialog(QDialog):
    """Date, title and attendees of a new meeting."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新建月度专题会议")
        form = QFormLayout(self)
        self.held_on = date_edit()
        self.title = QLineEdit(f"{date.today():%Y年%m月}群众诉求专题会议")
        self.attendees = QLineEdit()
        self.attendees.setPlaceholderText("如：党委书记、镇长、分管副镇长、党政办主任")
        form.addRow("会议日期", self.held_on)
        form.addRow("会议名称", self.title)
        form.addRow("参加人员", self.attendees)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class DecisionDelegate(RecordDelegate):
    """The deadline editor starts from the level's default deadline counted from the meeting day
    (not from today) and offers no date before the meeting."""

    def __init__(self, model: RecordTableModel, parent: QWidget) -> None:
        super().__init__(model.columns, parent)
        self.model = model
        self.earliest: date | None = None  # the meeting day

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QDateEdit) and self.earliest is not None:
            editor.setMinimumDate(QDate(self.earliest))
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        row: DecisionRow = self.model.record(index.row())
        if isinstance(editor, QDateEdit) and row.deadline is None and row.suggested_deadline is not None:
            editor.setDate(QDate(row.suggested_deadline))
            return
        super().setEditorData(editor, index)


class MeetingPanel(QWidget):
    """Meetings on the left; the chosen meeting's decision table on the right.

    What is typed into the table lives in the rows until 保存决定; a refresh of the table (a row
    moved off the agenda, requests added from the review queue, another meeting looked at) keeps
    those unsaved edits, and the "incomplete" message is rebuilt from the rows that remain."""

    openRequest = Signal(str)
    decided = Signal()

    def __init__(self, archive: Archive, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.meeting_id: str | None = None
        self._stored: dict[str, Values] = {}  # item id -> the values as last read from or saved to the archive
        self._unsaved: dict[str, Values] = {}  # item id -> values typed but not saved yet
        self._checking = False  # the incomplete message is shown and must follow the rows
        layout = QHBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.new_button = QPushButton("新建会议")
        self.new_button.setEnabled(archive.actor.can(Capability.RUN_MEETING))
        self.new_button.clicked.connect(self.new_meeting)
        self.list = QListWidget()
        self.list.currentItemChanged.connect(
            lambda item, _prev: self.show_meeting(item.data(Qt.ItemDataRole.UserRole) if item else None)
        )
        left_layout.addWidget(self.new_button)
        left_layout.addWidget(self.list)
        splitter.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        self.header = QLabel("请选择或新建一次会议")
        self.header.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.header.setWordWrap(True)
        right_layout.addWidget(self.header)
        self.decisions = RecordTableModel(
            [
                Column("number", "诉求编号", "readonly"),
                Column("household", "户", "readonly"),
                Column("description", "诉求内容", "readonly"),
                Column("unit", "责任单位"),
                Column("person", "责任人"),
                Column("deadline", "办结时限", "date"),
                Column("note", "会议意见"),
            ],
            [],
            parent=self,
        )
        self.view = table(self.decisions)
        self.delegate = DecisionDelegate(self.decisions, self.view)
        self.view.setItemDelegate(self.delegate)
        self.decisions.edited.connect(self._recheck)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        for column, width in enumerate((110, 150, 190, 110, 70, 105)):  # 办结时限 in sight at 1366×768
            self.view.setColumnWidth(column, width)
        self.view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        right_layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.remove_button = QPushButton("移出会议")
        self.save_button = QPushButton("保存决定")
        self.apply_button = QPushButton("全部交办")
        self.apply_button.setToolTip("按表中决定一次交办全部诉求；任何一条不完整则都不交办")
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.apply_button)
        self._add_print_button(buttons)
        right_layout.addLayout(buttons)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button.clicked.connect(self.save)
        self.apply_button.clicked.connect(self.apply)
        splitter.addWidget(right)
        splitter.setSizes([260, 900])
        layout.addWidget(splitter)
        self.view.doubleClicked.connect(self._open)
        self.reload()

    def _open(self, index: QModelIndex) -> None:
        if index.column() <= 2:
            self.openRequest.emit(self.decisions.record(index.row()).request.id)

    def _add_print_button(self, buttons: QHBoxLayout) -> None:
        """打印交办单: the meeting's decisions as the sheet handed to each 责任单位."""
        self.printing = RequestPrinting(self.archive, self)
        self.print_button = QPushButton("打印交办单")
        self.print_button.setToolTip("打印本次会议的交办单（会议、日期、参加人员和每件诉求的决定）")
        self.print_button.clicked.connect(self.print_sheet)
        buttons.addWidget(self.print_button)

    def print_sheet(self):  # type: ignore[no-untyped-def]
        if self.meeting_id is None:
            return None
        return self.printing.print_meeting(self.meeting_id)

    def reload(self) -> None:
        current = self.meeting_id
        self.list.blockSignals(True)
        self.list.clear()
        readable = self.archive.actor.can(Capability.READ_FILES)  # 系统管理员: no meetings to list
        for meeting in self.archive.meetings.meetings() if readable else []:
            item = QListWidgetItem(
                f"{meeting.held_on}  {meeting.status}\n{meeting.title}（{meeting.items}件）"
            )
            item.setData(Qt.ItemDataRole.UserRole, meeting.id)
            self.list.addItem(item)
            if meeting.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.show_meeting(current)

    def new_meeting(self) -> None:
        dialog = NewMeetingDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create(dialog.held_on.date().toPython(), dialog.title.text(), dialog.attendees.text())

    def create(self, held_on: date, title: str, attendees: str) -> str:
        meeting_id = self.archive.meetings.create(held_on, title, attendees)
        self.meeting_id = meeting_id
        self.reload()
        return meeting_id

    def show_meeting(self, meeting_id: str | None) -> None:
        self._keep_unsaved()
        if meeting_id != self.meeting_id:
            self._say("")
            self._checking = False
        self.meeting_id = meeting_id
        if meeting_id is None:
            self.decisions.set_rows([])
            self.delegate.earliest = None
            self.header.setText("请选择或新建一次会议")
            for button in (self.save_button, self.apply_button, self.remove_button):
                button.setEnabled(False)
            return
        meeting = self.archive.meetings.meeting(meeting_id)
        self.header.setText(
            f"{meeting.title}　{meeting.held_on}　{meeting.status}\n参加人员：{meeting.attendees or '—'}"
        )
        editable = meeting.status == "筹备"
        rows = self.archive.meetings.decisions(meeting_id)
        for row in rows:
            self._stored[row.item_id] = _values(row)
            typed = self._unsaved.get(row.item_id) if editable else None
            if typed is not None:
                row.unit, row.person, row.deadline, row.note = typed
        self.delegate.earliest = meeting.held_on
        self.decisions.set_rows(rows)
        self.decisions.editable = editable
        editable = editable and self.archive.actor.can(Capability.RUN_MEETING)
        for button in (self.save_button, self.apply_button, self.remove_button):
            button.setEnabled(editable)
        self._recheck()

    def _keep_unsaved(self) -> None:
        """Remember what was typed into the rows on show before they are replaced."""
        for row in self.decisions.records:
            if _values(row) != self._stored.get(row.item_id):
                self._unsaved[row.item_id] = _values(row)

    def has_unsaved(self) -> bool:
        self._keep_unsaved()
        return bool(self._unsaved)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def _recheck(self) -> None:
        """While the incomplete message is up, keep it (and the marked cells) true to the rows shown."""
        if not self._checking:
            return
        rows: list[DecisionRow] = self.decisions.records
        text = MeetingService.incomplete_message(rows)
        if text is None:
            self._checking = False
            self._say("")
            self.decisions.set_problems({})
            return
        self._say(text, error=True)
        self.decisions.set_problems(
            {
                (index, GAP_FIELDS[gap]): f"请填写{gap}"
                for index, row in enumerate(rows)
                for gap in row.gaps
            }
        )

    def save(self) -> bool:
        if self.meeting_id is None:
            return False
        rows: list[DecisionRow] = self.decisions.records
        try:
            self.archive.meetings.save_decisions(self.meeting_id, rows)
        except DomainError as error:
            self._say(error.message, error=True)
            return False
        for row in rows:
            self._stored[row.item_id] = _values(row)
            self._unsaved.pop(row.item_id, None)
        self._say("会议决定已保存")
        return True

    def apply(self) -> bool:
        if self.meeting_id is None or not self.save():
            return False
        if MeetingService.incomplete_message(self.decisions.records):
            self._checking = True
            self._recheck()
            return False
        try:
            count = self.archive.meetings.apply_decisions(self.meeting_id)
        except DomainError as error:
            self._say(error.message, error=True)
            return False
        self.reload()
        self._say(f"已按会议决定交办 {count} 件诉求")
        self.decided.emit()
        return True

    def remove_selected(self) -> None:
        index = self.view.currentIndex()
        if self.meeting_id and index.isValid():
            row: DecisionRow = self.decisions.record(index.row())
            try:
                self.archive.meetings.remove_request(self.meeting_id, row.request.id)
            except DomainError as error:
                self._say(error.message, error=True)
                return
            self._stored.pop(row.item_id, None)
            self._unsaved.pop(row.item_id, None)
            self.decisions.remove(index.row())  # the row goes now; the rest keep what was typed
            self.reload()
            self.decided.emit()


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
        self.view = table(self.model)
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
