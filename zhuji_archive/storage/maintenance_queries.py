"""Queries for 动态维护: due revisits, open must-visit events, service links and their activity,
and the counts of the leaders' dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from zhuji_archive.storage import sqlite_hints  # noqa: F401  (writes the INDEXED BY hints below)
from zhuji_archive.storage import tally_queries as tallies
from zhuji_archive.storage.models import (
    Cadre,
    Enterprise,
    Household,
    HouseholdCode,
    HouseholdEvent,
    OnSiteDay,
    PracticalDeed,
    ReportSubmission,
    Request,
    RequestEvent,
    RequestFeedback,
    ServiceLink,
    Village,
    VillageEvent,
    VillageGroup,
    Visit,
)
from zhuji_archive.storage.tally_models import AssessmentTally, RequestTally
from zhuji_archive.storage.text_match import contains, ends_with, starts_with

OPEN_STATUSES = ("登记", "已梳理", "待上会", "办理中")


def _scope(cadre_id: str | None, village_id: str | None = None) -> list[ColumnElement[bool]]:
    where = [Household.status == "在册"]
    if cadre_id:
        where.append(Household.responsible_cadre_id == cadre_id)
    if village_id:
        where.append(Household.village_id == village_id)
    return where


def _short_tagged(tags: tuple[str, ...]) -> ColumnElement[bool]:
    return Household.id.in_(
        select(HouseholdCode.household_id).where(
            HouseholdCode.kind == "focus_tag", HouseholdCode.label.in_(tags)
        )
    )


@dataclass(frozen=True)
class DueLimit:
    """Who is due for a 大走访 by some day: never visited, or last visited on or before the cut-off
    (``cutoff_short`` for households with one of ``short_tags``, ``cutoff_default`` for the others).

    The queries split this into index ranges on last_big_visit_date — never visited, on or before the
    earlier cut-off, between the two cut-offs for the tagged (or untagged) households only — so that
    counting the due households reads the due households, not the county, whatever plan SQLite
    would pick for one OR over a tag subquery."""

    short_tags: tuple[str, ...]
    cutoff_default: date
    cutoff_short: date

    def pieces(self) -> list[list[ColumnElement[bool]]]:
        """Disjoint conditions, in list order (never visited, then by date), whose union is due."""
        last = Household.last_big_visit_date
        if not self.short_tags or self.cutoff_short == self.cutoff_default:
            return [[last.is_(None)], [last <= self.cutoff_default]]
        low, high = sorted((self.cutoff_default, self.cutoff_short))
        tagged = _short_tagged(self.short_tags)
        # Between the two cut-offs only the households with the later cut-off are due.
        between = tagged if self.cutoff_short > self.cutoff_default else ~tagged
        return [[last.is_(None)], [last <= low], [last > low, last <= high, between]]


def due_condition(tags: tuple[str, ...], cutoff_default: date, cutoff_short: date) -> DueLimit:
    """Households whose next 大走访 falls on or before the limit the cut-offs were computed for."""
    return DueLimit(tuple(tags), cutoff_default, cutoff_short)


def _indexed(cadre_id: str | None, village_id: str | None) -> str:
    """The index whose leading equalities fit the scope, so the date range is read in order."""
    if cadre_id:
        return "ix_household_cadre_status_big_visit"
    if village_id:
        return "ix_household_village_status_big_visit"
    return "ix_household_status_big_visit_id"


def due_households(
    session: Session,
    cadre_id: str | None,
    condition: DueLimit,
    limit: int,
    village_id: str | None = None,
) -> tuple[list[Any], int]:
    """Households due for a revisit (never visited first, then the longest ago), and how many in all."""
    scope = _scope(cadre_id, village_id)
    hint = f"INDEXED BY {_indexed(cadre_id, village_id)}"
    rows: list[Any] = []
    total = 0
    for piece in condition.pieces():
        total += (
            session.scalar(
                select(func.count())
                .select_from(Household)
                .with_hint(Household, hint, "sqlite")
                .where(*scope, *piece)
            )
            or 0
        )
        if len(rows) < limit:
            rows.extend(
                session.execute(
                    select(
                        Household.id,
                        Household.head_name,
                        Village.name,
                        VillageGroup.name,
                        Household.number,
                        Household.last_big_visit_date,
                        Household.focus_tags,
                    )
                    .with_hint(Household, hint, "sqlite")
                    .join(Village, Village.id == Household.village_id)
                    .join(VillageGroup, VillageGroup.id == Household.group_id)
                    .where(*scope, *piece)
                    .order_by(Household.last_big_visit_date, Household.id)
                    .limit(limit - len(rows))
                ).all()
            )
    return rows, total


def household_count(session: Session, cadre_id: str | None = None, village_id: str | None = None) -> int:
    """Households on file, from the tally (no count over the households)."""
    return tallies.households(session, "在册", cadre_id=cadre_id, village_id=village_id)


def open_events(session: Session, cadre_id: str | None, villages: frozenset[str] | None = None) -> list[Any]:
    """Must-visit events not yet fulfilled, of a cadre's households, only in ``villages`` when given."""
    query = (
        select(HouseholdEvent, Household.head_name, Village.name, VillageGroup.name, Household.number)
        .join(Household, Household.id == HouseholdEvent.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(VillageGroup, VillageGroup.id == Household.group_id)
        .where(HouseholdEvent.fulfilled_on.is_(None), *_scope(cadre_id))
    )
    if villages is not None:
        query = query.where(Household.village_id.in_(sorted(villages)))
    return list(session.execute(query.order_by(HouseholdEvent.due_on)).all())


def submissions(session: Session, scope_kind: str, scope_id: str) -> dict[tuple[str, date], Any]:
    rows = session.scalars(
        select(ReportSubmission).where(
            ReportSubmission.scope_kind == scope_kind, ReportSubmission.scope_id == scope_id
        )
    )
    return {(r.period, r.period_start): r for r in rows}


def cadres(
    session: Session, kinds: tuple[str, ...] = (), villages: frozenset[str] | None = None
) -> list[Cadre]:
    """Active cadres (of these kinds; of these villages when given)."""
    query = select(Cadre).where(Cadre.active.is_(True)).order_by(Cadre.kind, Cadre.name)
    if kinds:
        query = query.where(Cadre.kind.in_(kinds))
    if villages is not None:
        query = query.where(Cadre.village_id.in_(sorted(villages)))
    return list(session.scalars(query))


# ---- service links ----------------------------------------------------------------------------
def active_links(session: Session, start: date, end: date, cadre_id: str | None = None) -> list[ServiceLink]:
    query = select(ServiceLink).where(
        ServiceLink.start_on <= end, or_(ServiceLink.end_on.is_(None), ServiceLink.end_on >= start)
    )
    if cadre_id:
        query = query.where(ServiceLink.cadre_id == cadre_id)
    return list(
        session.scalars(query.order_by(ServiceLink.cadre_id, ServiceLink.mode, ServiceLink.target_kind))
    )


def all_links(session: Session) -> list[ServiceLink]:
    return list(session.scalars(select(ServiceLink).order_by(ServiceLink.start_on.desc())))


def target_name(session: Session, kind: str, target_id: str) -> str | None:
    if kind == "village":
        return session.scalar(select(Village.name).where(Village.id == target_id))
    if kind == "enterprise":
        return session.scalar(select(Enterprise.name).where(Enterprise.id == target_id))
    if kind == "household":
        row = session.execute(
            select(Household.head_name, Village.name, VillageGroup.name, Household.number)
            .join(Village, Village.id == Household.village_id)
            .join(VillageGroup, VillageGroup.id == Household.group_id)
            .where(Household.id == target_id)
        ).one_or_none()
        return f"{row[1]}{row[2]}第{row[3]}户 {row[0]}" if row else None
    if kind == "group":
        row = session.execute(
            select(Village.name, VillageGroup.name).join(Village).where(VillageGroup.id == target_id)
        ).one_or_none()
        return f"{row[0]}{row[1]}" if row else None
    return None


def onsite_days_by_cadre(session: Session, start: date, end: date) -> dict[str, int]:
    """Each cadre's on-site days in the period, in one statement (the quota table asked once per
    cadre: 54 round trips to a hub for 54 counts)."""
    return _count_by_cadre(session, OnSiteDay, start, end)


def deeds_by_cadre(session: Session, start: date, end: date) -> dict[str, int]:
    """Each cadre's practical deeds in the period, in one statement."""
    return _count_by_cadre(session, PracticalDeed, start, end)


def _count_by_cadre(session: Session, model: Any, start: date, end: date) -> dict[str, int]:
    rows = session.execute(
        select(model.cadre_id, func.count())
        .where(model.date.between(start, end))
        .group_by(model.cadre_id)
    )
    return {cadre_id: n for cadre_id, n in rows}


def count_solved(session: Session, household_ids: list[str], start: date, end: date) -> int:
    """Requests (difficulties) of the households solved in the period: a request solved again after
    an unsatisfied feedback is still one difficulty."""
    if not household_ids:
        return 0
    return (
        session.scalar(
            select(func.count(func.distinct(RequestEvent.request_id)))
            .select_from(RequestEvent)
            .join(Request)
            .where(
                Request.household_id.in_(household_ids),
                RequestEvent.action.in_(("办结", "当场解决")),
                RequestEvent.on.between(start, end),
            )
        )
        or 0
    )


def count_visits_by(
    session: Session, cadre_name: str, household_ids: list[str], start: date, end: date
) -> int:
    if not household_ids:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Visit)
            .where(
                Visit.household_id.in_(household_ids),
                Visit.deleted.is_(False),
                Visit.date.between(start, end),
                _names_include(Visit.cadres, cadre_name),
            )
        )
        or 0
    )


def focus_households_without_link(
    session: Session, start: date, end: date, limit: int = 500, villages: frozenset[str] | None = None
) -> list[Any]:
    """Focus households (of ``villages`` when given) that no cadre's link covers in the period."""
    in_scope = [] if villages is None else [Household.village_id.in_(sorted(villages))]
    linked = select(ServiceLink.target_id).where(
        ServiceLink.target_kind == "household",
        ServiceLink.start_on <= end,
        or_(ServiceLink.end_on.is_(None), ServiceLink.end_on >= start),
    )
    return list(
        session.execute(
            select(
                Household.id,
                Household.head_name,
                Village.name,
                VillageGroup.name,
                Household.number,
                Household.focus_tags,
            )
            # group_sort is (village sort, group sort): walking its index in order stops after
            # ``limit`` matches instead of sorting every focus household of the county.
            .with_hint(Household, "INDEXED BY ix_household_status_group", "sqlite")
            .join(Village, Village.id == Household.village_id)
            .join(VillageGroup, VillageGroup.id == Household.group_id)
            .where(
                Household.status == "在册", Household.focus_tags != "", Household.id.not_in(linked), *in_scope
            )
            .order_by(Household.group_sort, Household.number, Household.id)
            .limit(limit)
        ).all()
    )


# ---- assessment and dashboard -------------------------------------------------------------------
def closed_in(session: Session, where: list[ColumnElement[bool]], start: date, end: date) -> list[Any]:
    """(deadline, business date) of every 办结/不能解决 in the period for requests matching ``where``."""
    return list(
        session.execute(
            select(Request.deadline, RequestEvent.on)
            .join(Request, Request.id == RequestEvent.request_id)
            .join(Household, Household.id == Request.household_id)
            .where(
                *where,
                RequestEvent.action.in_(("办结", "不能解决", "当场解决")),
                RequestEvent.on.between(start, end),
            )
        ).all()
    )


def feedback_in(
    session: Session, where: list[ColumnElement[bool]], start: date | None, end: date | None
) -> dict[str, int]:
    query = select(RequestFeedback.satisfaction, func.count())
    if where:
        # Only a scope needs the households. Every feedback has its request and every request its
        # household (foreign keys), so the whole town's counts need neither join: 28,000 household
        # look-ups on a hub of 400,000 households (310 ms) for nothing.
        query = query.join(Request).join(Household, Household.id == Request.household_id).where(*where)
    if start is not None and end is not None:
        query = query.where(RequestFeedback.on.between(start, end))
    return dict(session.execute(query.group_by(RequestFeedback.satisfaction)).all())  # type: ignore[arg-type]


def request_counts(session: Session, village_id: str | None, column: Any) -> dict[str, int]:
    """Requests not deleted per status, category or level (``column`` of Request), from the tally."""
    return tallies.requests_by(session, getattr(RequestTally, column.key), village_id)


def new_requests_by_category(
    session: Session, village_id: str | None, start: date, end: date
) -> dict[str, int]:
    query = select(Request.category, func.count()).where(
        Request.deleted.is_(False), Request.recorded_on.between(start, end)
    )
    if village_id:
        query = query.where(Request.village_id == village_id)
    return dict(session.execute(query.group_by(Request.category)).all())  # type: ignore[arg-type]


def open_overdue_and_supervised(session: Session, village_id: str | None, today: date) -> tuple[int, int]:
    """Open requests past their deadline (an index range over status and deadline: only the overdue
    are read) and open requests under supervision (from the tally)."""
    where = [Request.deleted.is_(False), Request.status.in_(OPEN_STATUSES), Request.deadline < today]
    if village_id:
        where.append(Request.village_id == village_id)
    overdue = (
        session.scalar(
            select(func.count())
            .select_from(Request)
            .with_hint(Request, "INDEXED BY ix_request_status_deadline", "sqlite")
            .where(*where)
        )
        or 0
    )
    return overdue, tallies.requests(session, village_id, OPEN_STATUSES, supervised=True)


def households_ever_visited(session: Session, village_id: str | None) -> int:
    return tallies.visited(session, village_id)


def information_items(session: Session, village_id: str | None) -> int:
    """民情信息: every visit record, request and village event entry collected."""
    events = select(func.count()).select_from(VillageEvent).where(VillageEvent.deleted.is_(False))
    if village_id:
        events = events.where(VillageEvent.village_id == village_id)
    return (
        tallies.visits(session, village_id)
        + tallies.requests(session, village_id)
        + (session.scalar(events) or 0)
    )


def households_per_group(session: Session, village_id: str | None) -> list[int]:
    return list(tallies.households_by_group(session, village_id).values())


def link_targets(session: Session, kind: str) -> list[tuple[str, str]]:
    if kind == "village":
        return [(i, n) for i, n in session.execute(select(Village.id, Village.name).order_by(Village.sort))]
    if kind == "enterprise":
        return [
            (i, n)
            for i, n in session.execute(select(Enterprise.id, Enterprise.name).order_by(Enterprise.name))
        ]
    if kind == "group":
        rows = session.execute(
            select(VillageGroup.id, Village.name, VillageGroup.name)
            .join(Village)
            .order_by(Village.sort, VillageGroup.sort)
        )
        return [(i, f"{v}{g}") for i, v, g in rows]
    if kind == "household":
        rows = session.execute(
            select(
                Household.id,
                Village.name,
                VillageGroup.name,
                Household.number,
                Household.head_name,
                Household.focus_tags,
            )
            .join(Village, Village.id == Household.village_id)
            .join(VillageGroup, VillageGroup.id == Household.group_id)
            .where(Household.status == "在册", Household.focus_tags != "")
            .order_by(Village.sort, VillageGroup.sort, Household.number)
        )
        return [(i, f"{v}{g}第{n}户 {h}（{t}）") for i, v, g, n, h, t in rows]
    return []


def _names_include(column: Any, name: str) -> ColumnElement[bool]:
    """A 、-separated list of names holds ``name`` itself (王伟 is not found in 王伟东)."""
    return or_(
        column == name,
        starts_with(column, f"{name}、"),
        ends_with(column, f"、{name}"),
        contains(column, f"、{name}、"),
    )


# ---- the assessment, for every cadre at once ------------------------------------------------------
# From the assessment tally (migration 0014): per responsible cadre and business date, kept by triggers
# in the transaction that records the event or feedback. Counting from the events themselves looked up
# each one's request and household — thousands of look-ups a year, growing with the county.
def closed_in_by_cadre(session: Session, start: date, end: date) -> dict[str, tuple[int, int]]:
    """(on time, all) of the 办结/不能解决/当场解决 in the period, by responsible cadre; 当场解决 has no
    deadline and counts as on time."""
    on_time = func.sum(case((AssessmentTally.outcome == "on_time", AssessmentTally.n), else_=0))
    rows = session.execute(
        select(AssessmentTally.cadre_id, on_time, func.sum(AssessmentTally.n))
        .where(
            AssessmentTally.kind == "closed",
            AssessmentTally.day.between(start, end),
            AssessmentTally.cadre_id != "",
        )
        .group_by(AssessmentTally.cadre_id)
    )
    return {cadre_id: (int(good), int(total)) for cadre_id, good, total in rows if total}


def feedback_in_by_cadre(session: Session, start: date, end: date) -> dict[str, dict[str, int]]:
    """Feedback of the period per satisfaction, by the responsible cadre of the household."""
    rows = session.execute(
        select(AssessmentTally.cadre_id, AssessmentTally.outcome, func.sum(AssessmentTally.n))
        .where(
            AssessmentTally.kind == "feedback",
            AssessmentTally.day.between(start, end),
            AssessmentTally.cadre_id != "",
        )
        .group_by(AssessmentTally.cadre_id, AssessmentTally.outcome)
    )
    result: dict[str, dict[str, int]] = {}
    for cadre_id, satisfaction, count in rows:
        if count:
            result.setdefault(cadre_id, {})[satisfaction] = int(count)
    return result
