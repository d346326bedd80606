"""诉求编号 in storage: the next sequence of a town and year, and numbering requests as they are stored.

The number is town-year-sequence (domain/numbering.py). Two writers taking the same sequence are
stopped by the unique index ``ix_request_number``; on SQLite the caller's transaction already holds
the write lock when the sequence is read (see ``assign_number``), so that only happens on a server
database, and the services retry."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import Session

from zhuji_archive.domain.numbering import number_prefix, request_number
from zhuji_archive.storage.models import Household, Request, Town, Village

Executor = Session | Connection


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def town_name(db: Executor, household_id: str) -> str:
    """The name of the town a household belongs to ("" when the household has no town)."""
    stmt = (
        select(Town.name)
        .join(Village, Village.town_id == Town.id)
        .join(Household, Household.village_id == Village.id)
        .where(Household.id == household_id)
    )
    return db.execute(stmt).scalar_one_or_none() or ""


def last_sequence(db: Executor, prefix: str) -> int:
    """The highest sequence already given under ``prefix`` (安华2026-), 0 when none."""
    stmt = (
        select(Request.number)
        .where(Request.number.like(_escape_like(prefix) + "%", escape="\\"))
        .order_by(func.length(Request.number).desc(), Request.number.desc())
        .limit(1)
    )
    number = db.execute(stmt).scalar_one_or_none()
    if not number:
        return 0
    tail = number[len(prefix) :]
    return int(tail) if tail.isdigit() else 0


def assign_number(session: Session, request: Request) -> str:
    """Give a request being stored its number inside the caller's transaction.

    The request is flushed first: on SQLite that write takes the database's write lock, so no other
    process can store a request between reading the last sequence and committing this one."""
    session.flush()
    town = town_name(session, request.household_id)
    year = request.recorded_on.year
    request.number = request_number(town, year, last_sequence(session, number_prefix(town, year)) + 1)
    session.flush()
    return request.number


def is_number_clash(error: Exception) -> bool:
    """True when an integrity error is the unique index on request numbers (a concurrent writer)."""
    text = str(getattr(error, "orig", error))
    return "request.number" in text or "ix_request_number" in text


def number_missing(db: Executor) -> int:
    """Number every request that has no number yet (bulk-written demo data), per town and year in
    the order they were recorded, after the numbers already given. Returns how many were numbered."""
    rows: list[Any] = db.execute(
        select(Request.id, Request.recorded_on, Town.name)
        .join(Household, Household.id == Request.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(Town, Town.id == Village.town_id)
        .where(Request.number.is_(None))
        .order_by(Town.id, Request.recorded_on, Request.id)
    ).all()
    last: dict[tuple[str, int], int] = defaultdict(int)
    started: set[tuple[str, int]] = set()
    numbers: list[dict[str, str]] = []
    for request_id, recorded_on, name in rows:
        key = (name, recorded_on.year)
        if key not in started:
            last[key] = last_sequence(db, number_prefix(name, recorded_on.year))
            started.add(key)
        last[key] += 1
        numbers.append({"rid": request_id, "num": request_number(name, recorded_on.year, last[key])})
    if numbers:
        table = Request.__table__
        db.execute(update(table).where(table.c.id == bindparam("rid")).values(number=bindparam("num")), numbers)
    return len(numbers)


def request_id_of(db: Executor, text: str) -> str | None:
    """The request a 诉求编号 (or, for older printouts, the internal id) names."""
    key = text.strip()
    stmt = select(Request.id).where(Request.deleted.is_(False), (Request.number == key) | (Request.id == key))
    return db.execute(stmt.limit(1)).scalar_one_or_none()
