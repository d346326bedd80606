"""Failed logins on a hub, kept in the database (a laptop keeps them in its keyring file)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import LoginFailure


def record(session: Session, login: str, at: datetime) -> None:
    session.add(LoginFailure(login=login, at=at, logged=False))


def count_since_success(session: Session, login: str) -> tuple[int, datetime | None]:
    """How many failures this login has had since its last successful login, and the latest."""
    count, last = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.login == login)
    ).one()
    return int(count or 0), last


def pending(session: Session) -> list[LoginFailure]:
    """Failures not yet written into the change log, oldest first."""
    return list(session.scalars(select(LoginFailure).where(LoginFailure.logged.is_(False)).order_by(LoginFailure.id)))


def mark_logged(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(update(LoginFailure).where(LoginFailure.id.in_(ids)).values(logged=True))


def clear(session: Session, login: str) -> None:
    """The login succeeded: its count starts again (its failures stay in the change log)."""
    session.execute(delete(LoginFailure).where(LoginFailure.login == login, LoginFailure.logged.is_(True)))
