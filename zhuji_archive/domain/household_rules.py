"""The rules a household file must meet before it is saved, as far as they need no database: one head,
relations, ID numbers within the file, dates not in the future, amounts and months in range, texts.

They read (and normalise in place) any objects with the household file's fields: the services pass
the read-models of views/; the checks that need the archive (an ID number held by another household,
versions) stay in the services."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from zhuji_archive.domain import household as rules
from zhuji_archive.domain.codes import ACTIVE_HOUSEHOLD_STATUS, HOUSEHOLD_STATUSES, VISIT_KINDS
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.text_input import clean_record

NEGATIVE_LABELS = {"land_mu": "面积(亩)", "months": "务工月数", "annual_income": "年收入(元)"}
TEXT_SECTIONS = {
    "members": "member",
    "incomes": "income",
    "assistance": "assistance",
    "visits": "visit",
    "requests": "request",
}


@dataclass(frozen=True)
class FieldProblem:
    """A validation problem located in the file: section (e.g. "members"), row index, field, message."""

    section: str
    row: int | None
    field: str | None
    message: str


class MemberFields(Protocol):
    """What the rules read and normalise of a member."""

    name: str
    relation: str
    id_number: str
    sex: str
    birth_date: date | None
    phone: str
    health: str
    disability_grade: str
    migrant_worker: bool
    migrant_place: str
    removed: bool


class HouseholdFields(Protocol):
    """What the rules read of a household file (its rows are read through ``getattr`` by section)."""

    number: int
    phone: str
    status: str

    @property
    def members(self) -> Sequence[MemberFields]: ...

    @property
    def incomes(self) -> Sequence[Any]: ...

    @property
    def assistance(self) -> Sequence[Any]: ...

    @property
    def visits(self) -> Sequence[Any]: ...

    @property
    def requests(self) -> Sequence[Any]: ...


def normalise_member(member: MemberFields) -> list[str]:
    """Normalise one member in place (ID, sex, birth date, phone); return warnings; raise on errors."""
    if not member.name.strip():
        raise DomainError("请填写姓名", "name")
    member.name = member.name.strip()
    if not member.relation:
        raise DomainError("请选择与户主关系", "relation")
    check = rules.check_member_identity(member.id_number, member.sex, member.birth_date)
    member.id_number, member.sex, member.birth_date = check.id_number, check.sex, check.birth_date
    member.phone = rules.normalize_phone(member.phone)
    if member.health != "残疾":
        member.disability_grade = ""
    member.migrant_place = member.migrant_place.strip() if member.migrant_worker else ""
    return list(check.warnings)


def text_problems(file: Any) -> list[FieldProblem]:
    """Normalise every text of the file in place; return the texts that cannot be saved."""
    problems = [FieldProblem("household", None, e.field, e.message) for e in clean_record("household", file)]
    for section, kind in TEXT_SECTIONS.items():
        for index, row in enumerate(getattr(file, section)):
            if row.removed:
                continue
            for error in clean_record(kind, row):
                problems.append(FieldProblem(section, index, error.field, error.message))
    return problems


def file_problems(file: HouseholdFields, today: date) -> list[FieldProblem]:
    """Every problem of the file the rules alone can see, normalising what can be normalised."""
    problems: list[FieldProblem] = []

    def guard(section: str, row: int | None, action: Callable[[], object]) -> None:
        try:
            action()
        except DomainError as error:
            problems.append(FieldProblem(section, row, error.field, error.message))

    if file.number <= 0:
        problems.append(FieldProblem("household", None, "number", "户号须为正整数"))

    def set_phone() -> None:
        file.phone = rules.normalize_phone(file.phone)

    guard("household", None, set_phone)
    if file.status not in HOUSEHOLD_STATUSES:
        problems.append(FieldProblem("household", None, "status", f"状态“{file.status}”无效"))
    members = [m for m in file.members if not m.removed]
    for index, member in enumerate(file.members):
        if not member.removed:
            guard("members", index, lambda m=member: normalise_member(m))  # type: ignore[misc]
    if file.status == ACTIVE_HOUSEHOLD_STATUS or members:
        guard("members", None, lambda: rules.check_single_head([m.relation for m in members]))
    guard("members", None, lambda: rules.check_unique_ids([m.id_number for m in members]))
    for index, income in enumerate(file.incomes):
        if income.removed:
            continue
        if not income.kind:
            problems.append(FieldProblem("incomes", index, "kind", "请选择收入来源"))
        for name in ("land_mu", "annual_income", "months"):
            value = getattr(income, name)
            if value is not None and value < 0:
                problems.append(FieldProblem("incomes", index, name, f"{NEGATIVE_LABELS[name]}不能为负数"))
        if income.months is not None and income.months > 12:
            problems.append(FieldProblem("incomes", index, "months", "务工月数不能超过12"))
    for index, aid in enumerate(file.assistance):
        if aid.removed:
            continue
        if aid.date is None:
            problems.append(FieldProblem("assistance", index, "date", "请填写帮扶日期"))
        if not aid.provider.strip():
            problems.append(FieldProblem("assistance", index, "provider", "请填写帮扶单位"))
        if aid.amount is not None and aid.amount < 0:
            problems.append(FieldProblem("assistance", index, "amount", "金额不能为负数"))
    for index, visit in enumerate(file.visits):
        if visit.removed:
            continue
        if visit.date is None or visit.date > today:
            problems.append(FieldProblem("visits", index, "date", "走访日期须填写且不能晚于今天"))
        if visit.kind not in VISIT_KINDS:
            problems.append(FieldProblem("visits", index, "kind", "请选择走访类型"))
    for index, req in enumerate(file.requests):
        if req.removed and req.id is not None and req.status != "登记":
            problems.append(
                FieldProblem(
                    "requests",
                    index,
                    None,
                    f"诉求已进入“{req.status}”，不能删除；如登记有误请在诉求办理中说明",
                )
            )
        if req.removed:
            continue
        if req.recorded_on is None:
            problems.append(FieldProblem("requests", index, "recorded_on", "请填写诉求登记日期"))
        if not req.category:
            problems.append(FieldProblem("requests", index, "category", "请选择诉求类别"))
        if not req.description.strip():
            problems.append(FieldProblem("requests", index, "description", "请填写诉求内容"))
    return problems
