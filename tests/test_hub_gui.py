"""The window on the township hub: the connection window (连接镇里的数据库) through its widgets, a server
that does not answer or refuses, and one walk on PostgreSQL — log in, household list, a household edited
and saved, a request recorded and counted on the dashboard.

Every test talks to a real PostgreSQL server (tests/pg_cluster.py), with or without
ZHUJI_TEST_DATABASE=postgresql: the file archives the other GUI tests use are not involved."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import accounts
import pg_cluster
import pytest
import shiboken6
from accounts import PASSWORD, admin, ensure_account, open_archive
from conftest import DEMO_DAY
from loading import loaded
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from turning import assert_turned, slowed, ticking

from zhuji_archive.cli import build_parser, main
from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.app import start_window
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.household_model import IdRole
from zhuji_archive.gui.hub_dialog import RECENT, HubConnectDialog, recent_archives, remember_archive
from zhuji_archive.gui.login import CreateAdminDialog, LoginDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.operations import wait_for
from zhuji_archive.services import access
from zhuji_archive.services.demo import generate

DB_PASSWORD = "Db-Secret-9"  # typed into 数据库密码; the test server (trust) does not ask for it
ENGLISH = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture
def hub_database():
    """``make()`` gives the address of a fresh database on the test server, its schema in place (copied
    from the suite's migrated template) and no account yet, as after ``hub init``'s first step; all go
    afterwards."""
    server = pg_cluster.cluster()
    made: list[str] = []

    def make() -> str:
        name = f"gui_{uuid.uuid4().hex[:12]}"
        made.append(name)
        accounts._template(server)
        return server.create(name, accounts.TEMPLATE)

    yield make
    for name in made:
        server.drop(name)


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = button.window()
    if isinstance(dialog, HubConnectDialog):  # 测试连接 and 连接 look on a worker: wait for the answer
        qtbot.waitUntil(
            lambda: not shiboken6.isValid(dialog) or dialog.test_button.isEnabled(), timeout=30000
        )


def _type(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.selectAll()
    edit.clear()
    qtbot.keyClicks(edit, text)


def _fill(
    qtbot, dialog: HubConnectDialog, url: str, port: int | None = None, database: str | None = None
) -> None:
    """Type the hub's address the way a user does: server, port, database, database user, password."""
    address = access.hub_address(url)
    _type(qtbot, dialog.host, address.host)
    _type(qtbot, dialog.port.findChild(QLineEdit), str(port or address.port))
    _type(qtbot, dialog.database, database or address.database)
    _type(qtbot, dialog.user, address.user)
    _type(qtbot, dialog.password, DB_PASSWORD)


def _without_where(message: str, url: str) -> str:
    """The message less the server's own address (host, port and database name are the user's words)."""
    return message.replace(access.shown(url), "")


def on_next(kind, handle):  # type: ignore[no-untyped-def]
    """Run ``handle(dialog)`` once the modal dialog on screen is a ``kind`` (code under test is blocked
    in exec(), possibly in a dialog opened from another)."""
    seen: list = []

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if not isinstance(modal, kind) or not modal.isVisible():
            QTimer.singleShot(10, poll)
            return
        seen.append(modal)
        handle(modal)

    QTimer.singleShot(0, poll)
    return seen


def test_the_connection_window_tests_the_hub_and_keeps_no_password(qtbot, hub_database, tmp_path):
    url = hub_database()
    dialog = HubConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.port.value() == 5432
    assert dialog.password.echoMode() is QLineEdit.EchoMode.Password

    _click(qtbot, dialog.test_button)  # nothing typed yet: each missing field says so
    assert dialog.fields.error_text("host") == "请填写服务器地址"
    assert dialog.fields.error_text("database") == "请填写数据库名"

    _fill(qtbot, dialog, url)
    _click(qtbot, dialog.test_button)  # the server answers, but no archive has been set up there
    assert "还没有群众档案" in dialog.message.text() and "hub init" in dialog.message.text()
    _click(qtbot, dialog.connect_button)
    assert dialog.isVisible() and dialog.location is None  # nothing to log in to

    open_archive(url).close()  # the hub set up (schema, administrator, an account)
    _click(qtbot, dialog.test_button)
    assert dialog.message.text() == f"连接成功：“{access.shown(url)}”里有群众档案，可以登录。"
    _click(qtbot, dialog.connect_button)
    assert not dialog.isVisible() and dialog.location is not None
    assert access.hub_address(dialog.location) == access.hub_address(url)
    assert DB_PASSWORD in dialog.location  # for this session's connections only

    settings = _settings(tmp_path)
    remember_archive(settings, dialog.location)
    remembered = recent_archives(settings)[0]
    assert access.hub_address(remembered) == access.hub_address(url)
    assert DB_PASSWORD not in (tmp_path / "settings.ini").read_text(encoding="utf-8")

    again = HubConnectDialog(remembered)  # from the recent list: all but the password filled in
    qtbot.addWidget(again)
    assert (again.host.text(), again.port.value(), again.database.text(), again.user.text()) == (
        "127.0.0.1",
        access.hub_address(url).port,
        access.hub_address(url).database,
        access.hub_address(url).user,
    )
    assert again.password.text() == ""


def test_the_window_keeps_turning_while_the_connection_is_tested(qtbot, hub_database, monkeypatch):
    """A server that does not answer keeps 测试连接 waiting for the connection's whole timeout: the
    connection window looks on a worker, shows 正在连接服务器… and goes on painting and taking input."""
    url = hub_database()
    open_archive(url).close()
    pause = slowed(monkeypatch, access, "state")  # the real hub answers after the pause
    dialog = HubConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(qtbot, dialog, url)
    with ticking() as ticks:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == "正在连接服务器…"
        assert not dialog.test_button.isEnabled() and not dialog.connect_button.isEnabled()
        qtbot.waitUntil(pause.started.is_set, timeout=5000)
        qtbot.waitUntil(dialog.test_button.isEnabled, timeout=20000)
    assert dialog.message.text() == f"连接成功：“{access.shown(url)}”里有群众档案，可以登录。"
    assert_turned(ticks, pause)
    _click(qtbot, dialog.connect_button)
    assert not dialog.isVisible() and access.hub_address(dialog.location) == access.hub_address(url)


def test_a_server_that_does_not_answer_or_refuses_is_told_in_chinese(qtbot, hub_database):
    url = hub_database()
    open_archive(url).close()
    dialog = HubConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()

    nobody = pg_cluster._free_port()  # nothing listens there
    _fill(qtbot, dialog, url, port=nobody)
    _click(qtbot, dialog.test_button)
    message = dialog.message.text()
    assert "连接不上镇里的数据库服务器" in message, message
    assert not ENGLISH.search(message.replace(f"127.0.0.1:{nobody}/{access.hub_address(url).database}", ""))
    assert DB_PASSWORD not in message
    for edit in (
        dialog.host,
        dialog.database,
        dialog.user,
        dialog.password,
    ):  # the message pushed, not squeezed
        assert edit.height() >= edit.sizeHint().height()
    _click(qtbot, dialog.connect_button)
    assert dialog.isVisible() and dialog.location is None

    _fill(qtbot, dialog, url, database="no_such_archive")  # the server answers, and refuses
    _click(qtbot, dialog.test_button)
    message = dialog.message.text()
    assert "拒绝了连接" in message and not ENGLISH.search(
        message.replace("127.0.0.1", "").replace("no_such_archive", "")
    ), message

    _fill(qtbot, dialog, url)  # nothing broke: the right address connects
    _click(qtbot, dialog.connect_button)
    assert not dialog.isVisible() and access.hub_address(dialog.location) == access.hub_address(url)


def test_the_window_started_on_a_hub_that_does_not_answer_says_why(qtbot, tmp_path, when_modal):
    url = access.hub_location("127.0.0.1", pg_cluster._free_port(), "zhuji", "clerk", DB_PASSWORD)
    told: list[str] = []

    def read(box) -> None:  # type: ignore[no-untyped-def]
        told.append(box.text())
        box.accept()

    when_modal(read)
    assert start_window(url, _settings(tmp_path)) is None  # `zhuji-archive --db postgresql://…`
    assert "连接不上镇里的数据库服务器" in told[0] and DB_PASSWORD not in told[0]
    assert not ENGLISH.search(_without_where(told[0], url))


def test_a_day_on_the_hub_through_the_window(qtbot, hub_database, tmp_path, monkeypatch):
    monkeypatch.setattr(HouseholdDialog, "ask_unsaved", lambda self: QMessageBox.StandardButton.Discard)
    url = hub_database()
    with open_archive(url, "演示数据") as demo:
        generate(demo.db, households=40, seed=11, today=DEMO_DAY)
    with admin(url) as chief:
        login = ensure_account(chief, "镇党政办", Role.OFFICE)
    settings = _settings(tmp_path)

    # A new laptop: no archive file yet. Instead of making one, the clerk connects to the township's hub.
    def connect(dialog: HubConnectDialog) -> None:
        _fill(qtbot, dialog, url)
        _click(qtbot, dialog.connect_button)

    def log_in(dialog: LoginDialog) -> None:
        assert access.shown(url) in " ".join(
            label.text() for label in dialog.findChildren(type(dialog.message))
        )
        _type(qtbot, dialog.login, login)
        _type(qtbot, dialog.password, PASSWORD)
        _click(qtbot, dialog.login_button)

    on_next(
        CreateAdminDialog, lambda dialog: (on_next(HubConnectDialog, connect), dialog.choice.connect_hub())
    )
    on_next(LoginDialog, log_in)
    window = start_window(tmp_path / "laptop.sqlite3", settings)
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    archive = window.archive
    assert not (tmp_path / "laptop.sqlite3").exists()  # no file was made
    where = access.shown(url)
    assert window.windowTitle().endswith(f"— 镇里的数据库 {where} — 镇党政办 · 党政办")
    status = window.findChild(type(window.busy_label), "whoLabel").text()
    assert status.startswith(f"镇里的数据库：{where}")
    assert DB_PASSWORD not in window.windowTitle() + status
    assert window.findChild(type(window.busy_label), "readOnlyBanner") is None
    kept = recent_archives(settings)[0]
    assert access.hub_address(kept) == access.hub_address(url) and DB_PASSWORD not in str(
        settings.value(RECENT)
    )

    # The household list of a village, and one household opened from it.
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.reload()
    loaded(qtbot, archive)
    registered_before = window.dashboard.data.by_status.get("登记", 0)
    window.tabs.setCurrentWidget(window.households)
    tree = window.tree
    village = tree.tree_model.index(0, 0, tree.tree_model.index(0, 0))  # the town's first village
    tree.setCurrentIndex(village)
    loaded(qtbot, archive)
    model = window.households.model
    assert model.rowCount() > 0
    with qtbot.waitSignal(window.households.openHousehold):
        window.households.view.doubleClicked.emit(model.index(0, 1))
    household_id = model.index(0, 0).data(IdRole)
    household = window.open_dialogs[household_id]

    # Edited and saved; then a request recorded in it.
    household.ui.addressEdit.selectAll()
    household.ui.addressEdit.insert("安华镇杜黄村新街12号")
    assert household.save(), household.ui.problemsLabel.text()
    assert archive.households.load(household_id).address == "安华镇杜黄村新街12号"
    household.ui.tabs.setCurrentIndex(3)
    _click(qtbot, household.ui.requestsAddButton)
    row = household.requests.rowCount() - 1
    household.requests.setData(household.requests.index(row, 2), "村口路灯不亮，夜里出行不便")
    assert household.save(), household.ui.problemsLabel.text()
    assert any(r.description.startswith("村口路灯") for r in archive.households.load(household_id).requests)

    # The dashboard counts it.
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.reload()
    loaded(qtbot, archive)
    assert window.dashboard.data.by_status.get("登记", 0) == registered_before + 1

    household.close()
    window.close()
    wait_for(archive)
    archive.close()


def test_backups_on_a_hub_are_the_servers(qtbot, hub_database, tmp_path, when_modal):
    url = hub_database()
    chief = admin(url)
    window = MainWindow(chief, _settings(tmp_path))
    qtbot.addWidget(window)
    told: list[str] = []

    def read(box) -> None:  # type: ignore[no-untyped-def]
        told.append(box.text())
        box.accept()

    when_modal(read)
    assert window.backup_action is not None  # the administrator still finds 备份与恢复, and is told why not
    window.backup_action.trigger()
    assert "pg_dump" in told[0] and access.shown(url) in told[0]
    window.close()
    wait_for(chief)
    chief.close()


def test_the_command_line_takes_a_hub_address(hub_database, capsys):
    url = hub_database()
    open_archive(url).close()
    with_password = access.hub_location(*_parts(url), DB_PASSWORD)
    assert build_parser().parse_args(["--db", with_password]).db == with_password  # not folded into a path
    assert main(["--smoke-test", "--db", with_password]) == 0
    said = capsys.readouterr().out
    assert f"镇里的数据库 {access.shown(url)}（可登录）" in said and DB_PASSWORD not in said


def _parts(url: str) -> tuple[str, int, str, str]:
    address = access.hub_address(url)
    return address.host, address.port, address.database, address.user


def test_a_remembered_hub_asks_for_its_password_again(qtbot, tmp_path, monkeypatch):
    """The recent list keeps no database password: on a server that asks for one, the window says to fill
    it in; a wrong one is refused; libpq's PGPASSWORD (like a .pgpass file) stands in for it."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))  # the tester's own .pgpass stays out of it
    server = pg_cluster.password_cluster()
    name = f"gui_{uuid.uuid4().hex[:12]}"
    url = server.create(name)
    try:
        open_archive(url).close()
        settings = _settings(tmp_path)
        remember_archive(settings, url)
        assert pg_cluster.SERVER_PASSWORD not in (tmp_path / "settings.ini").read_text(encoding="utf-8")
        dialog = HubConnectDialog(recent_archives(settings)[0])
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.password.text() == "" and dialog.focusWidget() is dialog.password

        _click(qtbot, dialog.test_button)
        assert "要求输入数据库密码" in dialog.message.text(), dialog.message.text()
        _type(qtbot, dialog.password, "Wrong-Pw-1")
        _click(qtbot, dialog.test_button)
        assert "拒绝了连接" in dialog.message.text(), dialog.message.text()
        _type(qtbot, dialog.password, pg_cluster.SERVER_PASSWORD)
        _click(qtbot, dialog.test_button)
        assert dialog.message.text().startswith("连接成功")

        dialog.password.clear()
        monkeypatch.setenv("PGPASSWORD", pg_cluster.SERVER_PASSWORD)  # what the server's administrator set up
        _click(qtbot, dialog.connect_button)
        assert not dialog.isVisible() and pg_cluster.SERVER_PASSWORD not in dialog.location
        with access.unlock(dialog.location, "admin", accounts.ADMIN_PASSWORD) as chief:
            assert chief.db.shown_as == access.shown(url)
    finally:
        server.drop(name)


def test_the_window_started_on_a_hub_logs_in_there(qtbot, hub_database, tmp_path):
    """`zhuji-archive --db postgresql://…`: the login window names the hub and offers the other archives."""
    url = hub_database()
    with admin(url) as chief:
        login = ensure_account(chief, "镇领导", Role.LEADER)
    settings = _settings(tmp_path)
    remember_archive(settings, tmp_path / "laptop.sqlite3")
    seen: list[str] = []

    def log_in(dialog: LoginDialog) -> None:
        seen.append(" ".join(label.text() for label in dialog.findChildren(type(dialog.message))))
        assert dialog.choice is not None and dialog.choice.recent is not None  # the laptop's file is offered
        _type(qtbot, dialog.login, login)
        _type(qtbot, dialog.password, PASSWORD)
        _click(qtbot, dialog.login_button)

    on_next(LoginDialog, log_in)
    window = start_window(url, settings)
    assert window is not None
    qtbot.addWidget(window)
    assert f"镇里的数据库：{access.shown(url)}" in seen[0] and "加密" not in seen[0] and "钥匙" not in seen[0]
    assert f"镇里的数据库 {access.shown(url)}" in window.windowTitle()
    assert recent_archives(settings)[0] == access.remembered(url)
    window.close()
    wait_for(window.archive)
    window.archive.close()
