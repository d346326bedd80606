"""月度专题会议 (the township's monthly meeting), the middle tab of 镇级审核: the meetings on the left, the
chosen meeting's decisions on the right — responsible unit, person and deadline per request, typed into
the table and kept across refreshes until 保存决定 — with the 交办单 and the meeting's record to print."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.record_table import Column, RecordDelegate, RecordTableModel
from zhuji_archive.gui.request_printing import RequestPrinting
from zhuji_archive.gui.widgets import date_edit, record_view
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.meetings import MeetingService
from zhuji_archive.views.meetings import DecisionRow

ERROR_STYLE = "color: #c62828;"

GAP_FIELDS = {"责任单位": "unit", "责任人": "person", "办结时限": "deadline"}

Values = tuple[str, str, date | None, str]


def _values(row: DecisionRow) -> Values:
    return (row.unit, row.person, row.deadline, row.note)


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
        self.view = record_view(self.decisions)
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
