"""人均年收入 is one number everywhere: the household file, the printed sheet and the focus roster
divide the same income (current sources, per year) by the same members (those in the household
now) and write it the same way (whole yuan, thousands separated)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from zhuji_archive.services.archive import Archive
from zhuji_archive.views.household_file import IncomeData, MemberData


@pytest.fixture
def household(archive: Archive) -> str:
    """Four members of whom one moved out, and three income lines of which one was removed:
    (2,000 + 800) yuan / 3 members = 933.33… yuan."""
    (town,) = archive.organisation.tree()
    (village,) = town.children
    file = archive.households.new_file(village.children[0].id)
    file.focus_tags = ["低保户"]
    file.members = [
        MemberData(name="冯大", relation="户主"),
        MemberData(name="陈二", relation="配偶"),
        MemberData(name="冯三", relation="子"),
        MemberData(name="冯四", relation="女"),
    ]
    file.incomes = [
        IncomeData(kind="承包土地", annual_income=2000.0),
        IncomeData(kind="其他收入", annual_income=800.0),
        IncomeData(kind="外出务工", annual_income=9999.0),
    ]
    household_id = archive.households.save(file)
    file = archive.households.load(household_id)
    next(m for m in file.members if m.name == "冯四").removed = True
    next(i for i in file.incomes if i.kind == "外出务工").removed = True
    archive.households.save(file)
    return household_id


def test_household_file_shows_whole_yuan(qtbot, archive: Archive, household: str) -> None:
    from zhuji_archive.gui.app import make_application
    from zhuji_archive.gui.household_dialog import HouseholdDialog

    make_application()
    dialog = HouseholdDialog(archive, household_id=household)
    qtbot.addWidget(dialog)
    assert dialog.ui.incomeSummaryLabel.text() == "家庭年收入 2,800 元，人均 933 元"


def test_printed_sheet_says_the_same(archive: Archive, household: str, tmp_path: Path) -> None:
    path = tmp_path / "户表.pdf"
    archive.exports.household_sheet(path, household)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(path).pages))
    assert "家庭人口3人，人均年收入933元" in text
    assert "933.33" not in text


def test_focus_roster_says_the_same(archive: Archive, household: str, tmp_path: Path) -> None:
    path = tmp_path / "低保户名册.xlsx"
    archive.exports.roster(path, "focus", tag="低保户", masked=False, reason="核对低保名单")
    ws = load_workbook(path).active
    header = next(r for r in ws.iter_rows() if any(c.value == "人均年收入(元)" for c in r))
    col = next(c.column for c in header if c.value == "人均年收入(元)")
    members = next(c.column for c in header if c.value == "家庭人口")
    cell = ws.cell(header[0].row + 1, col)
    assert (ws.cell(header[0].row + 1, members).value, cell.value, cell.number_format) == (3, 933, "#,##0")
