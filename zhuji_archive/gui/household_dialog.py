"""The household file window: header fields and a tab for each of the five items, visits and history.

Everything is edited in memory; nothing is written until 保存, and closing with unsaved changes asks first."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from zhuji_archive.domain.accounts import Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.household import yuan
from zhuji_archive.domain.household_rules import FieldProblem
from zhuji_archive.gui import household_sections as sections
from zhuji_archive.gui.forms.ui_household_dialog import Ui_HouseholdDialog
from zhuji_archive.gui.household_sections import TAB_OF_SECTION, HistoryRow, StatusDialog
from zhuji_archive.gui.member_dialog import MemberDialog
from zhuji_archive.gui.record_table import Column, RecordDelegate, RecordTableModel
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.conflicts import StaleSave
from zhuji_archive.services.households import ValidationFailed
from zhuji_archive.views.household_file import AssistanceData, IncomeData, MemberData, RequestData, VisitData


class HouseholdDialog(QDialog):
    """One household file. Emits ``saved(household_id)`` after each successful save."""

    saved = Signal(str)
    openRequest = Signal(str)

    def __init__(
        self,
        archive: Archive,
        household_id: str | None = None,
        group_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.ui = Ui_HouseholdDialog()
        self.ui.setupUi(self)
        fit_to_screen(self)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.dirty = False
        self._loading = False
        if household_id is not None:
            self.file = archive.households.load(household_id)
            archive.audit.opened_household(household_id)  # the audit notes who opened which file
        elif group_id is not None:
            self.file = archive.households.new_file(group_id)
        else:
            raise ValueError("household_id or group_id is required")
        self._build_tables()
        self._build_buttons()
        self._show_file()

    # ---- construction --------------------------------------------------------------------
    def _choices(self, kind: str) -> list[str]:
        return self.archive.codes.values(kind)

    def _table(
        self, view: QTableView, columns: list[Column], rows: list, editable: bool = True
    ) -> RecordTableModel:
        model = RecordTableModel(columns, rows, editable, self)
        view.setModel(model)
        view.setItemDelegate(RecordDelegate(columns, view))
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        view.verticalHeader().setDefaultSectionSize(28)
        model.edited.connect(self._mark_dirty)
        return model

    def _build_tables(self) -> None:
        ui, file, codes = self.ui, self.file, self._choices
        self.members = self._table(ui.membersTable, sections.member_columns(), file.members)
        ui.membersTable.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        ui.membersTable.doubleClicked.connect(lambda index: self.edit_member(index.row()))
        self.incomes = self._table(ui.incomesTable, sections.income_columns(), file.incomes)
        self.incomes.edited.connect(self._update_income_summary)
        self.assistance = self._table(ui.assistanceTable, sections.assistance_columns(codes), file.assistance)
        self.requests = self._table(ui.requestsTable, sections.request_columns(codes), file.requests)
        self.resolution = self._table(
            ui.resolutionTable, sections.resolution_columns(), file.requests, editable=False
        )
        self.visits = self._table(ui.visitsTable, sections.visit_columns(), file.visits)
        self.history = self._table(ui.historyTable, sections.history_columns(), [], editable=False)
        for name, widths in sections.COLUMN_WIDTHS.items():
            view = getattr(ui, name)
            for column, width in enumerate(widths):
                view.setColumnWidth(column, width)

    def _build_buttons(self) -> None:
        ui = self.ui
        ui.membersAddButton.clicked.connect(self.add_member)
        ui.membersEditButton.clicked.connect(lambda: self.edit_member(self._current_row(ui.membersTable)))
        ui.membersRemoveButton.clicked.connect(lambda: self._remove(ui.membersTable, self.members, "成员"))
        ui.incomesAddButton.clicked.connect(
            lambda: self._add(ui.incomesTable, self.incomes, IncomeData(kind="其他收入"))
        )
        ui.incomesRemoveButton.clicked.connect(
            lambda: self._remove(ui.incomesTable, self.incomes, "经济来源")
        )
        ui.assistanceAddButton.clicked.connect(
            lambda: self._add(ui.assistanceTable, self.assistance, AssistanceData(date=date.today()))
        )
        ui.assistanceRemoveButton.clicked.connect(
            lambda: self._remove(ui.assistanceTable, self.assistance, "帮扶记录")
        )
        ui.requestsAddButton.clicked.connect(self._add_request)
        ui.requestsTable.doubleClicked.connect(self._open_request)
        ui.resolutionTable.doubleClicked.connect(self._open_request)
        ui.requestsRemoveButton.clicked.connect(lambda: self._remove(ui.requestsTable, self.requests, "诉求"))
        ui.visitsAddButton.clicked.connect(
            lambda: self._add(
                ui.visitsTable,
                self.visits,
                VisitData(date=date.today(), kind="半年大走访", cadres=self._cadre_name()),
            )
        )
        ui.visitsRemoveButton.clicked.connect(lambda: self._remove(ui.visitsTable, self.visits, "走访记录"))
        self.event_button = QPushButton("登记必访事件…")
        self.event_button.setToolTip("住院、生活困难、意外事故、家庭或邻里矛盾、乔迁等：登记后须限期上门走访")
        self.event_button.clicked.connect(self.record_event)
        self.next_visit_label = QLabel()
        ui.visitsBar.insertWidget(ui.visitsBar.count() - 1, self.event_button)
        ui.visitsBar.addWidget(self.next_visit_label)
        ui.statusButton.clicked.connect(self._change_status)
        save = ui.buttonBox.button(QDialogButtonBox.StandardButton.Save)
        save.setText("保存")
        save.setShortcut("Ctrl+S")
        save.clicked.connect(self.save)
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        self.print_button = ui.buttonBox.addButton("打印户表", QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_sheet)
        # What the account may not do is not offered (the services refuse it anyway).
        can = self.archive.actor.can
        for button in (save, self.event_button, ui.statusButton):
            button.setEnabled(can(Capability.EDIT_FILES))
        self.print_button.setEnabled(can(Capability.EXPORT))
        ui.buttonBox.rejected.connect(self.reject)
        for widget in (ui.addressEdit, ui.phoneEdit, ui.notesEdit):
            widget.textEdited.connect(self._mark_dirty)
        ui.numberSpin.valueChanged.connect(self._mark_dirty)
        ui.cadreCombo.currentIndexChanged.connect(self._mark_dirty)

    def _code_boxes(self, box: QWidget, kind: str, checked: list[str]) -> list[QCheckBox]:
        layout = box.layout() or QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        while layout.count():
            item = layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        values = self._choices(kind) + [v for v in checked if v not in self._choices(kind)]
        boxes = []
        for value in values:
            check = QCheckBox(value, box)
            check.setChecked(value in checked)
            check.toggled.connect(self._mark_dirty)
            layout.addWidget(check)
            boxes.append(check)
        layout.addStretch(1)  # type: ignore[attr-defined]
        return boxes

    # ---- showing ------------------------------------------------------------------------
    def _show_file(self) -> None:
        self._loading = True
        ui, f = self.ui, self.file
        ui.numberSpin.setValue(f.number)
        ui.addressEdit.setText(f.address)
        ui.phoneEdit.setText(f.phone)
        ui.notesEdit.setText(f.notes)
        ui.cadreCombo.clear()
        ui.cadreCombo.addItem("（未指定）", None)
        self.cadre_names: dict[str, str] = {}
        for cadre in self.archive.organisation.cadres(including=f.responsible_cadre_id):
            state = "" if cadre.active else "，已退出"
            ui.cadreCombo.addItem(f"{cadre.name}（{cadre.kind}{state}）", cadre.id)
            self.cadre_names[cadre.id] = cadre.name
        ui.cadreCombo.setCurrentIndex(max(ui.cadreCombo.findData(f.responsible_cadre_id), 0))
        self._show_status()
        self.economic_boxes = self._code_boxes(ui.economicBox, "economic_type", f.economic_types)
        self.focus_boxes = self._code_boxes(ui.focusBox, "focus_tag", f.focus_tags)
        for model, rows in (
            (self.members, f.members),
            (self.incomes, f.incomes),
            (self.assistance, f.assistance),
            (self.requests, f.requests),
            (self.resolution, f.requests),
            (self.visits, f.visits),
        ):
            model.set_rows(rows)
        if f.id:
            self.history.set_rows([HistoryRow.of(e) for e in self.archive.households.history(f.id)])
        for label in (ui.numberError, ui.phoneError):
            label.hide()
        ui.problemsLabel.clear()
        self._update_income_summary()
        self._show_next_visit()
        self._loading = False
        self._set_dirty(False)

    def _show_status(self) -> None:
        f = self.file
        text = f.status + (f"（{f.status_note}）" if f.status_note else "")
        self.ui.statusValue.setText(text)
        self.ui.statusValue.setStyleSheet("" if f.status == "在册" else "color: #c62828; font-weight: bold;")

    def _title(self) -> str:
        f = self.file
        head = f.head.name if f.head else "新户"
        return f"{f.village_name}{f.group_name} 第{f.number}户 {head}"

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.ui.titleLabel.setText(self._title())
        self.setWindowTitle(f"户档案 - {self._title()}" + (" *" if dirty else ""))
        self.ui.dirtyLabel.setText("有未保存的修改" if dirty else "")

    def _mark_dirty(self, *_args: object) -> None:
        if not self._loading:
            self._set_dirty(True)

    def _update_income_summary(self) -> None:
        value = self.archive.households.per_capita_income(self.file)
        total = sum(i.annual_income or 0 for i in self.file.active(self.file.incomes))
        text = f"家庭年收入 {yuan(total)} 元"
        if value is not None:
            text += f"，人均 {yuan(value)} 元"
        self.ui.incomeSummaryLabel.setText(text)

    def _cadre_name(self) -> str:
        """The 责任干部 chosen on the form: a new visit row is pre-filled with it (not the operator)."""
        return self.cadre_names.get(self.ui.cadreCombo.currentData(), "")

    # ---- editing ------------------------------------------------------------------------
    @staticmethod
    def _current_row(view: QTableView) -> int:
        index = view.currentIndex()
        return index.row() if index.isValid() else -1

    def add_member(self) -> None:
        relation = "" if self.file.head else "户主"
        self.edit_member(-1, MemberData(relation=relation))

    def edit_member(self, row: int, new: MemberData | None = None) -> MemberDialog | None:
        """Open the member dialog (window-modal, no nested event loop); the result lands on OK."""
        if new is None and row < 0:
            return None
        member = new if new is not None else self.members.record(row)
        dialog = MemberDialog(member, self._choices, self.archive.households.check_member, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(lambda: self._member_accepted(dialog, row, new is not None))
        self.member_dialog = dialog
        dialog.open()
        return dialog

    def _member_accepted(self, dialog: MemberDialog, row: int, is_new: bool) -> None:
        result = dialog.result_member
        if result is None:
            return
        if is_new:
            row = self.members.append(result)
        else:
            self.file.members[self.members.source_index(row)] = result
            self.members.set_rows(self.file.members)
        self.ui.membersTable.selectRow(row)
        self._mark_dirty()

    def _add(self, view: QTableView, model: RecordTableModel, record: object) -> None:
        row = model.append(record)
        view.setCurrentIndex(model.index(row, 0))
        view.edit(model.index(row, 1 if model is self.incomes else 0))

    def _open_request(self, index) -> None:  # type: ignore[no-untyped-def]
        """Saved requests open in the request page; new ones are edited here until saved."""
        record = self.requests.record(index.row())
        if record.id is not None and (index.column() == 3 or self.sender() is self.ui.resolutionTable):
            self.openRequest.emit(record.id)

    def refresh_requests(self) -> None:
        """Show requests' new states after they moved on elsewhere (only when nothing here is unsaved)."""
        if self.file.id is None or self.dirty:
            return
        fresh = self.archive.households.load(self.file.id)
        self.file.requests = fresh.requests
        # their versions moved on with the workflow: compare later edits with what is shown now
        self.file.base.update({r.id: fresh.base[r.id] for r in fresh.requests if r.id in fresh.base})
        self.requests.set_rows(self.file.requests)
        self.resolution.set_rows(self.file.requests)
        self.history.set_rows([HistoryRow.of(e) for e in self.archive.households.history(self.file.id)])

    def refresh(self) -> None:
        """Its records changed elsewhere (a sync receipt brought the meeting's decision, a conflict was
        decided): show them as they are now, unless something here is unsaved (the save then meets the
        change as any concurrent edit)."""
        if self.file.id is None or self.dirty:
            return
        fresh = self.archive.households.load(self.file.id)
        if fresh == self.file and fresh.base == self.file.base:
            return  # nothing new (its own save, already shown)
        self.file = fresh
        self._show_file()

    def record_event(self) -> None:
        if self.file.id is None:
            QMessageBox.information(self, "登记必访事件", "请先保存本户档案")
            return
        from zhuji_archive.gui.visit_dialog import EventDialog

        dialog = EventDialog(self.archive, self.file.id, self._title(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.accepted.connect(self.refresh_requests)
        self.event_dialog = dialog
        dialog.open()

    def _show_next_visit(self) -> None:
        if self.file.id is None:
            self.next_visit_label.setText("")
            return
        next_day, status = self.archive.maintenance.next_visit(self.file.id)
        text = (
            "尚未进行大走访，应尽快走访"
            if next_day is None
            else f"下次大走访应在 {next_day} 前（{status.value}）"
        )
        colour = "#c62828" if status.value in ("从未走访", "已超期") else "#555"
        self.next_visit_label.setText(text)
        self.next_visit_label.setStyleSheet(f"color: {colour};")

    def _add_request(self) -> None:
        categories = self._choices("request_category")
        self._add(
            self.ui.requestsTable,
            self.requests,
            RequestData(recorded_on=date.today(), category=categories[0] if categories else ""),
        )
        self.resolution.set_rows(self.file.requests)

    def _remove(self, view: QTableView, model: RecordTableModel, what: str) -> None:
        row = self._current_row(view)
        if row < 0:
            QMessageBox.information(self, "移除", f"请先选中要移除的{what}")
            return
        model.remove(row)
        if model is self.requests:
            self.resolution.set_rows(self.file.requests)

    def _change_status(self) -> None:
        dialog = StatusDialog(self.file.status, self.file.status_note, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.file.status = dialog.ui.statusCombo.currentText()
            self.file.status_note = dialog.ui.noteEdit.toPlainText().strip()
            self._show_status()
            self._mark_dirty()

    # ---- saving -------------------------------------------------------------------------
    def _collect_header(self) -> None:
        ui, f = self.ui, self.file
        f.number = ui.numberSpin.value()
        f.address = ui.addressEdit.text().strip()
        f.phone = ui.phoneEdit.text()
        f.notes = ui.notesEdit.text().strip()
        f.responsible_cadre_id = ui.cadreCombo.currentData()
        f.economic_types = [b.text() for b in self.economic_boxes if b.isChecked()]
        f.focus_tags = [b.text() for b in self.focus_boxes if b.isChecked()]

    def save(self) -> bool:
        self._collect_header()
        try:
            household_id = self.archive.households.save(self.file)
        except ValidationFailed as failed:
            self._show_problems(failed.problems)
            return False
        except StaleSave as stale:
            if self.ask_reload(stale.message) and self.file.id is not None:
                self.file = self.archive.households.load(self.file.id)
                self._show_file()
            return False
        except DomainError as error:
            QMessageBox.warning(self, "无法保存", error.message)
            return False
        self.file = self.archive.households.load(household_id)
        self._show_file()
        self.saved.emit(household_id)
        return True

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        ui = self.ui
        by_section: dict[str, dict[tuple[int, str | None], str]] = {}
        for problem in problems:
            if problem.row is not None:
                by_section.setdefault(problem.section, {})[(problem.row, problem.field)] = problem.message
        for section, model in (
            ("members", self.members),
            ("incomes", self.incomes),
            ("assistance", self.assistance),
            ("requests", self.requests),
            ("visits", self.visits),
        ):
            model.set_problems(by_section.get(section, {}))
        header = {p.field: p.message for p in problems if p.section == "household"}
        for field, label in (("number", ui.numberError), ("phone", ui.phoneError)):
            label.setText(header.get(field, ""))
            label.setVisible(field in header)
        ui.problemsLabel.setText(
            "未能保存，请先改正：\n" + "\n".join(f"· {self._where(p)}{p.message}" for p in problems)
        )
        first = problems[0]
        if first.section in TAB_OF_SECTION:
            ui.tabs.setCurrentIndex(TAB_OF_SECTION[first.section])

    def _where(self, problem: FieldProblem) -> str:
        names = {
            "members": "家庭成员",
            "incomes": "经济来源",
            "assistance": "帮扶记录",
            "requests": "家庭诉求",
            "visits": "走访记录",
            "household": "户基本信息",
        }
        where = names.get(problem.section, "")
        if problem.row is not None:
            where += f"第{self._visible_row(problem.section, problem.row)}行"
        return f"{where}：" if where else ""

    def _visible_row(self, section: str, source: int) -> int:
        model = {
            "members": self.members,
            "incomes": self.incomes,
            "assistance": self.assistance,
            "requests": self.requests,
            "visits": self.visits,
        }[section]
        row = model.view_row(source)
        return (row if row is not None else source) + 1

    # ---- printing -----------------------------------------------------------------------
    def print_sheet(self) -> object | None:
        """Print this household's 户表 (saving pending edits first, so the paper matches the screen)."""
        from zhuji_archive.gui.export_actions import ExportActions

        if (self.dirty or self.file.id is None) and not self.save():
            return None
        if self.file.id is None:
            return None
        self.printing = ExportActions(self, self.archive)
        return self.printing.print_household(self.file.id, self)

    # ---- closing ------------------------------------------------------------------------
    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Asks what to do with unsaved changes; tests replace this to answer without a modal box."""
        return QMessageBox.question(
            self,
            "未保存的修改",
            "本户档案有未保存的修改，是否保存？",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def ask_reload(self, message: str) -> bool:
        """Someone else changed what this window changed: show who and what, offer to reload.
        Reloading drops this window's unsaved edits, so the user decides; tests replace this."""
        return sections.ask_reload(self, "档案已被他人修改", message, "本户档案", "本窗口中")

    def may_close(self) -> bool:
        """True when the window may close: nothing unsaved, or saved, or the user discards."""
        if not self.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        self._set_dirty(False)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.may_close():
            super().closeEvent(event)
        else:
            event.ignore()

    def reject(self) -> None:
        if self.may_close():
            super().reject()
