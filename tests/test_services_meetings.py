"""The monthly special meeting (月度专题会议): agenda of 待上会 requests, one decision per request,
applied all at once as 交办 — or not at all, naming the incomplete request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from accounts import open_archive, where
from conftest import WorkflowTown
from sqlalchemy import func, select

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Action, Classification, Level, Status
from zhuji_archive.storage.models import Meeting, MeetingItem, Request, RequestEvent, utcnow
from zhuji_archive.views.meetings import DecisionRow

D = date.fromisoformat
HELD = D("2025-09-26")  # the meeting's day is the fixture's today


def to_town(town: WorkflowTown, head: str, description: str) -> str:
    requests = town.archive.requests
    rid = requests.record(town.households[head], "生活困难", description, D("2025-09-01"))
    requests.act(rid, Action.SORT, Classification("生活困难", "个性", "近期一时难以解决", Level.TOWN))
    requests.act(rid, Action.REPORT)
    return rid


@pytest.fixture
def agenda(workflow_town: WorkflowTown) -> tuple[str, dict[str, str]]:
    """A meeting with three requests of three households on its agenda."""
    town = workflow_town
    ids = {head: to_town(town, head, f"{head}家的危房改造") for head in ("张建国", "赵大", "王小明")}
    meeting = town.archive.meetings.create(HELD, "", "镇长、分管副镇长、党政办主任")
    assert town.archive.meetings.add_requests(meeting, list(ids.values())) == 3
    return meeting, ids


def snapshot(town: WorkflowTown) -> dict[str, Any]:
    with town.archive.db.sessions() as session:
        return {
            "requests": [
                {c.name: getattr(r, c.name) for c in Request.__table__.columns}
                for r in session.scalars(select(Request).order_by(Request.id))
            ],
            "events": session.scalar(select(func.count()).select_from(RequestEvent)),
            "meetings": [(m.status, m.decided_at) for m in session.scalars(select(Meeting))],
        }


def decide(town: WorkflowTown, meeting: str, values: dict[str, tuple[str, str, date | None, str]]) -> None:
    rows = town.archive.meetings.decisions(meeting)
    decisions = [DecisionRow(row.item_id, row.request, *values[row.request.head_name]) for row in rows]
    town.archive.meetings.save_decisions(meeting, decisions)


DECISIONS = {
    "张建国": ("镇村建办", "楼主任", D("2025-10-31"), "纳入年度危旧房改造"),
    "赵大": ("镇社会事务办", "俞主任", D("2025-11-14"), ""),
    "王小明": ("镇村建办", "楼主任", D("2025-10-20"), "先行排险"),
}


def test_meeting_is_created_with_a_default_title(workflow_town: WorkflowTown) -> None:
    meetings = workflow_town.archive.meetings
    meeting = meetings.create(HELD, "  ", " 镇长 ")
    summary = meetings.meeting(meeting)
    assert (summary.held_on, summary.status, summary.items, summary.attendees) == (HELD, "筹备", 0, "镇长")
    assert "2025" in summary.title and "09" in summary.title
    with pytest.raises(DomainError) as caught:
        meetings.create(None, "九月会议", "")
    assert caught.value.field == "held_on"
    with pytest.raises(DomainError):
        meetings.apply_decisions(meeting)  # nothing on the agenda


def test_only_requests_waiting_for_the_meeting_are_listed(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests, meetings = town.archive.requests, town.archive.meetings
    waiting = to_town(town, "张建国", "申请低保")
    sorted_only = requests.record(town.households["赵大"], "信访", "征地补偿异议", D("2025-09-01"))
    requests.act(sorted_only, Action.SORT, Classification("信访", "个性", "近期一时难以解决", Level.TOWN))
    meeting = meetings.create(HELD, "九月专题会议", "镇长")
    with pytest.raises(DomainError) as caught:
        meetings.add_requests(meeting, [waiting, sorted_only])
    assert "赵大" in caught.value.message and "已梳理" in caught.value.message
    assert meetings.decisions(meeting) == []  # all or nothing: the waiting one was not added either
    assert meetings.add_requests(meeting, [waiting]) == 1
    assert meetings.add_requests(meeting, [waiting]) == 0  # already on it
    other = meetings.create(D("2025-10-20"), "十月专题会议", "镇长")
    with pytest.raises(DomainError) as caught:
        meetings.add_requests(other, [waiting])
    assert "张建国" in caught.value.message and "另一次会议" in caught.value.message


def test_decisions_start_with_the_town_default_deadline(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]]
) -> None:
    meeting, ids = agenda
    rows = workflow_town.archive.meetings.decisions(meeting)
    assert [row.request.id for row in rows] == list(ids.values())  # in the order they were added
    # 20 working days after Friday 2025-09-26 across the National Day holiday.
    assert {row.deadline for row in rows} == {D("2025-10-30")}
    assert {(row.unit, row.person) for row in rows} == {("", "")}
    assert workflow_town.archive.meetings.meeting(meeting).items == 3


def test_apply_decisions_assigns_every_request(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]]
) -> None:
    town = workflow_town
    meeting, ids = agenda
    meetings, requests = town.archive.meetings, town.archive.requests
    decide(town, meeting, DECISIONS)
    saved = {
        row.request.head_name: (row.unit, row.person, row.deadline, row.note)
        for row in meetings.decisions(meeting)
    }
    assert saved == DECISIONS
    title = meetings.meeting(meeting).title

    start = utcnow()
    assert meetings.apply_decisions(meeting) == 3
    for head, rid in ids.items():
        unit, person, deadline, note = DECISIONS[head]
        detail = requests.detail(rid)
        assert detail.row.status == Status.IN_PROGRESS
        assert (detail.row.responsible_unit, detail.row.responsible_person, detail.row.deadline) == (
            unit,
            person,
            deadline,
        )
        event = detail.events[-1]
        assert (event.action, event.from_status, event.to_status) == ("交办", "待上会", "办理中")
        assert event.operator == "测试员" and event.at >= start
        assert title in event.note and unit in event.note and person in event.note
        if note:
            assert note in event.note
    summary = meetings.meeting(meeting)
    assert summary.status == "已决定"
    with town.archive.db.sessions() as session:
        decided_at = session.get(Meeting, meeting).decided_at
    assert decided_at is not None and start <= decided_at <= utcnow()


def test_after_applying_the_meeting_cannot_be_changed(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]]
) -> None:
    town = workflow_town
    meeting, ids = agenda
    meetings = town.archive.meetings
    decide(town, meeting, DECISIONS)
    meetings.apply_decisions(meeting)
    late = to_town(town, "赵大", "新的诉求")
    before = snapshot(town)
    rows = meetings.decisions(meeting)
    attempts = [
        lambda: meetings.add_requests(meeting, [late]),
        lambda: meetings.save_decisions(meeting, rows),
        lambda: meetings.remove_request(meeting, ids["赵大"]),
        lambda: meetings.apply_decisions(meeting),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as caught:
            attempt()
        assert "不能再修改" in caught.value.message
        assert snapshot(town) == before


def test_a_missing_field_applies_nothing_and_names_the_request(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]]
) -> None:
    town = workflow_town
    meeting, _ = agenda
    meetings = town.archive.meetings
    incomplete = dict(DECISIONS)
    incomplete["赵大"] = ("镇社会事务办", "  ", D("2025-11-14"), "")  # no responsible person
    decide(town, meeting, incomplete)
    before = snapshot(town)
    with pytest.raises(DomainError) as caught:
        meetings.apply_decisions(meeting)
    message = caught.value.message
    assert "赵大" in message and "责任人" in message
    assert "张建国" not in message and "王小明" not in message
    assert snapshot(town) == before
    assert meetings.meeting(meeting).status == "筹备"
    assert {r.status for r in town.archive.requests.list()} == {"待上会"}

    incomplete["王小明"] = ("", "楼主任", None, "")
    decide(town, meeting, incomplete)
    with pytest.raises(DomainError) as caught:
        meetings.apply_decisions(meeting)
    assert "王小明" in caught.value.message and "责任单位" in caught.value.message
    assert "办结时限" in caught.value.message and "赵大" in caught.value.message

    decide(town, meeting, DECISIONS)  # completed: now it goes through
    assert meetings.apply_decisions(meeting) == 3


def test_a_decision_the_rules_refuse_rolls_back_the_others(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]]
) -> None:
    """A deadline before the meeting (stored by an earlier version, which did not check it) passes
    the completeness check but not the rules; requests already assigned in the same run are rolled back."""
    town = workflow_town
    meeting, ids = agenda
    decide(town, meeting, DECISIONS)
    with town.archive.db.transaction() as session:
        item = session.scalar(select(MeetingItem).where(MeetingItem.request_id == ids["王小明"]))
        item.deadline = D("2025-08-01")  # the last item on the agenda
    before = snapshot(town)
    with pytest.raises(DomainError) as caught:
        town.archive.meetings.apply_decisions(meeting)
    assert "王小明" in caught.value.message and "办结时限" in caught.value.message
    assert snapshot(town) == before
    assert town.archive.meetings.meeting(meeting).status == "筹备"


def test_removing_a_request_frees_it_for_another_meeting(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]]
) -> None:
    town = workflow_town
    meeting, ids = agenda
    meetings = town.archive.meetings
    meetings.remove_request(meeting, ids["赵大"])
    assert [row.request.head_name for row in meetings.decisions(meeting)] == ["张建国", "王小明"]
    with town.archive.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MeetingItem)) == 2
    other = meetings.create(D("2025-10-20"), "十月专题会议", "镇长")
    assert meetings.add_requests(other, [ids["赵大"]]) == 1


def test_a_later_meeting_counts_the_level_setting_from_its_own_day(workflow_town: WorkflowTown) -> None:
    """The suggested deadline is the 镇级 setting in working days after the meeting, not after today."""
    town = workflow_town
    town.archive.settings.set("deadline.镇级", 5)
    rid = to_town(town, "张建国", "村道塌方")
    meeting = town.archive.meetings.create(D("2025-10-20"), "十月会议", "")  # a Monday, after today
    town.archive.meetings.add_requests(meeting, [rid])
    (row,) = town.archive.meetings.decisions(meeting)
    assert row.deadline == D("2025-10-27")  # Tue 21 … Mon 27: five working days
    assert row.suggested_deadline == D("2025-10-27")


def test_a_deadline_before_the_meeting_is_refused(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]]
) -> None:
    town = workflow_town
    meeting, _ = agenda
    early = dict(DECISIONS)
    early["赵大"] = ("镇社会事务办", "俞主任", D("2025-09-25"), "")  # the day before the meeting
    before = snapshot(town)
    with pytest.raises(DomainError) as caught:
        decide(town, meeting, early)
    assert "赵大" in caught.value.message
    assert "早于会议日期2025-09-26" in caught.value.message
    assert caught.value.field == "deadline"
    assert snapshot(town) == before
    with town.archive.db.sessions() as session:
        assert all(item.unit == "" for item in session.scalars(select(MeetingItem)))
    # The meeting day itself is allowed.
    same_day = dict(DECISIONS)
    same_day["赵大"] = ("镇社会事务办", "俞主任", HELD, "")
    decide(town, meeting, same_day)
    assert town.archive.meetings.apply_decisions(meeting) == 3


def test_decisions_changed_by_another_window_while_applying_are_not_applied(
    workflow_town: WorkflowTown, agenda: tuple[str, dict[str, str]], monkeypatch
) -> None:
    """Window B removes a request from the meeting after window A's apply has read the decisions: A's
    apply is refused and nothing is 交办 — before, the removed request was still assigned."""

    town = workflow_town
    meeting, ids = agenda
    decide(town, meeting, DECISIONS)
    meetings = town.archive.meetings
    other = open_archive(where(town.archive.db), "操作员乙")
    removed = next(iter(ids.values()))
    real_decisions = meetings.decisions

    def read_then_b_removes(meeting_id: str) -> list[DecisionRow]:
        rows = real_decisions(meeting_id)
        other.meetings.remove_request(meeting_id, removed)
        return rows

    monkeypatch.setattr(meetings, "decisions", read_then_b_removes)
    try:
        with pytest.raises(DomainError, match="刚被他人修改"):
            meetings.apply_decisions(meeting)
    finally:
        other.close()
    assert all(town.archive.requests.detail(rid).row.status != Status.IN_PROGRESS for rid in ids.values())
    monkeypatch.setattr(meetings, "decisions", real_decisions)
    assert meetings.apply_decisions(meeting) == len(ids) - 1
    assert town.archive.requests.detail(removed).row.status != Status.IN_PROGRESS
