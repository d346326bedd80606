"""Which village a record belongs to: what the services ask before checking an account's scope."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import Area, Household, Request, Village, VillageGroup


def village_of_household(session: Session, household_id: str) -> str | None:
    return session.scalar(select(Household.village_id).where(Household.id == household_id))


def village_of_group(session: Session, group_id: str) -> str | None:
    return session.scalar(select(VillageGroup.village_id).where(VillageGroup.id == group_id))


def village_of_request(session: Session, request_id: str) -> str | None:
    row = session.execute(
        select(Request.village_id, Household.village_id)
        .join(Household, Household.id == Request.household_id)
        .where(Request.id == request_id)
    ).first()
    if row is None:
        return None
    return row[0] or row[1]


def villages_of_requests(session: Session, request_ids: Iterable[str]) -> dict[str, str | None]:
    """The village of each request (ids not found are missing from the answer)."""
    ids = list(dict.fromkeys(request_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Request.id, Request.village_id, Household.village_id)
        .join(Household, Household.id == Request.household_id)
        .where(Request.id.in_(ids))
    )
    return {request_id: own or of_household for request_id, own, of_household in rows}


def leader_of_request(session: Session, request_id: str) -> str | None:
    return session.scalar(select(Request.leader).where(Request.id == request_id))


def villages_of_town(session: Session, town_id: str) -> set[str]:
    return set(session.scalars(select(Village.id).where(Village.town_id == town_id)))


def villages_of_area(session: Session, area_id: str) -> set[str]:
    return set(session.scalars(select(Village.id).where(Village.area_id == area_id)))


def town_of_area(session: Session, area_id: str) -> str | None:
    return session.scalar(select(Area.town_id).where(Area.id == area_id))


def villages_of_cadre(session: Session, cadre_id: str) -> set[str]:
    """The villages of the households a cadre is responsible for."""
    query = select(Household.village_id).where(Household.responsible_cadre_id == cadre_id).distinct()
    return set(session.scalars(query))


def villages_of_unit(session: Session, kind: str, unit_id: str) -> set[str]:
    """The villages a summary's unit (town, area, village or cadre) covers."""
    if kind == "town":
        return villages_of_town(session, unit_id)
    if kind == "area":
        return villages_of_area(session, unit_id)
    if kind == "cadre":
        return villages_of_cadre(session, unit_id)
    return {unit_id}
