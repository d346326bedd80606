"""Getting in at start-up: the first administrator of a new (or version-0.1) archive, the login
window, and the password change an account must make before its first work.

``start_session`` looks at the archive — a file, or the township's hub on a PostgreSQL server — (services/
access.state) and shows the one window that fits; it returns the archive logged in, or None when the user
gave up (or the archive cannot be opened, after saying why in Chinese). Both windows offer another archive
(gui/hub_dialog.py): a recent one, a file, or 连接镇里的数据库; the choice starts over on that archive. Or
从镇里领取档案 (gui/join_dialog.py): the laptop's archive made from an enrolment file, which opens at once."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from zhuji_archive import APP_NAME
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.search_keys import pinyin_keys
from zhuji_archive.gui.account_forms import (
    PASSWORD_RULES,
    REPEAT_FIELD,
    FieldForm,
    check_repeat,
    hint_label,
    password_edit,
    title_label,
)
from zhuji_archive.gui.hub_dialog import ArchiveChoice, no_archive_on_hub, remember_archive
from zhuji_archive.services import access, demo_accounts
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.database import DatabaseError

LAST_LOGIN = "login/last"  # QSettings: the login name typed last time on this machine


def _unexpected(parent: QWidget, what: str, error: Exception) -> None:
    """A failure nobody foresaw, while getting in: logged (without its text, which may quote data) and
    told in Chinese; the window stays so the user can try again or leave."""
    from zhuji_archive.logs import log_failure
    from zhuji_archive.storage.errors import describe_environment_error

    environment = log_failure(what, error)
    QMessageBox.critical(
        parent,
        APP_NAME,
        f"{what}失败：{describe_environment_error(error)}"
        if environment
        else f"{what}时程序出现了意外错误，档案没有改动。详细情况已记入日志文件，请告知维护人员。",
    )


def _busy(run):  # type: ignore[no-untyped-def]
    """Run ``run()`` with the wait cursor (the key derivation takes a moment, encryption longer)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return run()
    finally:
        QGuiApplication.restoreOverrideCursor()


class CreateAdminDialog(QDialog):
    """建立系统管理员账号: the first start on a new archive, or on one written by version 0.1
    (which is encrypted as the account is made; a backup is kept until the encrypted copy verifies)."""

    def __init__(
        self, path: Path, plain: bool, parent: QWidget | None = None, settings: QSettings | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.archive: Archive | None = None
        self.switch_to: Path | str | None = None
        self.joined_at: Path | None = None  # 从镇里领取档案 made and opened this archive instead
        self.setWindowTitle(f"{APP_NAME} — 建立系统管理员账号")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("建立系统管理员账号"))
        if plain:
            intro = (
                f"档案“{path.name}”是旧版本建立的，尚未加密，也没有账号。建立系统管理员账号后，程序会把档案加密保存："
                "加密前先留一份副本，加密后的档案校验无误才替换原文件，副本随后删除。档案越大，加密用时越长。"
            )
        else:
            intro = (
                f"这是新档案“{path.name}”。请先建立系统管理员账号：系统管理员负责建立和管理其他人员的账号与设置，"
                "不办理具体档案。档案文件将加密保存，只有用账号密码才能打开。"
            )
        layout.addWidget(hint_label(intro))
        self.fields = FieldForm()
        self.login = self.fields.add("login", "登录名", QLineEdit("admin"))
        self.login.setToolTip("小写英文字母、数字和 . _ -，例如 admin 或 zhangwei")
        self.display_name = self.fields.add("display_name", "姓名", QLineEdit())
        self.display_name.setPlaceholderText("系统管理员的姓名")
        self.password = self.fields.add("password", "密码", password_edit())
        self.repeat = self.fields.add(REPEAT_FIELD, "再输一次密码", password_edit())
        layout.addWidget(self.fields)
        layout.addWidget(hint_label(PASSWORD_RULES + "请牢记密码：忘记后只能由其他系统管理员重置。"))
        self.choice = _offer_other_archives(self, layout, path, settings, "不建立新档案，改用：")
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton("建立并进入", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        self.create_button.setDefault(True)
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.display_name.setFocus()

    def create(self) -> None:
        self.fields.clear_errors()
        try:
            check_repeat(self.password.text(), self.repeat.text())
            if not self.display_name.text().strip():
                raise DomainError("请填写姓名", "display_name")
            self.archive = _busy(
                lambda: access.create(
                    self.path, self.login.text(), self.display_name.text(), self.password.text()
                )
            )
        except DomainError as error:
            self.fields.show_error(error)
            return
        except DatabaseError as error:
            QMessageBox.critical(self, APP_NAME, str(error))
            return
        except Exception as error:  # noqa: BLE001 - every failure at start reaches the user in Chinese
            _unexpected(self, "建立账号", error)
            return
        self.accept()


class LoginDialog(QDialog):
    """The login window: 登录名 and 密码; a refusal is shown in the window, and after repeated wrong
    passwords 登录 waits out the delay with a countdown. On the demo archive the demo accounts can be
    picked from a list."""

    def __init__(
        self,
        path: Path,
        last_login: str = "",
        demo: list[demo_accounts.DemoAccount] | None = None,
        demo_password: str = demo_accounts.DEMO_PASSWORD,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.archive: Archive | None = None
        self.switch_to: Path | str | None = None
        self.joined_at: Path | None = None  # 从镇里领取档案 made and opened this archive instead
        self.remaining = 0
        self.setWindowTitle(f"{APP_NAME} — 登录")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(APP_NAME))
        if access.is_hub(path):
            layout.addWidget(hint_label(f"镇里的数据库：{access.shown(path)}　请用您自己的账号登录。"))
        else:
            layout.addWidget(hint_label(f"档案：{Path(path).name}"))
        self.demo = demo or []
        self.demo_password = demo_password
        self.demo_pick: QComboBox | None = None
        if self.demo:
            layout.addWidget(
                hint_label(f"这是演示档案，每种角色都有演示账号，密码均为 {demo_accounts.DEMO_PASSWORD}。")
            )
            self.demo_pick = QComboBox()
            self.demo_pick.addItem("选择演示账号…", None)
            for account in self.demo:
                self.demo_pick.addItem(f"{account.name}（{account.role}）", account)
            self.demo_pick.currentIndexChanged.connect(self._demo_picked)
            layout.addWidget(self.demo_pick)
        self.fields = FieldForm()
        self.login = self.fields.add("login", "登录名", QLineEdit(last_login))
        self.password = self.fields.add("password", "密码", password_edit())
        layout.addWidget(self.fields)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        layout.addWidget(self.message)
        self.choice = _offer_other_archives(self, layout, path, settings, "换一个档案：")
        buttons = QDialogButtonBox()
        self.login_button = buttons.addButton("登录", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self.countdown.timeout.connect(self._tick)
        self.setMinimumWidth(420)
        (self.password if last_login else self.login).setFocus()

    def _demo_picked(self, index: int) -> None:
        account = self.demo_pick.itemData(index) if self.demo_pick else None
        if account is not None:
            self.login.setText(account.login)
            self.password.setText(self.demo_password)
            self.login_button.setFocus()

    def try_login(self) -> None:
        if self.remaining:
            return
        if not self.login.text().strip():
            self.message.setText("请填写登录名。")
            return
        self.message.clear()
        try:
            # The day's backup is made by the window once it shows (app.start_window), on a worker.
            self.archive = _busy(
                lambda: access.unlock(self.path, self.login.text(), self.password.text(), daily=False)
            )
        except access.LoginRefused as error:
            self.password.clear()
            self.password.setFocus()
            self.message.setText(error.message)
            if error.wait_seconds > 0:
                self._wait(error.wait_seconds, error.message)
            return
        except DomainError as error:
            self.message.setText(error.message)
            return
        except DatabaseError as error:
            QMessageBox.critical(self, APP_NAME, str(error))
            return
        except Exception as error:  # noqa: BLE001 - every failure at start reaches the user in Chinese
            _unexpected(self, "登录", error)
            return
        self.accept()

    def _wait(self, seconds: int, reason: str) -> None:
        self.remaining = seconds
        self.reason = reason
        self.login_button.setEnabled(False)
        self._show_wait()
        self.countdown.start()

    def _show_wait(self) -> None:
        prefix = access.WRONG_LOGIN if self.reason == access.WRONG_LOGIN else ""
        self.message.setText(f"{prefix}密码错误次数过多，请 {self.remaining} 秒后再试。")

    def _tick(self) -> None:
        self.remaining = max(0, self.remaining - 1)
        if self.remaining:
            self._show_wait()
            return
        self.countdown.stop()
        self.login_button.setEnabled(True)
        self.message.setText("现在可以再试一次。")


class ChangePasswordDialog(QDialog):
    """修改密码: the account's own password (原密码, 新密码 twice). ``forced`` at the first login after
    an account was made or reset: the main window opens only once it is done; 退出 leaves the program."""

    def __init__(self, archive: Archive, forced: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.setWindowTitle("修改密码")
        layout = QVBoxLayout(self)
        actor = archive.actor
        layout.addWidget(title_label(f"修改密码 — {actor.display_name}"))
        if forced:
            layout.addWidget(
                hint_label(
                    "这个账号的密码是系统管理员设置的，首次使用前须改成只有您自己知道的密码。"
                    "原密码即系统管理员告诉您的密码。"
                )
            )
        self.fields = FieldForm()
        self.old = self.fields.add("old_password", "原密码", password_edit())
        self.new = self.fields.add("password", "新密码", password_edit())
        self.repeat = self.fields.add(REPEAT_FIELD, "再输一次新密码", password_edit())
        layout.addWidget(self.fields)
        layout.addWidget(hint_label(PASSWORD_RULES))
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("修改密码", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("退出程序" if forced else "取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.cancel_button: QPushButton = cancel
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self.old.setFocus()

    def save(self) -> None:
        self.fields.clear_errors()
        try:
            check_repeat(self.new.text(), self.repeat.text())
            _busy(lambda: self.archive.accounts.change_own_password(self.old.text(), self.new.text()))
        except DomainError as error:
            self.fields.show_error(error)
            return
        self.accept()


def _offer_other_archives(
    dialog: CreateAdminDialog | LoginDialog,
    layout: QVBoxLayout,
    current: Path | str,
    settings: QSettings | None,
    caption: str,
) -> ArchiveChoice | None:
    """The other archives the window offers (none without the machine's settings, as in tests of the
    window alone); choosing one closes the window with ``switch_to`` set."""
    if settings is None:
        return None
    layout.addWidget(hint_label(caption))
    choice = ArchiveChoice(current, settings)
    layout.addWidget(choice)

    def switch(location: Path | str) -> None:
        dialog.switch_to = location
        dialog.reject()

    def joined(archive: Archive, path: Path) -> None:
        dialog.archive, dialog.joined_at = archive, Path(path)
        dialog.accept()

    choice.chosen.connect(switch)
    choice.joined.connect(joined)
    return choice


def _refuse(message: str) -> None:
    QMessageBox.critical(None, APP_NAME, message)


def _window_for(location: Path | str, settings: QSettings) -> CreateAdminDialog | LoginDialog | str:
    """The window that fits the archive's state, or why there is none (in Chinese)."""
    from zhuji_archive.storage.errors import describe_environment_error

    last = str(settings.value(LAST_LOGIN) or "")
    if access.is_hub(location):
        try:
            current = access.state(location)
        except DatabaseError as error:  # unreachable, refused: the message names the server, not the password
            return str(error)
        if current is access.ArchiveState.NEW:  # a hub is set up with `zhuji-archive hub init`, not here
            return no_archive_on_hub(str(location))
        return LoginDialog(location, last, settings=settings)
    path = Path(location)
    try:
        current = access.state(path)
    except OSError as error:
        return f"无法读取档案文件“{path}”：{describe_environment_error(error) or '文件无法访问'}"
    if current is access.ArchiveState.NO_KEYRING:
        return access.keyring_missing_message(path)
    if path.is_dir():
        return f"“{path}”是一个文件夹，不是档案文件。"
    if current is access.ArchiveState.LOCKED:
        return LoginDialog(path, last, demo_accounts.offered_accounts(path), settings=settings)
    return CreateAdminDialog(path, plain=current is access.ArchiveState.PLAIN, settings=settings)


PINYIN_THREAD = "pypinyin-dictionaries"


def load_pinyin_meanwhile() -> None:
    """Load pypinyin's dictionaries on a thread of their own while the login window waits for the
    password: the main window's to-do list sorts the cadres by pinyin as it first loads, and loading
    them takes a quarter of a second, nearly all of it holding the interpreter (in chunks well under
    a tenth of a second: typing does not stall)."""
    if "pypinyin" not in sys.modules and not any(t.name == PINYIN_THREAD for t in threading.enumerate()):
        threading.Thread(target=pinyin_keys, args=("",), name=PINYIN_THREAD, daemon=True).start()


def start_session(location: Path | str, settings: QSettings) -> Archive | None:
    """The window that fits the archive's state, then (when the account must) the password change.
    Another archive chosen in the window starts over on it; one that cannot be opened is explained and
    the window of the archive before it comes back. Returns the archive logged in, or None."""
    load_pinyin_meanwhile()
    previous: Path | str | None = None
    while True:
        login = _window_for(location, settings)
        if isinstance(login, str):
            _refuse(login)
            if previous is None:
                return None
            location, previous = previous, None
            continue
        accepted = login.exec() == QDialog.DialogCode.Accepted
        if login.switch_to is not None:
            location, previous = login.switch_to, location
            continue
        if not accepted or login.archive is None:
            return None
        break
    archive = login.archive
    if login.joined_at is not None:
        location = login.joined_at
    settings.setValue(LAST_LOGIN, archive.actor.login)
    remember_archive(settings, location)
    if not archive.db.read_only and archive.accounts.must_change_password():
        change = ChangePasswordDialog(archive, forced=True)
        if change.exec() != QDialog.DialogCode.Accepted:
            archive.close()
            return None
    return archive
