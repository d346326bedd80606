"""Choosing the archive at the login window: another archive file, the township's hub (连接镇里的数据库),
a laptop's archive made from an enrolment file (从镇里领取档案, gui/join_dialog.py), and the archives this
machine opened before.

The hub's connection window asks for 服务器地址, 端口, 数据库名, 数据库用户 and 数据库密码; 测试连接 tells in
Chinese whether the server answers, refuses, or holds no archive yet (services/access.state). The address it
builds goes to the login window, where the application account logs in as on a file.

The list of recent archives keeps a hub by server, port, database and database user, never the database
password: choosing it opens the connection window again with the password empty. Left empty, libpq looks in
the user's ``~/.pgpass`` (``%APPDATA%\\postgresql\\pgpass.conf`` on Windows) and ``PGPASSWORD``, which the
server's administrator can set up for a machine; otherwise the server asks for the password and the window
says so. A password written into an INI file readable by whoever copies the profile would open the whole
town's archive to anyone holding a copy of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive import APP_NAME
from zhuji_archive.gui.account_forms import ERROR_STYLE, FieldForm, hint_label, password_edit, title_label
from zhuji_archive.gui.join_dialog import JoinDialog
from zhuji_archive.gui.operations import Handle, Query, runner_for
from zhuji_archive.services import access
from zhuji_archive.storage.database import DatabaseError

RECENT = "archives/recent"  # QSettings: archives opened on this machine, newest first (no passwords)
RECENT_LIMIT = 8
DEFAULT_PORT = 5432
OK_STYLE = "color: #1b5e20;"


def recent_archives(settings: QSettings) -> list[str]:
    value = settings.value(RECENT) or []
    listed = [value] if isinstance(value, str) else list(value)
    return [str(item) for item in listed if item]


def remember_archive(settings: QSettings, location: Path | str) -> None:
    """Put ``location`` first in the recent list (a hub without its database password)."""
    kept = access.remembered(location)
    listed = [kept, *(item for item in recent_archives(settings) if item != kept)]
    settings.setValue(RECENT, listed[:RECENT_LIMIT])
    settings.sync()


def describe(location: Path | str) -> str:
    """An archive as a line of the recent list."""
    if access.is_hub(location):
        address = access.hub_address(str(location))
        return f"镇里的数据库 {access.shown(location)}（数据库用户 {address.user or '默认'}）"
    path = Path(location)
    return f"档案文件 {path.name}（{path.parent}）"


def _probe(location: str) -> access.ArchiveState | str:
    """The state of the archive at ``location``, or the Chinese message of why it could not be reached
    (the storage layer's words: the server does not answer, refuses the account …)."""
    try:
        return access.state(location)
    except DatabaseError as error:
        return str(error)


def no_archive_on_hub(location: str) -> str:
    return (
        f"已连接到镇里的数据库服务器，但数据库“{access.shown(location)}”里还没有群众档案。"
        "请管理服务器的同志先用命令 zhuji-archive hub init 建立档案和第一个系统管理员，再来连接。"
    )


class HubConnectDialog(QDialog):
    """连接镇里的数据库: where the hub is and the database account; ``location`` is set once 连接 found an
    archive there."""

    def __init__(self, remembered: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location: str | None = None
        self.setWindowTitle(f"{APP_NAME} — 连接镇里的数据库")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("连接镇里的数据库"))
        layout.addWidget(
            hint_label(
                "镇（县）里的群众档案保存在数据库服务器上，多人可以同时使用。"
                "请填写管理服务器的同志告诉您的连接信息，连接后再用您自己的账号登录。"
            )
        )
        self.fields = FieldForm()
        self.host = self.fields.add("host", "服务器地址", QLineEdit())
        self.host.setPlaceholderText("例如 192.168.1.10")
        self.port = self.fields.add("port", "端口", QSpinBox())
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = self.fields.add("database", "数据库名", QLineEdit())
        self.user = self.fields.add("user", "数据库用户", QLineEdit())
        self.password = self.fields.add("password", "数据库密码", password_edit())
        layout.addWidget(self.fields)
        layout.addWidget(
            hint_label(
                "数据库密码不保存在本机，每次连接时填写；管理服务器的同志为本机配置了密码文件（.pgpass）的，可以不填。"
            )
        )
        self.message = QLabel()
        self.message.setObjectName("hubMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.test_button = QPushButton("测试连接")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(lambda: self.test_connection())
        row.addWidget(self.test_button)
        buttons = QDialogButtonBox()
        self.connect_button = buttons.addButton("连接", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.connect_button.setDefault(True)
        buttons.accepted.connect(self.connect_to_hub)
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons, 1)
        layout.addLayout(row)
        self.setMinimumWidth(480)
        if remembered:
            address = access.hub_address(remembered)
            self.host.setText(address.host)
            self.port.setValue(address.port)
            self.database.setText(address.database)
            self.user.setText(address.user)
            self.password.setFocus()
        else:
            self.host.setFocus()

    def typed_location(self) -> str | None:
        """The hub's address from the fields, or None (the empty fields are marked)."""
        self.fields.clear_errors()
        missing = False
        for field, edit, name in (
            ("host", self.host, "服务器地址"),
            ("database", self.database, "数据库名"),
            ("user", self.user, "数据库用户"),
        ):
            if not edit.text().strip():
                self.fields.show_error(f"请填写{name}", field)
                missing = True
        if missing:
            return None
        return access.hub_location(
            self.host.text(), self.port.value(), self.database.text(), self.user.text(), self.password.text()
        )

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)
        # A message of several lines must push the window down, not squeeze the fields above it.
        needed = self.layout().totalHeightForWidth(self.width()) if self.layout() else -1
        if needed > self.height():
            self.resize(self.width(), needed)

    def test_connection(self, then: Callable[[str], None] | None = None) -> Handle | None:
        """Connect and look, on a worker of the operation runner: a server that does not answer keeps
        the connection waiting for its whole timeout, and the window must not freeze meanwhile. The
        window says what was found; ``then(location)`` runs once there is an archive to log in to.
        None when a field is missing (the window marks it)."""
        location = self.typed_location()
        if location is None:
            return None
        self._say("正在连接服务器…", True)
        self._busy(True)
        return (
            Query(self, "test", lambda: _probe(location), where="连接镇里的数据库", runner=runner_for(None))
            .success(lambda found: self._tested(location, found, then))
            .failure(lambda failure: (self._busy(False), self._say(failure.message, False)))
            .run()
        )

    def _busy(self, busy: bool) -> None:
        for button in (self.test_button, self.connect_button):
            button.setEnabled(not busy)
        if busy:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QGuiApplication.restoreOverrideCursor()

    def _tested(
        self, location: str, found: access.ArchiveState | str, then: Callable[[str], None] | None
    ) -> None:
        self._busy(False)
        if isinstance(found, str):  # the server's or the network's answer, in Chinese
            self._say(found, False)
        elif found is access.ArchiveState.NEW:
            self._say(no_archive_on_hub(location), False)
        else:
            self._say(f"连接成功：“{access.shown(location)}”里有群众档案，可以登录。", True)
            if then is not None:
                then(location)

    def connect_to_hub(self) -> None:
        self.test_connection(then=self._connected)

    def _connected(self, location: str) -> None:
        self.location = location
        self.accept()


class ArchiveChoice(QWidget):
    """Under the login window's fields: another archive — one of this machine's recent ones, a file, the
    township's hub, or a laptop's archive fetched from the hub. ``chosen`` carries the location (a Path,
    or a hub's address with its password); ``joined`` the archive 从镇里领取档案 made, already logged in,
    and its path."""

    chosen = Signal(object)
    joined = Signal(object, object)

    def __init__(self, current: Path | str, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        here = access.remembered(current)
        others = [item for item in recent_archives(settings) if item != here]
        self.recent: QComboBox | None = None
        if others:
            self.recent = QComboBox()
            self.recent.addItem("最近使用的其他档案…", None)
            for item in others:
                self.recent.addItem(describe(item), item)
            self.recent.activated.connect(self._recent_picked)
            layout.addWidget(self.recent)
        row = QHBoxLayout()
        self.file_button = QPushButton("打开档案文件…")
        self.file_button.setAutoDefault(False)  # Enter in the password field still logs in
        self.file_button.clicked.connect(self.choose_file)
        self.hub_button = QPushButton("连接镇里的数据库…")
        self.hub_button.setAutoDefault(False)
        self.hub_button.setToolTip("打开镇（县）数据库服务器上多人共用的群众档案")
        self.hub_button.clicked.connect(lambda: self.connect_hub())
        self.join_button = QPushButton("从镇里领取档案…")
        self.join_button.setAutoDefault(False)
        self.join_button.setToolTip("驻村干部的笔记本：用镇里给的登记文件和登记码，建立本机的档案")
        self.join_button.clicked.connect(lambda: self.fetch_from_hub())
        row.addWidget(self.file_button)
        row.addWidget(self.hub_button)
        row.addWidget(self.join_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.folder = "" if access.is_hub(current) else str(Path(current).parent)

    def _recent_picked(self, index: int) -> None:
        item = self.recent.itemData(index) if self.recent else None
        if self.recent is not None:
            self.recent.setCurrentIndex(0)
        if not item:
            return
        if access.is_hub(item):
            self.connect_hub(item)
        else:
            self.chosen.emit(Path(item))

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "打开档案文件", self.folder, "群众档案 (*.sqlite3 *.db);;所有文件 (*)"
        )
        if path:
            self.chosen.emit(Path(path))

    def fetch_from_hub(self) -> JoinDialog:
        """从镇里领取档案: the laptop's archive made from an enrolment file, opened as its account."""
        dialog = JoinDialog(self.folder, self.window())
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.archive is not None:
            self.joined.emit(dialog.archive, dialog.path)
        return dialog

    def connect_hub(self, remembered: str | None = None) -> HubConnectDialog:
        dialog = HubConnectDialog(remembered, self.window())
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.location:
            self.chosen.emit(dialog.location)
        return dialog
