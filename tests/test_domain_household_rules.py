"""The household file's rules that need no database, tested on plain read-models without an archive."""

from __future__ import annotations

from datetime import date

import pytest

from zhuji_archive.domain import idcard
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.household_rules import FieldProblem, file_problems, normalise_member, text_problems
from zhuji_archive.views.household_file import (
    AssistanceData,
    HouseholdFile,
    IncomeData,
    MemberData,
    RequestData,
    VisitData,
)

TODAY = date(2026, 5, 20)
HEAD_ID = idcard.make("330681", date(1962, 4, 3), 15)  # odd sequence: a man


def file_with(*members: MemberData, status: str = "在册") -> HouseholdFile:
    return HouseholdFile(id=None, group_id="g", number=1, status=status, members=list(members))


def where(problems: list[FieldProblem]) -> list[tuple[str, int | None, str | None]]:
    return [(p.section, p.row, p.field) for p in problems]


def test_a_good_file_has_no_problems() -> None:
    file = file_with(MemberData(name="张建国", relation="户主", id_number=HEAD_ID), MemberData(name="李秀英", relation="配偶"))
    file.visits = [VisitData(date=TODAY, kind="回访")]
    assert file_problems(file, TODAY) == []


def test_one_head_exactly() -> None:
    none = file_problems(file_with(MemberData(name="李秀英", relation="配偶")), TODAY)
    assert where(none) == [("members", None, "relation")]
    two = file_problems(file_with(MemberData(name="甲", relation="户主"), MemberData(name="乙", relation="户主")), TODAY)
    assert [p.message for p in two] == ["一户只能有一名户主，现有2名"]
    removed_head = MemberData(name="乙", relation="户主", removed=True)
    assert file_problems(file_with(MemberData(name="甲", relation="户主"), removed_head), TODAY) == []
    # a household moved away without members may be kept as it is
    assert file_problems(file_with(status="迁出"), TODAY) == []


def test_an_id_number_once_per_file() -> None:
    file = file_with(MemberData(name="甲", relation="户主", id_number=HEAD_ID), MemberData(name="乙", relation="子", id_number=HEAD_ID))
    assert where(file_problems(file, TODAY)) == [("members", None, "id_number")]


def test_a_visit_cannot_be_later_than_the_given_today() -> None:
    file = file_with(MemberData(name="甲", relation="户主"))
    file.visits = [VisitData(date=date(2026, 5, 21), kind="回访"), VisitData(date=TODAY, kind="随便看看")]
    assert where(file_problems(file, TODAY)) == [("visits", 0, "date"), ("visits", 1, "kind")]
    assert where(file_problems(file, date(2026, 5, 21))) == [("visits", 1, "kind")]


def test_amounts_months_and_required_fields() -> None:
    file = file_with(MemberData(name="甲", relation="户主"))
    file.number = 0
    file.incomes = [IncomeData(kind="", annual_income=-1, months=13), IncomeData(kind="务工", months=-2, removed=True)]
    file.assistance = [AssistanceData(date=None, provider=" ", amount=-5)]
    file.requests = [RequestData(recorded_on=None, category="", description=" "),
                     RequestData(id="r1", status="办理中", removed=True)]
    assert where(file_problems(file, TODAY)) == [
        ("household", None, "number"),
        ("incomes", 0, "kind"), ("incomes", 0, "annual_income"), ("incomes", 0, "months"),
        ("assistance", 0, "date"), ("assistance", 0, "provider"), ("assistance", 0, "amount"),
        ("requests", 0, "recorded_on"), ("requests", 0, "category"), ("requests", 0, "description"),
        ("requests", 1, None),
    ]


def test_a_member_is_normalised_in_place() -> None:
    member = MemberData(name=" 张建国 ", relation="户主", id_number=HEAD_ID.lower(), health="健康",
                        disability_grade="二级", migrant_place="杭州")
    assert normalise_member(member) == []
    assert (member.name, member.sex, member.birth_date) == ("张建国", "男", date(1962, 4, 3))
    assert (member.disability_grade, member.migrant_place) == ("", "")
    with pytest.raises(DomainError) as error:
        normalise_member(MemberData(name="  ", relation="户主"))
    assert error.value.field == "name"
    with pytest.raises(DomainError) as error:
        normalise_member(MemberData(name="张三", relation=""))
    assert error.value.field == "relation"


def test_texts_are_checked_in_every_section() -> None:
    file = file_with(MemberData(name="张\x07三", relation="户主"))
    file.visits = [VisitData(date=TODAY, kind="回访", notes="走访\x00记录")]
    assert where(text_problems(file)) == [("members", 0, "name"), ("visits", 0, "notes")]
    file.visits[0].removed = True
    assert where(text_problems(file)) == [("members", 0, "name")]
