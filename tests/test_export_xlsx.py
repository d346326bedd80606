"""Excel rosters: opened again with openpyxl and checked against the database, cell by cell."""

from __future__ import annotations

import errno
import io
import os
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.exports import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, ExportCancelled
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.storage.models import ChangeLog, Household, HouseholdCode, Member, Village, VillageGroup

DAY = date(2026, 11, 2)
MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")


def scalar(archive, query):
    with archive.db.sessions() as session:
        return session.scalar(query)


def data_rows(ws):
    """Rows between the header (row 3) and the totals row ("合计")."""
    rows = []
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "合计":
            return rows, row
        rows.append(row)
    raise AssertionError("no totals row")


def leftovers(folder: Path) -> list[str]:
    """Files in ``folder`` other than the test database and its backups folder: finished exports or
    temporary parts."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("demo.sqlite3") and p.name != "backups")


def header(ws) -> list[str]:
    return [c.value for c in ws[3]]


def column(ws, title: str) -> int:
    return header(ws).index(title)


def village_named(archive, name: str) -> str:
    return scalar(archive, select(Village.id).where(Village.name == name))


def test_household_roster_layout_and_rows_equal_the_database(demo_archive, tmp_path: Path) -> None:
    path = tmp_path / "户花名册.xlsx"
    result = demo_archive.exports.roster(path, "households", masked=False, reason="核对低保名单", today=DAY)
    assert result.paths == [path] and result.masked is False

    wb = load_workbook(path)
    assert wb.sheetnames == ["户花名册"]
    ws = wb["户花名册"]
    assert ws["A1"].value == "安华镇户花名册"
    assert ws["A1"].font.b and ws["A1"].font.sz == 16
    assert "制表日期：2026年11月2日" in ws["A2"].value
    in_register = scalar(
        demo_archive, select(func.count()).select_from(Household).where(Household.status == "在册")
    )
    assert f"共 {in_register} 户" in ws["A2"].value
    assert header(ws) == ["序号", *[c.title for c in HOUSEHOLD_COLUMNS]]
    assert all(c.font.b for c in ws[3])
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:M1", "A2:M2"}
    assert ws.freeze_panes == "B4"
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["F"].width >= 20  # the ID column shows all 18 characters

    rows, totals = data_rows(ws)
    assert len(rows) == in_register == result.rows
    assert [r[0].value for r in rows] == list(range(1, len(rows) + 1))
    members = scalar(demo_archive, select(func.sum(Household.member_count)).where(Household.status == "在册"))
    assert totals[column(ws, "家庭人口")].value == members
    assert totals[1].value == f"共 {in_register} 户"


def test_id_and_phone_numbers_are_text_with_every_digit(demo_archive, tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    demo_archive.exports.roster(path, "households", masked=False, reason="核对低保名单", today=DAY)
    ws = load_workbook(path).active
    rows, _ = data_rows(ws)
    id_col, phone_col = column(ws, "户主身份证号"), column(ws, "联系电话")
    with demo_archive.db.sessions() as session:
        heads = {
            (v, g, n): i
            for v, g, n, i in session.execute(
                select(Village.name, VillageGroup.name, Household.number, Member.id_number)
                .join(Household, Household.id == Member.household_id)
                .join(VillageGroup, VillageGroup.id == Household.group_id)
                .join(Village, Village.id == Household.village_id)
                .where(Member.relation == "户主", Member.removed.is_(False), Household.status == "在册")
            )
        }
    checked = 0
    for row in rows:
        cell = row[id_col]
        key = (row[1].value, row[2].value, row[3].value)
        if heads.get(key):
            assert isinstance(cell.value, str)
            assert cell.data_type == "s"
            assert len(cell.value) == 18 and cell.value == heads[key]
            assert cell.number_format == "@"
            checked += 1
        phone = row[phone_col]
        if phone.value is not None:
            assert isinstance(phone.value, str) and phone.number_format == "@"
            assert re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}", phone.value)
    assert checked > 250


def test_members_roster_counts_every_member_of_households_on_file(demo_archive, tmp_path: Path) -> None:
    path = tmp_path / "成员花名册.xlsx"
    result = demo_archive.exports.roster(path, "members", today=DAY)
    ws = load_workbook(path)["成员花名册"]
    assert ws["A1"].value == "安华镇成员花名册"
    assert header(ws) == ["序号", *[c.title for c in MEMBER_COLUMNS]]
    rows, totals = data_rows(ws)
    expected = scalar(
        demo_archive,
        select(func.count())
        .select_from(Member)
        .join(Household, Household.id == Member.household_id)
        .where(Household.status == "在册", Member.removed.is_(False)),
    )
    assert len(rows) == expected == result.rows
    assert totals[1].value == f"共 {expected} 人"
    id_col = column(ws, "身份证号")
    ids = [r[id_col] for r in rows if r[id_col].value]
    assert len(ids) > 0.9 * len(rows)
    assert all(isinstance(c.value, str) and len(c.value) == 18 and c.number_format == "@" for c in ids)
    birth = rows[0][column(ws, "出生日期")]
    assert birth.is_date and birth.number_format == "yyyy-mm-dd"


def test_focus_roster_is_masked_by_default_for_public_notice(demo_archive, tmp_path: Path) -> None:
    path = tmp_path / "低保户.xlsx"
    result = demo_archive.exports.roster(path, "focus", tag="低保户", today=DAY)
    assert result.masked is True
    ws = load_workbook(path)["低保户名册"]
    assert ws["A1"].value == "安华镇低保户名册"
    assert "部分隐藏" in ws["A2"].value
    rows, totals = data_rows(ws)
    tagged = scalar(
        demo_archive,
        select(func.count())
        .select_from(Household)
        .join(HouseholdCode, HouseholdCode.household_id == Household.id)
        .where(
            HouseholdCode.kind == "focus_tag", HouseholdCode.label == "低保户", Household.status == "在册"
        ),
    )
    assert len(rows) == tagged > 0
    ids = [r[column(ws, "户主身份证号")].value for r in rows]
    phones = [r[column(ws, "联系电话")].value for r in rows]
    assert all(MASKED_ID.match(v) for v in ids if v)
    assert all(MASKED_PHONE.match(v) for v in phones if v)
    assert all("低保户" in r[column(ws, "重点关注")].value for r in rows)
    incomes = [r[column(ws, "家庭年收入(元)")].value for r in rows]
    assert totals[column(ws, "家庭年收入(元)")].value == pytest.approx(sum(incomes))
    per_head = rows[0][column(ws, "人均年收入(元)")]
    expected = Decimal(str(incomes[0])) / rows[0][column(ws, "家庭人口")].value
    assert per_head.value == int(expected.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert per_head.number_format == "#,##0"  # whole yuan with thousands separators, as on screen
    assert any("注：身份证号仅显示前6位和后4位" in str(c.value) for row in ws.iter_rows() for c in row)


def test_masking_is_exactly_as_chosen(demo_archive, tmp_path: Path) -> None:
    full = tmp_path / "full.xlsx"
    masked = tmp_path / "masked.xlsx"
    demo_archive.exports.roster(full, "members", masked=False, reason="核对低保名单", today=DAY)
    demo_archive.exports.roster(masked, "members", masked=True, today=DAY)
    ws_full, ws_masked = load_workbook(full).active, load_workbook(masked).active
    rows_full, _ = data_rows(ws_full)
    rows_masked, _ = data_rows(ws_masked)
    id_col, phone_col = column(ws_full, "身份证号"), column(ws_full, "联系电话")
    assert len(rows_full) == len(rows_masked)
    for plain, hidden in zip(rows_full, rows_masked, strict=True):
        number, shown = plain[id_col].value, hidden[id_col].value
        if number:
            assert len(number) == 18 and "*" not in number
            assert shown == number[:6] + "*" * 8 + number[-4:]
            assert hidden[id_col].number_format == "@"
        phone, shown_phone = plain[phone_col].value, hidden[phone_col].value
        if phone and len(phone) == 11:
            assert shown_phone == phone[:3] + "****" + phone[7:]
        assert plain[5].value == hidden[5].value  # names are never hidden
    # And the focus roster unmasked on request:
    open_roster = tmp_path / "open.xlsx"
    demo_archive.exports.roster(open_roster, "focus", tag="低保户", masked=False, reason="核对低保名单", today=DAY)
    ws = load_workbook(open_roster).active
    rows, _ = data_rows(ws)
    assert all(
        len(r[column(ws, "户主身份证号")].value) == 18 for r in rows if r[column(ws, "户主身份证号")].value
    )
    assert "隐藏" not in ws["A2"].value


def test_village_scope_lists_only_that_village(demo_archive, tmp_path: Path) -> None:
    village = village_named(demo_archive, "杜黄村")
    path = tmp_path / "杜黄村.xlsx"
    demo_archive.exports.roster(path, "households", village_id=village, today=DAY)
    ws = load_workbook(path).active
    assert ws["A1"].value == "安华镇杜黄村户花名册"
    assert "填报单位：安华镇杜黄村" in ws["A2"].value
    rows, _ = data_rows(ws)
    assert {r[1].value for r in rows} == {"杜黄村"}
    expected = scalar(
        demo_archive,
        select(func.count())
        .select_from(Household)
        .where(Household.village_id == village, Household.status == "在册"),
    )
    assert len(rows) == expected
    numbers = [(r[2].value, r[3].value) for r in rows]
    assert numbers == sorted(numbers, key=lambda k: (["一组", "二组", "三组", "四组"].index(k[0]), k[1]))


def test_export_is_recorded_in_the_change_history(demo_archive, tmp_path: Path) -> None:
    demo_archive.exports.roster(tmp_path / "a.xlsx", "focus", tag="五保户", today=DAY)
    demo_archive.exports.roster(tmp_path / "b.xlsx", "members", masked=False, reason="核对低保名单", today=DAY)
    with demo_archive.db.sessions() as session:
        events = session.scalars(
            select(ChangeLog).where(ChangeLog.action == "导出").order_by(ChangeLog.at)
        ).all()
    assert [e.entity for e in events] == ["花名册", "花名册"]
    assert all(e.operator == "测试员" for e in events)
    assert "五保户名册" in events[0].note and "脱敏" in events[0].note and "a.xlsx" in events[0].note
    assert "成员花名册" in events[1].note and "未脱敏" in events[1].note
    assert re.search(r"\d+人", events[1].note)


def test_cancelled_export_leaves_no_file(demo_archive, tmp_path: Path) -> None:
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    with pytest.raises(ExportCancelled):
        demo_archive.exports.roster(
            tmp_path / "x.xlsx", "members", progress=progress, cancelled=lambda: len(seen) >= 2, today=DAY
        )
    assert seen and seen[-1] < 1000
    assert leftovers(tmp_path) == []
    with demo_archive.db.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.action == "导出")) == 0
        )


def test_failed_write_says_where_and_keeps_the_old_file(demo_archive, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "roster.xlsx"
    target.write_bytes(b"old")

    def full_disk(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(DomainError) as caught:
        demo_archive.exports.roster(target, "households", today=DAY)
    assert "磁盘空间不足" in caught.value.message and str(target) in caught.value.message
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == ["roster.xlsx"]


def test_locked_file_message_and_missing_folder(demo_archive, tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(DomainError, match="文件夹.*不存在"):
        demo_archive.exports.roster(tmp_path / "nope" / "x.xlsx", "households")
    monkeypatch.setattr(
        os, "replace", lambda s, d: (_ for _ in ()).throw(PermissionError(errno.EACCES, "denied"))
    )
    with pytest.raises(DomainError, match="没有权限写入.*正被其他程序"):
        demo_archive.exports.roster(tmp_path / "x.xlsx", "households")


def test_focus_roster_needs_a_tag_and_kind_must_be_known(demo_archive, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="重点关注类别"):
        demo_archive.exports.roster(tmp_path / "x.xlsx", "focus")
    with pytest.raises(DomainError, match="未知的名册类型"):
        demo_archive.exports.roster(tmp_path / "x.xlsx", "cats")


def test_user_text_never_becomes_a_formula(demo_archive, tmp_path: Path) -> None:
    row = demo_archive.household_list.page(HouseholdFilter(), limit=1)[0]
    file = demo_archive.households.load(row.id)
    file.address = '=HYPERLINK("http://example.com","点我")'
    demo_archive.households.save(file)
    path = tmp_path / "x.xlsx"
    demo_archive.exports.roster(path, "households", today=DAY)
    ws = load_workbook(path).active
    rows, _ = data_rows(ws)
    cells = [r[column(ws, "家庭住址")] for r in rows if str(r[column(ws, "家庭住址")].value).startswith("=")]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_cli_exports_a_roster(demo_archive, tmp_path: Path, capsys, monkeypatch) -> None:
    from accounts import PASSWORD

    from zhuji_archive.cli import main

    db = demo_archive.db.path
    out = tmp_path / "cli.xlsx"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{PASSWORD}\n{PASSWORD}\n"))
    code = main(
        [
            "--db",
            str(db),
            "--user",
            demo_archive.actor.login,
            "--password-stdin",
            "export",
            "roster",
            "--kind",
            "focus",
            "--tag",
            "低保户",
            "--village",
            "杜黄村",
            "--unmasked",
            "--reason",
            "核对低保名单",
            "-o",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    ws = load_workbook(out).active
    assert ws["A1"].value == "安华镇杜黄村低保户名册"
    rows, _ = data_rows(ws)
    assert rows and all(len(r[column(ws, "户主身份证号")].value) == 18 for r in rows)
    login = ["--user", demo_archive.actor.login, "--password-stdin"]
    assert main(["--db", str(db), *login, "export", "roster", "--village", "无此村", "-o", str(out)]) == 2
    assert "没有名为“无此村”的村" in capsys.readouterr().err
