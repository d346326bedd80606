"""Reading the tallies (storage/tally_models.py): county-wide figures from a few hundred rows
instead of a count over every household or request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import Village, VillageGroup
from zhuji_archive.storage.tally_models import HouseholdTally, RequestTally


def _household_where(
    status: str | None, cadre_id: str | None, village_id: str | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if status is not None:
        where.append(HouseholdTally.status == status)
    if cadre_id:
        where.append(HouseholdTally.cadre_id == cadre_id)
    if village_id:
        where.append(
            HouseholdTally.group_id.in_(select(VillageGroup.id).where(VillageGroup.village_id == village_id))
        )
    return where


def households(
    session: Session, status: str | None = "在册", cadre_id: str | None = None, village_id: str | None = None
) -> int:
    query = select(func.coalesce(func.sum(HouseholdTally.households), 0))
    return int(session.scalar(query.where(*_household_where(status, cadre_id, village_id))) or 0)


def households_in(
    session: Session,
    status: str | None,
    town_id: str | None = None,
    area_id: str | None = None,
    village_id: str | None = None,
    group_id: str | None = None,
    villages: frozenset[str] | None = None,
) -> int:
    """Households of a node of the organisation tree (any status when ``status`` is None), only of
    ``villages`` when given (an account's scope)."""
    where = _household_where(status, None, None)
    if group_id:
        where.append(HouseholdTally.group_id == group_id)
    if village_id or area_id or town_id or villages is not None:
        groups = select(VillageGroup.id).join(Village, Village.id == VillageGroup.village_id)
        if village_id:
            groups = groups.where(Village.id == village_id)
        if area_id:
            groups = groups.where(Village.area_id == area_id)
        if town_id:
            groups = groups.where(Village.town_id == town_id)
        if villages is not None:
            groups = groups.where(Village.id.in_(sorted(villages)))
        where.append(HouseholdTally.group_id.in_(groups))
    query = select(func.coalesce(func.sum(HouseholdTally.households), 0)).where(*where)
    return int(session.scalar(query) or 0)


def visited(session: Session, village_id: str | None = None, status: str | None = "在册") -> int:
    """Households (on file) with at least one visit recorded."""
    query = select(func.coalesce(func.sum(HouseholdTally.visited), 0))
    return int(session.scalar(query.where(*_household_where(status, None, village_id))) or 0)


def visits(session: Session, village_id: str | None = None) -> int:
    """Visit records not deleted, of households of any status."""
    query = select(func.coalesce(func.sum(HouseholdTally.visits), 0))
    return int(session.scalar(query.where(*_household_where(None, None, village_id))) or 0)


def responsible_cadres(session: Session) -> set[str]:
    """Cadres responsible for at least one household (of any status)."""
    rows = session.scalars(
        select(HouseholdTally.cadre_id)
        .where(HouseholdTally.households > 0, HouseholdTally.cadre_id != "")
        .distinct()
    )
    return set(rows)


def households_by_group(
    session: Session, village_id: str | None = None, status: str = "在册"
) -> dict[str, int]:
    """Households per group (groups without any are left out)."""
    rows = session.execute(
        select(HouseholdTally.group_id, func.sum(HouseholdTally.households))
        .where(*_household_where(status, None, village_id))
        .group_by(HouseholdTally.group_id)
    )
    return {group_id: int(n) for group_id, n in rows if n}


def _request_where(
    village_id: str | None, villages: frozenset[str] | None = None
) -> list[ColumnElement[bool]]:
    where = [RequestTally.village_id == village_id] if village_id else []
    if villages is not None:
        where.append(RequestTally.village_id.in_(sorted(villages)))
    return where


def requests_by(
    session: Session, column: Any, village_id: str | None = None, villages: frozenset[str] | None = None
) -> dict[str, int]:
    """Requests not deleted per value of a tally column (status, category or level), only of
    ``villages`` when given (an account's scope)."""
    where = _request_where(village_id, villages)
    rows = session.execute(select(column, func.sum(RequestTally.requests)).where(*where).group_by(column))
    return {key: int(n) for key, n in rows if n}


def requests(
    session: Session,
    village_id: str | None = None,
    statuses: tuple[str, ...] = (),
    supervised: bool | None = None,
    villages: frozenset[str] | None = None,
) -> int:
    where = _request_where(village_id, villages)
    if statuses:
        where.append(RequestTally.status.in_(statuses))
    if supervised is not None:
        where.append(RequestTally.supervised == int(supervised))
    query = select(func.coalesce(func.sum(RequestTally.requests), 0)).where(*where)
    return int(session.scalar(query) or 0)
