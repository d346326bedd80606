"""HouseholdService against a real SQLite file: save/load, change history, validation, status, removal."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest
from accounts import detached_actor, open_archive
from sqlalchemy import func, select, update

from zhuji_archive.domain import idcard
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.history import display
from zhuji_archive.services.households import ValidationFailed
from zhuji_archive.storage.household_queries import HouseholdFilter
from zhuji_archive.storage.models import Cadre, ChangeLog, Household, HouseholdCode, Member
from zhuji_archive.views.history import ChangeEntry
from zhuji_archive.views.household_file import (
    AssistanceData,
    HouseholdFile,
    IncomeData,
    MemberData,
    RequestData,
    VisitData,
)

HEAD_ID = idcard.make("330681", date(1962, 4, 8), 11)  # man
SPOUSE_ID = idcard.make("330681", date(1964, 10, 1), 22)  # woman
OTHER_ID = idcard.make("330681", date(1990, 1, 20), 35)  # man


@pytest.fixture
def group_ids(archive: Archive) -> list[str]:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    return [group.id for group in village.children]


def family(archive: Archive, group_id: str) -> HouseholdFile:
    file = archive.households.new_file(group_id)
    file.address = "杜黄村12号"
    file.phone = "0575-87654321"
    file.economic_types = ["种植户", "打工户"]
    file.focus_tags = ["低保户"]
    file.notes = "老党员家庭"
    file.members = [
        MemberData(name=" 张建国 ", relation="户主", id_number=HEAD_ID, education="初中",
                   political_status="中共党员", health="慢性病", phone="138 0013 8000"),
        MemberData(name="李秀英", relation="配偶", id_number=SPOUSE_ID.lower(), health="残疾", disability_grade="三级"),
        MemberData(name="张伟", relation="子", sex="男", birth_date=date(2005, 3, 1), migrant_worker=True,
                   migrant_place="杭州"),
    ]
    file.incomes = [
        IncomeData(kind="承包土地", description="责任田", land_mu=2.5, annual_income=3000.0),
        IncomeData(kind="外出务工", months=10, annual_income=50000.0),
    ]
    file.assistance = [AssistanceData(date=date(2025, 5, 1), provider="镇民政办", kind="低保金", amount=1200.0)]
    file.visits = [
        VisitData(date=date(2025, 3, 1), kind="建档走访", cadres="王干部", notes="建档"),
        VisitData(date=date(2025, 9, 1), kind="半年大走访", cadres="王干部", policies="医保缴费"),
    ]
    file.requests = [RequestData(recorded_on=date(2025, 9, 1), category="生活困难", description="房屋漏雨")]
    return file


def single(archive: Archive, group_id: str, name: str, id_number: str = "", **member: object) -> HouseholdFile:
    file = archive.households.new_file(group_id)
    file.members = [MemberData(name=name, relation="户主", id_number=id_number, **member)]  # type: ignore[arg-type]
    return file


def household_row(archive: Archive, household_id: str) -> Household:
    with archive.db.sessions() as session:
        row = session.get(Household, household_id)
        assert row is not None
        return row


def changes(archive: Archive, household_id: str) -> list[ChangeEntry]:
    return archive.households.history(household_id)


def problem_places(error: ValidationFailed) -> set[tuple[str, int | None, str | None]]:
    return {(p.section, p.row, p.field) for p in error.problems}


# ---- create and reload ---------------------------------------------------------------------------


def test_new_file_numbers_and_context(archive: Archive, group_ids: list[str]) -> None:
    first = archive.households.new_file(group_ids[0])
    assert (first.id, first.number) == (None, 1)
    assert (first.town_name, first.village_name, first.group_name) == ("安华镇", "杜黄村", "一组")
    archive.households.save(single(archive, group_ids[0], "王一"))
    archive.households.save(single(archive, group_ids[0], "王二"))
    assert archive.households.new_file(group_ids[0]).number == 3
    assert archive.households.new_file(group_ids[1]).number == 1
    assert archive.households.new_file(group_ids[1]).group_name == "二组"


def test_new_file_in_unknown_group_is_refused(archive: Archive) -> None:
    with pytest.raises(DomainError):
        archive.households.new_file("0" * 32)


def test_create_and_reload_round_trip(archive: Archive, group_ids: list[str]) -> None:
    file = family(archive, group_ids[0])
    household_id = archive.households.save(file)
    assert file.id == household_id

    loaded = archive.households.load(household_id)
    assert (loaded.group_id, loaded.number, loaded.status) == (group_ids[0], 1, "在册")
    assert (loaded.address, loaded.phone, loaded.notes) == ("杜黄村12号", "0575-87654321", "老党员家庭")
    assert loaded.economic_types == sorted(["种植户", "打工户"])
    assert loaded.focus_tags == ["低保户"]

    head, spouse, son = loaded.members
    assert all(m.id is not None for m in loaded.members)
    assert (head.name, head.relation, head.id_number) == ("张建国", "户主", HEAD_ID)
    assert (head.sex, head.birth_date) == ("男", date(1962, 4, 8))  # derived from the ID number
    assert (head.education, head.political_status, head.health) == ("初中", "中共党员", "慢性病")
    assert head.phone == "13800138000"
    assert (spouse.id_number, spouse.sex, spouse.birth_date) == (SPOUSE_ID, "女", date(1964, 10, 1))
    assert (spouse.health, spouse.disability_grade) == ("残疾", "三级")
    assert (son.id_number, son.sex, son.birth_date) == ("", "男", date(2005, 3, 1))
    assert (son.migrant_worker, son.migrant_place) == (True, "杭州")
    assert loaded.head is not None and loaded.head.name == "张建国"

    incomes = {i.kind: i for i in loaded.incomes}
    assert len(incomes) == 2
    land, migrant = incomes["承包土地"], incomes["外出务工"]
    assert (land.kind, land.description, land.land_mu, land.annual_income) == ("承包土地", "责任田", 2.5, 3000.0)
    assert (migrant.kind, migrant.months, migrant.annual_income) == ("外出务工", 10, 50000.0)
    (aid,) = loaded.assistance
    assert (aid.date, aid.provider, aid.provider_type, aid.kind, aid.amount) == (
        date(2025, 5, 1), "镇民政办", "政府部门", "低保金", 1200.0)
    assert [(v.date, v.kind) for v in loaded.visits] == [(date(2025, 9, 1), "半年大走访"), (date(2025, 3, 1), "建档走访")]
    assert loaded.visits[0].policies == "医保缴费"
    (request,) = loaded.requests
    assert (request.recorded_on, request.category, request.description, request.status) == (
        date(2025, 9, 1), "生活困难", "房屋漏雨", "登记")
    assert archive.households.per_capita_income(loaded) == 17667  # 53,000 yuan / 3 members, whole yuan


def test_reload_through_a_second_connection(archive: Archive, group_ids: list[str], tmp_path) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    archive.close()
    again = open_archive(tmp_path / "archive.sqlite3", "另一人")
    try:
        loaded = again.households.load(household_id)
        assert [m.name for m in loaded.members] == ["张建国", "李秀英", "张伟"]
    finally:
        again.close()


def test_denormalised_columns_follow_the_records(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    row = household_row(archive, household_id)
    assert (row.head_name, row.head_pinyin, row.member_count) == ("张建国", "zhangjianguo", 3)
    assert row.economic_types == "、".join(sorted(["打工户", "种植户"]))
    assert row.focus_tags == "低保户"
    assert row.last_visit_date == date(2025, 9, 1)
    assert row.village_id is not None

    file = archive.households.load(household_id)
    newest = next(v for v in file.visits if v.date == date(2025, 9, 1))
    newest.removed = True
    file.members[2].removed = True
    file.economic_types = ["加工户"]
    file.focus_tags = []
    archive.households.save(file)
    row = household_row(archive, household_id)
    assert row.member_count == 2
    assert row.economic_types == "加工户"
    assert row.focus_tags == ""
    assert row.last_visit_date == date(2025, 3, 1)

    # a new head after the old one leaves
    file = archive.households.load(household_id)
    file.members[0].removed = True
    file.members[1].relation = "户主"
    file.visits = [VisitData(date=date.today(), kind="回访")] + file.visits
    archive.households.save(file)
    row = household_row(archive, household_id)
    assert (row.head_name, row.head_pinyin, row.member_count) == ("李秀英", "lixiuying", 1)
    assert row.last_visit_date == date.today()
    with archive.db.sessions() as session:
        codes = set(session.execute(
            select(HouseholdCode.kind, HouseholdCode.label).where(HouseholdCode.household_id == household_id)))
    assert codes == {("economic_type", "加工户")}


# ---- change history ------------------------------------------------------------------------------


def test_creation_is_logged_with_operator(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    entries = changes(archive, household_id)
    assert entries
    assert {e.operator for e in entries} == {"测试员"}
    assert {e.action for e in entries} == {"新增"}
    assert any(e.entity == "户" and e.note == "建立户档案" for e in entries)
    assert any(e.entity == "成员" and e.field == "身份证号" and e.new_value == HEAD_ID for e in entries)
    assert any(e.entity == "户" and e.field == "经济类型" and set(e.new_value.split("、")) == {"种植户", "打工户"}
               for e in entries)


def test_edit_records_who_field_old_and_new(archive: Archive, group_ids: list[str], tmp_path) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    before = {(e.action, e.entity, e.field, e.old_value, e.new_value) for e in changes(archive, household_id)}

    clerk = open_archive(tmp_path / "archive.sqlite3", "李会计")
    try:
        file = clerk.households.load(household_id)
        file.address = "杜黄村15号"
        file.members[1].phone = "13912345678"
        migrant = next(i for i in file.incomes if i.kind == "外出务工")
        migrant.annual_income = 1000001.0
        file.focus_tags = ["低保户", "残疾人户"]
        clerk.households.save(file)
    finally:
        clerk.close()

    new = [e for e in changes(archive, household_id)
           if (e.action, e.entity, e.field, e.old_value, e.new_value) not in before]
    assert {e.operator for e in new} == {"李会计"}
    lines = {(e.action, e.entity, e.field, e.old_value, e.new_value) for e in new}
    assert ("修改", "户", "住址", "杜黄村12号", "杜黄村15号") in lines
    assert ("修改", "成员", "联系电话", "", "13912345678") in lines
    assert ("修改", "经济来源", "年收入(元)", "50000", "1000001") in lines
    assert ("修改", "户", "重点关注", "低保户", "、".join(sorted(["低保户", "残疾人户"]))) in lines
    assert len(lines) == 4  # unchanged fields are not logged

    reloaded = archive.households.load(household_id)
    assert reloaded.address == "杜黄村15号"
    assert next(i for i in reloaded.incomes if i.kind == "外出务工").annual_income == 1000001.0


def test_saving_unchanged_file_logs_nothing(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    count = len(changes(archive, household_id))
    archive.households.save(archive.households.load(household_id))
    assert len(changes(archive, household_id)) == count


def test_small_amount_changes_are_saved_and_logged(archive: Archive, group_ids: list[str]) -> None:
    file = family(archive, group_ids[0])
    file.incomes[0].annual_income = 123456.25
    household_id = archive.households.save(file)
    file = archive.households.load(household_id)
    land = next(i for i in file.incomes if i.kind == "承包土地")
    land.annual_income = 123456.5
    archive.households.save(file)
    reloaded = archive.households.load(household_id)
    assert next(i for i in reloaded.incomes if i.kind == "承包土地").annual_income == 123456.5
    assert any(e.field == "年收入(元)" and e.old_value == "123456.25" and e.new_value == "123456.5"
               for e in changes(archive, household_id))


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (True, "是"), (False, "否"), (date(2025, 1, 2), "2025-01-02"), (1234567.0, "1234567"),
     (0.1, "0.1"), (2.5, "2.5"), (["a", "b"], "a、b"), (7, "7"), ("x", "x")],
)
def test_history_display(value: object, text: str) -> None:
    assert display(value) == text


def test_responsible_cadre_change_is_logged_by_name(archive: Archive, group_ids: list[str]) -> None:
    with archive.db.transaction() as session:
        cadre = Cadre(name="王驻村", kind="驻村干部")
        session.add(cadre)
        session.flush()
        cadre_id = cadre.id
    household_id = archive.households.save(single(archive, group_ids[0], "赵大"))
    file = archive.households.load(household_id)
    file.responsible_cadre_id = cadre_id
    archive.households.save(file)
    assert archive.households.load(household_id).responsible_cadre_id == cadre_id
    assert any(e.field == "责任干部" and e.old_value == "" and e.new_value == "王驻村"
               for e in changes(archive, household_id))


# ---- one head, IDs -------------------------------------------------------------------------------


def household_count(archive: Archive) -> int:
    with archive.db.sessions() as session:
        return session.scalar(select(func.count()).select_from(Household)) or 0


@pytest.mark.parametrize("relations", [("配偶", "子"), ("户主", "户主")])
def test_one_head_rule(archive: Archive, group_ids: list[str], relations: tuple[str, str]) -> None:
    file = archive.households.new_file(group_ids[0])
    file.members = [MemberData(name="甲", relation=relations[0]), MemberData(name="乙", relation=relations[1])]
    with pytest.raises(ValidationFailed) as caught:
        archive.households.save(file)
    heads = [p for p in caught.value.problems if p.field == "relation"]
    assert heads and all(p.section == "members" for p in heads)
    assert "户主" in heads[0].message
    assert household_count(archive) == 0
    assert file.id is None


def test_removing_the_only_head_is_refused(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    file = archive.households.load(household_id)
    file.members[0].removed = True
    with pytest.raises(ValidationFailed) as caught:
        archive.households.save(file)
    assert ("members", None, "relation") in problem_places(caught.value)
    assert household_row(archive, household_id).head_name == "张建国"


def test_same_id_twice_in_one_household(archive: Archive, group_ids: list[str]) -> None:
    file = single(archive, group_ids[0], "甲", HEAD_ID)
    file.members.append(MemberData(name="乙", relation="子", id_number=HEAD_ID))
    with pytest.raises(ValidationFailed) as caught:
        archive.households.save(file)
    assert ("members", None, "id_number") in problem_places(caught.value)


def test_duplicate_active_id_in_another_household(archive: Archive, group_ids: list[str]) -> None:
    first_id = archive.households.save(family(archive, group_ids[0]))
    second = single(archive, group_ids[1], "王小明")
    second.members.append(MemberData(name="张建国", relation="父亲", id_number=HEAD_ID))
    with pytest.raises(ValidationFailed) as caught:
        archive.households.save(second)
    (problem,) = [p for p in caught.value.problems if p.field == "id_number"]
    assert (problem.section, problem.row) == ("members", 1)
    assert "杜黄村一组第1户" in problem.message
    # the other household's people are not named to whoever types this ID number here
    assert "张建国" not in problem.message and "李秀英" not in problem.message
    assert HEAD_ID in problem.message

    # once the first household has moved away, the person may be registered here
    archive.households.set_status(first_id, "迁出", "全家迁往诸暨城区")
    second_id = archive.households.save(second)
    assert archive.households.load(second_id).members[1].id_number == HEAD_ID

    # ... and then the first household cannot come back to 在册 while the ID is held here
    with pytest.raises(ValidationFailed) as caught:
        archive.households.set_status(first_id, "在册", "")
    assert any("杜黄村二组第1户" in p.message for p in caught.value.problems)
    assert not any("王小明" in p.message for p in caught.value.problems)
    assert household_row(archive, first_id).status == "迁出"


def test_removed_member_does_not_hold_the_id(archive: Archive, group_ids: list[str]) -> None:
    first_id = archive.households.save(family(archive, group_ids[0]))
    file = archive.households.load(first_id)
    spouse = next(m for m in file.members if m.id_number == SPOUSE_ID)
    spouse.removed = True
    archive.households.save(file)
    archive.households.save(single(archive, group_ids[1], "李秀英", SPOUSE_ID))


# ---- status --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["迁出", "合户", "注销"])
def test_set_status_requires_a_note(archive: Archive, group_ids: list[str], status: str) -> None:
    household_id = archive.households.save(single(archive, group_ids[0], "孙一"))
    for note in ("", "   "):
        with pytest.raises(DomainError) as caught:
            archive.households.set_status(household_id, status, note)
        assert caught.value.field == "status_note"
        assert status in str(caught.value)
    assert household_row(archive, household_id).status == "在册"


def test_set_status_refuses_unknown_status(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(single(archive, group_ids[0], "孙一"))
    with pytest.raises(DomainError):
        archive.households.set_status(household_id, "失踪", "不知去向")


def test_set_status_keeps_the_file_and_logs(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    archive.households.set_status(household_id, "合户", "  并入张伟户 ")
    file = archive.households.load(household_id)
    assert (file.status, file.status_note) == ("合户", "并入张伟户")
    assert len(file.members) == 3
    lines = {(e.action, e.field, e.old_value, e.new_value) for e in changes(archive, household_id)}
    assert ("修改", "状态", "在册", "合户") in lines
    assert ("修改", "状态说明", "", "并入张伟户") in lines
    assert archive.household_list.count(HouseholdFilter()) == 0
    assert archive.household_list.count(HouseholdFilter(status="合户")) == 1


# ---- removal -------------------------------------------------------------------------------------


def test_removing_a_member_keeps_the_row(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    file = archive.households.load(household_id)
    son = file.members[2]
    son.removed = True
    archive.households.save(file)

    with archive.db.sessions() as session:
        row = session.get(Member, son.id)
        assert row is not None
        assert row.removed is True
        assert row.name == "张伟"
        total = session.scalar(select(func.count()).select_from(Member).where(Member.household_id == household_id))
    assert total == 3
    assert [m.name for m in archive.households.load(household_id).members] == ["张建国", "李秀英"]
    deletions = [e for e in changes(archive, household_id) if e.action == "删除"]
    assert len(deletions) == 1
    assert (deletions[0].entity, deletions[0].operator) == ("成员", "测试员")
    assert "张伟" in deletions[0].note


def test_new_row_marked_removed_is_not_written(archive: Archive, group_ids: list[str]) -> None:
    file = single(archive, group_ids[0], "钱一")
    file.members.append(MemberData(name="钱二", relation="子", removed=True))
    household_id = archive.households.save(file)
    with archive.db.sessions() as session:
        names = session.scalars(select(Member.name).where(Member.household_id == household_id)).all()
    assert names == ["钱一"]


def test_removed_visit_and_income_are_flagged_deleted(archive: Archive, group_ids: list[str]) -> None:
    household_id = archive.households.save(family(archive, group_ids[0]))
    file = archive.households.load(household_id)
    for row in (*file.incomes, *file.visits):
        row.removed = True
    archive.households.save(file)
    reloaded = archive.households.load(household_id)
    assert reloaded.incomes == [] and reloaded.visits == []
    assert household_row(archive, household_id).last_visit_date is None
    entities = [e.entity for e in changes(archive, household_id) if e.action == "删除"]
    assert sorted(entities) == sorted(["经济来源", "经济来源", "走访", "走访"])


def test_member_of_another_household_cannot_be_saved_here(archive: Archive, group_ids: list[str]) -> None:
    first = archive.households.load(archive.households.save(family(archive, group_ids[0])))
    second_id = archive.households.save(single(archive, group_ids[1], "周一"))
    second = archive.households.load(second_id)
    stolen = first.members[2]
    second.members.append(stolen)
    with pytest.raises(DomainError):
        archive.households.save(second)
    assert len(archive.households.load(second_id).members) == 1


# ---- validation ----------------------------------------------------------------------------------


def test_record_validation_problems_are_all_reported(archive: Archive, group_ids: list[str]) -> None:
    file = single(archive, group_ids[0], "吴一")
    file.incomes = [
        IncomeData(kind="承包土地", land_mu=-1.0, annual_income=-5.0),
        IncomeData(kind="", months=13),
        IncomeData(kind="外出务工", months=-1, removed=True),  # removed rows are not checked
    ]
    file.assistance = [
        AssistanceData(date=date(2025, 1, 1), provider="  ", amount=-100.0),
        AssistanceData(date=None, provider="市慈善总会", amount=0.0),
    ]
    file.visits = [
        VisitData(date=date.today() + timedelta(days=1), kind="回访"),
        VisitData(date=date.today(), kind="串门"),
        VisitData(date=None, kind="回访"),
    ]
    file.requests = [RequestData(recorded_on=None, category="", description="  ")]
    with pytest.raises(ValidationFailed) as caught:
        archive.households.save(file)
    assert problem_places(caught.value) == {
        ("incomes", 0, "land_mu"), ("incomes", 0, "annual_income"),
        ("incomes", 1, "kind"), ("incomes", 1, "months"),
        ("assistance", 0, "provider"), ("assistance", 0, "amount"), ("assistance", 1, "date"),
        ("visits", 0, "date"), ("visits", 1, "kind"), ("visits", 2, "date"),
        ("requests", 0, "recorded_on"), ("requests", 0, "category"), ("requests", 0, "description"),
    }
    messages = {(p.section, p.row, p.field): p.message for p in caught.value.problems}
    assert "负数" in messages[("incomes", 0, "annual_income")]
    assert "帮扶单位" in messages[("assistance", 0, "provider")]
    assert "今天" in messages[("visits", 0, "date")]
    assert str(caught.value) == caught.value.problems[0].message
    assert household_count(archive) == 0


def test_member_and_household_field_problems(archive: Archive, group_ids: list[str]) -> None:
    file = archive.households.new_file(group_ids[0])
    file.number = 0
    file.phone = "12345"
    file.members = [
        MemberData(name="郑一", relation="户主", id_number=HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")),
        MemberData(name="  ", relation="子"),
        MemberData(name="郑三", relation=""),
        MemberData(name="郑四", relation="女", phone="555"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        archive.households.save(file)
    assert problem_places(caught.value) == {
        ("household", None, "number"), ("household", None, "phone"),
        ("members", 0, "id_number"), ("members", 1, "name"), ("members", 2, "relation"), ("members", 3, "phone"),
    }


def test_id_number_wins_over_typed_sex_and_birth(archive: Archive, group_ids: list[str]) -> None:
    file = single(archive, group_ids[0], "冯一", SPOUSE_ID, sex="男", birth_date=date(1970, 1, 1))
    household_id = archive.households.save(file)
    (member,) = archive.households.load(household_id).members
    assert (member.sex, member.birth_date) == ("女", date(1964, 10, 1))


def test_disability_grade_is_cleared_unless_disabled(archive: Archive, group_ids: list[str]) -> None:
    file = single(archive, group_ids[0], "冯二", health="健康", disability_grade="二级")
    (member,) = archive.households.load(archive.households.save(file)).members
    assert member.disability_grade == ""


def test_load_unknown_household(archive: Archive) -> None:
    with pytest.raises(DomainError):
        archive.households.load("f" * 32)


def test_history_is_only_of_that_household(archive: Archive, group_ids: list[str]) -> None:
    first = archive.households.save(family(archive, group_ids[0]))
    second = archive.households.save(single(archive, group_ids[1], "陈二"))
    with archive.db.sessions() as session:
        total = session.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.household_id.is_not(None))) or 0
    assert len(changes(archive, first)) + len(changes(archive, second)) == total
    assert all("陈二" not in e.new_value for e in changes(archive, first))


@pytest.mark.parametrize("dot", ["·", "•", "‧", "・", "．", "　", "-"])
def test_a_minority_name_with_a_middle_dot_is_found_by_its_pinyin(
    archive: Archive, group_ids: list[str], dot: str
) -> None:
    name = f"艾力{dot}买买提"
    household_id = archive.households.save(single(archive, group_ids[0], name))
    queries = ["almmt", "ALMMT", "ailimaimaiti", "ailimai", "ai-li"]
    if unicodedata.normalize("NFKC", dot) == dot:  # a typed name is folded (．→. 　→ space) before it is compared
        queries.append(name)
    for query in queries:
        flt = HouseholdFilter(text=query, status=None)
        assert [r.id for r in archive.household_list.page(flt, None, 50)] == [household_id], query


def test_keys_saved_under_the_old_rule_are_recomputed(archive: Archive, group_ids: list[str]) -> None:
    from zhuji_archive.storage.search_key_backfill import recompute_name_keys

    dotted = archive.households.save(single(archive, group_ids[0], "艾力·买买提"))
    plain = archive.households.save(single(archive, group_ids[0], "张建国"))
    with archive.db.transaction() as session:  # what a file saved before the fix holds
        session.execute(update(Member).where(Member.household_id == dotted)
                        .values(name_pinyin="aili·maimaiti", name_initials="al·mmt"))
        session.execute(update(Household).where(Household.id == dotted).values(head_pinyin="aili·maimaiti"))
    assert not archive.household_list.page(HouseholdFilter(text="almmt"), None, 50)
    with archive.db.engine.begin() as connection:
        assert recompute_name_keys(connection) == 2  # the member row and the household's head key
    with archive.db.engine.begin() as connection:
        assert recompute_name_keys(connection) == 0
    assert [r.id for r in archive.household_list.page(HouseholdFilter(text="almmt"), None, 50)] == [dotted]
    assert household_row(archive, dotted).head_pinyin == "ailimaimaiti"
    assert household_row(archive, plain).head_pinyin == "zhangjianguo"


@pytest.mark.file_archive  # an old file's upgrade; a hub is created at the current schema
def test_opening_a_file_from_before_the_rule_recomputes_its_keys(archive: Archive, group_ids: list[str]) -> None:
    """Migration 0007 runs the recomputation when an archive written at 0006 is opened."""
    from alembic import command

    from zhuji_archive.storage import cipher
    from zhuji_archive.storage.database import alembic_config, make_engine, open_database

    dotted = archive.households.save(single(archive, group_ids[0], "艾力·买买提"))
    path = archive.db.path
    key = archive.db.key
    archive.close()
    url = f"sqlite:///{path}"
    engine = make_engine(url, key)
    config = alembic_config(url)
    with engine.begin() as connection:  # the file as the version before the rule left it
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    engine.dispose()
    conn = cipher.connect(path, key)
    conn.execute("UPDATE member SET name_pinyin = 'aili·maimaiti', name_initials = 'al·mmt'")
    conn.execute("UPDATE household SET head_pinyin = 'aili·maimaiti'")
    conn.commit()
    conn.close()
    db = open_database(path, key)
    try:
        reopened = Archive(db, detached_actor())  # the downgrade below 0009 emptied the accounts
        assert [r.id for r in reopened.household_list.page(HouseholdFilter(text="almmt"), None, 50)] == [dotted]
        assert household_row(reopened, dotted).head_pinyin == "ailimaimaiti"
    finally:
        db.close()
