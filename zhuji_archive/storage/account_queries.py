"""Queries on accounts and on the villages an account's scope units cover."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, or_, select, text
from sqlalchemy.orm import Session, selectinload

from zhuji_archive.domain.accounts import ScopeUnit, UnitKind
from zhuji_archive.storage.models import Account, Area, Town, Village


def by_login(session: Session, login: str) -> Account | None:
    return session.scalars(
        select(Account).where(Account.login == login).options(selectinload(Account.scope))
    ).one_or_none()


def all_accounts(session: Session) -> list[Account]:
    return list(
        session.scalars(
            select(Account).options(selectinload(Account.scope)).order_by(Account.created_at, Account.login)
        )
    )


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Account)) or 0


def villages_of(session: Session, units: Iterable[ScopeUnit]) -> frozenset[str]:
    """The ids of the villages inside the given towns, areas and villages."""
    units = list(units)
    towns = [u.unit_id for u in units if u.kind is UnitKind.TOWN]
    areas = [u.unit_id for u in units if u.kind is UnitKind.AREA]
    villages = {u.unit_id for u in units if u.kind is UnitKind.VILLAGE}
    if towns or areas:
        villages |= set(
            session.scalars(
                select(Village.id).where(or_(Village.town_id.in_(towns), Village.area_id.in_(areas)))
            )
        )
    known = set(session.scalars(select(Village.id).where(Village.id.in_(villages)))) if villages else set()
    return frozenset(known)


def unit_names(session: Session, units: Iterable[ScopeUnit]) -> dict[ScopeUnit, str]:
    """The display name of each unit (missing units are left out)."""
    names: dict[ScopeUnit, str] = {}
    for unit in units:
        model = {UnitKind.TOWN: Town, UnitKind.AREA: Area, UnitKind.VILLAGE: Village}[unit.kind]
        name = session.scalar(select(model.name).where(model.id == unit.unit_id))
        if name is not None:
            names[unit] = name
    return names


def administrator_hash(connection: Connection, login: str) -> str | None:
    """The password hash of an enabled 系统管理员 with this login, read with plain SQL so that it works
    on a schema older than this program's models (before a hub's upgrade)."""
    return connection.execute(
        text("SELECT password_hash FROM account WHERE login = :login AND role = :role AND NOT disabled"),
        {"login": login, "role": "系统管理员"},
    ).scalar()
