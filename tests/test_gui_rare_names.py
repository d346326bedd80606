"""Rare characters in names, in the window: printing warns which name and character will not print
before anything is printed, and lets the user go on or cancel; on screen the application font falls
back to the system fonts with the CJK extensions."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from zhuji_archive.exports import fonts
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.household_dialog import HouseholdDialog
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.paths import FALLBACK_FONTS_ENV
from zhuji_archive.services.archive import Archive
from zhuji_archive.views.household_file import MemberData

HEAD = "王\U0002a6d6\u3400"  # Extension B, then Extension A


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(FALLBACK_FONTS_ENV, "")
    fonts.reset()
    yield
    fonts.reset()


@pytest.fixture
def window(qtbot, archive: Archive, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(HouseholdDialog, "ask_unsaved", lambda self: QMessageBox.StandardButton.Discard)
    make_application()
    win = MainWindow(archive, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.outputs.wait_all()


def rare_household(archive: Archive) -> tuple[str, str]:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    group = village.children[0].id
    file = archive.households.new_file(group)
    file.members = [MemberData(name=HEAD, relation="户主", sex="男"), MemberData(name="李四", relation="子")]
    return archive.households.save(file), group


def question_of(qtbot, task) -> QMessageBox:
    qtbot.waitUntil(lambda: task.question is not None and task.question.isVisible(), timeout=20000)
    return task.question


def click(qtbot, box: QMessageBox, text: str) -> None:
    button = next(b for b in box.findChildren(QPushButton) if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_printing_a_sheet_warns_which_characters_will_be_blank_and_can_be_cancelled(
    qtbot, window, archive: Archive, no_fallback: None
) -> None:
    household, _group = rare_household(archive)
    number = archive.households.load(household).number
    dialog = window.open_household(household)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    task = dialog.printing.tasks[-1]
    box = question_of(qtbot, task)
    text = box.text()
    assert f"第{number}户 户主姓名 第2个字 U+2A6D6 无字体可显示，打印时将空缺" in text
    assert f"第{number}户 户主姓名 第3个字 U+3400 无字体可显示，打印时将空缺" in text
    assert text.count("无字体可显示") == 2
    assert not task.dialog.isVisible()  # the progress dialog does not hide the question
    with qtbot.waitSignal(task.ended, timeout=20000) as ended:
        click(qtbot, box, "取消")
    assert ended.args == ["cancelled"]
    assert not dialog.printing.previews
    assert archive.households.history(household)[0].action != "打印"  # nothing printed, nothing logged

    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    task = dialog.printing.tasks[-1]
    box = question_of(qtbot, task)
    with qtbot.waitSignal(task.ended, timeout=20000) as ended:
        click(qtbot, box, "仍然打印")
    assert ended.args == ["finished"]
    preview = dialog.printing.previews[-1]
    assert preview.isVisible() and preview.document.pageCount() >= 1
    history = archive.households.history(household)
    assert history[0].action == "打印" and history[0].entity == "户表"
    preview.close()


def test_printing_a_book_warns_before_writing(qtbot, window, archive: Archive, tmp_path, no_fallback: None) -> None:
    _household, group = rare_household(archive)
    assert window.tree.select_node("group", group)
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "册.pdf"
    task = window.outputs.start_book(path, preview=False)
    box = question_of(qtbot, task)
    assert "户主姓名 第2个字 U+2A6D6" in box.text()
    assert not list(folder.iterdir())
    with qtbot.waitSignal(task.ended, timeout=30000) as ended:
        click(qtbot, box, "仍然打印")
    assert ended.args == ["finished"]
    assert path.exists()


SCREEN_PROBE = """
from PySide6.QtWidgets import QLabel
from zhuji_archive.gui.app import make_application

app = make_application(["probe"])

def shot(text):
    label = QLabel(text)
    label.resize(80, 40)
    image = label.grab().toImage()
    return bytes(image.constBits())[: image.sizeInBytes()]

blank = shot("")
marks = [shot(c) for c in ("\\U00020000", "\\U0002a6d6", "\\u3400")]
print("distinct" if len({blank, *marks}) == 4 else "same")
"""


def test_the_application_font_falls_back_to_the_extension_fonts_on_screen(tmp_path: Path) -> None:
    """In a process whose fontconfig knows no fonts at all, only the fonts the application registers
    itself can draw: three different rare characters must come out as three different pictures
    (without a fallback they are all the same missing-glyph box)."""
    conf = tmp_path / "fonts.conf"
    cache = tmp_path / "cache"
    conf.write_text(
        f'<?xml version="1.0"?>\n<fontconfig><cachedir>{cache}</cachedir></fontconfig>\n', encoding="utf-8"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen"}
    env.pop(FALLBACK_FONTS_ENV, None)
    result = subprocess.run(
        [sys.executable, "-c", SCREEN_PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "distinct"
