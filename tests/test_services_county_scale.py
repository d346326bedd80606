"""County-scale behaviour of the services: the to-do list cuts long request lists but counts them all,
and the period figures read through the period indexes agree with counting every record."""

from __future__ import annotations

from collections import Counter

import pytest

from zhuji_archive.services.archive import Archive
from zhuji_archive.services.maintenance import FEEDBACK, REQUEST_DUE, REVISIT, MaintenanceService


def test_the_todo_lists_the_first_requests_of_each_kind_and_counts_them_all(
    demo_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MaintenanceService, "REVISIT_LIMIT", 10**6)
    full = demo_archive.maintenance.todo()
    full_by_kind = Counter(item.kind for item in full.items)
    assert full_by_kind[REQUEST_DUE] > 4 and full_by_kind[FEEDBACK] > 2  # the premise: long lists
    assert full.counts[REQUEST_DUE] == full_by_kind[REQUEST_DUE]

    monkeypatch.setattr(MaintenanceService, "REVISIT_LIMIT", 2)
    cut = demo_archive.maintenance.todo()
    assert cut.counts == full.counts  # every kind still counted in full
    for kind in (FEEDBACK, REVISIT):
        shown = [item.request_id or item.household_id for item in cut.items if item.kind == kind]
        everything = [item.request_id or item.household_id for item in full.items if item.kind == kind]
        assert shown == everything[:2]
    due = [item for item in cut.items if item.kind == REQUEST_DUE]
    assert 0 < len(due) <= 4  # the first two overdue and the first two due soon
    assert {item.request_id for item in due} <= {
        item.request_id for item in full.items if item.kind == REQUEST_DUE
    }


# ---- the monthly summary's states at a period's end ----------------------------------------------
def states_by_recount(archive: Archive, scope_kind: str, scope_id: str, end) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Every request of the scope recorded by ``end``, in the state of its last event dated by ``end``
    in (business date, time, id) order — every event read, the summary's definition spelled out."""
    from sqlalchemy import select

    from zhuji_archive.storage.models import Household, Request, RequestEvent, Village

    with archive.db.sessions() as session:
        households = {h.id: h for h in session.scalars(select(Household))}
        villages = {v.id: v for v in session.scalars(select(Village))}

        def in_scope(household_id: str) -> bool:
            h = households[household_id]
            return {
                "village": h.village_id == scope_id,
                "cadre": h.responsible_cadre_id == scope_id,
                "area": villages[h.village_id].area_id == scope_id,
                "town": villages[h.village_id].town_id == scope_id,
            }[scope_kind]

        state = {
            r.id: "登记"
            for r in session.scalars(select(Request))
            if not r.deleted and r.recorded_on <= end and in_scope(r.household_id)
        }
        events = sorted(session.scalars(select(RequestEvent)), key=lambda e: (e.on, e.at, e.id))
        for event in events:
            if event.request_id in state and event.on <= end:
                state[event.request_id] = event.to_status
    return dict(Counter(state.values()))


def test_a_summarys_states_at_a_periods_end_are_a_recount_of_every_event(demo_archive: Archive) -> None:
    """by_status asks each request of the scope for its last event up to the period's end (one index
    seek each); it says what reading every event in order says, for every kind of scope and for ends
    in the past as well as today, also when an action was entered with an earlier business date than
    one already recorded."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from zhuji_archive.domain import workflow as wf
    from zhuji_archive.storage import summary_queries
    from zhuji_archive.storage.models import Area, Cadre, Household, Request, RequestEvent, Town, Village

    archive = demo_archive
    today = archive.maintenance.today
    with archive.db.sessions() as session:
        # An open request whose last event is dated after its registration ...
        last_on = (
            select(RequestEvent.request_id, func.max(RequestEvent.on).label("last_on"))
            .group_by(RequestEvent.request_id)
            .subquery()
        )
        request_id, recorded_on, latest = session.execute(
            select(Request.id, Request.recorded_on, last_on.c.last_on)
            .join(last_on, last_on.c.request_id == Request.id)
            .where(Request.status == "办理中", Request.deleted.is_(False), last_on.c.last_on > Request.recorded_on)
            .order_by(Request.id)
        ).first()
    # ... is solved with a business date before that event: its current status is no longer the target
    # of the event that sorts last.
    solved_on = latest - timedelta(days=1)
    assert recorded_on <= solved_on < latest
    archive.requests.act(request_id, wf.Action.SOLVE, wf.Resolution(solved_on, "补录", "村里", "已解决"))
    with archive.db.sessions() as session:
        scopes = [("town", t) for t in session.scalars(select(Town.id))]
        scopes += [("area", a) for a in session.scalars(select(Area.id))]
        scopes += [("village", v) for v in session.scalars(select(Village.id))]
        scopes += [
            ("cadre", c)
            for c in session.scalars(select(Cadre.id).where(Cadre.id.in_(select(Household.responsible_cadre_id))))
        ]
    assert len(scopes) > 5
    for end in (today, today - timedelta(days=30), today - timedelta(days=90), today + timedelta(days=30)):
        for scope_kind, scope_id in scopes:
            with archive.db.sessions() as session:
                found = summary_queries.by_status(session, scope_kind, scope_id, end)
            assert found == states_by_recount(archive, scope_kind, scope_id, end), (scope_kind, end)


# ---- plans: look-ups by key read the few columns they need from covering indexes -------------------
def explained_plans(archive: Archive, action) -> list[str]:  # type: ignore[no-untyped-def]
    """The EXPLAIN QUERY PLAN lines of every SELECT that ``action`` sends."""
    from sqlalchemy import event

    sent: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(archive.db.engine, "before_cursor_execute", seen)
    try:
        action()
    finally:
        event.remove(archive.db.engine, "before_cursor_execute", seen)
    lines = []
    with archive.db.engine.connect() as conn:
        for statement, parameters in sent:
            for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):  # type: ignore[arg-type]
                lines.append(row[3])
    return lines


@pytest.mark.file_archive  # SQLite's plans (a hub's are PostgreSQL's)
def test_assessment_and_summary_read_scopes_from_covering_indexes(demo_archive: Archive) -> None:
    """The assessment's period counts come from the assessment tally; a village's monthly summary finds
    each event's request and household by key only for the household's village and the request's
    household or deleted flag, and reads them from ix_request_id_household and ix_household_id_scope; a village's
    visits of the month are counted in ix_visit_household_date_deleted, and no statement reads every
    request of the county (on an encrypted county-scale file each table look-up decrypted another page:
    the assessment took 0.9 s and the summary 0.8 s at 100,000 households). The month's households
    visited and requests acted on are read from the summary tally and the states at its end from the state
    tally, not from the village's households, visits and events."""
    from datetime import date

    from zhuji_archive.domain.reporting import MONTHLY, period_of

    archive = demo_archive
    today = archive.maintenance.today
    village = archive.organisation.villages()[0][0]
    assessment = explained_plans(archive, lambda: archive.service_links.assessment(date(today.year, 1, 1), today))
    summary = explained_plans(
        archive, lambda: archive.summaries.build("village", village, period_of(MONTHLY, today))
    )
    for lines in (assessment, summary):
        assert not [line for line in lines if "sqlite_autoindex_household_1" in line or "sqlite_autoindex_request_1" in line]
        assert not [line for line in lines if line.split(" ")[:2] in (["SCAN", "request"], ["SCAN", "household"], ["SCAN", "visit"])]
    assert any(line.startswith("SEARCH assessment_tally USING INDEX") for line in assessment)
    assert any(line.startswith("SEARCH household USING COVERING INDEX ix_household_id_scope (id=?") for line in summary)
    assert "SEARCH request USING COVERING INDEX ix_request_id_household (id=?)" in summary
    # a month's households visited and requests acted on come from the summary tally, the states at its
    # end from the state tally (0015): no visit or event is read
    assert any(line.startswith("SEARCH summary_tally USING INDEX") for line in summary)
    assert any(line.startswith("SEARCH state_tally USING INDEX") for line in summary)
    assert not [line for line in summary if " visit " in f"{line} " or " request_event " in f"{line} "]


def test_a_cadres_request_lists_are_the_whole_lists_cut_to_the_cadres_households(demo_archive: Archive) -> None:
    """A cadre's request list (今日待办 for one cadre) holds exactly the requests of the whole list whose
    household the cadre is responsible for, in the same order."""
    from sqlalchemy import select

    from zhuji_archive.storage.models import Household
    from zhuji_archive.storage.request_queries import RequestQuery

    archive = demo_archive
    with archive.db.sessions() as session:
        cadre_of = dict(session.execute(select(Household.id, Household.responsible_cadre_id)).all())
    cadres = sorted({c for c in cadre_of.values() if c})
    assert len(cadres) > 1
    for statuses, time_status in (((), "超期"), ((), "临期"), (("已办结", "不能解决"), None), ((), None)):
        query = RequestQuery(statuses=statuses, time_status=time_status, today=archive.maintenance.today)
        everything = archive.requests.list(query)
        for cadre_id in cadres:
            mine = archive.requests.list(RequestQuery(**{**query.__dict__, "cadre_id": cadre_id}))
            assert [r.id for r in mine] == [r.id for r in everything if cadre_of[r.household_id] == cadre_id]


@pytest.mark.file_archive  # SQLite's plans
def test_a_cadres_request_list_asks_the_scope_index_before_reading_households(demo_archive: Archive) -> None:
    """A cadre's list by status picks its rows among the cadre's households, read once from
    ix_household_cadre_status_big_visit, before any household's row is read; a list by other filters
    checks each candidate's household in ix_household_id_scope first. Only listed households are read
    from the table."""
    from sqlalchemy import select

    from zhuji_archive.storage.models import Household
    from zhuji_archive.storage.request_queries import RequestQuery

    archive = demo_archive
    with archive.db.sessions() as session:
        cadre_id = session.scalar(select(Household.responsible_cadre_id).where(Household.responsible_cadre_id.is_not(None)))
    read = "SEARCH household USING INDEX sqlite_autoindex_household_1 (id=?)"
    lines = explained_plans(archive, lambda: archive.requests.list(RequestQuery(cadre_id=cadre_id, statuses=("已办结",))))
    mine = "SEARCH household_1 USING COVERING INDEX ix_household_cadre_status_big_visit (responsible_cadre_id=?)"
    assert lines.index(mine) < lines.index(read)
    lines = explained_plans(archive, lambda: archive.requests.list(RequestQuery(cadre_id=cadre_id, category="生活困难")))
    assert lines.index("SEARCH household_1 USING COVERING INDEX ix_household_id_scope (id=?)") < lines.index(read)


# ---- the assessment's period counts from the assessment tally -------------------------------------
def closures_and_feedback_by_recount(archive: Archive, start, end):  # type: ignore[no-untyped-def]
    """Every closure and feedback of the period, joined to its request and household: what the
    assessment counted before the tally kept it."""
    from sqlalchemy import case, func, or_, select

    from zhuji_archive.storage.models import Household, Request, RequestEvent, RequestFeedback

    with archive.db.sessions() as session:
        on_time = func.sum(case((or_(Request.deadline.is_(None), RequestEvent.on <= Request.deadline), 1), else_=0))
        closed = {
            cadre: (int(good), int(total))
            for cadre, good, total in session.execute(
                select(Household.responsible_cadre_id, on_time, func.count())
                .select_from(RequestEvent)
                .join(Request, Request.id == RequestEvent.request_id)
                .join(Household, Household.id == Request.household_id)
                .where(
                    RequestEvent.action.in_(("办结", "不能解决", "当场解决")),
                    RequestEvent.on.between(start, end),
                    Household.responsible_cadre_id.is_not(None),
                )
                .group_by(Household.responsible_cadre_id)
            )
        }
        feedback: dict[str, dict[str, int]] = {}
        for cadre, satisfaction, n in session.execute(
            select(Household.responsible_cadre_id, RequestFeedback.satisfaction, func.count())
            .select_from(RequestFeedback)
            .join(Request, Request.id == RequestFeedback.request_id)
            .join(Household, Household.id == Request.household_id)
            .where(RequestFeedback.on.between(start, end), Household.responsible_cadre_id.is_not(None))
            .group_by(Household.responsible_cadre_id, RequestFeedback.satisfaction)
        ):
            feedback.setdefault(cadre, {})[satisfaction] = n
    return closed, feedback


def test_the_assessments_period_counts_are_those_of_every_event(demo_archive: Archive) -> None:
    """Closures on time and feedback per cadre, read from the assessment tally, are what joining every
    event and feedback of the period to its household says — also after households changed cadre."""
    from datetime import date, timedelta

    from sqlalchemy import select

    from zhuji_archive.storage import maintenance_queries
    from zhuji_archive.storage.models import Household, Request, RequestFeedback

    archive = demo_archive
    today = archive.maintenance.today
    periods = [(date(today.year, 1, 1), today), (today - timedelta(days=30), today), (date(2000, 1, 1), today)]

    def check() -> None:
        for start, end in periods:
            with archive.db.sessions() as session:
                kept = (
                    maintenance_queries.closed_in_by_cadre(session, start, end),
                    maintenance_queries.feedback_in_by_cadre(session, start, end),
                )
            assert kept == closures_and_feedback_by_recount(archive, start, end)

    check()
    with archive.db.sessions() as session:
        cadres = sorted({c for c in session.scalars(select(Household.responsible_cadre_id)) if c})
        moved = list(
            session.scalars(
                select(Household.id)
                .join(Request, Request.household_id == Household.id)
                .join(RequestFeedback, RequestFeedback.request_id == Request.id)
                .distinct()
                .order_by(Household.id)
                .limit(3)
            )
        )
    assert moved and closures_and_feedback_by_recount(archive, *periods[0])[0]
    for n, household_id in enumerate(moved):
        file = archive.households.load(household_id)
        current = file.responsible_cadre_id
        following = cadres[(cadres.index(current) + 1) % len(cadres)] if current in cadres else cadres[0]
        file.responsible_cadre_id = following if n < 2 else None
        archive.households.save(file)
    check()


# ---- the summary's period counts from the summary tally ------------------------------------------
def test_a_summarys_period_counts_from_the_tally_are_those_of_the_records(
    demo_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Households visited and requests acted on (per action, and solved) of every week and month the
    records touch, for every kind of scope, read from the summary tally, are what counting the visits and
    events of the period gives (each household or request once) — also after a household moved to
    another cadre and a visit was deleted."""
    from datetime import timedelta

    from sqlalchemy import select

    from zhuji_archive.domain.reporting import MONTHLY, WEEKLY, period_of
    from zhuji_archive.storage import summary_queries as q
    from zhuji_archive.storage.models import Area, Cadre, Household, Town, Village

    archive = demo_archive
    today = archive.maintenance.today
    periods = [period_of(kind, today - timedelta(days=days)) for kind in (WEEKLY, MONTHLY) for days in (0, 9, 40, 75)]

    def counts(session, scope_kind: str, scope_id: str, period) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
        start, end = period.start, period.end
        return (
            q.households_visited(session, scope_kind, scope_id, start, end),
            q.actions_in(session, scope_kind, scope_id, start, end),
            q.requests_acted_on(session, scope_kind, scope_id, start, end, ("办结", "当场解决")),
            q.requests_acted_on(session, scope_kind, scope_id, start, end, ("上报镇",)),
        )

    def check() -> int:
        with archive.db.sessions() as session:
            scopes = [("town", t) for t in session.scalars(select(Town.id))]
            scopes += [("area", a) for a in session.scalars(select(Area.id))]
            scopes += [("village", v) for v in session.scalars(select(Village.id))]
            scopes += [("cadre", c) for c in session.scalars(select(Cadre.id))]
            kept = {(s, p): counts(session, *s, p) for s in scopes for p in periods}
        with monkeypatch.context() as patched, archive.db.sessions() as session:
            patched.setattr(q, "tally_period", lambda start, end: None)
            counted = {(s, p): counts(session, *s, p) for s in scopes for p in periods}
        assert kept == counted
        return sum(found[0] for found in kept.values())

    assert check() > 0  # the premise: visits in the periods
    with archive.db.sessions() as session:
        household_id = session.scalar(
            select(Household.id).where(Household.last_visit_date >= periods[-1].start).order_by(Household.id)
        )
        cadres = sorted(c for c in session.scalars(select(Cadre.id)))
    file = archive.households.load(household_id)
    file.responsible_cadre_id = next(c for c in cadres if c != file.responsible_cadre_id)
    file.visits[0].removed = True
    archive.households.save(file)
    check()


# ---- the to-do's request lists: first rows picked in the status index ---------------------------------
def test_lists_by_status_or_deadline_are_the_rows_read_whole_and_sorted(
    demo_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list filtered by status or deadline picks its first rows in ix_request_status_deadline and reads
    only those: the same rows in the same order as reading every match whole and sorting, for the whole
    town, a cadre and a village's account, cut short or not."""
    from sqlalchemy import select

    from zhuji_archive.domain.accounts import Actor, Role
    from zhuji_archive.services.archive import Archive as Opened
    from zhuji_archive.storage import request_queries
    from zhuji_archive.storage.models import Household, Village
    from zhuji_archive.storage.request_queries import RequestQuery

    archive = demo_archive
    with archive.db.sessions() as session:
        cadre_id = session.scalar(select(Household.responsible_cadre_id).where(Household.responsible_cadre_id.is_not(None)))
        village_id = session.scalar(select(Village.id).order_by(Village.id))
    actor = Actor("v1", "v1", "村干部甲", Role.VILLAGE, frozenset({village_id}))
    scoped = Opened(archive.db, actor, archive.maintenance.today)
    queries = [
        RequestQuery(time_status=status, cadre_id=cadre, limit=limit)
        for status in ("超期", "临期")
        for cadre in (None, cadre_id)
        for limit in (3, 5000)
    ]
    queries += [RequestQuery(statuses=("已办结", "不能解决"), cadre_id=cadre, limit=7) for cadre in (None, cadre_id)]
    for opened in (archive, scoped):
        picked = [[r.id for r in opened.requests.list(query)] for query in queries]
        with monkeypatch.context() as patched:
            patched.setattr(request_queries, "_keys_first", lambda query: False)
            whole = [[r.id for r in opened.requests.list(query)] for query in queries]
        assert picked == whole
        if opened is archive:
            assert len(picked[1]) > 3 and len(picked[0]) == 3  # the premise: long lists, cut short


@pytest.mark.file_archive  # SQLite's plans
def test_the_todo_picks_its_requests_in_the_status_index(demo_archive: Archive) -> None:
    """The to-do's overdue, due-soon and awaiting-feedback lists and their counts read candidates from
    ix_request_status_deadline alone (covering), for the town and for one cadre; the request rows read
    are only those listed."""
    from sqlalchemy import select

    from zhuji_archive.storage.models import Household

    archive = demo_archive
    with archive.db.sessions() as session:
        cadre_id = session.scalar(select(Household.responsible_cadre_id).where(Household.responsible_cadre_id.is_not(None)))
    for cadre in (None, cadre_id):
        lines = explained_plans(archive, lambda: archive.maintenance.todo(cadre))  # noqa: B023
        on_status = [line for line in lines if "ix_request_status_deadline" in line]
        assert len(on_status) >= 3
        assert all(line.startswith("SEARCH request USING COVERING INDEX ix_request_status_deadline") for line in on_status)
        assert any(line.startswith("SEARCH request USING INDEX") and line.endswith("(id=?)") for line in lines)
