"""Queries of the 操作日志 window: filtered pages of the change log, accounts and households to pick."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import Account, ChangeLog, Household, Village, VillageGroup


def _filtered(
    query: Select[Any],
    *,
    account_id: str | None,
    household_id: str | None,
    action: str | None,
    since: datetime | None,
    before: datetime | None,
) -> Select[Any]:
    if account_id is not None:
        query = query.where(ChangeLog.account_id == account_id)
    if household_id is not None:
        query = query.where(ChangeLog.household_id == household_id)
    if action is not None:
        query = query.where(ChangeLog.action == action)
    if since is not None:
        query = query.where(ChangeLog.at >= since)
    if before is not None:
        query = query.where(ChangeLog.at < before)
    return query


def count(session: Session, **where: Any) -> int:
    return int(session.scalar(_filtered(select(func.count()).select_from(ChangeLog), **where)) or 0)


def page(session: Session, offset: int, limit: int, **where: Any) -> Sequence[Any]:
    """Entries newest first (by chain number), with the household's place for the 对象 column."""
    query = (
        select(
            ChangeLog.seq,
            ChangeLog.at,
            ChangeLog.operator,
            ChangeLog.action,
            ChangeLog.entity,
            ChangeLog.field,
            ChangeLog.old_value,
            ChangeLog.new_value,
            ChangeLog.note,
            Village.name,
            VillageGroup.name,
            Household.number,
        )
        .outerjoin(Household, Household.id == ChangeLog.household_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
        .outerjoin(Village, Village.id == Household.village_id)
    )
    query = _filtered(query, **where).order_by(ChangeLog.seq.desc(), ChangeLog.at.desc())
    return session.execute(query.offset(offset).limit(limit)).all()


def accounts(session: Session) -> list[tuple[str, str, str]]:
    """(id, display name, login) of every account, disabled ones too (they appear in the log)."""
    rows = session.execute(select(Account.id, Account.display_name, Account.login).order_by(Account.login))
    return [(i, name, login) for i, name, login in rows]


def logins(session: Session) -> list[tuple[str, str, str]]:
    return accounts(session)


def households_matching(session: Session, text: str, limit: int = 50) -> list[tuple[str, str, str, int, str]]:
    """Households whose head's name contains ``text``, or whose number in its group is ``text``:
    (id, village, group, number, head name)."""
    query = (
        select(Household.id, Village.name, VillageGroup.name, Household.number, Household.head_name)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .join(Village, Village.id == Household.village_id)
    )
    conditions = [Household.head_name.contains(text, autoescape=True)]
    if text.isdigit():
        conditions.append(Household.number == int(text))
    query = query.where(or_(*conditions)).order_by(Village.sort, VillageGroup.sort, Household.number)
    return [tuple(row) for row in session.execute(query.limit(limit))]  # type: ignore[misc]


def household_village(session: Session, household_id: str) -> str | None:
    return session.scalar(select(Household.village_id).where(Household.id == household_id))
