"""GUI tests: a new user builds the organisation tree and the cadre register from an empty archive."""

from __future__ import annotations

import pytest
from accounts import open_archive
from loading import loaded
from PySide6.QtWidgets import QMessageBox

from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.cadre_dialog import CadreDialog
from zhuji_archive.gui.main_window import MainWindow


@pytest.fixture
def empty_window(qtbot, tmp_path, settings):
    make_application()
    archive = open_archive(tmp_path / "new.sqlite3", "测试员")
    win = MainWindow(archive, settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    archive.close()


def _answer(tree, *answers: str) -> None:
    queue = list(answers)
    tree.ask_text = lambda title, label, text="": queue.pop(0)


def test_new_user_builds_town_village_and_group(empty_window, qtbot, monkeypatch):
    tree = empty_window.tree
    assert tree.tree_model.rowCount() == 0
    assert "新建镇" in empty_window.statusBar().currentMessage()
    assert [key for key, _ in tree.actions_for(None)] == ["town"]
    _answer(tree, "安华镇")
    town_id = tree.edit_node("town", None)
    _answer(tree, "驻村一分中心")
    area_id = tree.edit_node("area", ("town", town_id))
    _answer(tree, "杜黄村")
    village_id = tree.edit_node("village", ("area", area_id))
    _answer(tree, "一组")
    group_id = tree.edit_node("group", ("village", village_id))
    assert tree.current_node() == ("group", group_id)
    # The other pages' village pick-lists follow the tree.
    assert empty_window.dashboard.scope.findData(village_id) >= 0
    assert empty_window.township.queue.village.findData(village_id) >= 0
    [town] = empty_window.archive.organisation.tree()
    assert (
        town.name,
        town.children[0].name,
        town.children[0].children[0].name,
        town.children[0].children[0].children[0].name,
    ) == ("安华镇", "驻村一分中心", "杜黄村", "一组")
    # The same group name twice in one village is refused and nothing is added.
    _answer(tree, "一组")
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    assert tree.edit_node("group", ("village", village_id)) is None
    assert warnings == ["本村已有“一组”"]
    _answer(tree, "第一村民小组")
    tree.edit_node("rename", ("group", group_id))
    assert (
        empty_window.archive.organisation.tree()[0].children[0].children[0].children[0].name == "第一村民小组"
    )
    # The new group can take its first household.
    assert empty_window.households.new_button.isEnabled()


def test_cadre_register_adds_and_retires(empty_window, qtbot):
    archive = empty_window.archive
    town = archive.organisation.add_town("安华镇")
    archive.organisation.add_village(town, "杜黄村")
    dialog = CadreDialog(archive, empty_window)
    qtbot.addWidget(dialog)
    dialog.name.setText("何小燕")
    dialog.kind.setCurrentText("驻村干部")
    dialog.phone.setText("13812345678")
    dialog.village.setCurrentText("杜黄村")
    assert dialog.add()
    assert [(c.name, c.kind) for c in archive.organisation.cadres()] == [("何小燕", "驻村干部")]
    empty_window._organisation_changed()
    empty_window.show_welcome(False)  # the pages: the to-do list offers the new 驻村干部
    loaded(qtbot, archive)
    assert empty_window.todo.cadre.findText("何小燕") >= 0
    dialog.phone.setText("12345")
    dialog.name.setText("王强")
    assert not dialog.add()
    assert "电话号码" in dialog.message.text()
    dialog.table.selectRow(0)
    dialog.retire()
    assert archive.organisation.cadres() == []
