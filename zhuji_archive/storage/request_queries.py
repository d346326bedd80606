"""Queries over requests: filtered lists with household context, events, counts, supervised cases."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from zhuji_archive.domain.search_keys import searchable
from zhuji_archive.storage import sqlite_hints  # noqa: F401  (writes the INDEXED BY hints below)
from zhuji_archive.storage.models import (
    CommonIssue,
    HolidayOverride,
    Household,
    Request,
    RequestEvent,
    Village,
    VillageGroup,
)
from zhuji_archive.storage.text_match import contains

OPEN = ("登记", "已梳理", "待上会", "办理中")


@dataclass(frozen=True)
class RequestQuery:
    """What a request list shows. ``due_before`` is the first day that is no longer 临期."""

    village_id: str | None = None
    household_id: str | None = None
    category: str | None = None
    level: str | None = None
    statuses: tuple[str, ...] = ()
    time_status: str | None = None  # 超期 / 临期 / 正常 / 无时限
    leader: str | None = None
    supervised_only: bool = False
    township_only: bool = False  # reported to the town: 待上会, or any 镇级/市镇联动 request
    common_issue_id: str | None = None
    meeting_id: str | None = None
    unscheduled: bool = False  # not yet on any meeting's agenda
    cadre_id: str | None = None  # requests of the households this cadre is responsible for
    text: str = ""
    today: date | None = None
    due_before: date | None = None
    limit: int = 5000
    villages: frozenset[str] | None = None  # the account's scope (set by the service); None: all


def _columns() -> list[Any]:
    return [
        Request,
        Household.head_name,
        Household.number,
        Village.name,
        VillageGroup.name,
        CommonIssue.title,
    ]


# Request lists are read from the request table, each household found by its key: left to itself,
# SQLite at county scale walked every household of every village to find their requests (2.6 s for
# 镇级审核 at 400,000 households, against 0.2 s from the request side).
HOUSEHOLD_BY_KEY = "INDEXED BY sqlite_autoindex_household_1"
# A count that only asks which village or cadre a request's household belongs to reads it from this
# index alone (id, village_id, responsible_cadre_id): at county scale the household rows are spread
# over a file far larger than the page cache, and each look-up in the table read and decrypted one
# more page (migration 0014).
HOUSEHOLD_SCOPE_BY_KEY = "INDEXED BY ix_household_id_scope"
# ... and a request's household, deleted flag and deadline by its key (migration 0014).
REQUEST_SCOPE_BY_KEY = "INDEXED BY ix_request_id_household"


def _listed() -> Select[Any]:
    """A list row's columns: the request with its household, village, group and common issue."""
    return (
        select(*_columns())
        .with_hint(Household, HOUSEHOLD_BY_KEY, "sqlite")
        .join(Household, Household.id == Request.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .outerjoin(CommonIssue, CommonIssue.id == Request.common_issue_id)
    )


def base(query: RequestQuery) -> Select[Any]:
    stmt = _listed().where(Request.deleted.is_(False))
    if query.cadre_id:
        stmt = stmt.where(_of_cadre(query.cadre_id))
    return stmt.where(*conditions(query))


def _of_cadre(cadre_id: str) -> ColumnElement[bool]:
    """The request's household is the cadre's, asked of ix_household_id_scope before the household's
    row is read: a cadre's list otherwise read the row of every open request's household in the county
    to keep the cadre's (今日待办 for one cadre)."""
    scope = aliased(Household)
    return (
        select(scope.id)
        .with_hint(scope, HOUSEHOLD_SCOPE_BY_KEY, "sqlite")
        .where(scope.id == Request.household_id, scope.responsible_cadre_id == cadre_id)
        .exists()
    )


def _in_cadres_households(cadre_id: str) -> ColumnElement[bool]:
    """The request's household is one of the cadre's, the cadre's households read once from
    ix_household_cadre_status_big_visit (which ends with the id): a count or a pick of the first rows
    among thousands of requests otherwise looked each one's household up at random in
    ix_household_id_scope, one more page of an encrypted county file for most of them."""
    mine = aliased(Household)
    return Request.household_id.in_(
        select(mine.id)
        .with_hint(mine, "INDEXED BY ix_household_cadre_status_big_visit", "sqlite")
        .where(mine.responsible_cadre_id == cadre_id)
    )


def conditions(query: RequestQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.villages is not None:
        where.append(Request.village_id.in_(sorted(query.villages)))
    if query.village_id:
        where.append(Request.village_id == query.village_id)
    if query.household_id:
        where.append(Request.household_id == query.household_id)
    if query.category:
        where.append(Request.category == query.category)
    if query.level:
        where.append(Request.level == query.level)
    if query.statuses:
        where.append(Request.status.in_(query.statuses))
    if query.leader:
        where.append(Request.leader == query.leader)
    if query.supervised_only:
        where.append(Request.supervising_body != "")
    if query.township_only:
        where.append(or_(Request.status == "待上会", Request.level.in_(("镇级", "市镇联动"))))
    if query.common_issue_id:
        where.append(Request.common_issue_id == query.common_issue_id)
    if query.meeting_id:
        where.append(Request.meeting_id == query.meeting_id)
    if query.unscheduled:
        where.append(Request.meeting_id.is_(None))
    if query.cadre_id:
        where.append(Household.responsible_cadre_id == query.cadre_id)
    needle = searchable(query.text).strip()
    if needle:
        where.append(
            or_(
                contains(Request.description, needle),
                contains(Household.head_name, needle),
                contains(Request.number, needle),
            )
        )
    if query.time_status and query.today is not None and query.due_before is not None:
        open_with_deadline = and_(Request.status.in_(OPEN), Request.deadline.is_not(None))
        where.append(
            {
                "超期": and_(open_with_deadline, Request.deadline < query.today),
                "临期": and_(
                    open_with_deadline, Request.deadline >= query.today, Request.deadline < query.due_before
                ),
                "正常": and_(open_with_deadline, Request.deadline >= query.due_before),
                "无时限": or_(Request.status.not_in(OPEN), Request.deadline.is_(None)),
            }[query.time_status]
        )
    return where


# A list filtered by status or deadline (the to-do's overdue, due-soon and awaiting-feedback lists)
# picks its rows in ix_request_status_deadline, which carries the filters, the list's order and the
# household (migration 0015), and reads only the rows it returns: read whole and joined to their
# households before sorting, every open request of a county was read to list the first 300
# (今日待办 1.3 s at 400,000 households).
KEYS_BY_STATUS = "INDEXED BY ix_request_status_deadline"


def _keys_first(query: RequestQuery) -> bool:
    return (
        not searchable(query.text).strip()
        and query.household_id is None
        and (bool(query.statuses) or query.time_status in ("超期", "临期"))
    )


def rows(session: Session, query: RequestQuery) -> list[Any]:
    order = (Request.recorded_on.desc(), Request.id)
    if not _keys_first(query):
        return list(session.execute(base(query).order_by(*order).limit(query.limit)).all())
    keys = (
        select(Request.id)
        .with_hint(Request, KEYS_BY_STATUS, "sqlite")
        .where(Request.deleted.is_(False), *conditions(replace(query, cadre_id=None)))
    )
    if query.cadre_id:
        keys = keys.where(_in_cadres_households(query.cadre_id))
    chosen = keys.order_by(*order).limit(query.limit).correlate(None).scalar_subquery()
    return list(session.execute(_listed().where(Request.id.in_(chosen)).order_by(*order)).all())


# The list's one order: newest 登记日期 first, ties by id. A page key is (recorded_on, id).
PageKey = tuple[date, str]


def page(session: Session, query: RequestQuery, after: PageKey | None, limit: int) -> list[Any]:
    """The next ``limit`` rows after the row whose key is ``after`` (keyset paging, in list order)."""
    stmt = base(query)
    if after is not None:
        recorded_on, request_id = after
        stmt = stmt.where(
            or_(
                Request.recorded_on < recorded_on,
                and_(Request.recorded_on == recorded_on, Request.id > request_id),
            )
        )
    stmt = stmt.order_by(Request.recorded_on.desc(), Request.id).limit(limit)
    return list(session.execute(stmt).all())


def count(session: Session, query: RequestQuery) -> int:
    """How many requests the query matches (every row, not only a page)."""
    stmt = _counted(select(func.count()).select_from(Request), query)
    return int(session.scalar(stmt) or 0)


def _counted(stmt: Select[Any], query: RequestQuery) -> Select[Any]:
    """A count's filters; the households are joined only when a filter is about them (the cadre, the
    head's name in a search). Every request has its household (a foreign key), so the join alone
    drops nothing, and a hub of 400,000 households spent 150 ms of the 今日待办 page on it."""
    if searchable(query.text).strip():
        stmt = stmt.with_hint(Household, HOUSEHOLD_SCOPE_BY_KEY, "sqlite").join(
            Household, Household.id == Request.household_id
        )
    elif query.cadre_id:  # the cadre's households once, not each request's household in turn
        where = conditions(replace(query, cadre_id=None))
        return stmt.where(Request.deleted.is_(False), _in_cadres_households(query.cadre_id), *where)
    return stmt.where(Request.deleted.is_(False), *conditions(query))


def tally_countable(query: RequestQuery) -> bool:
    """True when the kept request tally answers the count: no filter but village and status."""
    only = RequestQuery(
        village_id=query.village_id, statuses=query.statuses, limit=query.limit, villages=query.villages
    )
    return replace(query, today=None, due_before=None) == only


def status_counts(session: Session, query: RequestQuery) -> dict[str, int]:
    stmt = _counted(select(Request.status, func.count()).select_from(Request), query).group_by(Request.status)
    return dict(session.execute(stmt).all())  # type: ignore[arg-type]


def events(session: Session, request_id: str) -> list[RequestEvent]:
    stmt = (
        select(RequestEvent)
        .where(RequestEvent.request_id == request_id)
        .order_by(RequestEvent.at, RequestEvent.id)
    )
    return list(session.scalars(stmt))


def last_progress(session: Session, request_ids: list[str]) -> dict[str, RequestEvent]:
    """The latest 记录进展 entry of each request."""
    if not request_ids:
        return {}
    stmt = (
        select(RequestEvent)
        .where(RequestEvent.request_id.in_(request_ids), RequestEvent.action == "记录进展")
        .order_by(RequestEvent.on, RequestEvent.at)
    )
    latest: dict[str, RequestEvent] = {}
    for event in session.scalars(stmt):
        latest[event.request_id] = event
    return latest


def holiday_overrides(session: Session) -> dict[date, bool]:
    return {row.day: row.workday for row in session.scalars(select(HolidayOverride))}


def leaders(session: Session) -> list[str]:
    stmt = select(Request.leader).where(Request.leader != "").distinct().order_by(Request.leader)
    return list(session.scalars(stmt))
