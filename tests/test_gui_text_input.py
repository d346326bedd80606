"""Pasted control characters in the household form are refused with the field named, nothing saved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select
from test_gui_main import _listed_ids, _select_group

from zhuji_archive.storage.models import Household


def test_pasted_control_characters_are_refused_in_the_form(window, demo_archive, qtbot):
    _select_group(window, demo_archive)
    household_id = _listed_ids(window)[0]
    dialog = window.open_household(household_id)
    qtbot.waitExposed(dialog)
    with demo_archive.db.sessions() as session:
        before = session.scalar(select(Household.address).where(Household.id == household_id))
    QApplication.clipboard().setText("杜黄村\x07\x1b9号")
    dialog.ui.addressEdit.selectAll()
    dialog.ui.addressEdit.paste()
    assert dialog.dirty
    qtbot.mouseClick(
        dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    assert dialog.dirty
    assert "户基本信息：“住址”中有不可见的控制字符，请删除后再保存" in dialog.ui.problemsLabel.text()
    with demo_archive.db.sessions() as session:
        assert session.scalar(select(Household.address).where(Household.id == household_id)) == before
    dialog.ui.addressEdit.setText("\u3000杜黄村9号\u3000")
    qtbot.mouseClick(
        dialog.ui.buttonBox.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    assert not dialog.dirty, dialog.ui.problemsLabel.text()
    with demo_archive.db.sessions() as session:
        assert session.scalar(select(Household.address).where(Household.id == household_id)) == "杜黄村9号"
