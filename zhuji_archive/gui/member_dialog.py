"""The dialog for one household member, with errors shown next to the fields as the user types."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from zhuji_archive.domain import idcard
from zhuji_archive.domain.codes import DISABILITY_GRADES, SEXES
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.gui.forms.ui_member_dialog import Ui_MemberDialog
from zhuji_archive.gui.screen_fit import fit_to_screen
from zhuji_archive.views.household_file import MemberData

NO_DATE = QDate(1900, 1, 1)


def fill_combo(combo, values, current: str = "", blank: bool = True) -> None:  # type: ignore[no-untyped-def]
    combo.clear()
    if blank:
        combo.addItem("")
    combo.addItems(list(values))
    if current and combo.findText(current) < 0:
        combo.addItem(current)
    combo.setCurrentText(current)


class MemberDialog(QDialog):
    """Edits a copy of a MemberData; ``result_member`` holds the checked member after OK."""

    def __init__(
        self,
        member: MemberData,
        choices: Callable[[str], list[str]],
        check: Callable[[MemberData], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = Ui_MemberDialog()
        self.ui.setupUi(self)
        fit_to_screen(self)
        self._check = check
        self.result_member: MemberData | None = None
        self._original = member
        ui = self.ui
        fill_combo(ui.relationCombo, choices("relation"), member.relation)
        fill_combo(ui.sexCombo, SEXES, member.sex)
        fill_combo(ui.educationCombo, choices("education"), member.education)
        fill_combo(ui.politicalCombo, choices("political_status"), member.political_status)
        fill_combo(ui.healthCombo, choices("health"), member.health)
        fill_combo(ui.gradeCombo, DISABILITY_GRADES, member.disability_grade)
        ui.birthEdit.setMinimumDate(NO_DATE)
        ui.birthEdit.setSpecialValueText("未填")
        ui.birthEdit.setDate(QDate(member.birth_date) if member.birth_date else NO_DATE)
        ui.nameEdit.setText(member.name)
        ui.idEdit.setText(member.id_number)
        ui.phoneEdit.setText(member.phone)
        ui.migrantCheck.setChecked(member.migrant_worker)
        ui.migrantPlaceEdit.setText(member.migrant_place)
        ui.notesEdit.setPlainText(member.notes)
        for label in (ui.nameError, ui.relationError, ui.idError, ui.phoneError):
            label.hide()
        ui.idEdit.textEdited.connect(self._id_edited)
        ui.sexCombo.currentTextChanged.connect(self._compare_with_id)
        ui.birthEdit.dateChanged.connect(self._compare_with_id)
        ui.healthCombo.currentTextChanged.connect(self._health_changed)
        ui.migrantCheck.toggled.connect(ui.migrantPlaceEdit.setEnabled)
        ui.migrantPlaceEdit.setEnabled(member.migrant_worker)
        self._health_changed(member.health)
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        ui.buttonBox.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        ui.buttonBox.accepted.connect(self.accept)
        ui.buttonBox.rejected.connect(self.reject)
        self.setWindowTitle("编辑成员" if member.name else "添加成员")

    def _health_changed(self, text: str) -> None:
        self.ui.gradeCombo.setEnabled(text == "残疾")
        self.ui.gradeLabel.setEnabled(text == "残疾")

    def _show_error(self, label, message: str) -> None:  # type: ignore[no-untyped-def]
        label.setText(message)
        label.setVisible(bool(message))

    def _id_edited(self, text: str) -> None:
        """Validate as the user types once 18 characters are in; fill birth date and sex from a valid number."""
        number = idcard.normalize(text)
        if not number:
            self._show_error(self.ui.idError, "")
            return
        if len(number) < 18:
            self._show_error(self.ui.idError, f"已输入{len(number)}位，需18位")
            return
        try:
            info = idcard.parse(number)
        except DomainError as error:
            self._show_error(self.ui.idError, error.message)
            return
        self._show_error(self.ui.idError, "")
        self.ui.sexCombo.setCurrentText(info.sex)
        self.ui.birthEdit.setDate(QDate(info.birth_date))

    def _compare_with_id(self, *_args: object) -> None:
        member = self._collect()
        warnings: list[str] = []
        if idcard.is_valid(member.id_number):
            info = idcard.parse(member.id_number)
            if member.sex and member.sex != info.sex:
                warnings.append(f"性别与身份证号（{info.sex}）不一致")
            if member.birth_date and member.birth_date != info.birth_date:
                warnings.append(f"出生日期与身份证号（{info.birth_date.isoformat()}）不一致")
        self.ui.warningLabel.setText("；".join(warnings) + ("，保存时将按身份证号修正" if warnings else ""))

    def _collect(self) -> MemberData:
        ui = self.ui
        member = copy.copy(self._original)
        member.name = ui.nameEdit.text().strip()
        member.relation = ui.relationCombo.currentText()
        member.sex = ui.sexCombo.currentText()
        member.id_number = ui.idEdit.text()
        birth = ui.birthEdit.date()
        member.birth_date = None if birth == NO_DATE else birth.toPython()
        member.education = ui.educationCombo.currentText()
        member.political_status = ui.politicalCombo.currentText()
        member.health = ui.healthCombo.currentText()
        member.disability_grade = ui.gradeCombo.currentText() if member.health == "残疾" else ""
        member.phone = ui.phoneEdit.text()
        member.migrant_worker = ui.migrantCheck.isChecked()
        member.migrant_place = ui.migrantPlaceEdit.text().strip() if member.migrant_worker else ""
        member.notes = ui.notesEdit.toPlainText().strip()
        return member

    def accept(self) -> None:
        ui = self.ui
        for label in (ui.nameError, ui.relationError, ui.idError, ui.phoneError):
            self._show_error(label, "")
        member = self._collect()
        try:
            warnings = self._check(member)
        except DomainError as error:
            target = {"name": ui.nameError, "relation": ui.relationError, "phone": ui.phoneError}.get(
                error.field or "", ui.idError
            )
            self._show_error(target, error.message)
            {"name": ui.nameEdit, "relation": ui.relationCombo, "phone": ui.phoneEdit}.get(
                error.field or "", ui.idEdit
            ).setFocus()
            return
        self.result_member = member
        self.warnings = warnings
        super().accept()


def birth_text(value: date | None) -> str:
    return value.isoformat() if value else ""
