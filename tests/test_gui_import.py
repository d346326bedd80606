"""GUI test of the import wizard: walk it on a workbook with errors the way a village accountant
would, read the report in the dialog, import, and find the households in the main window's list."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QWizard
from test_services_import import (
    LI,
    WEI,
    ZHANG,
    big_workbook,
    dump,
    existing_household,
    messy_workbook,
    update_workbook,
)

from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.household_model import IdRole
from zhuji_archive.gui.import_wizard import ImportWizard
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.storage.models import Household


@pytest.fixture
def window(qtbot, archive, tmp_path: Path):
    make_application()
    win = MainWindow(archive, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def open_wizard(qtbot, window: MainWindow) -> ImportWizard:
    window.import_action.trigger()
    wizard = window.findChild(ImportWizard)
    assert wizard is not None
    qtbot.waitExposed(wizard)
    return wizard


def click_next(qtbot, wizard: ImportWizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.waitUntil(button.isEnabled, timeout=20000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def listed_heads(window: MainWindow) -> set[str]:
    model = window.households.model
    while model.canFetchMore():
        model.fetchMore()
    return {model.index(r, 0).data() for r in range(model.rowCount())}


def table_rows(table) -> list[list[str]]:
    return [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_walk_the_wizard_on_a_messy_workbook(qtbot, window: MainWindow, archive, tmp_path: Path) -> None:
    path = messy_workbook(tmp_path / "杜黄村台账.xlsx")
    wizard = open_wizard(qtbot, window)
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled() is False  # no file yet
    wizard.files_page.add_files([path])
    click_next(qtbot, wizard)

    # Village and groups: matched from the sheet names.
    page = wizard.target_page
    assert wizard.currentPage() is page
    assert page.village.currentText() == "杜黄村"
    assert [c.currentText() for c in page.combos] == ["一组", "二组"]
    click_next(qtbot, wizard)

    # Detected header and mapping, editable.
    mapping = wizard.mapping_page
    assert mapping.header_row.value() == 3
    rows = table_rows(mapping.table)
    assert rows[4][:2] == ["E", "身份证号码"]
    assert mapping.table.cellWidget(4, 3).currentText() == "身份证号"
    assert mapping.table.cellWidget(9, 3).currentText() == "记入备注（保留原文）"  # 家庭年收入
    mapping.set_mapping(9, "ignore")
    assert wizard.sources[0].fields[9] == "ignore"
    click_next(qtbot, wizard)

    # Preview, computed on a worker thread.
    preview = wizard.preview_page
    qtbot.waitUntil(preview.isComplete, timeout=20000)
    tree = preview.new_tree
    heads = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert heads == ["张建国", "王福根", "赵大海", "孙老汉", "周一", "吴三", "郑四", "冯五"]
    zhang = tree.topLevelItem(0)
    assert zhang.text(8) == "新建" and zhang.childCount() == 3
    assert [zhang.child(i).text(2) for i in range(3)] == [ZHANG, LI, WEI]
    assert tree.topLevelItem(2).text(8) == "有错误"
    assert "将新建 4 户 8 人" in preview.summary.text()
    click_next(qtbot, wizard)

    # The validation report, read in the dialog.
    report = wizard.report_page
    rows = table_rows(report.table)
    errors = [r for r in rows if r[0] == "错误"]
    assert len(errors) == 6
    bad_check = next(r for r in rows if "校验位错误" in r[7])
    assert bad_check[2:5] == ["二组", "4", "C"]
    lost = next(r for r in rows if r[2:5] == ["一组", "10", "E"])
    assert lost[6] == "3.30681E+17" and "无法还原" in lost[7]
    report.errors_only.setChecked(True)
    shown = [r for r in range(report.table.rowCount()) if not report.table.isRowHidden(r)]
    assert [rows[r][0] for r in shown] == ["错误"] * 6
    report.errors_only.setChecked(False)
    assert "种茶户" in report.add_codes.text()
    report.add_codes.setChecked(True)
    assert "新建 5 户 9 人" in report.summary.text()
    errors_file = tmp_path / "错误清单.xlsx"
    report.export_errors(errors_file)
    assert "已把 5 行导出" in report.message.text()
    assert openpyxl.load_workbook(errors_file).sheetnames == ["一组", "二组"]
    report.block.setChecked(True)
    assert not report.isComplete()  # errors would block the import
    report.skip.setChecked(True)
    click_next(qtbot, wizard)

    # Nothing written until the user starts the import.
    run = wizard.run_page
    with archive.db.sessions() as session:
        assert session.query(Household).count() == 0
    qtbot.mouseClick(run.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(run.isComplete, timeout=30000)
    assert run.status.text() == "导入完成：新建 5 户 9 人，3 户因有错误未导入，代码表新增 1 项"
    assert run.progress.value() == run.progress.maximum()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    # The households are in the list.
    group_one = archive.importer.groups(archive.importer.find_village("杜黄村"))[0][0]
    assert window.tree.select_node("group", group_one)
    assert listed_heads(window) == {"张建国", "王福根", "孙老汉"}
    window.households.search.setText("zjg")
    qtbot.waitUntil(lambda: listed_heads(window) == {"张建国"}, timeout=5000)
    assert window.households.model.index(0, 0).data(IdRole)


def test_duplicates_are_shown_field_by_field_and_chosen_per_household(
    qtbot, window: MainWindow, archive, tmp_path: Path
) -> None:
    group = archive.importer.groups(archive.importer.find_village("杜黄村"))[0][0]
    household_id = existing_household(archive, group)
    wizard = open_wizard(qtbot, window)
    wizard.files_page.add_files([update_workbook(tmp_path / "更新.xlsx")])
    click_next(qtbot, wizard)
    combo = wizard.target_page.combos[0]
    combo.setCurrentIndex(combo.findText("一组"))
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    preview = wizard.preview_page
    qtbot.waitUntil(preview.isComplete, timeout=20000)
    assert preview.tabs.tabText(1) == "已在档案中的户（1）"
    top = preview.matched_tree.topLevelItem(0)
    assert top.text(0).startswith("杜黄村一组第1户（户主张建国）")
    changes = {
        top.child(i).text(0): (top.child(i).text(1), top.child(i).text(2)) for i in range(top.childCount())
    }
    assert changes["张建国：联系电话"] == ("13800000000", "13812345678")
    assert "新增成员：张伟" in changes
    choice = preview.matched_tree.itemWidget(top, 3)
    assert isinstance(choice, QComboBox) and choice.currentText() == "保留原有"
    choice.setCurrentIndex(choice.findText("更新"))
    for i in range(top.childCount()):
        child = top.child(i)
        if child.text(0) != "张建国：联系电话" and child.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            child.setCheckState(0, Qt.CheckState.Unchecked)
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    run = wizard.run_page
    qtbot.mouseClick(run.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(run.isComplete, timeout=30000)
    people = {m.name: m for m in archive.households.load(household_id).members}
    assert people["张建国"].phone == "13812345678"
    assert people["张建国"].education == "小学"
    assert people["李秀英"].phone == ""
    assert "张伟" in people


def test_cancel_during_import_leaves_the_database_unchanged(
    qtbot, window: MainWindow, archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from zhuji_archive.services import importing

    original = importing.ImportService._create

    def slow(self, *args, **kwargs):
        time.sleep(0.005)  # a slow disk: the user has time to press 取消
        return original(self, *args, **kwargs)

    monkeypatch.setattr(importing.ImportService, "_create", slow)
    monkeypatch.setattr(importing, "BATCH", 5)
    before = dump(archive)
    wizard = open_wizard(qtbot, window)
    wizard.files_page.add_files([big_workbook(tmp_path / "大表.xlsx", households=400)])
    click_next(qtbot, wizard)
    combo = wizard.target_page.combos[0]
    assert combo.currentText() == "不导入"  # “花名册” names no group: the user picks one
    assert not wizard.target_page.isComplete()
    combo.setCurrentIndex(combo.findText("一组"))
    for _ in range(3):
        click_next(qtbot, wizard)
    qtbot.waitUntil(wizard.report_page.isComplete, timeout=20000)
    click_next(qtbot, wizard)
    run = wizard.run_page
    qtbot.mouseClick(run.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: run.progress.value() > 0, timeout=20000)
    qtbot.mouseClick(run.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: run.status.text() == "已取消，数据库未做任何改动。", timeout=20000)
    assert not run.isComplete() and run.start_button.isEnabled()
    assert dump(archive) == before


def test_a_template_that_cannot_be_written_is_explained_in_chinese(qtbot, window: MainWindow, tmp_path: Path) -> None:
    """Saving the template into a folder that is not there: the page says why in Chinese, without the
    system's English error text ("[Errno 2] No such file or directory")."""
    wizard = open_wizard(qtbot, window)
    wizard.files_page.save_template(tmp_path / "没有这个文件夹" / "模板.xlsx")
    text = wizard.files_page.message.text()
    assert text.startswith("模板未保存：")
    assert "Errno" not in text and "No such file" not in text
    wizard.reject()
