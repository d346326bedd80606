"""Queries behind the printed books and the Excel rosters: streamed roster rows in archive order
(village, group, household number) and household files loaded in batches rather than one by one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, null, select
from sqlalchemy.orm import Session

from zhuji_archive.domain.codes import ACTIVE_HOUSEHOLD_STATUS, HEAD_RELATION
from zhuji_archive.storage.models import (
    Area,
    Assistance,
    Cadre,
    Household,
    HouseholdCode,
    IncomeSource,
    Member,
    Request,
    Town,
    Village,
    VillageGroup,
    Visit,
)

STREAM_BATCH = 2000


@dataclass(frozen=True)
class Scope:
    """Which households: the whole archive, one area, one village or one group (在册 only)."""

    village_id: str | None = None
    group_id: str | None = None
    area_id: str | None = None
    villages: frozenset[str] | None = None  # the account's scope (set by the service); None: all


@dataclass(frozen=True)
class ScopeNames:
    town: str
    village: str
    group: str


def _scoped(query: Select[Any], scope: Scope) -> Select[Any]:
    query = query.where(Household.status == ACTIVE_HOUSEHOLD_STATUS)
    if scope.villages is not None:
        query = query.where(Household.village_id.in_(sorted(scope.villages)))
    if scope.group_id:
        query = query.where(Household.group_id == scope.group_id)
    elif scope.village_id:
        query = query.where(Household.village_id == scope.village_id)
    elif scope.area_id:
        query = query.where(
            Household.village_id.in_(select(Village.id).where(Village.area_id == scope.area_id))
        )
    return query


def _with_tag(query: Select[Any], tag: str | None) -> Select[Any]:
    if tag is None:
        return query
    tagged = select(HouseholdCode.household_id).where(
        HouseholdCode.kind == "focus_tag", HouseholdCode.label == tag
    )
    return query.where(Household.id.in_(tagged))


def _stream(session: Session, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    result = session.connection().execute(query.execution_options(yield_per=STREAM_BATCH))
    for partition in result.partitions():
        yield from partition


# ---- names and look-ups ----------------------------------------------------------------------


def villages_named(session: Session, name: str) -> list[tuple[str, str]]:
    return [tuple(r) for r in session.execute(select(Village.id, Village.name).where(Village.name == name))]  # type: ignore[misc]


def groups_named(session: Session, village_id: str, name: str) -> list[str]:
    return list(
        session.scalars(
            select(VillageGroup.id).where(VillageGroup.village_id == village_id, VillageGroup.name == name)
        )
    )


def village_names(session: Session) -> list[str]:
    return list(session.scalars(select(Village.name).order_by(Village.sort, Village.name)))


def group_names(session: Session, village_id: str) -> list[str]:
    return list(
        session.scalars(
            select(VillageGroup.name)
            .where(VillageGroup.village_id == village_id)
            .order_by(VillageGroup.sort, VillageGroup.name)
        )
    )


def households_numbered(session: Session, group_id: str, number: int) -> list[tuple[str, str]]:
    """(id, status) of the households of a group with this number, those on file (在册) first."""
    rows = session.execute(
        select(Household.id, Household.status)
        .where(Household.group_id == group_id, Household.number == number)
        .order_by(Household.status != ACTIVE_HOUSEHOLD_STATUS, Household.id)
    )
    return [(hid, status) for hid, status in rows]


def village_of_group(session: Session, group_id: str) -> str | None:
    return session.scalar(select(VillageGroup.village_id).where(VillageGroup.id == group_id))


def scope_names(
    session: Session, village_id: str | None, group_id: str | None, area_id: str | None = None
) -> ScopeNames:
    """Town, village (or area) and group names of a scope, for titles and covers."""
    town = session.scalar(select(Town.name).order_by(Town.name).limit(1)) or ""
    village = group = ""
    if group_id and not village_id:  # a group is named with its village: 杜黄村一组, not 一组
        village_id = village_of_group(session, group_id)
    if area_id and not village_id:
        village = session.scalar(select(Area.name).where(Area.id == area_id)) or ""
    if village_id:
        row = session.execute(
            select(Town.name, Village.name)
            .join(Town, Town.id == Village.town_id)
            .where(Village.id == village_id)
        ).one_or_none()
        if row is not None:
            town, village = row
    if group_id:
        group = session.scalar(select(VillageGroup.name).where(VillageGroup.id == group_id)) or ""
    return ScopeNames(town, village, group)


def household_place(session: Session, household_id: str) -> tuple[str, str, int] | None:
    """Village name, group name and number of a household, for document names."""
    row = session.execute(
        select(Village.name, VillageGroup.name, Household.number)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
        .where(Household.id == household_id)
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


def request_place(session: Session, request_id: str) -> tuple[str, str, int, str] | None:
    """Village, group and household number of a request's household, and the request's number."""
    row = session.execute(
        select(Request.household_id, Request.number).where(Request.id == request_id)
    ).one_or_none()
    if row is None:
        return None
    place = household_place(session, row[0])
    return None if place is None else (*place, row[1] or "")


def station_cadres(session: Session, village_id: str) -> list[str]:
    """Names of the 驻村干部 stationed in a village."""
    return list(
        session.scalars(
            select(Cadre.name)
            .where(Cadre.village_id == village_id, Cadre.kind == "驻村干部", Cadre.active.is_(True))
            .order_by(Cadre.name)
        )
    )


# ---- rosters ----------------------------------------------------------------------------------


def _head_id_number() -> Any:
    return (
        select(Member.id_number)
        .where(
            Member.household_id == Household.id, Member.relation == HEAD_RELATION, Member.removed.is_(False)
        )
        .limit(1)
        .scalar_subquery()
    )


def _annual_income() -> Any:
    return (
        select(func.coalesce(func.sum(IncomeSource.annual_income), 0.0))
        .where(IncomeSource.household_id == Household.id, IncomeSource.deleted.is_(False))
        .scalar_subquery()
    )


def _archive_order(query: Select[Any]) -> Select[Any]:
    return query.order_by(Household.group_sort, Household.number, Household.id)


def household_count(session: Session, scope: Scope, tag: str | None = None) -> int:
    query = _with_tag(_scoped(select(func.count()).select_from(Household), scope), tag)
    return session.scalar(query) or 0


HOUSEHOLD_ROSTER_FIELDS = (
    "village",
    "group",
    "number",
    "head_name",
    "head_id_number",
    "phone",
    "member_count",
    "address",
    "economic_types",
    "focus_tags",
    "cadre_name",
    "last_visit_date",
    "annual_income",
)


def household_roster(
    session: Session, scope: Scope, tag: str | None = None, with_income: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Rows in HOUSEHOLD_ROSTER_FIELDS order, streamed; annual_income is None unless ``with_income``."""
    return _stream(session, household_roster_query(scope, tag, with_income))


def household_roster_query(scope: Scope, tag: str | None = None, with_income: bool = False) -> Select[Any]:
    query = (
        select(
            Village.name,
            VillageGroup.name,
            Household.number,
            Household.head_name,
            _head_id_number(),
            Household.phone,
            Household.member_count,
            Household.address,
            Household.economic_types,
            Household.focus_tags,
            Household.cadre_name,
            Household.last_visit_date,
            _annual_income() if with_income else null(),
        )
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
    )
    return _archive_order(_with_tag(_scoped(query, scope), tag))


def member_count(session: Session, scope: Scope) -> int:
    query = _scoped(
        select(func.count()).select_from(Member).join(Household, Household.id == Member.household_id), scope
    ).where(Member.removed.is_(False))
    return session.scalar(query) or 0


MEMBER_ROSTER_FIELDS = (
    "village",
    "group",
    "number",
    "head_name",
    "name",
    "relation",
    "sex",
    "id_number",
    "birth_date",
    "education",
    "political_status",
    "health",
    "disability_grade",
    "phone",
    "migrant_place",
)


def member_roster(session: Session, scope: Scope) -> Iterator[tuple[Any, ...]]:
    """Rows in MEMBER_ROSTER_FIELDS order, streamed, household by household in archive order."""
    return _stream(session, member_roster_query(scope))


def member_roster_query(scope: Scope) -> Select[Any]:
    query = (
        select(
            Village.name,
            VillageGroup.name,
            Household.number,
            Household.head_name,
            Member.name,
            Member.relation,
            Member.sex,
            Member.id_number,
            Member.birth_date,
            Member.education,
            Member.political_status,
            Member.health,
            Member.disability_grade,
            Member.phone,
            Member.migrant_place,
        )
        .join(Member, Member.household_id == Household.id)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
        .where(Member.removed.is_(False))
    )
    return _scoped(query, scope).order_by(Household.group_sort, Household.number, Household.id, Member.sort)


# ---- books ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BookRow:
    """A household as listed in a book's table of contents."""

    id: str
    group: str
    number: int
    head_name: str
    member_count: int
    economic_types: str
    focus_tags: str
    cadre_name: str


def book_rows(session: Session, scope: Scope) -> list[BookRow]:
    query = select(
        Household.id,
        VillageGroup.name,
        Household.number,
        Household.head_name,
        Household.member_count,
        Household.economic_types,
        Household.focus_tags,
        Household.cadre_name,
    ).join(VillageGroup, VillageGroup.id == Household.group_id)
    return [BookRow(*row) for row in session.execute(_archive_order(_scoped(query, scope)))]


def visit_span(session: Session, household_ids: Sequence[str]) -> tuple[date | None, date | None]:
    """First and last visit among the households (in chunks: SQLite limits bound parameters)."""
    first: date | None = None
    last: date | None = None
    for start in range(0, len(household_ids), 500):
        chunk = household_ids[start : start + 500]
        low, high = session.execute(
            select(func.min(Visit.date), func.max(Visit.date)).where(
                Visit.household_id.in_(chunk), Visit.deleted.is_(False)
            )
        ).one()
        if low is not None:
            first = low if first is None or low < first else first
        if high is not None:
            last = high if last is None or high > last else last
    return first, last


# section -> (model, alive condition, order)
_SECTIONS: dict[str, tuple[Any, Any, tuple[Any, ...]]] = {
    "members": (Member, Member.removed.is_(False), (Member.sort, Member.birth_date)),
    "incomes": (IncomeSource, IncomeSource.deleted.is_(False), (IncomeSource.kind,)),
    "assistance": (Assistance, Assistance.deleted.is_(False), (Assistance.date,)),
    "visits": (Visit, Visit.deleted.is_(False), (Visit.date.desc(),)),
    "requests": (Request, Request.deleted.is_(False), (Request.recorded_on.desc(),)),
}


def household_batch(
    session: Session,
    ids: Sequence[str],
    household_fields: Sequence[str],
    section_fields: dict[str, Sequence[str]],
) -> tuple[
    dict[str, dict[str, Any]], dict[str, dict[str, list[dict[str, Any]]]], dict[str, list[tuple[str, str]]]
]:
    """Several household files in a few queries: (household values, section rows, codes) keyed by id.

    ``household_fields`` and ``section_fields`` name the columns wanted (attribute names of the models)."""
    households = {
        row[0]: dict(zip(household_fields, row[1:], strict=True))
        for row in session.execute(
            select(Household.id, *[getattr(Household, name) for name in household_fields]).where(
                Household.id.in_(ids)
            )
        )
    }
    sections: dict[str, dict[str, list[dict[str, Any]]]] = {hid: {} for hid in households}
    for section, names in section_fields.items():
        model, alive, order = _SECTIONS[section]
        query = (
            select(model.household_id, *[getattr(model, name) for name in names])
            .where(model.household_id.in_(ids), alive)
            .order_by(model.household_id, *order)
        )
        for hid in households:
            sections[hid][section] = []
        for row in session.execute(query):
            sections[row[0]][section].append(dict(zip(names, row[1:], strict=True)))
    codes: dict[str, list[tuple[str, str]]] = {hid: [] for hid in households}
    for hid, kind, label in session.execute(
        select(HouseholdCode.household_id, HouseholdCode.kind, HouseholdCode.label)
        .where(HouseholdCode.household_id.in_(ids))
        .order_by(HouseholdCode.household_id, HouseholdCode.label)
    ):
        codes[hid].append((kind, label))
    return households, sections, codes


def group_context(session: Session, group_ids: Sequence[str]) -> dict[str, ScopeNames]:
    rows = session.execute(
        select(VillageGroup.id, Town.name, Village.name, VillageGroup.name)
        .join(Village, Village.id == VillageGroup.village_id)
        .join(Town, Town.id == Village.town_id)
        .where(VillageGroup.id.in_(list(group_ids)))
    )
    return {gid: ScopeNames(town, village, group) for gid, town, village, group in rows}
