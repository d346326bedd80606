"""The county tallies (household_tally, request_tally) kept by triggers agree with a full recount
after any sequence of changes through the services, the import and the demo generator; the split
revisit queries return exactly the households the revisit rule says are due."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from zhuji_archive.domain import maintenance as rules
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Feedback,
    Level,
    OnTheSpot,
    Resolution,
    Supervision,
)
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import maintenance_queries
from zhuji_archive.storage.models import (
    Cadre,
    Household,
    HouseholdCode,
    Request,
    RequestEvent,
    VillageGroup,
    Visit,
)
from zhuji_archive.views.household_file import MemberData, VisitData

TALLY_TRIGGERS = {
    "tally_household_insert",
    "tally_household_delete",
    "tally_household_update",
    "tally_visit_insert",
    "tally_visit_delete",
    "tally_visit_update",
    "tally_request_insert",
    "tally_request_delete",
    "tally_request_update",
    "assessment_event_insert",
    "assessment_event_delete",
    "assessment_event_update",
    "assessment_feedback_insert",
    "assessment_feedback_delete",
    "assessment_feedback_update",
    "assessment_request_update",
    "assessment_household_update",
    "summary_visit_insert",
    "summary_visit_delete",
    "summary_visit_update",
    "summary_event_insert",
    "summary_event_delete",
    "summary_event_update",
    "summary_request_update",
    "summary_household_update",
    "state_event_insert",
    "state_event_delete",
    "state_event_update",
    "state_request_insert",
    "state_request_delete",
    "state_request_update",
    "state_household_update",
}

HOUSEHOLD_RECOUNT = """
SELECT h.group_id, h.status, coalesce(h.responsible_cadre_id, ''), count(*), count(h.last_visit_date),
       (SELECT count(*) FROM visit v JOIN household x ON x.id = v.household_id
        WHERE NOT v.deleted AND x.group_id = h.group_id AND x.status = h.status
          AND coalesce(x.responsible_cadre_id, '') = coalesce(h.responsible_cadre_id, ''))
FROM household h GROUP BY h.group_id, h.status, h.responsible_cadre_id
"""
REQUEST_RECOUNT = """
SELECT coalesce(village_id, ''), status, category, level, CASE WHEN supervising_body != '' THEN 1 ELSE 0 END,
       count(*)
FROM request WHERE NOT deleted GROUP BY 1, 2, 3, 4, 5
"""
# The assessment's closures and feedback per business date and the household's cadre now, counted from
# every event and feedback (what maintenance_queries counted before the tally kept it).
ASSESSMENT_RECOUNT = """
SELECT 'closed', e."on", coalesce(h.responsible_cadre_id, ''),
       CASE WHEN q.deadline IS NULL OR e."on" <= q.deadline THEN 'on_time' ELSE 'late' END, count(*)
FROM request_event e JOIN request q ON q.id = e.request_id JOIN household h ON h.id = q.household_id
WHERE e.action IN ('办结', '不能解决', '当场解决') GROUP BY 1, 2, 3, 4
UNION ALL
SELECT 'feedback', f."on", coalesce(h.responsible_cadre_id, ''), f.satisfaction, count(*)
FROM request_feedback f JOIN request q ON q.id = f.request_id JOIN household h ON h.id = q.household_id
GROUP BY 1, 2, 3, 4
"""


def summary_by_recount(archive: Archive) -> dict[tuple[str, str, str, str, str], int]:
    """The summary tally's distinct counts from every visit and event, counted in Python: each household
    once per week (from Monday) and month with a live visit, each request once per week and month per
    action taken, and once for 办结 or 当场解决; for the household's village and cadre now."""
    seen: dict[tuple[str, str, str, str, str], set[str]] = {}
    with archive.db.engine.connect() as conn:
        scope = {
            hid: (village, cadre or "")
            for hid, village, cadre in conn.execute(text("SELECT id, village_id, responsible_cadre_id FROM household"))
        }
        household_of = dict(conn.execute(text("SELECT id, household_id FROM request")).all())
        marks = [
            ("走访", hid, day)
            for hid, day, deleted in conn.execute(text("SELECT household_id, date, deleted FROM visit"))
            if not deleted
        ]
        for request_id, action, day in conn.execute(text('SELECT request_id, action, "on" FROM request_event')):
            marks.append((action, request_id, day))
            if action in ("办结", "当场解决"):
                marks.append(("办结+当场解决", request_id, day))
    for what, key, day in marks:
        day = date.fromisoformat(day) if isinstance(day, str) else day
        village, cadre = scope[key if what == "走访" else household_of[key]]
        for period, start in (("周报", day - timedelta(days=day.weekday())), ("月报", day.replace(day=1))):
            seen.setdefault((what, period, str(start), village, cadre), set()).add(key)
    return {k: len(v) for k, v in seen.items()}


def states_by_recount(archive: Archive) -> dict[tuple[str, str, str, str], int]:
    """The state tally's moves from every request and event, counted in Python: a request not deleted
    enters 登记 on its registration day; each event, in (business date, time, id) order, moves it from
    the previous event's target (or 登记) to its own, on its business date or the registration day if
    later; summed per (village, day, state, cadre) of the household now."""
    moves: dict[tuple[str, str, str, str], int] = {}
    with archive.db.engine.connect() as conn:
        scope = {
            hid: (village, cadre or "")
            for hid, village, cadre in conn.execute(text("SELECT id, village_id, responsible_cadre_id FROM household"))
        }
        requests = {
            rid: (hid, str(recorded))
            for rid, hid, recorded, deleted in conn.execute(
                text("SELECT id, household_id, recorded_on, deleted FROM request")
            )
            if not deleted
        }
        events: dict[str, list[tuple[str, str, str, str]]] = {}
        for rid, on, at, eid, to in conn.execute(text('SELECT request_id, "on", at, id, to_status FROM request_event')):
            events.setdefault(rid, []).append((str(on), str(at), eid, to))
    for rid, (hid, recorded) in requests.items():
        village, cadre = scope[hid]

        def move(day: str, status: str, n: int) -> None:
            key = (village, day, status, cadre)  # noqa: B023
            moves[key] = moves.get(key, 0) + n

        move(recorded, "登记", 1)
        state = "登记"
        for on, _at, _id, to in sorted(events.get(rid, [])):
            move(max(on, recorded), state, -1)
            move(max(on, recorded), to, 1)
            state = to
    return {key: n for key, n in moves.items() if n}


def tallies_match_recount(archive: Archive) -> None:
    with archive.db.engine.connect() as conn:
        counted = {tuple(r[:3]): tuple(r[3:]) for r in conn.execute(text(HOUSEHOLD_RECOUNT))}
        kept = {
            tuple(r[:3]): tuple(r[3:])
            for r in conn.execute(
                text("SELECT group_id, status, cadre_id, households, visited, visits FROM household_tally")
            )
            if any(r[3:])
        }
        assert kept == counted
        counted = {tuple(r[:5]): r[5] for r in conn.execute(text(REQUEST_RECOUNT))}
        kept = {
            tuple(r[:5]): r[5]
            for r in conn.execute(
                text("SELECT village_id, status, category, level, supervised, requests FROM request_tally")
            )
            if r[5]
        }
        assert kept == counted
        counted = {(r[0], str(r[1]), *r[2:4]): r[4] for r in conn.execute(text(ASSESSMENT_RECOUNT))}
        kept = {
            (r[0], str(r[1]), *r[2:4]): r[4]
            for r in conn.execute(text("SELECT kind, day, cadre_id, outcome, n FROM assessment_tally"))
            if r[4]
        }
        assert kept == counted
        kept = {
            (r[0], r[1], str(r[2]), r[3], r[4]): r[5]
            for r in conn.execute(
                text("SELECT what, period, period_start, village_id, cadre_id, n FROM summary_tally")
            )
            if r[5]
        }
    assert kept == summary_by_recount(archive)
    with archive.db.engine.connect() as conn:
        kept_states = {
            (r[0], str(r[1]), r[2], r[3]): r[4]
            for r in conn.execute(text("SELECT village_id, day, status, cadre_id, n FROM state_tally"))
            if r[4]
        }
    assert kept_states == states_by_recount(archive)


def test_every_tally_trigger_exists_at_head(archive: Archive) -> None:
    """A later migration that rebuilds household, visit or request (batch mode) would drop them."""
    with archive.db.engine.connect() as conn:
        listing = (
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            if conn.dialect.name == "postgresql"
            else "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
        names = {r[0] for r in conn.execute(text(listing))}
    assert TALLY_TRIGGERS <= names


def test_the_demo_generator_keeps_the_tallies(demo_archive: Archive) -> None:
    tallies_match_recount(demo_archive)
    with demo_archive.db.engine.connect() as conn:
        assert conn.execute(text("SELECT sum(households) FROM household_tally")).scalar() == 300
        assert conn.execute(text("SELECT sum(requests) FROM request_tally")).scalar() > 0


def test_an_import_keeps_the_tallies(archive: Archive, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["户主姓名", "成员姓名", "与户主关系", "性别"])
    for n in range(12):
        head = f"陈{'一二三四五六七八九十甲乙'[n]}根"
        ws.append([head, head, "户主", "男"])
        ws.append([head, f"王{'一二三四五六七八九十甲乙'[n]}英", "配偶", "女"])
    path = tmp_path / "一组.xlsx"
    wb.save(path)
    village = archive.importer.find_village("杜黄村")
    sources = archive.importer.read([path])
    archive.importer.assign_groups(sources, village, None)
    result = archive.importer.run(archive.importer.plan(sources))
    assert result.households_created == 12
    tallies_match_recount(archive)
    with archive.db.engine.connect() as conn:
        assert conn.execute(text("SELECT sum(households) FROM household_tally")).scalar() == 12


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            (
                "new", "status", "cadre", "visit", "unvisit", "request", "act", "close", "feedback",
                "move", "rehome", "redate", "unrequest",
            )
        ),
        st.integers(0, 10**6),
    ),
    min_size=1,
    max_size=12,
)


@given(ops=OPS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_tallies_agree_with_a_recount_after_any_changes(archive: Archive, ops: list[tuple[str, int]]) -> None:
    with archive.db.transaction() as session:
        if not session.scalar(select(Cadre.id)):
            session.add_all([Cadre(name="王驻村", kind="驻村干部"), Cadre(name="李驻村", kind="驻村干部")])
    with archive.db.sessions() as session:
        cadres = [None, *session.scalars(select(Cadre.id).order_by(Cadre.name))]
    groups = [g for node in archive.organisation.tree() for v in node.children for g in v.children]
    today = archive.maintenance.today
    for op, n in ops:
        with archive.db.sessions() as session:
            households = list(session.scalars(select(Household.id).order_by(Household.id)))
        if op == "new" or not households:
            file = archive.households.new_file(groups[n % len(groups)].id)
            file.members = [MemberData(name=f"张{'甲乙丙丁戊'[n % 5]}", relation="户主")]
            file.responsible_cadre_id = cadres[n % len(cadres)]
            if n % 3:
                file.visits = [
                    VisitData(date=today - timedelta(days=n % 400), kind="半年大走访", cadres="王驻村")
                ]
            archive.households.save(file)
            continue
        hid = households[n % len(households)]
        if op == "status":
            status = ("在册", "迁出", "合户")[n % 3]
            archive.households.set_status(hid, status, "" if status == "在册" else "迁往杭州")
        elif op == "cadre":
            file = archive.households.load(hid)
            file.responsible_cadre_id = cadres[n % len(cadres)]
            archive.households.save(file)
        elif op == "visit":
            archive.maintenance.record_visit(hid, today - timedelta(days=n % 30), "回访", "王驻村")
        elif op == "unvisit":
            file = archive.households.load(hid)
            if file.visits:
                file.visits[n % len(file.visits)].removed = True
                archive.households.save(file)
        elif op == "request":
            archive.requests.record(hid, ("生活困难", "矛盾纠纷")[n % 2], "自来水管破裂")
        elif op in ("move", "rehome", "redate", "unrequest"):
            # Rows written as a sync receipt writes them: a household into another group (and village),
            # a request to another household, a visit's and an event's date moved by n days.
            with archive.db.transaction() as session:
                if op == "move":
                    group = groups[n % len(groups)]
                    village = session.scalar(select(VillageGroup.village_id).where(VillageGroup.id == group.id))
                    session.execute(
                        update(Household).where(Household.id == hid).values(group_id=group.id, village_id=village)
                    )
                elif op == "unrequest":  # deleted, or back again; or registered on another day
                    request = session.scalar(select(Request).order_by(Request.id).offset(n % 5).limit(1))
                    if request and n % 2:
                        request.deleted = not request.deleted
                    elif request:
                        request.recorded_on -= timedelta(days=n % 9)
                elif op == "rehome":
                    request_id = session.scalar(select(Request.id).order_by(Request.id).offset(n % 5).limit(1))
                    if request_id:
                        session.execute(update(Request).where(Request.id == request_id).values(household_id=hid))
                else:
                    visit = session.scalar(select(Visit).order_by(Visit.id).offset(n % 7).limit(1))
                    if visit:
                        visit.date -= timedelta(days=n % 40)
                    event = session.scalar(select(RequestEvent).order_by(RequestEvent.id).offset(n % 7).limit(1))
                    if event:
                        event.on += timedelta(days=n % 40 - 20)
                        event.action = ("办结", "当场解决", "记录进展")[n % 3] if n % 2 else event.action
        elif op == "act":
            listed = archive.requests.list()
            if listed:
                row = listed[n % len(listed)]
                try:
                    archive.requests.act(
                        row.id,
                        Action.SORT,
                        Classification("生产困难", "个性", "近期一时难以解决", Level.JOINT),
                    )
                    archive.requests.act(
                        row.id,
                        Action.JOINT,
                        Supervision(
                            "市信访局",
                            today,
                            "陈镇长",
                            Assignment("镇农业办", "王主任", today + timedelta(days=9)),
                        ),
                    )
                except Exception:  # noqa: BLE001 - a request not in a state that allows it: nothing moved
                    pass
        elif op in ("close", "feedback"):
            # Closures on time or late (a deadline set, or none), on the spot, and feedback; a household's
            # cadre changing afterwards ("cadre") moves them.
            listed = archive.requests.list()
            if listed:
                row = listed[n % len(listed)]
                on = today - timedelta(days=n % 20)
                try:
                    if op == "feedback":
                        archive.requests.act(
                            row.id,
                            Action.FEEDBACK,
                            Feedback(on, "王书记", "王驻村", "", "", ("满意", "基本满意", "不满意")[n % 3], True),
                        )
                    elif n % 3 == 0:
                        archive.requests.act(
                            row.id,
                            Action.SOLVE_ON_SPOT,
                            OnTheSpot(
                                Classification("生活困难", "个性", "立即可以解决", Level.VILLAGE),
                                Resolution(on, "措施", "办法", "已解决"),
                            ),
                        )
                    else:
                        if n % 3 == 1:
                            archive.requests.act(
                                row.id,
                                Action.SORT,
                                Classification("生活困难", "个性", "近期一时难以解决", Level.VILLAGE),
                            )
                            archive.requests.act(
                                row.id, Action.ASSIGN, Assignment("村委会", "张书记", today - timedelta(days=15))
                            )
                        archive.requests.act(row.id, Action.SOLVE, Resolution(on, "措施", "办法", "已解决"))
                except Exception:  # noqa: BLE001 - a request not in a state that allows it: nothing moved
                    pass
    tallies_match_recount(archive)


# ---- due households: the split queries against the rule itself ------------------------------------
def due_by_rule(
    archive: Archive, cadre_id: str | None, limit: date, months: int, short_months: int, tags: tuple[str, ...]
) -> list[str]:
    with archive.db.sessions() as session:
        rows = session.execute(
            select(
                Household.id, Household.last_big_visit_date, Household.status, Household.responsible_cadre_id
            )
        ).all()
        tagged = {
            hid
            for (hid,) in session.execute(
                select(HouseholdCode.household_id).where(
                    HouseholdCode.kind == "focus_tag", HouseholdCode.label.in_(tags)
                )
            )
        }
    due = []
    for hid, last, status, cadre in rows:
        if status != "在册" or (cadre_id and cadre != cadre_id):
            continue
        interval = short_months if hid in tagged else months
        next_day = rules.next_visit_date(last, interval)
        if next_day is None or next_day <= limit:
            due.append((last is not None, last or date.min, hid))
    return [hid for *_, hid in sorted(due)]


@given(
    offset=st.integers(-400, 200),
    months=st.integers(1, 12),
    short_months=st.integers(1, 12),
    tags=st.sampled_from(((), ("低保户",), ("五保户", "特困户"), ("问题户", "空巢老人户", "低保户"))),
    by_cadre=st.booleans(),
    limit=st.sampled_from((0, 3, 40, 1000)),
)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_due_households_are_those_the_rule_says(
    demo_archive: Archive,
    offset: int,
    months: int,
    short_months: int,
    tags: tuple[str, ...],
    by_cadre: bool,
    limit: int,
) -> None:
    day = date(2026, 11, 2) + timedelta(days=offset)
    with demo_archive.db.sessions() as session:
        cadre_id = (
            session.scalar(select(Household.responsible_cadre_id).order_by(Household.id))
            if by_cadre
            else None
        )
        condition = maintenance_queries.due_condition(
            tags, rules.latest_still_due(day, months), rules.latest_still_due(day, short_months)
        )
        rows, total = maintenance_queries.due_households(session, cadre_id, condition, limit)
    expected = due_by_rule(demo_archive, cadre_id, day, months, short_months, tags)
    assert total == len(expected)
    assert [r[0] for r in rows] == expected[:limit]


# ---- named indexes ----------------------------------------------------------------------------------
def test_every_index_a_query_names_exists_and_is_written_into_the_sql(archive: Archive) -> None:
    """SQLAlchemy's SQLite dialect drops table hints unless storage/sqlite_hints.py is loaded, and a
    named index that a later migration renamed would fail every query that names it."""
    import re

    from sqlalchemy.dialects import sqlite

    from zhuji_archive.storage import request_queries

    storage = Path(request_queries.__file__).parent
    named = {
        name
        for path in storage.glob("*.py")
        if "INDEXED BY" in path.read_text(encoding="utf-8")
        for name in re.findall(
            r'"(?:INDEXED BY )?(ix_\w+|sqlite_autoindex_\w+)"', path.read_text(encoding="utf-8")
        )
    }
    assert "sqlite_autoindex_household_1" in named and len(named) >= 6
    with archive.db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # the hints are SQLite's; the indexes they name exist on a hub too
            indexes = {r[0] for r in conn.execute(text("SELECT indexname FROM pg_indexes"))}
            named = {n for n in named if not n.startswith("sqlite_autoindex_")}
        else:
            indexes = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))}
    assert named <= indexes
    sql = str(request_queries.base(request_queries.RequestQuery()).compile(dialect=sqlite.dialect()))
    assert "household INDEXED BY sqlite_autoindex_household_1" in sql


def test_the_household_list_total_of_every_node_and_status_is_the_full_count(demo_archive: Archive) -> None:
    from sqlalchemy import func

    from zhuji_archive.storage import household_queries
    from zhuji_archive.storage.household_queries import HouseholdFilter

    nodes = []
    for town in demo_archive.organisation.tree():
        nodes.append({"town_id": town.id})
        for child in town.children:
            nodes.append({f"{child.kind}_id": child.id})
            for grandchild in child.children:
                nodes.append({f"{grandchild.kind}_id": grandchild.id})
                nodes.extend({f"{g.kind}_id": g.id} for g in grandchild.children)
    assert {next(iter(n)) for n in nodes} == {"town_id", "area_id", "village_id", "group_id"}
    seen = 0
    with demo_archive.db.sessions() as session:
        for node in nodes:
            for status in ("在册", "迁出", None):
                flt = HouseholdFilter(status=status, **node)
                counted = session.scalar(
                    household_queries._filtered(select(func.count()).select_from(Household), flt)
                )
                assert household_queries.count(session, flt) == counted, (node, status)
                seen += counted
    assert seen > 0


def test_settling_after_a_bulk_load_keeps_every_tally_and_compacts_a_hubs(demo_archive: Archive) -> None:
    """After the demo town is written (a bulk load), the tally tables are rewritten on a hub (each of
    their rows was updated once per household written, and PostgreSQL kept every old version) and the
    statistics refreshed; the counts are the same as before, and a hub's tally table holds its rows
    in a few pages again."""
    from zhuji_archive.storage.database import settle_after_bulk_load

    engine = demo_archive.db.engine
    with engine.connect() as conn:
        before = conn.execute(text("SELECT sum(households), sum(visits) FROM household_tally")).one()
    settle_after_bulk_load(engine)
    tallies_match_recount(demo_archive)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT sum(households), sum(visits) FROM household_tally")).one() == before
        rows = conn.execute(text("SELECT count(*) FROM household_tally")).scalar()
        if engine.dialect.name == "postgresql":
            pages = conn.execute(text("SELECT pg_relation_size('household_tally') / 8192")).scalar()
            assert pages <= rows // 20 + 2  # dozens of rows a page, not one old version per household
            analysed = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'household'")).scalar()
            assert analysed == 300
        else:
            analysed = conn.execute(
                text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'household' LIMIT 1")
            ).scalar()
    assert analysed is not None


def test_events_moved_among_their_requests_others_keep_the_state_tally(demo_archive: Archive) -> None:
    """An event whose business date, time or target is rewritten (as a sync receipt may) moves within its
    request's events: before the first, between two others, after the last, onto another's date; the
    kept states and the summary's periods still agree with a recount after each step."""
    from datetime import datetime

    from sqlalchemy import func

    with demo_archive.db.sessions() as session:
        request_id = session.scalar(
            select(RequestEvent.request_id)
            .group_by(RequestEvent.request_id)
            .having(func.count() >= 3)
            .order_by(RequestEvent.request_id)
        )
        ids = list(
            session.scalars(
                select(RequestEvent.id)
                .where(RequestEvent.request_id == request_id)
                .order_by(RequestEvent.on, RequestEvent.at, RequestEvent.id)
            )
        )
    assert request_id and len(ids) >= 3
    middle, last = ids[1], ids[-1]
    steps = [
        (middle, timedelta(days=1), None, None),
        (middle, timedelta(days=-60), None, None),
        (middle, timedelta(days=120), None, "已办结"),
        (last, timedelta(days=-200), datetime(2020, 1, 1), None),
        (middle, timedelta(days=0), datetime(2030, 1, 1), "不能解决"),
    ]
    for event_id, shift, at, to in steps:
        with demo_archive.db.transaction() as session:
            event = session.get(RequestEvent, event_id)
            event.on += shift
            if at is not None:
                event.at = at
            if to is not None:
                event.to_status = to
        tallies_match_recount(demo_archive)
