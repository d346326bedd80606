"""GUI tests: an empty archive greets a new user with the first steps; 帮助 opens the user guide."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from accounts import open_archive
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from zhuji_archive.gui.cadre_dialog import CadreDialog
from zhuji_archive.gui.import_wizard import ImportWizard
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.gui.welcome import GUIDE_FILE, GuideDialog

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def empty_window(qtbot, tmp_path, settings):
    archive = open_archive(tmp_path / "new.sqlite3", "测试员")
    win = MainWindow(archive, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    archive.close()


def _type_name(qtbot, when_modal, name: str) -> None:
    """Answer the next name question (QInputDialog) as a user does: type, then click 确定."""

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.findChild(QLineEdit).setText(name)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert ok.text() == "确定"
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    when_modal(answer)


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_empty_archive_shows_the_first_steps(empty_window, qtbot, when_modal):
    window = empty_window
    welcome = window.welcome
    assert window.pages.currentWidget() is welcome and welcome.isVisible()
    buttons = welcome.buttons
    assert buttons["town"].text().startswith("新建镇")
    assert buttons["village"].text().startswith("新建行政村")
    assert buttons["group"].text().startswith("新建村民小组")
    assert buttons["cadres"].text().startswith("干部名册")
    assert buttons["import"].text().startswith("从Excel导入")
    # No village before there is a town to put it in.
    assert not buttons["village"].isEnabled() and not buttons["group"].isEnabled()

    _type_name(qtbot, when_modal, "安华镇")
    _click(qtbot, buttons["town"])
    _type_name(qtbot, when_modal, "杜黄村")
    _click(qtbot, buttons["village"])
    _type_name(qtbot, when_modal, "一组")
    _click(qtbot, buttons["group"])
    _type_name(qtbot, when_modal, "二组")
    _click(qtbot, buttons["group"])
    [town] = window.archive.organisation.tree()
    assert town.name == "安华镇"
    assert [(v.name, [g.name for g in v.children]) for v in town.children] == [("杜黄村", ["一组", "二组"])]
    assert "1 个镇（乡）、1 个行政村、2 个村民小组" in welcome.progress.text()
    assert window.tree.current_node()[0] == "group"
    assert window.households.new_button.isEnabled()

    seen = when_modal(lambda dialog: dialog.reject())
    _click(qtbot, buttons["cadres"])
    assert len(seen) == 1 and isinstance(seen[0], CadreDialog)

    _click(qtbot, buttons["import"])
    wizards = [w for w in window.findChildren(ImportWizard) if w.isVisible()]
    assert len(wizards) == 1
    wizards[0].reject()

    _click(qtbot, buttons["done"])
    assert window.pages.currentWidget() is window.tabs


def test_an_archive_with_towns_opens_on_the_pages(window):
    assert window.pages.currentWidget() is window.tabs
    window.welcome_action.trigger()
    assert window.pages.currentWidget() is window.welcome
    assert window.welcome.buttons["village"].isEnabled()


def test_organisation_actions_are_in_the_archive_menu(empty_window, qtbot, when_modal):
    window = empty_window
    menu = window.menuBar().actions()[0].menu()
    labels = [a.text() for a in menu.actions()]
    for label in ("新建镇（乡）…", "新建驻村分中心/网格…", "新建行政村…", "新建村民小组…", "重命名组织…"):
        assert label in labels
    menu.aboutToShow.emit()
    assert window.org_actions["town"].isEnabled() and not window.org_actions["village"].isEnabled()
    _type_name(qtbot, when_modal, "安华镇")
    window.org_actions["town"].trigger()
    _type_name(qtbot, when_modal, "驻村一分中心")
    window.org_actions["area"].trigger()
    _type_name(qtbot, when_modal, "新桥村")
    window.org_actions["village"].trigger()  # inside the selected area
    _type_name(qtbot, when_modal, "第一村民小组")
    window.org_actions["group"].trigger()
    _type_name(qtbot, when_modal, "一组")
    window.org_actions["rename"].trigger()
    [town] = window.archive.organisation.tree()
    [area] = town.children
    assert (area.kind, area.name) == ("area", "驻村一分中心")
    [village] = area.children
    assert village.name == "新桥村" and [g.name for g in village.children] == ["一组"]


def _chinese_characters(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def test_help_opens_the_user_guide(window, qtbot):
    labels = [a.text() for a in window.menuBar().actions()[-1].menu().actions()]
    assert labels[0] == "使用说明(&G)"
    window.guide_action.trigger()
    [guide] = [w for w in window.findChildren(GuideDialog) if w.isVisible()]
    text = guide.browser.toPlainText()
    for heading in ("第一次使用", "日常工作", "诉求办理", "打印", "从Excel导入台账", "备份建议"):
        assert heading in text
    for stage in ("登记", "梳理", "交办", "办结", "反馈"):
        assert stage in text
    assert _chinese_characters(text) > 1500
    area = guide.screen().availableGeometry()
    assert area.contains(guide.frameGeometry())
    guide.close()


def test_the_guide_ships_inside_the_package(tmp_path):
    """What setuptools puts into the wheel: build_py with the package data of pyproject.toml, in a clean
    copy of the sources (a checkout's egg-info would list files the package data does not)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("zhuji_archive", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    build = tmp_path / "build"
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib", str(build)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    shipped = build.joinpath("zhuji_archive", "resources", *GUIDE_FILE)
    assert shipped.is_file()
    assert shipped.read_bytes() == ROOT.joinpath("resources", *GUIDE_FILE).read_bytes()
