"""GUI tests of the export options: 不遮挡号码 with its required 理由 (only for accounts allowed),
设置打开密码 twice, and an export driven through the real dialog that lands encrypted and unmasked."""

from __future__ import annotations

import io
from pathlib import Path

import msoffcrypto
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from sqlalchemy import select

from tests.accounts import as_person
from zhuji_archive.domain.accounts import Role
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.export_actions import RosterOptionsDialog
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.storage.models import ChangeLog, Village

REASON = "报送民政办低保复核"


@pytest.fixture
def dialog(qtbot):
    make_application()
    widget = RosterOptionsDialog("members", "安华镇", [], may_unmask=True)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def ime_type(widget, text: str) -> None:
    """Type Chinese the way an input method does: one committed string (QTest only types ASCII)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def tick(qtbot, box) -> None:
    """Click a check box on its indicator (a click right of its text does not toggle it)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))


def click_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.options.ok, Qt.MouseButton.LeftButton)


def test_full_numbers_need_a_reason(qtbot, dialog) -> None:
    options = dialog.options
    assert not options.reason.isEnabled()
    tick(qtbot, options.unmasked)
    assert options.unmasked.isChecked() and options.reason.isEnabled()
    click_ok(qtbot, dialog)
    assert dialog.isVisible() and "须填写理由" in options.problem.text()
    ime_type(options.reason, REASON)
    click_ok(qtbot, dialog)
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    chosen = options.chosen()
    assert (chosen.masked, chosen.reason, chosen.password) == (False, REASON, None)


def test_the_password_is_typed_twice_and_has_six_characters(qtbot, dialog) -> None:
    options = dialog.options
    assert not options.password.isEnabled()
    tick(qtbot, options.protect)
    assert options.password.echoMode() == options.password.EchoMode.Password
    qtbot.keyClicks(options.password, "abc12")
    qtbot.keyClicks(options.again, "abc12")
    click_ok(qtbot, dialog)
    assert dialog.isVisible() and "至少 6 个字符" in options.problem.text()
    qtbot.keyClicks(options.password, "3")
    click_ok(qtbot, dialog)
    assert dialog.isVisible() and "不一致" in options.problem.text()
    qtbot.keyClicks(options.again, "3")
    click_ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert options.chosen().password == "abc123" and options.chosen().masked


def test_the_dialog_says_which_programs_open_an_encrypted_workbook(dialog) -> None:
    texts = [label.text() for label in dialog.findChildren(type(dialog.options.problem))]
    assert any("Excel" in t and "WPS" in t and "打不开" in t for t in texts)


def test_an_account_without_the_right_gets_no_unmask_choice(qtbot, demo_archive) -> None:
    make_application()
    with demo_archive.db.sessions() as session:
        village = session.scalar(select(Village.id).where(Village.name == "杜黄村"))
    person = as_person(demo_archive, "村干部甲", Role.VILLAGE, villages=(village,))
    widget = RosterOptionsDialog("members", "杜黄村", [], person.exports.may_export_unmasked())
    qtbot.addWidget(widget)
    widget.show()
    assert not widget.options.unmasked.isVisible() and not widget.options.unmasked.isEnabled()
    assert widget.options.protect.isVisible()


def test_a_roster_exported_through_the_dialog_is_full_encrypted_and_logged(
    qtbot, demo_archive, tmp_path: Path, monkeypatch, when_modal
) -> None:
    monkeypatch.setattr(HouseholdDialog, "ask_unsaved", lambda self: QMessageBox.StandardButton.Discard)
    make_application()
    window = MainWindow(demo_archive, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    target = tmp_path / "out.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))

    def fill(dialog) -> None:
        options = dialog.options
        tick(qtbot, options.unmasked)
        ime_type(options.reason, REASON)
        tick(qtbot, options.protect)
        qtbot.keyClicks(options.password, "ku6-Lin")
        qtbot.keyClicks(options.again, "ku6-Lin")
        qtbot.mouseClick(options.ok, Qt.MouseButton.LeftButton)

    when_modal(fill)
    task = window.outputs.export_roster("members")
    assert task is not None
    with qtbot.waitSignal(task.ended, timeout=20000) as ended:
        pass
    assert ended.args == ["finished"] and task.result.masked is False
    with open(target, "rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password="ku6-Lin")
        plain = io.BytesIO()
        office.decrypt(plain)
    ws = load_workbook(plain).active
    titles = [c.value for c in ws[3]]
    ids = [
        r[titles.index("身份证号")]
        for r in ws.iter_rows(min_row=4, values_only=True)
        if isinstance(r[0], int)
    ]
    assert any(i and "*" not in i for i in ids)
    with demo_archive.db.sessions() as session:
        note = session.scalar(select(ChangeLog.note).where(ChangeLog.action == "导出"))
    assert f"理由：{REASON}" in note and "设有打开密码" in note
    window.outputs.wait_all()
