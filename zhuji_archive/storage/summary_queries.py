"""Counts behind the weekly/monthly classified summary, for a village or a cadre's households."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from zhuji_archive.storage import sqlite_hints  # noqa: F401  (writes the INDEXED BY hints below)
from zhuji_archive.storage.models import (
    Area,
    Cadre,
    Household,
    Request,
    RequestEvent,
    RequestFeedback,
    Town,
    Village,
    Visit,
)
from zhuji_archive.storage.request_queries import HOUSEHOLD_SCOPE_BY_KEY, REQUEST_SCOPE_BY_KEY
from zhuji_archive.storage.tally_models import StateTally, SummaryTally

OPEN = ("登记", "已梳理", "待上会", "办理中")
# Some counts of a period are read from the period's new requests, closures, overdue requests and
# feedback, each household found by its key to check the scope, rather than from every household of
# the village. Visits and all the actions of the period are left to the planner: a month of the
# county's visits or events outnumbers a village's households, and from the households it is faster
# (the actions read from the events: 1,060 ms against 350 ms on the encrypted 400,000-household bench
# archive). A village's or a cadre's new requests are read from its households (SCOPE_INDEX).
PERIOD_INDEX = {
    RequestEvent: "INDEXED BY ix_request_event_on_action",
    RequestFeedback: "INDEXED BY ix_request_feedback_on",
}


SCOPE_KINDS = ("town", "area", "village", "cadre")
# A village's or a cadre's requests are found from its households (an index range), not by reading
# every request of the county and looking up its household.
SCOPE_INDEX = {
    "village": "INDEXED BY ix_household_village_status_big_visit",
    "cadre": "INDEXED BY ix_household_cadre_status_big_visit",
}


def _household_scope(scope_kind: str, scope_id: str) -> ColumnElement[bool]:
    """The households a summary covers: a whole town, an area's villages, a village, a cadre's."""
    if scope_kind == "village":
        return Household.village_id == scope_id
    if scope_kind == "cadre":
        return Household.responsible_cadre_id == scope_id
    if scope_kind == "area":
        return Household.village_id.in_(select(Village.id).where(Village.area_id == scope_id))
    if scope_kind == "town":
        return Household.village_id.in_(select(Village.id).where(Village.town_id == scope_id))
    raise ValueError(scope_kind)


def scope_name(session: Session, scope_kind: str, scope_id: str) -> str | None:
    """The name of a summary's town, area, village or cadre (None if it does not exist)."""
    model = {"town": Town, "area": Area, "village": Village, "cadre": Cadre}[scope_kind]
    return session.scalar(select(model.name).where(model.id == scope_id))  # type: ignore[attr-defined]


def town_name(session: Session, scope_kind: str, scope_id: str) -> str:
    """The town an area or village belongs to (its own name for a town)."""
    if scope_kind == "town":
        query = select(Town.name).where(Town.id == scope_id)
    elif scope_kind == "area":
        query = select(Town.name).join(Area, Area.town_id == Town.id).where(Area.id == scope_id)
    else:
        query = select(Town.name).join(Village, Village.town_id == Town.id).where(Village.id == scope_id)
    return session.scalar(query) or ""


# ---- from the summary tally (migration 0015) -------------------------------------------------------
# A week's or a month's households visited and requests acted on are kept per village and cadre by
# triggers: counted from the village's households they grew with the village (one village of the
# encrypted 400,000-household bench archive has 59,000 households; the monthly summary took 2.5 s).
SOLVED = "办结+当场解决"  # the tally's key for requests solved (办结 or 当场解决)
VISITED = "走访"


def tally_period(start: date, end: date) -> str | None:
    """周报 or 月报 when start..end is a whole week (Monday to Sunday) or calendar month, the periods the
    summary tally keeps; None for any other range (counted from the records)."""
    if start.weekday() == 0 and end == start + timedelta(days=6):
        return "周报"
    if start.day == 1 and end == (start + timedelta(days=32)).replace(day=1) - timedelta(days=1):
        return "月报"
    return None


def _tally_scope(scope_kind: str, scope_id: str) -> ColumnElement[bool]:
    if scope_kind == "village":
        return SummaryTally.village_id == scope_id
    if scope_kind == "cadre":
        return SummaryTally.cadre_id == scope_id
    if scope_kind == "area":
        return SummaryTally.village_id.in_(select(Village.id).where(Village.area_id == scope_id))
    if scope_kind == "town":
        return SummaryTally.village_id.in_(select(Village.id).where(Village.town_id == scope_id))
    raise ValueError(scope_kind)


def _tallied(
    session: Session, scope_kind: str, scope_id: str, period: str, start: date, what: tuple[str, ...] = ()
) -> dict[str, int]:
    stmt = (
        select(SummaryTally.what, func.sum(SummaryTally.n))
        .where(
            SummaryTally.period == period,
            SummaryTally.period_start == start,
            _tally_scope(scope_kind, scope_id),
            *([SummaryTally.what.in_(what)] if what else []),
        )
        .group_by(SummaryTally.what)
    )
    return {key: int(n) for key, n in session.execute(stmt) if n}


def households_visited(session: Session, scope_kind: str, scope_id: str, start: date, end: date) -> int:
    period = tally_period(start, end)
    if period is not None:
        return _tallied(session, scope_kind, scope_id, period, start, (VISITED,)).get(VISITED, 0)
    stmt = (
        select(func.count(func.distinct(Visit.household_id)))
        .join(Household, Household.id == Visit.household_id)
        .where(
            _household_scope(scope_kind, scope_id), Visit.deleted.is_(False), Visit.date.between(start, end)
        )
    )
    return session.scalar(stmt) or 0


def _requests(scope_kind: str, scope_id: str) -> Any:
    return (
        select(Request)
        .join(Household, Household.id == Request.household_id)
        .where(_household_scope(scope_kind, scope_id), Request.deleted.is_(False))
    )


def new_by_class(
    session: Session, scope_kind: str, scope_id: str, start: date, end: date
) -> list[tuple[Any, ...]]:
    stmt = select(Request.category, Request.scope, Request.solvability, func.count())
    if scope_kind in SCOPE_INDEX:
        # A village's or a cadre's requests from its households: on the encrypted 400,000-household
        # archive the county's month of requests, each read from the table, took 470 ms against 140 ms.
        stmt = stmt.select_from(Household).with_hint(Household, SCOPE_INDEX[scope_kind], "sqlite")
        stmt = stmt.join(Request, Request.household_id == Household.id)
    else:
        stmt = (
            stmt.with_hint(Request, "INDEXED BY ix_request_recorded_category", "sqlite")
            .with_hint(Household, HOUSEHOLD_SCOPE_BY_KEY, "sqlite")
            .join(Household, Household.id == Request.household_id)
        )
    stmt = (
        stmt.where(
            _household_scope(scope_kind, scope_id),
            Request.deleted.is_(False),
            Request.recorded_on.between(start, end),
        )
        .group_by(Request.category, Request.scope, Request.solvability)
        .order_by(Request.category, Request.scope, Request.solvability)
    )
    return [tuple(row) for row in session.execute(stmt)]


def by_status(session: Session, scope_kind: str, scope_id: str, end: date) -> dict[str, int]:
    """Requests recorded by ``end``, counted by the state each was in at the end of that day: the
    target of its last transition dated on or before ``end`` (登记 if none). A report printed again
    later therefore says what it said when it was submitted.

    Summed from the state tally (migration 0015), which keeps each day's moves between states per
    village and cadre. Asking each request of the scope for its last event up to ``end`` grew with the
    village's history (one village of the encrypted 400,000-household bench archive: 59,000 households,
    each looked up for its requests and each request for its last event)."""
    scope = {
        "village": StateTally.village_id == scope_id,
        "cadre": StateTally.cadre_id == scope_id,
        "area": StateTally.village_id.in_(select(Village.id).where(Village.area_id == scope_id)),
        "town": StateTally.village_id.in_(select(Village.id).where(Village.town_id == scope_id)),
    }[scope_kind]
    rows = session.execute(
        select(StateTally.status, func.sum(StateTally.n))
        .where(scope, StateTally.day <= end)
        .group_by(StateTally.status)
    )
    return {status: int(n) for status, n in rows if n}


def actions_in(session: Session, scope_kind: str, scope_id: str, start: date, end: date) -> dict[str, int]:
    """How many requests each action was taken on in the period (by business date). A request solved,
    answered 不满意 and solved again within the period is one solved request, not two."""
    period = tally_period(start, end)
    if period is not None:
        found = _tallied(session, scope_kind, scope_id, period, start)
        return {key: n for key, n in found.items() if key not in (VISITED, SOLVED)}
    stmt = (
        select(RequestEvent.action, func.count(func.distinct(RequestEvent.request_id)))
        .join(Request, Request.id == RequestEvent.request_id)
        .join(Household, Household.id == Request.household_id)
        .where(_household_scope(scope_kind, scope_id), RequestEvent.on.between(start, end))
        .group_by(RequestEvent.action)
    )
    return dict(session.execute(stmt).all())  # type: ignore[arg-type]


def requests_acted_on(
    session: Session, scope_kind: str, scope_id: str, start: date, end: date, actions: tuple[str, ...]
) -> int:
    """How many requests had any of ``actions`` taken in the period (e.g. 办结 or 当场解决)."""
    period = tally_period(start, end)
    if period is not None and set(actions) == {"办结", "当场解决"}:
        return _tallied(session, scope_kind, scope_id, period, start, (SOLVED,)).get(SOLVED, 0)
    if period is not None and len(actions) == 1:
        return _tallied(session, scope_kind, scope_id, period, start, actions).get(actions[0], 0)
    stmt = (
        select(func.count(func.distinct(RequestEvent.request_id)))
        .with_hint(RequestEvent, PERIOD_INDEX[RequestEvent], "sqlite")
        .with_hint(Request, REQUEST_SCOPE_BY_KEY, "sqlite")
        .join(Request, Request.id == RequestEvent.request_id)
        .with_hint(Household, HOUSEHOLD_SCOPE_BY_KEY, "sqlite")
        .join(Household, Household.id == Request.household_id)
        .where(
            _household_scope(scope_kind, scope_id),
            RequestEvent.on.between(start, end),
            RequestEvent.action.in_(actions),
        )
    )
    return session.scalar(stmt) or 0


def overdue_at(session: Session, scope_kind: str, scope_id: str, day: date) -> int:
    stmt = (
        select(func.count())
        .select_from(Request)
        .with_hint(Request, "INDEXED BY ix_request_status_deadline", "sqlite")
        .with_hint(Household, HOUSEHOLD_SCOPE_BY_KEY, "sqlite")
        .join(Household, Household.id == Request.household_id)
        .where(
            _household_scope(scope_kind, scope_id),
            Request.deleted.is_(False),
            Request.status.in_(OPEN),
            Request.deadline < day,
        )
    )
    return session.scalar(stmt) or 0


def feedback_counts(
    session: Session, scope_kind: str, scope_id: str, start: date, end: date
) -> dict[str, int]:
    stmt = (
        select(RequestFeedback.satisfaction, func.count())
        .with_hint(RequestFeedback, PERIOD_INDEX[RequestFeedback], "sqlite")
        .with_hint(Request, REQUEST_SCOPE_BY_KEY, "sqlite")
        .join(Request, Request.id == RequestFeedback.request_id)
        .with_hint(Household, HOUSEHOLD_SCOPE_BY_KEY, "sqlite")
        .join(Household, Household.id == Request.household_id)
        .where(_household_scope(scope_kind, scope_id), RequestFeedback.on.between(start, end))
        .group_by(RequestFeedback.satisfaction)
    )
    return dict(session.execute(stmt).all())  # type: ignore[arg-type]
