"""Queries of the Excel import: who already holds an ID number, what matched households hold now,
household numbers in use, and bulk inserts of the records an import creates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from zhuji_archive.domain.codes import ACTIVE_HOUSEHOLD_STATUS
from zhuji_archive.storage import audit_log
from zhuji_archive.storage.models import (
    ChangeLog,
    CodeItem,
    Household,
    HouseholdCode,
    IncomeSource,
    Member,
    Village,
    VillageGroup,
)

CHUNK = 500  # well under SQLite's bound-parameter limit
LAND_KIND = "承包土地"


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass
class ExistingMember:
    """A member on file, with the fields an import may compare."""

    id: str
    name: str
    relation: str
    sex: str
    id_number: str
    birth_date: date | None
    education: str
    political_status: str
    health: str
    disability_grade: str
    phone: str
    migrant_worker: bool
    migrant_place: str
    notes: str


@dataclass
class ExistingHousehold:
    """A household on file as the import compares it: fields, codes, contracted land, members."""

    id: str
    group_id: str
    number: int
    head_name: str
    address: str
    village_name: str
    group_name: str
    economic_types: list[str] = field(default_factory=list)
    focus_tags: list[str] = field(default_factory=list)
    land_mu: float | None = None
    members: list[ExistingMember] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.village_name}{self.group_name}第{self.number}户（户主{self.head_name}）"


def id_holders(session: Session, id_numbers: Sequence[str]) -> dict[str, str]:
    """ID number -> household id, for members on file in households 在册."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(id_numbers))):
        rows = session.execute(
            select(Member.id_number, Member.household_id)
            .join(Household, Household.id == Member.household_id)
            .where(
                Member.id_number.in_(chunk),
                Member.removed.is_(False),
                Household.status == ACTIVE_HOUSEHOLD_STATUS,
            )
        )
        found.update({number: household for number, household in rows})
    return found


def households_by_head(session: Session, group_ids: Sequence[str]) -> dict[tuple[str, str], list[str]]:
    """(group id, head name) -> household ids in those groups (在册), to match files without IDs."""
    result: dict[tuple[str, str], list[str]] = defaultdict(list)
    for chunk in _chunks(sorted(set(group_ids))):
        rows = session.execute(
            select(Household.group_id, Household.head_name, Household.id).where(
                Household.group_id.in_(chunk), Household.status == ACTIVE_HOUSEHOLD_STATUS
            )
        )
        for group_id, head, household_id in rows:
            result[(group_id, head)].append(household_id)
    return result


def load_existing(session: Session, household_ids: Sequence[str]) -> dict[str, ExistingHousehold]:
    """Matched households with their members (not removed), codes and contracted land."""
    result: dict[str, ExistingHousehold] = {}
    ids = sorted(set(household_ids))
    for chunk in _chunks(ids):
        rows = session.execute(
            select(
                Household.id,
                Household.group_id,
                Household.number,
                Household.head_name,
                Household.address,
                Village.name,
                VillageGroup.name,
            )
            .join(VillageGroup, VillageGroup.id == Household.group_id)
            .join(Village, Village.id == Household.village_id)
            .where(Household.id.in_(chunk))
        )
        for row in rows:
            result[row[0]] = ExistingHousehold(*row)
        codes = session.execute(
            select(HouseholdCode.household_id, HouseholdCode.kind, HouseholdCode.label)
            .where(HouseholdCode.household_id.in_(chunk))
            .order_by(HouseholdCode.label)
        )
        for household_id, kind, label in codes:
            target = (
                result[household_id].economic_types
                if kind == "economic_type"
                else result[household_id].focus_tags
            )
            target.append(label)
        land = session.execute(
            select(IncomeSource.household_id, IncomeSource.land_mu).where(
                IncomeSource.household_id.in_(chunk),
                IncomeSource.kind == LAND_KIND,
                IncomeSource.deleted.is_(False),
            )
        )
        for household_id, mu in land:
            if result[household_id].land_mu is None:
                result[household_id].land_mu = mu
        members = session.execute(
            select(
                Member.household_id,
                Member.id,
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
                Member.migrant_worker,
                Member.migrant_place,
                Member.notes,
            )
            .where(Member.household_id.in_(chunk), Member.removed.is_(False))
            .order_by(Member.household_id, Member.sort)
        )
        for row in members:
            result[row[0]].members.append(ExistingMember(*row[1:]))
    return result


def used_numbers(session: Session, group_ids: Sequence[str]) -> dict[str, set[int]]:
    """Household numbers already taken per group (any status: numbers are never reused)."""
    result: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(sorted(set(group_ids))):
        for group_id, number in session.execute(
            select(Household.group_id, Household.number).where(Household.group_id.in_(chunk))
        ):
            result[group_id].add(number)
    return result


def group_places(session: Session, group_ids: Sequence[str]) -> dict[str, tuple[str, int, int]]:
    """group id -> (village id, village sort, group sort)."""
    rows = session.execute(
        select(VillageGroup.id, Village.id, Village.sort, VillageGroup.sort)
        .join(Village, Village.id == VillageGroup.village_id)
        .where(VillageGroup.id.in_(sorted(set(group_ids))))
    )
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def add_code_items(session: Session, items: Iterable[tuple[str, str]]) -> int:
    """Add values to code lists (bringing retired ones back); return how many changed."""
    changed = 0
    for kind, label in sorted(set(items)):
        item = session.scalar(select(CodeItem).where(CodeItem.kind == kind, CodeItem.label == label))
        if item is not None:
            if item.retired:
                item.retired = False
                changed += 1
            continue
        top = max(session.scalars(select(CodeItem.sort).where(CodeItem.kind == kind)), default=0)
        session.add(CodeItem(kind=kind, label=label, sort=top + 1))
        changed += 1
    session.flush()
    return changed


def insert_rows(session: Session, model: type, rows: list[dict[str, Any]]) -> None:
    """One executemany INSERT per model: the fast path for thousands of new records."""
    if rows:
        if model is ChangeLog:
            audit_log.stamp_rows(session, rows)
        session.execute(insert(model), rows)


INSERT_ORDER = (Household, Member, HouseholdCode, IncomeSource, ChangeLog)


def active_codes(session: Session) -> dict[str, set[str]]:
    """Every code list's values in use (not retired), by kind."""
    result: dict[str, set[str]] = defaultdict(set)
    for kind, label in session.execute(
        select(CodeItem.kind, CodeItem.label).where(CodeItem.retired.is_(False))
    ):
        result[kind].add(label)
    return result


def villages_named(session: Session, name: str) -> list[str]:
    return list(session.scalars(select(Village.id).where(Village.name == name)))


def village_groups(session: Session, village_id: str) -> list[tuple[str, str]]:
    """(group id, name) of a village in book order."""
    rows = session.execute(
        select(VillageGroup.id, VillageGroup.name)
        .where(VillageGroup.village_id == village_id)
        .order_by(VillageGroup.sort, VillageGroup.name)
    )
    return [(group_id, name) for group_id, name in rows]


def group_named(session: Session, village_id: str, name: str) -> str | None:
    return session.scalar(
        select(VillageGroup.id).where(VillageGroup.village_id == village_id, VillageGroup.name == name)
    )


def add_group(session: Session, group_id: str, village_id: str, name: str) -> None:
    """A village group at the end of the village's book order."""
    top = session.scalar(select(func.max(VillageGroup.sort)).where(VillageGroup.village_id == village_id))
    session.add(VillageGroup(id=group_id, village_id=village_id, name=name, sort=(top or 0) + 1))
    session.flush()
