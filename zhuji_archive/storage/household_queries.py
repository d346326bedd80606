"""Queries over households: the paged, sorted, filtered, searchable list and small look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, tuple_
from sqlalchemy.orm import Session

from zhuji_archive.domain.search_keys import normalize_query
from zhuji_archive.storage import tally_queries
from zhuji_archive.storage.models import Household, HouseholdCode, Member, Village, VillageGroup
from zhuji_archive.storage.text_match import prefix_range

NEVER_VISITED = date(1, 1, 1)
SORT_KEYS = ("head", "group", "members", "economic", "focus", "cadre", "last_visit", "status")


@dataclass(frozen=True)
class HouseholdFilter:
    """What the household list shows: a node of the tree, search text, code filters, status, order."""

    town_id: str | None = None
    area_id: str | None = None
    village_id: str | None = None
    group_id: str | None = None
    text: str = ""
    economic_type: str | None = None
    focus_tag: str | None = None
    status: str | None = "在册"  # None: every status
    sort: str = "head"
    descending: bool = False


@dataclass(frozen=True)
class HouseholdRow:
    """One line of the household list."""

    id: str
    head_name: str
    village_name: str
    group_name: str
    number: int
    member_count: int
    economic_types: str
    focus_tags: str
    cadre_name: str
    last_visit_date: date | None
    status: str
    sort_key: tuple[Any, ...] = field(compare=False, default=())


def _sort_columns(sort: str) -> list[ColumnElement[Any]]:
    """The columns a list order sorts by; each has a (status, …, id) index."""
    columns: dict[str, list[ColumnElement[Any]]] = {
        "head": [Household.head_pinyin],
        "group": [Household.group_sort, Household.number],
        "members": [Household.member_count],
        "economic": [Household.economic_types],
        "focus": [Household.focus_tags],
        "cadre": [Household.cadre_name],
        "last_visit": [Household.last_visit_key],
        "status": [Household.status, Household.head_pinyin],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key {sort!r}")
    return columns[sort]


def group_sort_key(village_sort: int, group_sort: int) -> str:
    return f"{village_sort:05d}-{group_sort:05d}"


def _text_condition(text: str) -> ColumnElement[bool] | None:
    query = normalize_query(text)
    if not query:
        return None

    def prefix(column: Any) -> ColumnElement[bool]:
        return prefix_range(column, query)

    if query.isdigit() or (query[:-1].isdigit() and query.endswith("x")):
        needle = query.upper()
        reverse = needle[::-1]
        # From the start of an ID or phone, or its last digits as cadres often quote them.
        matches = or_(
            prefix_range(Member.id_number, needle),
            prefix(Member.phone),
            prefix_range(Member.id_number_rev, reverse),
            prefix_range(Member.phone_rev, reverse),
        )
    elif query.isascii():
        matches = or_(prefix(Member.name_initials), prefix(Member.name_pinyin))
    else:
        matches = or_(prefix(Member.name), prefix(Member.given_name))
    member_hits = select(Member.household_id).where(Member.removed.is_(False), matches)
    return Household.id.in_(member_hits)


def _base(flt: HouseholdFilter) -> Select[Any]:
    query = (
        select(
            Household.id,
            Household.head_name,
            Village.name,
            VillageGroup.name,
            Household.number,
            Household.member_count,
            Household.economic_types,
            Household.focus_tags,
            Household.cadre_name,
            Household.last_visit_date,
            Household.status,
        )
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
    )
    return _filtered(query, flt)


def _filtered(query: Select[Any], flt: HouseholdFilter) -> Select[Any]:
    if flt.group_id:
        query = query.where(Household.group_id == flt.group_id)
    elif flt.village_id:
        query = query.where(Household.village_id == flt.village_id)
    elif flt.area_id:
        query = query.where(
            Household.village_id.in_(select(Village.id).where(Village.area_id == flt.area_id))
        )
    elif flt.town_id:
        query = query.where(
            Household.village_id.in_(select(Village.id).where(Village.town_id == flt.town_id))
        )
    if flt.status:
        query = query.where(Household.status == flt.status)
    for kind, label in (("economic_type", flt.economic_type), ("focus_tag", flt.focus_tag)):
        if label:
            query = query.where(
                Household.id.in_(
                    select(HouseholdCode.household_id).where(
                        HouseholdCode.kind == kind, HouseholdCode.label == label
                    )
                )
            )
    condition = _text_condition(flt.text)
    if condition is not None:
        query = query.where(condition)
    return query


def page(
    session: Session, flt: HouseholdFilter, after: tuple[Any, ...] | None, limit: int
) -> list[HouseholdRow]:
    """The next ``limit`` rows after the row whose sort key is ``after`` (keyset paging)."""
    keys = [*_sort_columns(flt.sort), Household.id]
    query = _base(flt).add_columns(*keys)
    if after is not None:
        key_tuple = tuple_(*keys)
        query = query.where(key_tuple < tuple_(*after) if flt.descending else key_tuple > tuple_(*after))
    order = [k.desc() for k in keys] if flt.descending else keys
    rows = session.execute(query.order_by(*order).limit(limit)).all()
    width = len(keys)
    return [HouseholdRow(*row[:-width], sort_key=tuple(row[-width:])) for row in rows]


def count(session: Session, flt: HouseholdFilter) -> int:
    if not (flt.text.strip() or flt.economic_type or flt.focus_tag):
        # A node of the tree without a search: the tally has the number (the list's first page at
        # 400,000 households spent 31 ms of its 37 counting them).
        return tally_queries.households_in(
            session,
            flt.status or None,
            town_id=flt.town_id,
            area_id=flt.area_id,
            village_id=flt.village_id,
            group_id=flt.group_id,
        )
    query = _filtered(select(func.count()).select_from(Household), flt)
    return session.scalar(query) or 0


def next_number(session: Session, group_id: str) -> int:
    return (session.scalar(select(func.max(Household.number)).where(Household.group_id == group_id)) or 0) + 1


@dataclass(frozen=True)
class IdHolder:
    """Where an ID number is already active: the member and the household that holds it."""

    member_name: str
    household_id: str
    head_name: str
    village_name: str
    group_name: str
    number: int

    def describe(self) -> str:
        return f"{self.village_name}{self.group_name}第{self.number}户（户主{self.head_name}）的成员{self.member_name}"


def active_id_holders(
    session: Session, id_numbers: list[str], exclude_household: str | None
) -> dict[str, IdHolder]:
    """Active members (of households 在册) holding any of ``id_numbers`` outside ``exclude_household``."""
    if not id_numbers:
        return {}
    query = (
        select(
            Member.id_number,
            Member.name,
            Household.id,
            Household.head_name,
            Village.name,
            VillageGroup.name,
            Household.number,
        )
        .join(Household, Household.id == Member.household_id)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
        .where(Member.id_number.in_(id_numbers), Member.removed.is_(False), Household.status == "在册")
    )
    if exclude_household:
        query = query.where(Household.id != exclude_household)
    return {row[0]: IdHolder(*row[1:]) for row in session.execute(query)}


def group_counts(session: Session) -> dict[str, int]:
    """Households on file (在册) per group, from the tally (the tree showed a county GROUP BY)."""
    return tally_queries.households_by_group(session)
