"""The options every export dialog shares: 不遮挡号码 (only for accounts allowed to, with a required
理由) and 设置打开密码 (the password twice). The dialog only collects them; the export service checks the
permission, the reason and the password again, and logs the export."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.masking import MIN_EXPORT_PASSWORD, check_unmask_reason, export_password_problems

XLSX_VIEWERS = (
    "加密的 Excel 文件可用 Microsoft Excel 和 WPS 表格输入密码打开；"
    "部分手机、网页或其他查看器打不开加密文件。"
)
PDF_VIEWERS = "加密的 PDF 在常见的 PDF 阅读器中输入密码即可打开和打印，不能修改或复制文字。"


@dataclass(frozen=True)
class ChosenOptions:
    """What the user chose: masked (or the reason for full numbers) and the opening password if any."""

    masked: bool = True
    reason: str = ""
    password: str | None = None


class ExportOptions:
    """The masking and password rows of an export dialog, added to ``form``, with OK that checks them."""

    def __init__(
        self, dialog: QDialog, form: QFormLayout, *, may_unmask: bool, counted: str, xlsx: bool = True
    ) -> None:
        self.dialog = dialog
        self.unmasked = QCheckBox("不遮挡号码（导出完整身份证号和电话）")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("必填，如：报送民政办低保复核")
        self.reason.setMaxLength(200)
        if may_unmask:
            form.addRow("身份证号和电话：", self.unmasked)
            form.addRow("理由：", self.reason)
        else:
            form.addRow("身份证号和电话：", QLabel("脱敏：身份证号只留前6位和后4位，电话隐藏中间4位"))
            self.unmasked.setVisible(False)
            self.reason.setVisible(False)
        self.unmasked.setEnabled(may_unmask)
        self.reason.setEnabled(False)
        self.unmasked.toggled.connect(self.reason.setEnabled)
        self.protect = QCheckBox("设置打开密码")
        self.password = QLineEdit()
        self.again = QLineEdit()
        for field, hint in (
            (self.password, f"至少 {MIN_EXPORT_PASSWORD} 个字符"),
            (self.again, "再输入一次"),
        ):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(hint)
            field.setEnabled(False)
            self.protect.toggled.connect(field.setEnabled)
        form.addRow("打开密码：", self.protect)
        form.addRow("密码：", self.password)
        form.addRow("确认密码：", self.again)
        viewers = QLabel(XLSX_VIEWERS if xlsx else PDF_VIEWERS)
        viewers.setWordWrap(True)
        viewers.setStyleSheet("color: #555;")
        form.addRow("", viewers)
        note = QLabel(f"导出记录（谁、何时、导出什么、多少{counted}、是否脱敏及理由）将记入变更记录。")
        note.setStyleSheet("color: #555;")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("选择保存位置…")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def chosen(self) -> ChosenOptions:
        """The options as typed; raises DomainError (Chinese) when a reason or the password is wrong."""
        masked = not self.unmasked.isChecked()
        reason = "" if masked else check_unmask_reason(self.reason.text())
        password = None
        if self.protect.isChecked():
            problems = export_password_problems(self.password.text(), self.again.text())
            if problems:
                raise DomainError("；".join(problems), "password")
            password = self.password.text()
        return ChosenOptions(masked, reason, password)

    def accept(self) -> None:
        try:
            self.chosen()
        except DomainError as error:
            self.problem.setText(error.message)
            return
        self.problem.clear()
        self.dialog.accept()
