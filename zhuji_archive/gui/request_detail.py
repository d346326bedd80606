"""One request: the household, the description, its classification and state, the actions allowed
now as buttons (only those), and the timeline of transitions and progress entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QHeaderView, QPushButton, QWidget

from zhuji_archive.domain.workflow import Action, TimeStatus
from zhuji_archive.gui.action_dialog import ActionDialog
from zhuji_archive.gui.forms.ui_request_detail import Ui_RequestDetailDialog
from zhuji_archive.gui.operations import PageFeed, runner_for
from zhuji_archive.gui.record_table import Column, RecordTableModel
from zhuji_archive.gui.request_model import LIGHTS
from zhuji_archive.gui.request_printing import RequestPrinting
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.requests import RequestDetail

# What moves an open request on besides its own buttons: another window, the meeting's decisions, a
# sync receipt (which announces the households whose records it changed).
DETAIL_CHANGES = ("requests", "households", "meetings")


@dataclass(frozen=True)
class TimelineRow:
    """A timeline line as shown."""

    on: str
    at: str
    operator: str
    action: str
    change: str
    note: str


class RequestDetailDialog(QDialog):
    """Shows one request; ``changed(request_id)`` fires after every applied action. While open it
    follows what others change (the meeting, a sync receipt, another window), so that its buttons
    offer what the request's state allows now."""

    changed = Signal(str)
    openHousehold = Signal(str)

    def __init__(self, archive: Archive, request_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.request_id = request_id
        self.ui = Ui_RequestDetailDialog()
        self.ui.setupUi(self)
        fit_to_screen(self)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.timeline = RecordTableModel(
            [
                Column("on", "日期", "readonly"),
                Column("action", "办理", "readonly"),
                Column("change", "状态变化", "readonly"),
                Column("note", "内容", "readonly"),
                Column("operator", "操作人", "readonly"),
                Column("at", "录入时间", "readonly"),
            ],
            [],
            editable=False,
            parent=self,
        )
        self.ui.timelineTable.setModel(self.timeline)
        header = self.ui.timelineTable.horizontalHeader()
        for column, width in enumerate((95, 80, 150, 420, 70)):
            self.ui.timelineTable.setColumnWidth(column, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.ui.timelineTable.setWordWrap(True)
        self.ui.buttonBox.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        self.ui.buttonBox.rejected.connect(self.reject)
        self._add_print_button()
        self.ui.openHouseholdButton.clicked.connect(
            lambda: self.openHousehold.emit(self.detail.row.household_id)
        )
        self.action_buttons: dict[Action, QPushButton] = {}
        self.action_dialog: ActionDialog | None = None
        self.ui_together = QCheckBox()
        self.ui.mainLayout.insertWidget(3, self.ui_together)
        self.announcing = False  # its own step is being announced: it is shown already
        self.feed = PageFeed(self, runner_for(archive), DETAIL_CHANGES, self.refresh)
        self.reload()
        self.feed.stale = False

    def _add_print_button(self) -> None:
        """打印情况反馈意见单 beside 关闭: the form the household signs, shown in the print preview."""
        self.printing = RequestPrinting(self.archive, self)
        self.print_button = self.ui.buttonBox.addButton(
            "打印情况反馈意见单", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.clicked.connect(self.print_feedback)

    def print_feedback(self):  # type: ignore[no-untyped-def]
        return self.printing.print_feedback(self.request_id)

    def reload(self) -> None:
        self.show_detail(self.archive.requests.detail(self.request_id))

    def refresh(self) -> None:
        """The request may have moved on elsewhere: load it on a worker and show it as it is now."""
        if self.announcing:
            return
        requests, request_id = self.archive.requests, self.request_id
        self.feed.load("detail", lambda: requests.detail(request_id), self.show_detail)

    def show_detail(self, detail: RequestDetail) -> None:
        self.detail = detail
        row, case, ui = detail.row, detail.case, self.ui
        self.setWindowTitle(f"诉求办理 — {row.number} {row.household_label}")
        ui.titleLabel.setText(f"{row.number}　{row.category}：{row.description[:24]}")
        ui.statusLabel.setText(row.status)
        background, foreground, text = LIGHTS[row.time_status]
        ui.lightLabel.setText(text or "")
        ui.lightLabel.setVisible(row.time_status != TimeStatus.NONE)
        if background is not None:
            ui.lightLabel.setStyleSheet(
                f"font-size: 12pt; padding: 2px 8px; border-radius: 4px; background: {background.name()};"
                f" color: {foreground.name()};"
            )
        ui.householdLabel.setText(row.household_label)
        ui.descriptionLabel.setText(f"{row.description}（{row.recorded_on}登记）")
        ui.classificationLabel.setText(
            "；".join((row.category, row.scope, row.solvability, row.level))
            if case.classification
            else "尚未梳理"
        )
        parts = []
        if row.responsible_unit:
            parts.append(
                f"责任单位：{row.responsible_unit}；责任人：{row.responsible_person}；办结时限：{row.deadline}"
            )
        if row.supervising_body:
            parts.append(
                f"挂牌督办：{row.supervising_body}；包案领导：{row.leader}；下次督查：{row.next_check_on or '—'}"
                + ("（已过期，请尽快督查）" if row.check_overdue else "")
            )
        if row.common_issue:
            parts.append(f"共性问题：{row.common_issue}")
        ui.assignmentLabel.setText("\n".join(parts) or "—")
        outcome = row.resolution or "—"
        if detail.feedbacks:
            last = detail.feedbacks[-1]
            outcome += f"\n最近反馈：{last.on} {last.satisfaction}" + (
                f"（{last.opinion}）" if last.opinion else ""
            )
            outcome += "，已收回意见单" if last.form_received else "，意见单未收回"
        ui.outcomeLabel.setText(outcome)
        self._show_actions(detail)
        self.ui_together.setVisible(bool(row.common_issue_id))
        self.ui_together.setText(f"对共性问题“{row.common_issue}”的全部诉求统一办理（情况反馈仍逐户进行）")
        self.timeline.set_rows(
            [
                TimelineRow(
                    e.on.isoformat(),
                    e.at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M"),
                    e.operator,
                    e.action,
                    f"{e.from_status} → {e.to_status}" if e.from_status != e.to_status else e.to_status,
                    e.note,
                )
                for e in detail.events
            ]
        )
        self.ui.timelineTable.resizeRowsToContents()

    def _show_actions(self, detail: RequestDetail) -> None:
        layout = self.ui.actionsLayout
        while layout.count():
            item = layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.action_buttons = {}
        for action in detail.allowed:
            button = QPushButton(action.value)
            button.setMinimumHeight(32)
            button.clicked.connect(lambda _checked=False, a=action: self.start_action(a))
            layout.addWidget(button)
            self.action_buttons[action] = button
        layout.addStretch(1)

    def start_action(self, action: Action) -> ActionDialog:
        """Open the action's dialog (window-modal, no nested loop); the page refreshes when it is applied.

        For a request in a 共性问题 with 统一办理 ticked, the decision or result goes to every linked request."""
        apply = None
        issue_id = self.detail.row.common_issue_id
        if issue_id and self.ui_together.isChecked() and action not in (Action.FEEDBACK, Action.REOPEN):

            def apply(a, payload, issue_id=issue_id):  # type: ignore[no-untyped-def]
                self.archive.requests.act_on_common_issue(issue_id, a, payload)
                return self.archive.requests.detail(self.request_id)

        dialog = ActionDialog(self.archive, self.detail, action, self, apply=apply)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(self._applied)
        self.action_dialog = dialog
        dialog.open()
        return dialog

    def _applied(self) -> None:
        self.reload()
        if self.feed.busy:  # a load begun before this step must not show the state before it
            self.refresh()
        self.announcing = True
        try:
            self.changed.emit(self.request_id)
        finally:
            self.announcing = False
