"""GUI tests of starting the application: the operator's name across starts, Qt's texts in Chinese."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTreeView,
    QWidget,
)

from zhuji_archive.gui.app import ask_operator, make_application, recent_operators
from zhuji_archive.gui.household_dialog import HouseholdDialog

ASK_UNSAVED = HouseholdDialog.ask_unsaved  # the real prompt (the ``window`` fixture replaces it)


def _start(qtbot, when_modal, ini: Path, typed: str | None = None) -> tuple[str | None, list[str], str]:
    """One start of the application as far as the operator question: returns the answer, the names
    offered and the name pre-filled. ``typed`` replaces the pre-filled name."""
    offered: list[str] = []
    prefilled: list[str] = []

    def answer(dialog: QWidget) -> None:
        combo = dialog.findChild(QComboBox)
        offered.extend(combo.itemText(i) for i in range(combo.count()))
        prefilled.append(combo.currentText())
        if typed is not None:
            combo.setEditText(typed)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    when_modal(answer)
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    name = ask_operator(settings)
    settings.sync()
    del settings
    return name, offered, prefilled[0]


def test_operator_name_survives_restarts_whole(qtbot, when_modal, tmp_path):
    ini = tmp_path / "settings.ini"
    assert _start(qtbot, when_modal, ini, typed="李新手") == ("李新手", [""], "")
    # The second start reads the file afresh (a copy, so no in-process cache can help).
    second = tmp_path / "second.ini"
    shutil.copyfile(ini, second)
    assert _start(qtbot, when_modal, second) == ("李新手", ["李新手"], "李新手")
    assert _start(qtbot, when_modal, second, typed="王小红") == ("王小红", ["李新手"], "李新手")
    third = tmp_path / "third.ini"
    shutil.copyfile(second, third)
    assert _start(qtbot, when_modal, third) == ("王小红", ["王小红", "李新手"], "王小红")


@pytest.mark.parametrize(
    ("written_before", "names"),
    [
        ("recent=李新手", ["李新手"]),  # one name, as the old version wrote it
        ("recent=李, 新, 手", []),  # after the user accepted the split-off "李" once
        ("recent=李新手, 李, 新, 手", ["李新手"]),
    ],
)
def test_names_written_by_the_old_version_read_whole(qtbot, when_modal, tmp_path, written_before, names):
    ini = tmp_path / "settings.ini"
    ini.write_text(f"[operator]\n{written_before}\n", encoding="utf-8")
    assert recent_operators(QSettings(str(ini), QSettings.Format.IniFormat)) == names
    answer, offered, prefilled = _start(qtbot, when_modal, ini)
    assert offered == (names or [""])
    assert answer == (names[0] if names else None)  # an empty answer starts nothing
    if names:
        # Rewritten as a list: the next start reads the same whole name.
        fresh = tmp_path / "next.ini"
        shutil.copyfile(ini, fresh)
        assert recent_operators(QSettings(str(fresh), QSettings.Format.IniFormat)) == names


def test_a_surname_alone_is_asked_again(qtbot, when_modal, tmp_path):
    labels: list[str] = []

    def answer(text: str, then=None):  # type: ignore[no-untyped-def]
        def handle(dialog: QWidget) -> None:
            labels.append(dialog.labelText())
            dialog.findChild(QComboBox).setEditText(text)
            if then is not None:
                then()
            ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
            qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

        return handle

    when_modal(answer("李", then=lambda: when_modal(answer("李新手"))))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert ask_operator(settings) == "李新手"
    assert "不是完整的姓名" in labels[1]
    assert recent_operators(settings) == ["李新手"]


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
