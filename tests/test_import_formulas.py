"""Formula cells in a ledger: a formula with no computed value (as other programs write them) is an
error for that very cell, never a silently blank ID number; a formula with its result imports."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from zhuji_archive.domain import idcard
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.import_plan import ERROR
from zhuji_archive.services.xlsx_formulas import uncached_formulas
from zhuji_archive.storage.household_queries import HouseholdFilter

HEAD_ID = idcard.make("330681", date(1965, 3, 12), 11)
WIFE_ID = idcard.make("330681", date(1967, 8, 1), 22)
OTHER_ID = idcard.make("330681", date(1970, 1, 1), 71)


def formula_ledger(path: Path) -> Path:
    """openpyxl writes formulas without cached values, exactly like the files in question."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["姓名", "与户主关系", "身份证号", "联系电话"])
    ws.append(["张建国", "户主", f'="{HEAD_ID[:6]}"&"{HEAD_ID[6:]}"', "13812345678"])
    ws.append(["李秀英", "妻", WIFE_ID, "=D2"])
    ws.append(["周一", "户主", OTHER_ID, None])
    ws.append([None, None, "=C2", None])  # nothing but a formula in the ID column
    wb.save(path)
    return path


def with_cached_values(path: Path, values: dict[str, str]) -> Path:
    """The same file as Excel would save it: each formula keeps its computed result."""
    cached = path.with_name("cached.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(cached, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for ref, value in values.items():
                    head = f'<c r="{ref}">'
                    start = text.index(head)
                    end = text.index("<v />", start)
                    body = text[start + len(head) : end]
                    text = f'{text[:start]}<c r="{ref}" t="str">{body}<v>{value}</v>{text[end + 5 :]}'
                data = text.encode()
            target.writestr(item, data)
    return cached


def plan(archive: Archive, path: Path):
    importer = archive.importer
    sources = importer.read([path])
    assert not importer.assign_groups(sources, importer.find_village("杜黄村"), "一组")
    return importer.plan(sources)


def test_uncached_formula_cells_are_found(tmp_path: Path) -> None:
    assert uncached_formulas(formula_ledger(tmp_path / "f.xlsx")) == {"一组": {(1, 2), (2, 3), (4, 2)}}


def test_a_formula_without_a_value_is_an_error_for_its_cell(archive: Archive, tmp_path: Path) -> None:
    result = plan(archive, formula_ledger(tmp_path / "台账.xlsx"))
    formula_problems = [
        (p.sheet, p.row, p.column, p.header, p.severity) for p in result.problems if "公式" in p.reason
    ]
    assert formula_problems == [
        ("一组", 2, "C", "身份证号", ERROR),
        ("一组", 3, "D", "联系电话", ERROR),
        ("一组", 5, "C", "身份证号", ERROR),
    ]
    assert all("没有公式的计算结果" in p.reason for p in result.problems if "公式" in p.reason)
    assert [h.head_name for h in result.accepted()] == ["周一"]
    assert [h.head_name for h in result.rejected()] == ["张建国"]


def test_skipping_errors_imports_no_blank_id_numbers(archive: Archive, tmp_path: Path) -> None:
    result = plan(archive, formula_ledger(tmp_path / "台账.xlsx"))
    result.skip_errors = True
    archive.importer.run(result)
    found = archive.household_list.page(HouseholdFilter())
    assert [row.head_name for row in found] == ["周一"]


def test_formulas_with_their_results_import(archive: Archive, tmp_path: Path) -> None:
    path = with_cached_values(
        formula_ledger(tmp_path / "台账.xlsx"), {"C2": HEAD_ID, "D3": "13812345678", "C5": HEAD_ID}
    )
    assert uncached_formulas(path) == {}
    result = plan(archive, path)
    assert not [p for p in result.problems if "公式" in p.reason]
    zhang = next(h for h in result.households if h.head_name == "张建国")
    assert [m.data.id_number for m in zhang.members] == [HEAD_ID, WIFE_ID]


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_other_formats_are_not_scanned(tmp_path: Path, suffix: str) -> None:
    assert uncached_formulas(tmp_path / f"x{suffix}") == {}
