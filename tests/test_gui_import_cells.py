"""The import wizard on difficult files: it offers to create a group the village lacks (and creates it
with the import), says a damaged file is damaged, and reports formula cells without a value."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from test_gui_import import click_next, open_wizard, table_rows, window  # noqa: F401 - the window fixture
from test_import_damaged import corrupt
from test_import_damaged import ledger as damaged_ledger
from test_import_formulas import formula_ledger
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


def test_wizard_says_a_file_with_a_damaged_local_header_is_damaged(
    qtbot, window: MainWindow, archive, tmp_path: Path  # noqa: F811
) -> None:
    broken = corrupt(damaged_ledger(tmp_path / "台账.xlsx"), "xl/worksheets/sheet1.xml", "header")
    wizard = open_wizard(qtbot, window)
    wizard.files_page.add_files([broken])
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.files_page
    assert "文件已损坏" in wizard.files_page.message.text()


def test_wizard_reports_formula_cells_without_a_value(
    qtbot, window: MainWindow, archive, tmp_path: Path  # noqa: F811
) -> None:
    wizard = open_wizard(qtbot, window)
    wizard.files_page.add_files([formula_ledger(tmp_path / "台账.xlsx")])
    click_next(qtbot, wizard)
    combo = wizard.target_page.combos[0]
    combo.setCurrentIndex(combo.findText("一组"))
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    qtbot.waitUntil(wizard.preview_page.isComplete, timeout=20000)
    click_next(qtbot, wizard)
    rows = table_rows(wizard.report_page.table)
    formula_rows = [r[2:5] for r in rows if r[0] == "错误" and "没有公式的计算结果" in r[7]]
    assert formula_rows == [["一组", "2", "C"], ["一组", "3", "D"], ["一组", "5", "C"]]
