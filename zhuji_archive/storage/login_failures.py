"""Failed logins on a hub, kept in the database (a laptop keeps them in its keyring file)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import LoginFailure


def take_turn(session: Session, login: str) -> None:
    """Attempts at one login take turns until their transaction ends (a PostgreSQL advisory lock on the
    login's hash; nothing to do on SQLite, where a laptop keeps its failures in the keyring file).

    Without it, several attempts started at once (a script, or two windows) all read the same count
    before any of them recorded its failure: each got its password checked, and the growing wait
    after three wrong passwords let a guesser through as many tries as he ran at once."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(login, 0))))


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


def claim_pending(session: Session) -> list[LoginFailure]:
    """The failures not yet in the change log, marked as logged in the same statement: two logins at
    the same moment each claim different rows, so no failure is written twice."""
    claimed = session.scalars(
        update(LoginFailure)
        .where(LoginFailure.logged.is_(False))
        .values(logged=True)
        .returning(LoginFailure)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed, key=lambda failure: failure.id)


def release(session: Session, ids: list[int]) -> None:
    """Claimed failures that could not be written into the log wait for the next login."""
    if ids:
        session.execute(update(LoginFailure).where(LoginFailure.id.in_(ids)).values(logged=False))


def mark_logged(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(update(LoginFailure).where(LoginFailure.id.in_(ids)).values(logged=True))


def clear(session: Session, login: str) -> None:
    """The login succeeded: its count starts again (its failures stay in the change log)."""
    session.execute(delete(LoginFailure).where(LoginFailure.login == login, LoginFailure.logged.is_(True)))
