"""The import wizard offers to create a group the village lacks, and creates it with the import."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from test_gui_import import click_next, open_wizard, window  # noqa: F401 - the window fixture
from test_import_groups import group_names, households_by_group, ledger

from zhuji_archive.gui.main_window import MainWindow


def test_wizard_offers_and_creates_a_missing_group(qtbot, window: MainWindow, archive, tmp_path: Path) -> None:  # noqa: F811
    wizard = open_wizard(qtbot, window)
    wizard.files_page.add_files([ledger(tmp_path / "台账.xlsx")])
    click_next(qtbot, wizard)
    page = wizard.target_page
    assert [c.currentText() for c in page.combos] == ["二组", "新建村民小组“三组”", "新建村民小组“三组”"]
    assert [page.combos[0].itemText(i) for i in range(page.combos[0].count())] == [
        "不导入",
        "一组",
        "二组",
        "新建村民小组“三组”",
    ]
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    preview = wizard.preview_page
    qtbot.waitUntil(preview.isComplete, timeout=20000)
    assert preview.summary.text().startswith("将新建村民小组：三组。")
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    run = wizard.run_page
    assert run.plan_label.text().startswith("将新建村民小组：三组。")
    assert group_names(archive) == ["一组", "二组"]  # nothing written before the start
    qtbot.mouseClick(run.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(run.isComplete, timeout=30000)
    assert run.status.text().startswith("导入完成：新建村民小组 三组，新建 3 户 3 人")
    assert group_names(archive) == ["一组", "二组", "三组"]
    assert households_by_group(archive) == {"二组": ["张建国"], "三组": ["王福根", "赵大海"]}


def test_wizard_can_decline_the_new_group(qtbot, window: MainWindow, archive, tmp_path: Path) -> None:  # noqa: F811
    wizard = open_wizard(qtbot, window)
    wizard.files_page.add_files([ledger(tmp_path / "台账.xlsx")])
    click_next(qtbot, wizard)
    for combo in wizard.target_page.combos[1:]:
        combo.setCurrentIndex(combo.findText("不导入"))
    for _ in range(4):
        click_next(qtbot, wizard)
    run = wizard.run_page
    qtbot.mouseClick(run.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(run.isComplete, timeout=30000)
    assert group_names(archive) == ["一组", "二组"]
    assert households_by_group(archive) == {"二组": ["张建国"]}
