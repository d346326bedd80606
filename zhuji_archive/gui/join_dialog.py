"""从镇里领取档案 (issue 14): a 驻村干部's laptop makes its archive from the enrolment file 党政办 wrote at the
hub, the one-time code read out to the cadre and the account's password at the hub.

The window asks for the enrolment file, the code, the password and where to save the laptop's archive;
领取 runs services/sync.py ``join`` on the operation runner's write thread (scrypt and the keyring's key
derivation take a moment) and keeps the archive it opened (``archive``, ``path``) for the login window to
open. A wrong code, a wrong password, a file that is no enrolment file or a place where a file already is
are said in Chinese in the window; ``join`` leaves nothing behind then, and an existing file is never
touched (it is refused here before anything runs)."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive import APP_NAME
from zhuji_archive.gui.account_forms import ERROR_STYLE, FieldForm, hint_label, password_edit, title_label
from zhuji_archive.gui.operations import Failure, Handle, Operation, runner_for
from zhuji_archive.services.archive import Archive

ENROLMENT_FILTER = "登记文件 (*.zjenrol);;所有文件 (*)"
ARCHIVE_FILTER = "群众档案 (*.sqlite3)"
DEFAULT_NAME = "笔记本档案"
WORKING_STYLE = "color: #1b5e20;"


def _free_name(folder: Path) -> Path:
    """笔记本档案.sqlite3 in ``folder``, or 笔记本档案2.sqlite3 … when that is taken."""
    candidate, n = folder / f"{DEFAULT_NAME}.sqlite3", 2
    while candidate.exists():
        candidate, n = folder / f"{DEFAULT_NAME}{n}.sqlite3", n + 1
    return candidate


def _with_browse(edit: QLineEdit, caption: str) -> tuple[QWidget, QPushButton]:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    button = QPushButton(caption)
    button.setAutoDefault(False)
    layout.addWidget(button)
    return row, button


class JoinDialog(QDialog):
    """从镇里领取档案: ``archive`` and ``path`` are set once the laptop's archive was made and opened."""

    def __init__(self, folder: Path | str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive: Archive | None = None
        self.path: Path | None = None
        self.handle: Handle | None = None
        self.setWindowTitle(f"{APP_NAME} — 从镇里领取档案")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("从镇里领取档案"))
        layout.addWidget(
            hint_label(
                "镇党政办为您的笔记本登记后，会交给您一个登记文件（.zjenrol，可以用U盘拷来），"
                "并当面或电话告诉您一个登记码。领取后，本机有一份加密的档案，只含您负责的村，"
                "用您在镇里的账号和密码登录；以后在“同步”页和镇里交换更改。"
            )
        )
        self.fields = FieldForm()
        self.file = QLineEdit()
        self.file.setPlaceholderText("选择镇里给您的登记文件")
        row, self.file_button = _with_browse(self.file, "选择…")
        self.file_button.clicked.connect(self.choose_file)
        self.fields.add("file", "登记文件", row)
        self.code = QLineEdit()
        self.code.setPlaceholderText("例如 1234-5678-9012-3456")
        self.fields.add("code", "登记码", self.code)
        self.password = password_edit()
        self.password.setPlaceholderText("您的账号在镇里的密码")
        self.fields.add("password", "密码", self.password)
        self.target = QLineEdit()
        start = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        self.target.setText(str(_free_name(start)))
        row, self.target_button = _with_browse(self.target, "选择…")
        self.target_button.clicked.connect(self.choose_target)
        self.fields.add("target", "保存到", row)
        layout.addWidget(self.fields)
        self.message = QLabel()
        self.message.setObjectName("joinMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.join_button = buttons.addButton("领取", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.join_button.setDefault(True)
        buttons.accepted.connect(self.start_join)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(640)
        self.file.setFocus()

    # ---- choosing files ------------------------------------------------------------------------
    def choose_file(self) -> None:
        start = self.file.text().strip() or str(Path(self.target.text().strip() or ".").parent)
        path, _ = QFileDialog.getOpenFileName(self, "选择登记文件", start, ENROLMENT_FILTER)
        if path:
            self.file.setText(path)

    def choose_target(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "笔记本档案保存到", self.target.text().strip(), ARCHIVE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,  # an existing file is refused, never replaced
        )
        if path:
            if not path.lower().endswith((".sqlite3", ".db")):
                path += ".sqlite3"
            self.target.setText(path)

    # ---- joining -------------------------------------------------------------------------------
    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet(WORKING_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)

    def _checked(self) -> tuple[Path, str, str, Path] | None:
        """The four entries, or None with what is missing or wrong marked at its field."""
        self.fields.clear_errors()
        self.message.clear()
        missing = False
        for field, edit, text in (
            ("file", self.file, "请选择登记文件"),
            ("code", self.code, "请填写登记码"),
            ("password", self.password, "请填写密码"),
            ("target", self.target, "请选择档案保存到哪里"),
        ):
            if not edit.text().strip():
                self.fields.show_error(text, field)
                missing = True
        if missing:
            return None
        file, target = Path(self.file.text().strip()), Path(self.target.text().strip())
        if not file.is_file():
            self.fields.show_error("找不到这个登记文件", "file")
            return None
        if target.exists() or target.is_dir():
            self.fields.show_error("这个位置已经有文件，请另选一个位置（已有的文件不会被改动）", "target")
            return None
        return file, self.code.text().strip(), self.password.text(), target

    def start_join(self) -> Handle | None:
        """领取: run ``join`` on the write thread; the window stays, with the outcome."""
        if self.handle is not None and self.handle.running:
            return self.handle
        entries = self._checked()
        if entries is None:
            return None
        file, code, password, target = entries
        from zhuji_archive.services.sync import join

        self._busy(True)
        self._say("正在领取档案，请稍候（核对登记码和密码、建立加密的档案）…", True)
        self.handle = (
            Operation(
                self, "领取档案", lambda _progress, _cancelled: join(file, target, password, code),
                label="正在领取档案…", runner=runner_for(None),
            )
            .success(lambda archive: self._joined(archive, target))
            .failure(self._failed)
            .run()
        )
        return self.handle

    def _busy(self, busy: bool) -> None:
        for widget in (self.join_button, self.cancel_button, self.file, self.code, self.password, self.target,
                       self.file_button, self.target_button):
            widget.setEnabled(not busy)
        if busy:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QGuiApplication.restoreOverrideCursor()

    def _joined(self, archive: Archive, target: Path) -> None:
        self._busy(False)
        self.archive, self.path = archive, target
        self._say(f"已在“{target}”建立笔记本档案。", True)
        self.accept()

    def _failed(self, failure: Failure) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy(False)
        self.password.clear()
        self._say(failure.message, False)
        if failure.error is not None and "登记码" in failure.message:
            self.code.setFocus()
        else:
            self.password.setFocus()

    def reject(self) -> None:
        if self.handle is not None and self.handle.running:
            return  # joining cannot be stopped halfway: the window closes when it ends
        super().reject()
