"""The import speaks the archive's words: a ledger's 户类别 column is read as 经济类型, and the
wizard, the template and its notes say 经济类型, as the household file and the printouts do."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from test_gui_import import click_next, open_wizard, window  # noqa: F401 - the fixture
from test_services_import import messy_workbook

from zhuji_archive.domain.codes import KINDS_BY_KEY
from zhuji_archive.domain.ledger import CODE_FIELDS, FIELDS, FIELDS_BY_KEY, match_header


def test_code_backed_fields_carry_the_code_lists_title() -> None:
    for key, (kind, _several) in CODE_FIELDS.items():
        assert FIELDS_BY_KEY[key].title == KINDS_BY_KEY[kind].title, key
    assert "户类别" not in {f.title for f in FIELDS}
    assert match_header("户类别") == match_header("经济类型") == "economic_types"  # still read


def test_template_says_economic_type(archive, tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    archive.importer.write_template(path)
    wb = openpyxl.load_workbook(path)
    headers = [c.value for c in wb["户成员台账"][2]]
    notes = [r[0] for r in wb["填写说明"].iter_rows(values_only=True)]
    assert "经济类型" in headers and "经济类型" in notes
    assert not any("户类别" in str(v) for v in headers + notes)


def test_wizard_maps_a_ledgers_household_class_column_to_economic_type(qtbot, window, tmp_path: Path) -> None:  # noqa: F811
    path = messy_workbook(tmp_path / "杜黄村台账.xlsx")
    wizard = open_wizard(qtbot, window)
    wizard.files_page.add_files([path])
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    mapping = wizard.mapping_page
    table = mapping.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1) and table.item(r, 1).text() == "户类别")
    assert table.cellWidget(row, 3).currentText() == "经济类型"
    shown = {table.cellWidget(r, 3).itemText(i) for r in (row,) for i in range(table.cellWidget(r, 3).count())}
    assert "户类别" not in shown
    wizard.reject()
