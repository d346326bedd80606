"""The Excel import on messy, realistic workbooks built here: counts, normalised values, the exact
problems reported, all-or-nothing writes, idempotent re-import, duplicates, error workbook, template, CLI."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from accounts import cli_as, raw_of, table_names, where
from sqlalchemy import select

from zhuji_archive.domain import idcard
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.import_plan import ImportCancelled
from zhuji_archive.services.importing import ImportBlocked
from zhuji_archive.storage.models import ChangeLog, Household, Member
from zhuji_archive.views.household_file import MemberData


def make_id(birth: date, seq: int) -> str:
    return idcard.make("330681", birth, seq)


ZHANG = make_id(date(1965, 3, 12), 11)
LI = make_id(date(1967, 8, 1), 22)
WEI = make_id(date(1990, 5, 20), 31)
# A number ending in X, for the lower-case x case.
WANG = next(n for s in range(1, 999, 2) if (n := make_id(date(1958, 1, 9), s)).endswith("X"))
WANG_WIFE = make_id(date(1960, 2, 2), 42)
ZHAO = make_id(date(1972, 10, 1), 51)
SUN = make_id(date(1949, 12, 1), 61)
BAD_CHECK = WEI[:-1] + ("1" if WEI[-1] != "1" else "2")


def messy_workbook(path: Path) -> Path:
    """Two sheets as villages keep them. Sheet 一组: merged title and subtitle, header on row 3,
    household serial only on head rows, IDs as text with spaces / full-width / lower-case x and one
    stored as a number, mixed date forms, a blank separator row, a totals row. Sheet 二组: different
    header names, rows grouped by 与户主关系 only, bad rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["杜黄村一组农户家庭成员花名册"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：杜黄村村委会", None, None, None, None, None, None, "2024年3月"])
    ws.append(
        [
            "序号",
            "户主姓名",
            "成员姓名",
            "与户主关系",
            "身份证号码",
            "出生年月",
            "联系电话",
            "户类别",
            "承包土地（亩）",
            "家庭年收入",
        ]
    )
    full_width_li = LI.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    ws.append(
        [
            1,
            "张建国",
            "张建国 ",
            "户主",
            f" {ZHANG[:6]} {ZHANG[6:]} ",
            1965.03,
            13812345678,
            "种植户、低保户",
            2.5,
            36000,
        ]
    )
    ws.append([None, "张建国", "李秀英", "妻", full_width_li, "1967年8月", None, None, None, None])
    ws.append([None, "张建国", "张伟", "长子", WEI, "1990-05-20", "139 0000 1111", None, None, None])
    ws.append([None] * 10)
    ws.append([2, "王福根", "王福根", "户主", WANG.lower(), "1958.01", None, "养殖户", "3亩", None])
    ws.append([None, "王福根", "陈美娟", "配偶", WANG_WIFE, "19600202", None, None, None, None])
    ws.append(
        [3, "赵大海", "赵大海", "户主", float(ZHAO), 26573, None, "打工户", None, None]
    )  # ID as a number
    ws.append([4, "孙老汉", "孙老汉", "户主", SUN, date(1949, 12, 1), "0575-87654321", None, None, None])
    ws.append([None, "孙老汉", "孙小宝", "孙子", None, "2015年6月", None, None, None, None])
    ws.append(["合计", None, None, None, None, None, None, None, None, None])
    g2 = wb.create_sheet("二组")
    g2.append(["二组台账"])
    g2.append(["姓名", "关系", "公民身份号码", "出生日期", "手机号", "户类型", "政治面貌", "住址"])
    g2.append(
        ["周一", "户主", make_id(date(1970, 1, 1), 71), "1970-01-01", None, "经商户", "党员", "杜黄村5号"]
    )
    g2.append(
        ["周二", "子", BAD_CHECK, None, None, None, None, None]
    )  # bad check character -> household rejected
    g2.append(
        ["吴三", "户主", make_id(date(1980, 4, 4), 81), "1980-02-30", None, "种茶户", None, "杜黄村6号"]
    )  # unknown code
    g2.append(
        ["郑四", "户主", "3.30681E+17", 1975.1, None, None, None, None]
    )  # scientific ID, ambiguous date
    g2.append(["", "配偶", make_id(date(1976, 3, 3), 92), None, None, None, None, None])  # missing name
    g2.append(
        ["冯五", "户主", make_id(date(1966, 6, 6), 13), None, "12345", None, "团员", None]
    )  # bad phone -> note
    wb.save(path)
    return path


def _logged_changes(connection) -> list[str]:
    rows = connection.execute("SELECT * FROM change_log WHERE action NOT IN ('登录', '登录失败') ORDER BY at")
    return sorted(map(repr, rows))


def dump(archive: Archive) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: the content of the database (without the login bookkeeping: the
    command line logs in, which records the time of the login and, once the audit is on, the login)."""
    connection = raw_of(archive.db)
    try:
        tables = table_names(connection)
        return {
            t: sorted(map(repr, connection.execute(f'SELECT * FROM "{t}"')))
            for t in tables
            if t not in ("account", "audit_head")
        } | {"change_log": _logged_changes(connection)}
    finally:
        connection.close()


@pytest.fixture
def village(archive: Archive) -> str:
    return archive.importer.find_village("杜黄村")


def plan_for(archive: Archive, path: Path, village: str, group: str | None = None):
    sources = archive.importer.read([path])
    unassigned = archive.importer.assign_groups(sources, village, group)
    assert not unassigned
    return archive.importer.plan(sources)


def problems_at(plan) -> list[tuple[str, int | None, str, str]]:
    return [(p.sheet, p.row, p.column, p.severity) for p in plan.problems]


def reasons(plan, sheet: str, row: int) -> list[str]:
    return [p.reason for p in plan.problems if p.sheet == sheet and p.row == row]


def test_messy_workbook_preview_and_report(archive: Archive, village: str, tmp_path: Path) -> None:
    plan = plan_for(archive, messy_workbook(tmp_path / "台账.xlsx"), village)
    sheet1, sheet2 = plan.sources
    assert sheet1.header_rows == (2,) and sheet2.header_rows == (1,)
    assert [s.group_id for s in plan.sources] == [g for g, _ in archive.importer.groups(village)]

    heads = [(h.source.sheet, h.head_name, len(h.members), h.action(False)) for h in plan.households]
    assert heads == [
        ("一组", "张建国", 3, "新建"),
        ("一组", "王福根", 2, "新建"),
        ("一组", "赵大海", 1, "有错误"),
        ("一组", "孙老汉", 2, "新建"),
        ("二组", "周一", 2, "有错误"),
        ("二组", "吴三", 1, "有错误"),
        ("二组", "郑四", 2, "有错误"),
        ("二组", "冯五", 1, "新建"),
    ]
    errors = [(p.sheet, p.row, p.column) for p in plan.problems if p.blocking]
    assert errors == [
        ("一组", 10, "E"),
        ("二组", 4, "C"),
        ("二组", 5, "F"),
        ("二组", 6, "C"),
        ("二组", 6, "D"),
        ("二组", 7, "A"),
    ]
    assert "后几位已丢失" in reasons(plan, "一组", 10)[0]
    assert "3.30681E+17" in next(p.value for p in plan.problems if (p.sheet, p.row) == ("一组", 10))
    assert any("校验位错误" in r for r in reasons(plan, "二组", 4))
    assert "日期“1980-02-30”不存在（1980年2月30日）；已按身份证号" in reasons(plan, "二组", 5)
    assert "“种茶户”不在“经济类型”代码表中（可选择加入代码表）" in reasons(plan, "二组", 5)
    assert any("科学计数法" in r for r in reasons(plan, "二组", 6))
    assert any("1月还是10月" in r for r in reasons(plan, "二组", 6))
    assert reasons(plan, "二组", 7) == ["缺少姓名"]
    notes = {(p.sheet, p.row): p.reason for p in plan.problems if not p.blocking}
    assert notes[("一组", 13)] == "合计或签名行，已跳过"
    assert "原文已记入备注" in notes[("二组", 8)]
    assert plan.unknown_codes == {("economic_type", "种茶户"): 1}
    counts = plan.counts()
    assert (counts.households_new, counts.members_new, counts.households_rejected, counts.rows_rejected) == (
        4,
        8,
        4,
        6,
    )


def test_import_writes_normalised_values_and_sources(archive: Archive, village: str, tmp_path: Path) -> None:
    plan = plan_for(archive, messy_workbook(tmp_path / "台账.xlsx"), village)
    result = archive.importer.run(plan)
    assert (result.households_created, result.members_created, result.households_rejected) == (4, 8, 4)
    with archive.db.sessions() as session:
        members = {m.name: m for m in session.scalars(select(Member))}
        households = {h.head_name: h for h in session.scalars(select(Household))}
        zhang_logs = session.scalars(
            select(ChangeLog.note).where(ChangeLog.record_id == members["张建国"].id)
        ).all()
    assert sorted(members) == sorted(
        ["孙小宝", "孙老汉", "冯五", "张伟", "张建国", "李秀英", "王福根", "陈美娟"]
    )
    assert members["张建国"].id_number == ZHANG
    assert members["李秀英"].id_number == LI  # full-width digits folded
    assert members["王福根"].id_number == WANG and WANG.endswith("X")  # lower-case x
    assert members["李秀英"].relation == "配偶" and members["张伟"].relation == "子"
    assert members["张建国"].birth_date == date(1965, 3, 12) and members["张建国"].sex == "男"
    assert members["孙小宝"].birth_date == date(2015, 6, 1)
    assert members["张建国"].phone == "13812345678" and members["张伟"].phone == "13900001111"
    assert members["孙老汉"].phone == "0575-87654321"
    assert members["张建国"].notes == "家庭年收入：36000"
    assert members["冯五"].phone == "" and members["冯五"].notes == "电话：12345"
    assert members["冯五"].political_status == "共青团员"
    assert members["张建国"].name_initials == "zjg"
    zhang = households["张建国"]
    assert (zhang.number, zhang.member_count, zhang.economic_types) == (1, 3, "低保户、种植户")
    assert households["王福根"].number == 2 and households["冯五"].number == 1
    assert zhang_logs == ["成员张建国；从Excel导入：台账.xlsx／一组／第4行"]
    file = archive.households.load(zhang.id)
    assert [i.land_mu for i in file.incomes] == [2.5]
    assert any(
        e.note == "从Excel导入：台账.xlsx／一组／第4–6行" for e in archive.households.history(zhang.id)
    )
    assert archive.households.validate(file) == []


def test_reimport_changes_nothing(archive: Archive, village: str, tmp_path: Path) -> None:
    path = messy_workbook(tmp_path / "台账.xlsx")
    archive.importer.run(plan_for(archive, path, village))
    before = dump(archive)
    again = plan_for(archive, path, village)
    assert [h.action(False) for h in again.accepted()] == ["无变化"] * 4
    again.set_choice_all("update")
    result = archive.importer.run(again)
    assert (result.households_created, result.households_updated, result.households_unchanged) == (0, 0, 4)
    assert dump(archive) == before


def test_blocking_errors_leave_the_database_unchanged(archive: Archive, village: str, tmp_path: Path) -> None:
    plan = plan_for(archive, messy_workbook(tmp_path / "台账.xlsx"), village)
    plan.skip_errors = False
    before = dump(archive)
    with pytest.raises(ImportBlocked, match="有 6 处错误"):
        archive.importer.run(plan)
    assert dump(archive) == before


def test_cancel_and_failure_roll_back_everything(
    archive: Archive, village: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = big_workbook(tmp_path / "大表.xlsx", households=600)
    plan = plan_for(archive, path, village, "一组")
    before = dump(archive)
    seen: list[int] = []
    with pytest.raises(ImportCancelled):
        archive.importer.run(
            plan, progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) >= 2
        )
    assert seen and seen[-1] > 0  # it had written batches before the cancel
    assert dump(archive) == before

    from zhuji_archive.services import importing

    calls = {"n": 0}
    original = importing.ImportService._create

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 400:
            raise OSError("磁盘已满")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(importing.ImportService, "_create", failing)
    with pytest.raises(OSError):
        archive.importer.run(plan)
    assert dump(archive) == before


def big_workbook(path: Path, households: int, per_household: int = 3) -> Path:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["户号", "姓名", "与户主关系", "身份证号", "联系电话"])
    relations = ["户主", "配偶", "子", "女"]
    seq = 0
    for n in range(1, households + 1):
        for k in range(per_household):
            seq += 1
            birth = date(1940 + seq % 60, 1 + seq % 12, 1 + seq % 28)
            ws.append([n, f"张{n}{'甲乙丙丁'[k]}", relations[k], make_id(birth, seq % 999), f"138{seq:08d}"])
    wb.save(path)
    return path


def existing_household(archive: Archive, group: str) -> str:
    file = archive.households.new_file(group)
    file.address = "杜黄村1号"
    file.members = [
        MemberData(name="张建国", relation="户主", id_number=ZHANG, phone="13800000000", education="小学"),
        MemberData(name="李秀英", relation="配偶", id_number=LI),
    ]
    return archive.households.save(file)


def update_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户号", "姓名", "与户主关系", "身份证号", "联系电话", "文化程度", "家庭住址"])
    ws.append([1, "张建国", "户主", ZHANG, "13812345678", "初中", "杜黄村8号"])
    ws.append([None, "李秀英", "配偶", LI, "13912345678", None, None])
    ws.append([None, "张伟", "子", WEI, None, "本科", None])
    wb.save(path)
    return path


def test_duplicates_update_only_the_chosen_fields(archive: Archive, village: str, tmp_path: Path) -> None:
    group = archive.importer.groups(village)[0][0]
    household_id = existing_household(archive, group)
    plan = plan_for(archive, update_workbook(tmp_path / "更新.xlsx"), village, "一组")
    (h,) = plan.households
    assert h.existing is not None and h.existing.id == household_id and h.matched_by == "身份证号"
    diff = {(c.member, c.title): (c.old, c.new) for c in h.changes}
    assert diff == {
        (0, "联系电话"): ("13800000000", "13812345678"),
        (0, "文化程度"): ("小学", "初中"),
        (1, "联系电话"): ("", "13912345678"),
        (None, "住址"): ("杜黄村1号", "杜黄村8号"),
    }
    assert [m.data.name for m in h.new_members] == ["张伟"]
    h.choice = "update"
    for change in h.changes:
        change.selected = change.title == "联系电话" and change.member == 0
    result = archive.importer.run(plan)
    assert (result.households_updated, result.fields_changed, result.members_added) == (1, 1, 1)
    file = archive.households.load(household_id)
    people = {m.name: m for m in file.members}
    assert people["张建国"].phone == "13812345678"
    assert people["张建国"].education == "小学"  # not chosen
    assert people["李秀英"].phone == ""  # not chosen
    assert file.address == "杜黄村1号"
    assert people["张伟"].id_number == WEI and people["张伟"].education == "本科"
    history = archive.households.history(household_id)
    phone_change = next(e for e in history if e.field == "联系电话" and e.action == "修改")
    assert (phone_change.old_value, phone_change.new_value) == ("13800000000", "13812345678")
    assert phone_change.note == "成员张建国；从Excel导入：更新.xlsx／Sheet／第2行"


def test_duplicates_keep_fills_only_blanks_and_skip_touches_nothing(
    archive: Archive, village: str, tmp_path: Path
) -> None:
    group = archive.importer.groups(village)[0][0]
    household_id = existing_household(archive, group)
    path = update_workbook(tmp_path / "更新.xlsx")
    plan = plan_for(archive, path, village, "一组")
    plan.set_choice_all("skip")
    before = dump(archive)
    result = archive.importer.run(plan)
    assert result.households_skipped == 1
    assert dump(archive) == before
    plan = plan_for(archive, path, village, "一组")
    plan.set_choice_all("keep")
    archive.importer.run(plan)
    people = {m.name: m for m in archive.households.load(household_id).members}
    assert people["张建国"].phone == "13800000000"  # kept
    assert people["李秀英"].phone == "13912345678"  # was blank: filled
    assert "张伟" in people


def test_adding_unknown_codes_imports_the_household(archive: Archive, village: str, tmp_path: Path) -> None:
    plan = plan_for(archive, messy_workbook(tmp_path / "台账.xlsx"), village)
    assert "种茶户" not in archive.codes.values("economic_type")
    plan.add_codes = True
    assert [h.head_name for h in plan.rejected()] == ["赵大海", "周一", "郑四"]
    result = archive.importer.run(plan)
    assert (result.codes_added, result.households_created) == (1, 5)
    assert "种茶户" in archive.codes.values("economic_type")


def test_error_workbook_holds_the_rows_and_imports_once_corrected(
    archive: Archive, village: str, tmp_path: Path
) -> None:
    plan = plan_for(archive, messy_workbook(tmp_path / "台账.xlsx"), village)
    archive.importer.run(plan)
    report = tmp_path / "错误清单.xlsx"
    assert archive.importer.write_errors(plan, report) == 6
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["一组", "二组"]
    rows = list(wb["二组"].iter_rows(values_only=True))
    assert rows[0][-2:] == ("错误原因", "原表位置")
    assert [r[0] for r in rows[1:] if r[0] is not None or r[1] is not None] == [
        "周一",
        "周二",
        "吴三",
        "郑四",
        None,
    ]
    by_place = {r[-1]: r[-2] for r in rows[1:] if r[-1]}
    assert "校验位错误" in by_place["台账.xlsx／二组／第4行"]
    assert by_place["台账.xlsx／二组／第3行"] == "同户的第4行有错误，整户未导入（改正后整户重新导入）"
    # The village corrects the rows in the error workbook and imports it again.
    ws = wb["二组"]
    for row in ws.iter_rows(min_row=2):
        place = row[-1].value
        if place == "台账.xlsx／二组／第4行":
            row[2].value = make_id(date(1995, 9, 9), 72)
        elif place == "台账.xlsx／二组／第5行":
            row[3].value = "1980-04-04"
            row[5].value = "经商户"
        elif place == "台账.xlsx／二组／第6行":
            row[2].value = make_id(date(1975, 10, 2), 91)
            row[3].value = "1975.10"
        elif place == "台账.xlsx／二组／第7行":
            row[0].value = "郑妻"
    del wb["一组"]
    wb.save(report)
    fixed = plan_for(archive, report, village, "二组")
    assert fixed.blocking_problems() == []
    result = archive.importer.run(fixed)
    assert (result.households_created, result.members_created) == (3, 5)
    with archive.db.sessions() as session:
        notes = session.scalar(select(Member.notes).where(Member.name == "周一"))
    assert notes == ""  # the 错误原因 and 原表位置 columns are not imported


def test_template_round_trip(archive: Archive, village: str, tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    archive.importer.write_template(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["户成员台账"]
    headers = [c.value for c in ws[2]]
    assert headers[:5] == ["户号", "姓名", "与户主关系", "性别", "身份证号"]
    assert ws.cell(3, 2).value == "张建国" and idcard.is_valid(ws.cell(3, 5).value)
    assert ws.cell(3, 5).number_format == "@"
    assert (
        "户主、配偶" in [r for r in wb["填写说明"].iter_rows(values_only=True) if r[0] == "与户主关系"][0][2]
    )
    plan = plan_for(archive, path, village, "一组")
    assert plan.households == []
    assert [p.reason for p in plan.problems] == ["模板中的示例行，已跳过"] * 3


def test_header_row_and_mapping_can_be_overridden(archive: Archive, village: str, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名单"])
    ws.append(["人名", "身份", "号码"])
    ws.append(["张建国", "户主", ZHANG])
    wb.save(tmp_path / "怪表.xlsx")
    sources = archive.importer.read([tmp_path / "怪表.xlsx"])
    assert not sources[0].found_header
    sources[0].set_header_row(2)
    for column, key in enumerate(("name", "relation", "id_number")):
        sources[0].set_field(column, key)
    archive.importer.assign_groups(sources, village, "一组")
    plan = archive.importer.plan(sources)
    assert [(h.head_name, h.members[0].data.id_number) for h in plan.households] == [("张建国", ZHANG)]


def test_cli_import(archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(where(archive.db))
    path = str(messy_workbook(tmp_path / "台账.xlsx"))
    report = tmp_path / "errors.xlsx"
    before = dump(archive)
    main = cli_as(archive.actor.login)
    code = main(["import", path, "--village", "杜黄村", "--db", db, "--report", str(report)])
    out = capsys.readouterr()
    assert code == 1
    assert "有错误" in out.err and "未写入任何数据" in out.err
    assert "二组／第4行／C列（公民身份号码）" in out.out
    assert report.exists() and dump(archive) == before
    code = main(["import", path, "--village", "杜黄村", "--db", db, "--skip-errors", "--dry-run"])
    assert code == 0 and "试运行" in capsys.readouterr().out
    assert dump(archive) == before
    code = main(["import", path, "--village", "杜黄村", "--db", db, "--skip-errors"])
    out = capsys.readouterr()
    assert code == 0
    assert "新建 4 户 8 人" in out.out
    assert main(["import", path, "--village", "无此村", "--db", db]) == 2


def test_households_without_id_numbers_are_matched_by_head_name(
    archive: Archive, village: str, tmp_path: Path
) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "与户主关系", "出生年月", "备注"])
    ws.append(["钱老伯", "户主", "1940.05", "独居"])
    ws.append(["钱阿婆", "配偶", "1942年3月", None])
    wb.save(tmp_path / "无证.xlsx")
    plan = plan_for(archive, tmp_path / "无证.xlsx", village, "一组")
    assert archive.importer.run(plan).households_created == 1
    before = dump(archive)
    again = plan_for(archive, tmp_path / "无证.xlsx", village, "一组")
    (h,) = again.households
    assert (h.matched_by, h.action(False), h.changes) == ("户主姓名", "无变化", [])
    again.set_choice_all("update")
    archive.importer.run(again)
    assert dump(archive) == before


def test_a_plan_overtaken_by_a_new_filing_is_refused(archive: Archive, village: str, tmp_path: Path) -> None:
    plan = plan_for(archive, update_workbook(tmp_path / "更新.xlsx"), village, "一组")
    existing_household(archive, archive.importer.groups(village)[1][0])  # filed after the check
    before = dump(archive)
    with pytest.raises(DomainError, match=f"身份证号{re.escape(idcard.mask(ZHANG))}已在档案中"):
        archive.importer.run(plan)
    assert dump(archive) == before
