"""Queries over households: the paged, sorted, filtered, searchable list and small look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from zhuji_archive.domain.household_columns import ListColumns, list_columns
from zhuji_archive.domain.search_keys import normalize_query
from zhuji_archive.storage import tally_queries
from zhuji_archive.storage.models import Cadre, Household, HouseholdCode, Member, Village, VillageGroup, Visit
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
    villages: frozenset[str] | None = None  # the account's scope (set by the service); None: all


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
    phone: str = ""  # the household's contact number; the list service masks it for most roles
    sort_key: tuple[Any, ...] = field(compare=False, default=())
    matched: tuple[tuple[str, str], ...] = ()  # (name, relation) of the members a search hit


def _sort_columns(sort: str) -> list[ColumnElement[Any]]:
    """The columns a list order sorts by; each has a (status, …, id) index."""
    columns: dict[str, list[ColumnElement[Any]]] = {
        "head": [Household.head_pinyin],
        "group": [Household.group_sort, Household.number],
        "members": [Household.member_count],
        "economic": [Household.economic_types],
        "focus": [Household.focus_tags],
        "cadre": [Household.cadre_pinyin],
        "last_visit": [Household.last_visit_key],
        "status": [Household.status, Household.head_pinyin],
    }
    if sort not in columns:
        raise ValueError(f"unknown sort key {sort!r}")
    return columns[sort]


def read_list_columns(session: Session, household: Household) -> ListColumns:
    """The household's derived list columns, from its records as they stand in the session."""
    members = session.execute(
        select(Member.name, Member.relation)
        .where(Member.household_id == household.id, Member.removed.is_(False))
        .order_by(Member.sort, Member.id)
    ).all()
    codes = session.execute(
        select(HouseholdCode.kind, HouseholdCode.label).where(HouseholdCode.household_id == household.id)
    ).all()
    cadre_name = (
        session.scalar(select(Cadre.name).where(Cadre.id == household.responsible_cadre_id))
        if household.responsible_cadre_id
        else None
    )
    place_sort = session.execute(
        select(Village.sort, VillageGroup.sort)
        .join(VillageGroup, VillageGroup.village_id == Village.id)
        .where(VillageGroup.id == household.group_id)
    ).one()
    visits = session.execute(
        select(Visit.date, Visit.kind).where(Visit.household_id == household.id, Visit.deleted.is_(False))
    ).all()
    return list_columns(
        members=[(name, relation) for name, relation in members],
        codes=[(kind, label) for kind, label in codes],
        cadre_name=cadre_name or "",
        place_sort=(place_sort[0], place_sort[1]),
        visits=[(on, kind) for on, kind in visits],
    )


def store_list_columns(household: Household, columns: ListColumns) -> None:
    """Set the derived columns on the household's record (written at the session's next flush)."""
    for name, value in columns.as_row().items():
        setattr(household, name, value)


def _member_condition(text: str) -> ColumnElement[bool] | None:
    """Which members a search text hits (None for a blank search)."""
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
    return and_(Member.removed.is_(False), matches)


def _text_condition(text: str) -> ColumnElement[bool] | None:
    members = _member_condition(text)
    if members is None:
        return None
    return Household.id.in_(select(Member.household_id).where(members))


def matched_members(
    session: Session, text: str, household_ids: list[str]
) -> dict[str, list[tuple[str, str]]]:
    """The members of ``household_ids`` that the search ``text`` hits, in household order."""
    members = _member_condition(text)
    if members is None or not household_ids:
        return {}
    query = (
        select(Member.household_id, Member.name, Member.relation)
        .where(members, Member.household_id.in_(household_ids))
        .order_by(Member.household_id, Member.sort)
    )
    hits: dict[str, list[tuple[str, str]]] = {}
    for household_id, name, relation in session.execute(query):
        hits.setdefault(household_id, []).append((name, relation))
    return hits


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
            Household.phone,
        )
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
    )
    return _filtered(query, flt)


def _filtered(query: Select[Any], flt: HouseholdFilter) -> Select[Any]:
    if flt.villages is not None:
        query = query.where(Household.village_id.in_(sorted(flt.villages)))
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
    result = [HouseholdRow(*row[:-width], sort_key=tuple(row[-width:])) for row in rows]
    hits = matched_members(session, flt.text, [r.id for r in result])
    if hits:
        result = [replace(r, matched=tuple(hits.get(r.id, ()))) for r in result]
    return result


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
            villages=flt.villages,
        )
    query = _filtered(select(func.count()).select_from(Household), flt)
    return session.scalar(query) or 0


@dataclass(frozen=True)
class MemberHit:
    """One member the search found, with the household that holds it."""

    household_id: str
    village_name: str
    group_name: str
    number: int
    head_name: str
    member_name: str
    status: str
    member_id: str = ""
    id_number: str = ""  # masked by the list service unless the role's setting shows full numbers
    phone: str = ""


def member_hits(session: Session, flt: HouseholdFilter, limit: int) -> list[MemberHit]:
    """The members matching ``flt.text`` in the households ``flt`` selects, in archive order
    (village, group, household number, member); empty for empty text."""
    matches = _member_condition(flt.text)
    if matches is None:
        return []
    query = (
        select(
            Household.id,
            Village.name,
            VillageGroup.name,
            Household.number,
            Household.head_name,
            Member.name,
            Household.status,
            Member.id,
            Member.id_number,
            Member.phone,
        )
        .select_from(Member)
        .join(Household, Household.id == Member.household_id)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
        .where(matches)
    )
    query = _filtered(query, replace(flt, text=""))
    order = (Household.group_sort, Household.number, Household.id, Member.sort, Member.id)
    return [MemberHit(*row) for row in session.execute(query.order_by(*order).limit(limit))]


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

    def place(self) -> str:
        """Where, without naming anyone: a message shown to someone typing this ID elsewhere must not
        tell them who else holds it."""
        return f"{self.village_name}{self.group_name}第{self.number}户"


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


def row(session: Session, flt: HouseholdFilter, household_id: str) -> HouseholdRow | None:
    """The one list row of a household as ``flt`` shows it, or None when the filter leaves it out
    (a saved household's row is re-read alone instead of the whole list)."""
    keys = [*_sort_columns(flt.sort), Household.id]
    query = _base(flt).add_columns(*keys).where(Household.id == household_id)
    found = session.execute(query).first()
    if found is None:
        return None
    width = len(keys)
    result = HouseholdRow(*found[:-width], sort_key=tuple(found[-width:]))
    hits = matched_members(session, flt.text, [result.id])
    return replace(result, matched=tuple(hits[result.id])) if hits.get(result.id) else result


def household_phone(session: Session, household_id: str) -> tuple[str, str] | None:
    """(village id, contact phone) of a household, for revealing the number outside the file."""
    found = session.execute(
        select(Household.village_id, Household.phone).where(Household.id == household_id)
    ).first()
    return (found[0], found[1]) if found is not None else None


def member_numbers(session: Session, member_id: str) -> tuple[str, str, str, str] | None:
    """(household id, village id, ID number, phone) of a member, for revealing them outside the file."""
    found = session.execute(
        select(Member.household_id, Household.village_id, Member.id_number, Member.phone)
        .join(Household, Household.id == Member.household_id)
        .where(Member.id == member_id)
    ).first()
    return (found[0], found[1], found[2], found[3]) if found is not None else None
