"""GUI tests of starting the application: Qt's own texts in Chinese (logging in: test_gui_login.py)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTreeView,
    QWidget,
)

from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.household_dialog import HouseholdDialog

ASK_UNSAVED = HouseholdDialog.ask_unsaved  # the real prompt (the ``window`` fixture replaces it)


# ---- Qt's own texts ----------------------------------------------------------------------------

LATIN = re.compile(r"[A-Za-z]{2,}")


def _latin(text: str) -> bool:
    """English words left in a text; a mnemonic such as 是(&Y) is not one."""
    return bool(LATIN.search(re.sub(r"\(&\w\)", "", text)))


def test_every_standard_button_is_chinese(qtbot):
    make_application()
    box = QDialogButtonBox()
    qtbot.addWidget(box)
    texts = {}
    for which in QDialogButtonBox.StandardButton:
        if which == QDialogButtonBox.StandardButton.NoButton:
            continue
        button = box.addButton(which)
        if button is not None:
            texts[which.name] = button.text()
    assert {"Ok", "Save", "Discard", "Cancel", "Yes", "No", "Close", "Apply", "Reset"} <= texts.keys()
    assert {name: text for name, text in texts.items() if _latin(text) or not text} == {}
    assert (texts["Ok"], texts["Cancel"], texts["Save"], texts["Close"]) == ("确定", "取消", "保存", "关闭")


def _button_texts(dialog: QWidget) -> list[str]:
    return [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible() and b.text()]


def test_unsaved_changes_prompt_is_chinese(qtbot, when_modal, archive):
    [group_id] = [g.id for g in archive.organisation.tree()[0].children[0].children][:1]
    dialog = HouseholdDialog(archive, group_id=group_id)
    qtbot.addWidget(dialog)
    seen: list[list[str]] = []

    def look(box: QWidget) -> None:
        seen.append(_button_texts(box))
        box.reject()

    when_modal(look)
    ASK_UNSAVED(dialog)
    assert sorted(seen[0]) == sorted(["保存", "丢弃", "取消"])


def test_question_and_name_boxes_are_chinese(qtbot, when_modal):
    seen: list[list[str]] = []

    def look(box: QWidget) -> None:
        seen.append(_button_texts(box))
        box.reject()

    when_modal(look)
    QMessageBox.question(None, "未保存的修改", "村情信息有未保存的修改，确定放弃并退出吗？")
    when_modal(look)
    QInputDialog.getText(None, "组织", "行政村名称")
    assert [sorted(texts) for texts in seen] == [sorted(["是(&Y)", "否(&N)"]), sorted(["确定", "取消"])]


def test_file_dialog_is_chinese(qtbot, when_modal, archive):
    """The import wizard's 添加文件… opens Qt's own file dialog (offscreen there is no native one)."""
    from zhuji_archive.gui.import_wizard import ImportWizard

    wizard = ImportWizard(archive)
    qtbot.addWidget(wizard)
    wizard.show()
    found: list[list[str]] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        texts = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)]
        texts += [w.toolTip() for w in dialog.findChildren(QWidget) if w.toolTip()]
        view = dialog.findChild(QTreeView)
        model = view.model()
        texts += [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        # The type column of a folder in the list
        folder = model.index(str(Path.home()))
        texts.append(model.index(folder.row(), 2, folder.parent()).data())
        found.append([t for t in texts if t])
        dialog.reject()

    when_modal(look)
    wizard.page(wizard.startId()).add_button.click()
    texts = found[0]
    assert [t for t in texts if _latin(t)] == []
    for expected in ("打开(&O)", "取消", "查找范围(&L)：", "文件类型(&T)：", "名称", "文件夹"):
        assert expected in texts
