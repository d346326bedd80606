"""The demo's requests: every state and every deadline light is there on first open, and each
request's stored state is what its logged transitions lead to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from accounts import as_person_on
from conftest import DEMO_DAY
from sqlalchemy import select

from zhuji_archive.domain.workflow import Status, TimeStatus
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.models import Request, RequestFeedback
from zhuji_archive.storage.request_queries import RequestQuery

# Every (from, action, to) the workflow allows, written out from the design's diagram.
EDGES = {
    ("登记", "梳理", "已梳理"),
    ("登记", "当场解决", "已办结"),
    ("已梳理", "梳理", "已梳理"),
    ("已梳理", "交办", "办理中"),
    ("已梳理", "上报镇", "待上会"),
    ("已梳理", "市镇联动", "办理中"),
    ("待上会", "交办", "办理中"),
    ("待上会", "市镇联动", "办理中"),
    ("办理中", "记录进展", "办理中"),
    ("办理中", "办结", "已办结"),
    ("办理中", "不能解决", "不能解决"),
    ("已办结", "反馈", "已反馈"),
    ("已办结", "反馈", "办理中"),  # 不满意
    ("不能解决", "反馈", "已反馈"),
    ("不能解决", "反馈", "办理中"),  # 不满意
    ("已反馈", "重新办理", "办理中"),
}


@pytest.fixture
def demo(demo_archive: Archive) -> Iterator[Archive]:
    """The demo database seen on the day it was generated for."""
    yield as_person_on(demo_archive.db, "测试员", DEMO_DAY)


def test_every_state_and_every_light_is_in_the_demo(demo: Archive) -> None:
    rows = demo.requests.list()
    statuses = Counter(r.status for r in rows)
    assert set(statuses) == {s.value for s in Status}
    lights = Counter(r.time_status for r in rows)
    assert {TimeStatus.ON_TRACK, TimeStatus.DUE_SOON, TimeStatus.OVERDUE} <= set(lights)
    for light in (TimeStatus.ON_TRACK, TimeStatus.DUE_SOON, TimeStatus.OVERDUE, TimeStatus.NONE):
        filtered = demo.requests.list(RequestQuery(time_status=light.value))
        assert len(filtered) == lights[light]
        assert {r.time_status for r in filtered} <= {light}
    assert demo.requests.counts() == dict(statuses)


def test_demo_requests_replay_through_their_events(demo: Archive) -> None:
    with demo.db.sessions() as session:
        feedbacks: dict[str, list[RequestFeedback]] = {}
        for f in session.scalars(select(RequestFeedback).order_by(RequestFeedback.on, RequestFeedback.id)):
            feedbacks.setdefault(f.request_id, []).append(f)
        stored = {r.id: r for r in session.scalars(select(Request))}
    checked = 0
    for row in demo.requests.list():
        detail = demo.requests.detail(row.id)
        status = "登记"
        for event in detail.events:
            step = (event.from_status, event.action, event.to_status)
            assert event.from_status == status, (row.id, [(e.action, e.to_status) for e in detail.events])
            assert step in EDGES, step
            assert event.on <= DEMO_DAY
            status = event.to_status
        assert status == row.status
        days = [e.on for e in detail.events]
        assert days == sorted(days)  # the timeline reads in date order
        r = stored[row.id]
        answered = [e for e in detail.events if e.action == "反馈"]
        assert len(answered) == len(feedbacks.get(row.id, []))
        unsatisfied = [f for f in feedbacks.get(row.id, []) if "不满意" in f.satisfaction]
        assert len(unsatisfied) == sum(1 for e in answered if e.to_status == "办理中")
        if row.status == Status.CLOSED:
            assert detail.events[-1].action == "反馈"
            assert "不满意" not in r.satisfaction
            closing = [
                f for f in feedbacks[row.id] if f.on == r.closed_on and f.satisfaction == r.satisfaction
            ]
            assert closing, "a closed request needs the satisfied feedback that closed it"
        if row.status == Status.UNSOLVABLE:
            assert r.explanation.strip() and r.explained_on is not None
        if row.status in (Status.SOLVED,):
            assert r.solved_on is not None and r.measures and r.method and r.result
        if row.status == Status.IN_PROGRESS:
            assert r.responsible_unit and r.responsible_person and r.deadline is not None
        if row.status in (Status.SORTED, Status.AWAITING_MEETING):
            assert r.level and r.scope and r.solvability
        checked += 1
    assert checked >= 40


def test_demo_has_supervised_cases_and_a_meeting_to_prepare(demo: Archive) -> None:
    cases = demo.requests.supervised()
    assert cases, "the 挂牌督办 list is empty in the demo"
    for row, last in cases:
        assert row.level == "市镇联动" and row.leader and row.supervising_body
        assert last  # every demo case has at least one progress entry
    preparing = [m for m in demo.meetings.meetings() if m.status == "筹备"]
    assert preparing and all(m.items > 0 for m in preparing)
    for meeting in preparing:
        assert {d.request.status for d in demo.meetings.decisions(meeting.id)} == {"待上会"}
