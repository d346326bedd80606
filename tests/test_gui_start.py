"""GUI tests of starting the application: Qt's own texts in Chinese, and what a start loads (logging in:
test_gui_login.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from accounts import PASSWORD
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


# ---- what a start loads --------------------------------------------------------------------------

# Libraries the first screen does not use, each a tenth of a second or more to import: the workbook and
# PDF libraries (an export or an import asks for them), Alembic (an archive whose schema must change),
# the PostgreSQL driver (a hub).
NOT_AT_START = ("openpyxl", "python_calamine", "reportlab", "alembic", "psycopg")
START = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.operations import runner_for
from zhuji_archive.services import access

app = make_application([])
archive = access.unlock(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
window = MainWindow(archive, QSettings(sys.argv[4], QSettings.Format.IniFormat))
built = sorted(sys.modules)
window.show()
runner = runner_for(archive)
while True:  # the window's first loads (the to-do list, the log's check) come back
    app.processEvents()
    if not runner.busy:
        break
shown = sorted(sys.modules)
archive.exports.scope_title()  # asking for an export loads its libraries
print(json.dumps({"built": built, "shown": shown, "export": sorted(sys.modules)}))
"""


@pytest.mark.file_archive  # a hub needs its driver from the start
def test_a_start_does_not_load_what_the_first_screen_does_not_use(demo_archive, tmp_path):
    """In a fresh process, logging in and showing the main window with its to-do list imports none
    of the export, import, migration or hub libraries; the first export asks for them. Building the
    window does not load pypinyin's dictionaries either (its first load does, on a worker)."""
    child = subprocess.run(
        [sys.executable, "-c", START, str(demo_archive.db.path), demo_archive.actor.login, PASSWORD, str(tmp_path / "w.ini")],
        capture_output=True, text=True, check=True, timeout=120,
    )
    loaded = json.loads(child.stdout.strip().splitlines()[-1])
    top = {step: {name.split(".")[0] for name in names} for step, names in loaded.items()}
    assert [name for name in NOT_AT_START if name in top["shown"]] == []
    assert "pypinyin" not in top["built"]  # the cadres' pinyin order comes with the to-do list's load
    assert "zhuji_archive.gui.sync_page" not in loaded["shown"]  # a file not in sync has no 同步 page
    assert {"openpyxl", "reportlab"} <= top["export"]
