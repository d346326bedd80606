"""GUI tests of getting in: the first administrator, the login window and its delays, the password
change a new account must make, and the demo archive's accounts to pick."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD, admin, open_archive
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget
from turning import assert_turned, slowed, ticking

from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.app import start_window
from zhuji_archive.gui.login import ChangePasswordDialog, CreateAdminDialog, LoginDialog
from zhuji_archive.gui.operations import wait_for
from zhuji_archive.services import access, demo_accounts
from zhuji_archive.storage import cipher

FIXTURES = Path(__file__).with_name("fixtures")
NEW_PASSWORD = "Mine-2027"


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into a field (Chinese through the input method, as QTest cannot press keys for it)."""
    edit.clear()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _close(window) -> None:  # type: ignore[no-untyped-def]
    window.close()
    wait_for(window.archive)
    window.archive.close()


def _fill_admin(
    qtbot, dialog: CreateAdminDialog, password: str = "Chief-2026", repeat: str | None = None
) -> None:
    _type(qtbot, dialog.display_name, "周管理")
    _type(qtbot, dialog.password, password)
    _type(qtbot, dialog.repeat, password if repeat is None else repeat)
    _click(qtbot, dialog.create_button)


def test_first_start_creates_the_administrator_and_opens_the_window(qtbot, when_modal, tmp_path):
    path = tmp_path / "new.sqlite3"
    seen: list[str] = []

    def create(dialog: QWidget) -> None:
        assert isinstance(dialog, CreateAdminDialog)
        _fill_admin(qtbot, dialog, repeat="Chief-2027")  # typed differently the second time
        seen.append(dialog.fields.errors["repeat"].text())
        _fill_admin(qtbot, dialog, password="short")
        seen.append(dialog.fields.errors["password"].text())
        _fill_admin(qtbot, dialog)

    when_modal(create)
    window = start_window(path, _settings(tmp_path))
    assert window is not None
    qtbot.addWidget(window)
    assert seen == [
        "两次输入的密码不一致",
        "密码至少 8 个字符；密码须至少包含数字、小写字母、大写字母、符号中的两类",
    ]
    assert window.isVisible() and window.windowTitle().endswith("— new.sqlite3 — 周管理 · 系统管理员")
    assert window.accounts_action is not None  # the administrator manages accounts
    assert access.state(path) is access.ArchiveState.LOCKED
    _close(window)
    access.unlock(path, "admin", "Chief-2026").close()


def test_first_start_on_a_plain_archive_encrypts_it(qtbot, when_modal, tmp_path):
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "archive-0.1.0.db", path)
    assert access.state(path) is access.ArchiveState.PLAIN
    intro: list[str] = []

    def create(dialog: QWidget) -> None:
        intro.append(" ".join(label.text() for label in dialog.findChildren(type(dialog.fields.general))))
        _fill_admin(qtbot, dialog)

    when_modal(create)
    window = start_window(path, _settings(tmp_path))
    assert window is not None
    qtbot.addWidget(window)
    assert "尚未加密" in intro[0] and "副本" in intro[0]
    assert not cipher.is_plain_sqlite(path)
    assert window.households.model.rowCount() or window.tree.tree_model.rowCount()
    _close(window)


def test_wrong_password_is_refused_in_chinese_and_waits_after_the_third(qtbot, tmp_path):
    path = tmp_path / "a.sqlite3"
    admin(path).close()
    dialog = LoginDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog.login, ADMIN_LOGIN)
    for attempt in range(2):
        _type(qtbot, dialog.password, f"Wrong-{attempt}")
        _click(qtbot, dialog.login_button)
        assert dialog.message.text() == "登录名或密码不正确。"
        assert dialog.login_button.isEnabled() and dialog.archive is None
    _type(qtbot, dialog.password, "Wrong-3")
    _click(qtbot, dialog.login_button)
    assert dialog.message.text() == "登录名或密码不正确。密码错误次数过多，请 2 秒后再试。"
    assert not dialog.login_button.isEnabled()
    _type(qtbot, dialog.password, ADMIN_PASSWORD)
    dialog.try_login()  # Enter while waiting does nothing
    assert dialog.archive is None
    qtbot.waitUntil(dialog.login_button.isEnabled, timeout=4000)
    assert dialog.message.text() == "现在可以再试一次。"
    _click(qtbot, dialog.login_button)
    assert dialog.result() == LoginDialog.DialogCode.Accepted and dialog.archive is not None, (
        dialog.message.text()
    )
    assert dialog.archive.actor.role is Role.ADMIN
    dialog.archive.close()


def test_a_disabled_account_is_told_so(qtbot, tmp_path):
    path = tmp_path / "a.sqlite3"
    open_archive(path, "王五").close()
    with admin(path) as chief:
        [item] = [a for a in chief.accounts.list() if a.display_name == "王五"]
        chief.accounts.disable(item.id)
    dialog = LoginDialog(path, last_login=item.login)
    qtbot.addWidget(dialog)
    _type(qtbot, dialog.password, PASSWORD)
    _click(qtbot, dialog.login_button)
    assert dialog.archive is None
    assert dialog.message.text() == "登录名或密码不正确。"  # its keyring slot went with it


def test_a_new_account_changes_its_password_before_the_window_opens(qtbot, when_modal, tmp_path):
    path = tmp_path / "a.sqlite3"
    with admin(path) as chief:
        chief.accounts.create("lisi", "李四", Role.OFFICE, [], PASSWORD)
    errors: list[str] = []

    def change(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangePasswordDialog)
        _type(qtbot, dialog.old, "Not-mine-1")
        _type(qtbot, dialog.new, NEW_PASSWORD)
        _type(qtbot, dialog.repeat, NEW_PASSWORD)
        _click(qtbot, dialog.save_button)
        errors.append(dialog.fields.errors["old_password"].text())
        _type(qtbot, dialog.old, PASSWORD)
        _click(qtbot, dialog.save_button)

    def login(dialog: QWidget) -> None:
        assert isinstance(dialog, LoginDialog)
        _type(qtbot, dialog.login, "lisi")
        _type(qtbot, dialog.password, PASSWORD)
        _click(qtbot, dialog.login_button)
        when_modal(change)

    when_modal(login)
    window = start_window(path, _settings(tmp_path))
    assert window is not None
    qtbot.addWidget(window)
    assert errors == ["原密码不正确"]
    assert window.windowTitle().endswith("李四 · 党政办") and window.accounts_action is None
    assert not window.archive.accounts.must_change_password()
    _close(window)
    with pytest.raises(access.LoginRefused):
        access.unlock(path, "lisi", PASSWORD)
    access.unlock(path, "lisi", NEW_PASSWORD).close()


def test_leaving_the_password_change_opens_nothing(qtbot, when_modal, tmp_path):
    path = tmp_path / "a.sqlite3"
    with admin(path) as chief:
        chief.accounts.create("lisi", "李四", Role.OFFICE, [], PASSWORD)

    def login(dialog: QWidget) -> None:
        _type(qtbot, dialog.login, "lisi")
        _type(qtbot, dialog.password, PASSWORD)
        _click(qtbot, dialog.login_button)
        when_modal(lambda change: _click(qtbot, change.cancel_button))

    when_modal(login)
    assert start_window(path, _settings(tmp_path)) is None


def test_the_login_name_is_remembered_on_this_machine(qtbot, when_modal, tmp_path):
    path = tmp_path / "a.sqlite3"
    admin(path).close()

    def login(dialog: QWidget) -> None:
        _type(qtbot, dialog.login, ADMIN_LOGIN)
        _type(qtbot, dialog.password, ADMIN_PASSWORD)
        _click(qtbot, dialog.login_button)

    when_modal(login)
    window = start_window(path, _settings(tmp_path))
    qtbot.addWidget(window)
    _close(window)
    prefilled: list[str] = []
    when_modal(lambda dialog: (prefilled.append(dialog.login.text()), dialog.reject()))
    assert start_window(path, _settings(tmp_path)) is None
    assert prefilled == [ADMIN_LOGIN]


def test_an_encrypted_archive_without_its_keyring_is_explained(qtbot, when_modal, tmp_path):
    path = tmp_path / "a.sqlite3"
    admin(path).close()
    (tmp_path / "a.sqlite3.keys").unlink()
    texts: list[str] = []
    when_modal(lambda box: (texts.append(box.text()), box.accept()))
    assert start_window(path, _settings(tmp_path)) is None
    assert "钥匙文件“a.sqlite3.keys”" in texts[0]


def test_the_demo_archive_offers_its_accounts(qtbot, tmp_path):
    path = tmp_path / "demo.sqlite3"
    with admin(path) as chief:
        chief.accounts.create("dhc", "杜黄村干部", Role.OFFICE, [], demo_accounts.DEMO_PASSWORD)
    # The marker the demo command writes beside the demo archive (clidemo: services/demo_accounts.py).
    marker = {"demo_accounts": [{"login": "dhc", "name": "杜黄村干部", "role": "党政办", "scope": "全镇"}]}
    (tmp_path / "demo.sqlite3.demo.json").write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")
    dialog = LoginDialog(path, demo=demo_accounts.offered_accounts(path))
    qtbot.addWidget(dialog)
    assert dialog.demo_pick is not None and dialog.demo_pick.count() == 2
    dialog.demo_pick.setCurrentIndex(1)
    assert (dialog.login.text(), dialog.password.text()) == ("dhc", demo_accounts.DEMO_PASSWORD)
    _click(qtbot, dialog.login_button)
    assert dialog.archive is not None and dialog.archive.actor.display_name == "杜黄村干部"
    dialog.archive.close()
    assert (
        LoginDialog(
            tmp_path / "other.sqlite3", demo=demo_accounts.offered_accounts(tmp_path / "other")
        ).demo_pick
        is None
    )


def test_the_days_backup_is_made_after_the_window_shows_while_it_keeps_turning(
    qtbot, when_modal, tmp_path, monkeypatch
):
    """The day's first login backs the archive up; copying a county's archive takes seconds, so the
    window shows first and the backup is made on a worker while the window goes on painting."""
    from zhuji_archive.services.backups import BackupKind, BackupService

    path = tmp_path / "a.sqlite3"
    with admin(path) as chief:
        folder = chief.backups.folder()
    shutil.rmtree(folder)  # no backup yet today: this login makes the day's
    pause = slowed(monkeypatch, BackupService, "daily")  # a county's 2 GB file; the real backup follows

    def login(dialog: QWidget) -> None:
        _type(qtbot, dialog.login, ADMIN_LOGIN)
        _type(qtbot, dialog.password, ADMIN_PASSWORD)
        _click(qtbot, dialog.login_button)

    when_modal(login)
    with ticking() as ticks:
        window = start_window(path, _settings(tmp_path))
        assert window is not None
        qtbot.addWidget(window)
        assert window.isVisible() and window.archive.daily_backup is None  # the window did not wait
        qtbot.waitUntil(pause.started.is_set, timeout=5000)
        qtbot.waitUntil(lambda: window.archive.daily_backup is not None, timeout=30000)
    assert_turned(ticks, pause)
    assert [e.backup.kind for e in window.archive.backups.list()] == [BackupKind.DAILY]
    assert window.archive.daily_backup.path.exists()
    _close(window)


LOGIN_WAITS = """
import sys, threading
from pathlib import Path
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.login import PINYIN_THREAD, start_session

app = make_application([])
seen = []

def look():
    dialog = QApplication.activeModalWidget()
    if dialog is None:
        QTimer.singleShot(10, look)
        return
    for thread in threading.enumerate():
        if thread.name == PINYIN_THREAD:
            thread.join()
    seen.append(type(dialog).__name__)
    seen.append("pypinyin" in sys.modules)
    dialog.reject()

QTimer.singleShot(0, look)
start_session(Path(sys.argv[1]), QSettings(sys.argv[2], QSettings.Format.IniFormat))
print(seen)
"""


@pytest.mark.file_archive  # the same on a hub; a file is quicker to start on
def test_pinyin_loads_while_the_login_waits_for_the_password(tmp_path) -> None:
    """In a fresh process the login window loads pypinyin's dictionaries on a thread of their own while
    it waits: the main window's first to-do load (the cadres in pinyin order) then need not."""
    import subprocess
    import sys

    path = tmp_path / "a.sqlite3"
    open_archive(path).close()
    child = subprocess.run(
        [sys.executable, "-c", LOGIN_WAITS, str(path), str(tmp_path / "w.ini")],
        capture_output=True, text=True, check=True, timeout=120,
    )
    assert child.stdout.strip().splitlines()[-1] == "['LoginDialog', True]"
