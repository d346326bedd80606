"""Text at the domain boundary: NFC, trimmed (also the full-width space), control characters refused
with a Chinese message naming the field, lengths from one declaration that the columns and forms agree
with — and the services apply it for the GUI, the command line and the import alike."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from accounts import raw_connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import String, select

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.text_input import FIELDS, TRIMMED, TextField, check_text, clean_text
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.households import ValidationFailed
from zhuji_archive.storage import models
from zhuji_archive.storage.models import Member
from zhuji_archive.views.household_file import MemberData

NAME = FIELDS["member"]["name"]
NOTES = FIELDS["member"]["notes"]
UI = Path(__file__).resolve().parent.parent / "ui"


# ---- the pure rules --------------------------------------------------------------------------------


def test_examples() -> None:
    assert check_text("\u3000张三\u3000 ", NAME) == "张三"
    assert check_text("Jose\u0301", NAME) == "José"  # NFC
    assert check_text(" 第一行\r\n第二行\t ", NOTES) == "第一行\n第二行"
    with pytest.raises(DomainError, match="“姓名”中有不可见的控制字符") as caught:
        check_text("张\x07\x1b三", NAME, "name")
    assert caught.value.field == "name"
    with pytest.raises(DomainError, match="“姓名”最多20个字，现有5000个字"):
        check_text("张" * 5000, NAME)
    with pytest.raises(DomainError, match="控制字符"):
        check_text("一行\n两行", NAME)  # a name holds no line break
    with pytest.raises(DomainError, match="控制字符"):
        check_text("张\ud800三", NAME)
    assert check_text("\ue000", NAME) == "\ue000"  # private use: rare name characters of old systems


@given(text=st.text(), multiline=st.booleans(), limit=st.integers(1, 40))
def test_any_text_is_either_cleaned_or_refused_in_chinese(text: str, multiline: bool, limit: int) -> None:
    field = TextField("备注", limit, multiline)
    try:
        value = check_text(text, field, "notes")
    except DomainError as error:
        assert error.field == "notes" and "“备注”" in error.message
        assert re.search(r"[A-Za-z]", error.message) is None
        return
    assert len(value) <= limit
    assert value == value.strip(TRIMMED)
    assert unicodedata.is_normalized("NFC", value)
    allowed = "\n\t" if multiline else ""
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in value)
    assert check_text(value, field) == value  # idempotent


# ---- one declaration: the columns and the forms agree ------------------------------------------------

MODELS = {
    "household": models.Household,
    "member": models.Member,
    "income": models.IncomeSource,
    "assistance": models.Assistance,
    "visit": models.Visit,
    "request": models.Request,
    "village": models.Village,
    "town": models.Town,
    "area": models.Area,
    "group": models.VillageGroup,
    "leader": models.VillageLeader,
    "party_member": models.PartyMember,
    "rep": models.VillagerRep,
    "event": models.VillageEvent,
    "enterprise": models.Enterprise,
    "cadre": models.Cadre,
    "classification": models.Request,
    "assignment": models.Request,
    "supervision": models.Request,
    "progress": models.RequestEvent,
    "resolution": models.Request,
    "explanation": models.Request,
    "feedback": models.RequestFeedback,
    "reopen": models.Request,
}
# Workflow payload fields stored under another column name.
COLUMN_OF = {
    ("assignment", "unit"): "responsible_unit",
    ("assignment", "person"): "responsible_person",
    ("assignment", "note"): "assignment_note",
    ("supervision", "body"): "supervising_body",
    ("progress", "content"): "note",
    ("explanation", "text"): "explanation",
    ("reopen", "reason"): "reopen_reason",
}
# Stored normalised and shorter than typed (spaces between digit groups are allowed in the form).
TYPED_LONGER = {("member", "id_number")}


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_columns_are_as_long_as_declared(kind: str) -> None:
    table = MODELS[kind].__table__
    for name, field in FIELDS[kind].items():
        column_type = table.columns[COLUMN_OF.get((kind, name), name)].type
        if isinstance(column_type, String) and column_type.length is not None:
            if (kind, name) in TYPED_LONGER:
                assert column_type.length <= field.max_length
            else:
                assert column_type.length == field.max_length, (kind, name)
        else:
            assert field.multiline, (kind, name)  # unbounded Text columns hold the multi-line fields


@pytest.mark.parametrize(
    ("form", "widget", "kind", "name"),
    [
        ("member_dialog.ui", "nameEdit", "member", "name"),
        ("member_dialog.ui", "idEdit", "member", "id_number"),
        ("member_dialog.ui", "phoneEdit", "member", "phone"),
        ("household_dialog.ui", "addressEdit", "household", "address"),
        ("household_dialog.ui", "phoneEdit", "household", "phone"),
    ],
)
def test_form_limits_are_the_declared_ones(form: str, widget: str, kind: str, name: str) -> None:
    text = (UI / form).read_text(encoding="utf-8")
    found = re.search(rf'name="{widget}"><property name="maxLength"><number>(\d+)</number>', text)
    assert found is not None
    assert int(found.group(1)) == FIELDS[kind][name].max_length


# ---- the services ---------------------------------------------------------------------------------


def new_family(archive: Archive, name: str) -> object:
    village = archive.importer.find_village("杜黄村")
    group = archive.importer.groups(village)[0][0]
    file = archive.households.new_file(group)
    file.members = [MemberData(name=name, relation="户主")]
    return file


def member_names(archive: Archive) -> list[str]:
    with archive.db.sessions() as session:
        return list(session.scalars(select(Member.name)))


def test_control_characters_and_overlong_names_are_refused_by_the_service(archive: Archive) -> None:
    with pytest.raises(ValidationFailed) as caught:
        archive.households.save(new_family(archive, "张\x07\x1b三"))
    problem = caught.value.problems[0]
    assert (problem.section, problem.row, problem.field) == ("members", 0, "name")
    assert problem.message == "“姓名”中有不可见的控制字符，请删除后再保存"
    with pytest.raises(ValidationFailed, match="“姓名”最多20个字，现有5000个字"):
        archive.households.save(new_family(archive, "张" * 5000))
    assert member_names(archive) == []
    archive.households.save(new_family(archive, "\u3000张三 "))
    assert member_names(archive) == ["张三"]


def test_other_records_are_checked_too(archive: Archive) -> None:
    household = archive.households.save(new_family(archive, "张三"))
    file = archive.households.load(household)
    file.address = "住址\x00"
    with pytest.raises(ValidationFailed, match="“住址”中有不可见的控制字符"):
        archive.households.save(file)
    with pytest.raises(DomainError, match="“诉求内容”中有不可见的控制字符"):
        archive.requests.record(household, "生活困难", "路灯\x1b坏了")
    with pytest.raises(DomainError, match="“走访干部”最多120个字"):
        archive.maintenance.record_visit(household, date.today(), "回访", "王" * 121)
    with pytest.raises(DomainError, match="“姓名”中有不可见的控制字符"):
        archive.organisation.add_cadre("李\x07", "驻村干部")
    with pytest.raises(DomainError, match="“村民小组名称”最多40个字"):
        archive.organisation.add_group(archive.importer.find_village("杜黄村"), "组" * 41)
    group = archive.organisation.add_group(archive.importer.find_village("杜黄村"), "\u3000三组\u3000")
    with pytest.raises(DomainError, match="“村民小组名称”中有不可见的控制字符"):
        archive.organisation.rename("group", group, "三\x1b组")
    village = archive.importer.find_village("杜黄村")
    info = archive.villages.load(village)
    info.notes = "备注\x07"
    with pytest.raises(DomainError, match="“备注”中有不可见的控制字符"):
        archive.villages.save(info)
    info = archive.villages.load(village)
    info.main_industries = "\u3000茶叶、苗木\u3000"
    archive.villages.save(info)
    assert archive.villages.load(village).main_industries == "茶叶、苗木"


SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(name=st.text(max_size=30))
def test_any_name_saves_normalised_or_is_refused_in_chinese(archive: Archive, name: str) -> None:
    try:
        expected = clean_text("member", "name", name)
    except DomainError:
        expected = None
    before = member_names(archive)
    try:
        household = archive.households.save(new_family(archive, name))
    except (ValidationFailed, DomainError) as error:
        assert re.search(r"[A-Za-z]{3}", error.message) is None
        assert member_names(archive) == before
        return
    assert expected is not None
    assert archive.households.load(household).members[0].name == expected


def test_rosters_survive_control_characters_already_in_an_archive(archive: Archive, tmp_path: Path) -> None:
    """Files saved before this check may hold them: both roster exports still complete."""
    archive.households.save(new_family(archive, "张三"))
    assert archive.db.path is not None
    raw = raw_connection(archive.db.path)
    raw.execute("UPDATE member SET name = ?", ("张\x07\x1b三",))
    raw.execute("UPDATE household SET head_name = ?, address = ?", ("张\x07\x1b三", "=1+1\x07"))
    raw.commit()
    raw.close()
    for kind in ("households", "members"):
        path = tmp_path / f"{kind}.xlsx"
        archive.exports.roster(path, kind)
        values = {c.value for row in load_workbook(path).active.iter_rows() for c in row}
        assert "张三" in values


def test_import_reports_control_characters_and_overlong_cells(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["姓名", "与户主关系", "家庭住址", "外出务工地点"])
    ws.append(["张三", "户主", "住址" * 50, None])
    ws.append(["李四", "户主", None, "杭州" * 40])
    ws.append(["王五", "户主", None, None])
    wb.save(path)
    importer = archive.importer
    sources = importer.read([path])
    importer.assign_groups(sources, importer.find_village("杜黄村"), "一组")
    plan = importer.plan(sources)
    found = [(p.row, p.column, p.reason) for p in plan.problems if p.blocking]
    assert found == [
        (2, "C", "“住址”最多80个字，现有100个字"),
        (3, "D", "“务工地点”最多60个字，现有80个字"),
    ]
    assert [h.head_name for h in plan.accepted()] == ["王五"]


def test_workflow_texts_are_checked(workflow_town) -> None:
    from zhuji_archive.domain.workflow import Action, Assignment, Classification, Level

    requests = workflow_town.archive.requests
    rid = requests.record(workflow_town.households["张建国"], "生活困难", "路灯坏了", date(2025, 9, 1))
    requests.act(rid, Action.SORT, Classification("生活困难", "个性", "立即可以解决", Level.VILLAGE))
    with pytest.raises(DomainError, match="“责任人”中有不可见的控制字符"):
        requests.act(rid, Action.ASSIGN, Assignment("村委会", "王\x07书记", date(2025, 10, 30)))
    with pytest.raises(DomainError, match="“责任单位”最多60个字"):
        requests.act(rid, Action.ASSIGN, Assignment("村" * 61, "王书记", date(2025, 10, 30)))
    detail = requests.act(rid, Action.ASSIGN, Assignment("\u3000村委会 ", "王书记", date(2025, 10, 30)))
    assert detail.row.responsible_unit == "村委会"
