"""GUI tests of 档案 → 账号管理: the administrator makes a 村干部 account for one village, who then logs
in; changes, disables and resets accounts; errors appear next to their fields."""

from __future__ import annotations

from accounts import ADMIN_LOGIN, PASSWORD, as_person
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind
from zhuji_archive.gui.accounts_dialog import AccountEditDialog, AccountsDialog
from zhuji_archive.gui.login import ChangePasswordDialog, LoginDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.services import access

FIRST_PASSWORD = "Cun-2026a"


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _type(qtbot, edit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.clear()
    if text.isascii():
        qtbot.keyClicks(edit, text)
    else:
        edit.insert(text)


def _chief(archive):  # type: ignore[no-untyped-def]
    return archive.acting_as(access.actor_of(archive.db, ADMIN_LOGIN))


def _row(dialog: AccountsDialog, login: str) -> list[str]:
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, 0).text() == login:
            return [dialog.table.item(row, c).text() for c in range(dialog.table.columnCount())]
    raise AssertionError(login)


def _select(dialog: AccountsDialog, login: str) -> None:
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, 0).text() == login:
            dialog.table.selectRow(row)


def test_the_administrator_makes_a_village_account_that_can_log_in(qtbot, archive):
    chief = _chief(archive)
    dialog = AccountsDialog(chief)
    qtbot.addWidget(dialog)
    dialog.show()
    assert [dialog.table.horizontalHeaderItem(c).text() for c in range(6)] == [
        "登录名",
        "姓名",
        "角色",
        "范围",
        "状态",
        "最近登录",
    ]
    _click(qtbot, dialog.new_button)
    [edit] = dialog.findChildren(AccountEditDialog)
    _type(qtbot, edit.login, "duhuang")
    _type(qtbot, edit.display_name, "杜村干")
    edit.role.setCurrentIndex(edit.role.findData(Role.VILLAGE))
    _type(qtbot, edit.password, FIRST_PASSWORD)
    _type(qtbot, edit.repeat, FIRST_PASSWORD)
    edit.save()  # no village ticked yet
    assert edit.fields.errors["scope"].text() == "“村干部”账号须指定负责的村（或片区）"
    assert edit.isVisible()
    edit.scope.check_village("杜黄村")
    edit.save()
    assert not edit.isVisible()
    row = _row(dialog, "duhuang")
    assert row[1:5] == ["杜村干", "村干部", "杜黄村", "待改密码"] and row[5] == "从未登录"
    # The new account logs in (and is asked to choose its own password first).
    login = LoginDialog(archive.db.path)
    qtbot.addWidget(login)
    _type(qtbot, login.login, "duhuang")
    _type(qtbot, login.password, FIRST_PASSWORD)
    _click(qtbot, login.login_button)
    assert login.archive is not None
    village_id = archive.organisation.villages()[0][0]
    actor = login.archive.actor
    assert (actor.role, actor.villages) == (Role.VILLAGE, frozenset({village_id}))
    assert login.archive.accounts.must_change_password()
    login.archive.close()


def test_errors_show_next_to_their_fields(qtbot, archive):
    dialog = AccountsDialog(_chief(archive))
    qtbot.addWidget(dialog)
    edit = dialog.new_account()
    _type(qtbot, edit.login, "Bad Name!")
    _type(qtbot, edit.display_name, "张三")
    edit.role.setCurrentIndex(edit.role.findData(Role.OFFICE))
    _type(qtbot, edit.password, FIRST_PASSWORD)
    _type(qtbot, edit.repeat, FIRST_PASSWORD + "x")
    edit.save()
    assert edit.fields.errors["repeat"].text() == "两次输入的密码不一致"
    _type(qtbot, edit.repeat, FIRST_PASSWORD)
    edit.save()
    assert edit.fields.errors["login"].text().startswith("登录名须为 2～32 个字符")
    assert not edit.fields.errors["repeat"].isVisible()
    _type(qtbot, edit.login, "zhangsan")
    _type(qtbot, edit.password, "zhangsan1")
    _type(qtbot, edit.repeat, "zhangsan1")
    edit.save()
    assert "密码不能包含登录名" in edit.fields.errors["password"].text()


def test_change_disable_and_reset(qtbot, archive, monkeypatch):
    chief = _chief(archive)
    cadre = as_person(archive, "钱驻村", Role.CADRE, villages=(archive.organisation.villages()[0][0],))
    login = cadre.actor.login
    dialog = AccountsDialog(chief)
    qtbot.addWidget(dialog)
    _select(dialog, login)
    edit = dialog.edit_account()
    assert edit is not None and edit.login.isReadOnly()
    assert edit.scope.units() == [ScopeUnit(UnitKind.VILLAGE, archive.organisation.villages()[0][0])]
    _type(qtbot, edit.display_name, "钱驻村员")
    edit.save()
    assert _row(dialog, login)[1] == "钱驻村员"
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    _select(dialog, login)
    _click(qtbot, dialog.disable_button)
    assert _row(dialog, login)[4] == "已停用" and not dialog.disable_button.isEnabled()
    # The administrator cannot disable itself: the refusal shows in the window.
    _select(dialog, ADMIN_LOGIN)
    _click(qtbot, dialog.disable_button)
    assert dialog.message.text() == "不能停用自己正在使用的账号"
    _select(dialog, login)
    reset = dialog.reset_password()
    assert reset is not None
    _type(qtbot, reset.password, FIRST_PASSWORD)
    _type(qtbot, reset.repeat, FIRST_PASSWORD)
    reset.save()
    assert _row(dialog, login)[4] == "待改密码"
    access.unlock(archive.db.path, login, FIRST_PASSWORD).close()


def test_account_menus_follow_the_role(qtbot, archive, settings, when_modal):
    office = MainWindow(archive, settings)
    qtbot.addWidget(office)
    assert office.accounts_action is None and office.password_action.isEnabled()
    assert office.windowTitle().endswith("测试员 · 党政办")
    assert office.findChild(type(office.busy_label), "whoLabel").text().endswith("登录：测试员 · 党政办")
    chief = MainWindow(_chief(archive), settings)
    qtbot.addWidget(chief)
    assert chief.accounts_action is not None
    dialog = chief.open_accounts()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, AccountsDialog) and dialog.table.rowCount() == 2

    def change(box) -> None:  # type: ignore[no-untyped-def]
        assert isinstance(box, ChangePasswordDialog)
        _type(qtbot, box.old, PASSWORD)
        _type(qtbot, box.new, "Neue-2027")
        _type(qtbot, box.repeat, "Neue-2027")
        _click(qtbot, box.save_button)

    when_modal(change)
    office.change_password()
    assert office.statusBar().currentMessage() == "密码已修改"
    access.unlock(archive.db.path, archive.actor.login, "Neue-2027").close()
