"""Counts that describe a whole archive (for `zhuji-archive info`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuji_archive.domain.codes import ACTIVE_HOUSEHOLD_STATUS
from zhuji_archive.storage.models import Household, Member, Request, Town, Village, VillageGroup


def organisation_counts(session: Session) -> tuple[int, int, int]:
    """Towns, villages and groups."""
    return (
        session.scalar(select(func.count()).select_from(Town)) or 0,
        session.scalar(select(func.count()).select_from(Village)) or 0,
        session.scalar(select(func.count()).select_from(VillageGroup)) or 0,
    )


def households_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Household.status, func.count()).group_by(Household.status))
    return {status: n for status, n in rows}


def member_counts(session: Session) -> tuple[int, int]:
    """Members of households on file (在册), and members of every household; removed members not counted."""
    alive = select(func.count()).select_from(Member).where(Member.removed.is_(False))
    on_file = alive.join(Household, Household.id == Member.household_id).where(
        Household.status == ACTIVE_HOUSEHOLD_STATUS
    )
    return session.scalar(on_file) or 0, session.scalar(alive) or 0


def requests_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Request.status, func.count()).where(Request.deleted.is_(False)).group_by(Request.status)
    )
    return {status: n for status, n in rows}
