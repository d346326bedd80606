"""Requests in sync (issue 14, services/sync_requests.py): a request recorded on a village laptop reaches
the township, the monthly meeting's decision reaches the village, the village's solution and the
household's feedback come back, and a step the hub's state no longer allows goes to the conflict queue
with both sides, never lost. Runs against a PostgreSQL hub and a hub on a SQLite file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from test_hub_sync import Town, _round, _town

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.sync_merge import ConflictKind
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Explanation,
    Feedback,
    Level,
    Progress,
    Resolution,
    Status,
)
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.models import Request, RequestEvent, RequestFeedback, Visit
from zhuji_archive.storage.sync_models import SyncConflict, SyncLog
from zhuji_archive.views.household_file import AssistanceData, IncomeData, RequestData

D = date.fromisoformat


def day(offset: int) -> date:
    """A business date after today (requests are recorded today; their steps come later)."""
    return date.today() + timedelta(days=offset)

TOWN_LEVEL = Classification("基础设施", "个性", "近期一时难以解决", Level.TOWN)
VILLAGE_LEVEL = Classification("生活困难", "个性", "近期一时难以解决", Level.VILLAGE)


def feedback(satisfaction: str, on: int = 20) -> Feedback:
    return Feedback(day(on), "镇农业办", "驻村干部小李", "村干部", "已答复", satisfaction, True)


@pytest.fixture(params=["postgresql", "sqlite"])
def town(request: pytest.FixtureRequest, tmp_path) -> Town:  # type: ignore[no-untyped-def]
    return _town(request, tmp_path)


def _request(arc: Archive, request_id: str) -> Request:
    with arc.db.sessions() as session:
        r = session.get(Request, request_id)
        assert r is not None
        session.expunge(r)
        return r


def _events(arc: Archive, request_id: str) -> list[tuple[str, str, str, str]]:
    with arc.db.sessions() as session:
        rows = session.execute(
            select(RequestEvent.id, RequestEvent.action, RequestEvent.from_status, RequestEvent.to_status)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.at, RequestEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def _feedback_ids(arc: Archive, request_id: str) -> set[str]:
    with arc.db.sessions() as session:
        return set(session.scalars(select(RequestFeedback.id).where(RequestFeedback.request_id == request_id)))


def _open_conflicts(arc: Archive) -> list[SyncConflict]:
    with arc.db.sessions() as session:
        rows = list(session.scalars(select(SyncConflict).where(SyncConflict.decided.is_(False))))
        for row in rows:
            session.expunge(row)
    return rows


def _synced_request(town: Town, level: Classification = VILLAGE_LEVEL) -> str:
    """A request recorded on the laptop, sorted and assigned in the village, synced both ways."""
    rid = town.laptop.requests.record(town.household, "生活困难", "屋顶漏雨，请帮助修缮")
    town.laptop.requests.act(rid, Action.SORT, level)
    town.laptop.requests.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", day(60)))
    _round(town)
    return rid


# ---- the whole chain -----------------------------------------------------------------------------
def test_a_request_travels_from_the_village_to_the_meeting_and_back(town: Town) -> None:
    laptop, hub = town.laptop, town.hub
    rid = laptop.requests.record(town.household, "基础设施", "村口道路坑洼，雨天积水")
    number = _request(laptop, rid).number
    laptop.requests.act(rid, Action.SORT, TOWN_LEVEL)
    laptop.requests.act(rid, Action.REPORT, None)
    assert _request(laptop, rid).status == Status.AWAITING_MEETING
    _round(town)

    at_hub = _request(hub, rid)
    assert (at_hub.status, at_hub.number, at_hub.level) == (Status.AWAITING_MEETING, number, Level.TOWN.value)
    assert _events(hub, rid) == _events(laptop, rid)  # the same events, with the laptop's ids
    assert rid in {row.id for row in hub.requests.list()}  # the township's lists show it

    # the monthly meeting decides at the hub: responsible unit, person and deadline
    meeting = hub.meetings.create(day(10), "三月专题会议", "镇长、党政办")
    hub.meetings.add_requests(meeting, [rid])
    decisions = [replace(d, unit="镇交通办", person="周主任", deadline=day(40))
                 for d in hub.meetings.decisions(meeting)]
    hub.meetings.save_decisions(meeting, decisions)
    hub.meetings.apply_decisions(meeting)
    _round(town)

    on_laptop = _request(laptop, rid)
    assert (on_laptop.status, on_laptop.responsible_unit, on_laptop.responsible_person, on_laptop.deadline) == (
        Status.IN_PROGRESS, "镇交通办", "周主任", day(40))
    assert on_laptop.meeting_id is None  # the meeting itself stays at the township
    assert _events(laptop, rid) == _events(hub, rid)

    # the village records the solution and the household's feedback
    laptop.requests.act(rid, Action.SOLVE, Resolution(day(18), "铺设路面", "镇村共建", "已修复"))
    laptop.requests.act(rid, Action.FEEDBACK, feedback("满意"))
    _round(town)
    at_hub = _request(hub, rid)
    assert (at_hub.status, at_hub.satisfaction, at_hub.closed_on) == (Status.CLOSED, "满意", day(20))
    assert _feedback_ids(hub, rid) == _feedback_ids(laptop, rid) and len(_feedback_ids(hub, rid)) == 1
    assert _events(hub, rid) == _events(laptop, rid)
    assert hub.requests.counts().get(Status.CLOSED.value) == 1
    assert _open_conflicts(hub) == [] and _open_conflicts(laptop) == []


def test_a_request_the_township_records_reaches_the_village(town: Town) -> None:
    rid = town.hub.requests.record(town.household, "生活困难", "申请临时救助")
    town.hub.requests.act(rid, Action.SORT, VILLAGE_LEVEL)
    _round(town)
    on_laptop = _request(town.laptop, rid)
    assert (on_laptop.status, on_laptop.description) == (Status.SORTED, "申请临时救助")
    assert _events(town.laptop, rid) == _events(town.hub, rid)
    # and the laptop may go on with it
    town.laptop.requests.act(rid, Action.ASSIGN, Assignment("村委会", "王书记", day(60)))
    _round(town)
    assert _request(town.hub, rid).status == Status.IN_PROGRESS


def test_a_file_sent_twice_replays_nothing_twice(town: Town) -> None:
    rid = town.laptop.requests.record(town.household, "生活困难", "屋顶漏雨")
    town.laptop.requests.act(rid, Action.SORT, VILLAGE_LEVEL)
    sent = town.laptop.sync.export(town.folder)
    town.hub.sync.apply(sent)
    again = town.hub.sync.apply(sent)
    assert again.duplicate
    assert len(_events(town.hub, rid)) == 1


# ---- numbers -------------------------------------------------------------------------------------
def test_a_number_the_hub_gave_meanwhile_is_replaced_and_comes_back(town: Town) -> None:
    on_laptop = town.laptop.requests.record(town.household, "生活困难", "屋顶漏雨")
    at_hub = town.hub.requests.record(town.other_household, "就业需求", "想找工作")  # 乙村: not on the laptop
    number = _request(town.laptop, on_laptop).number
    assert _request(town.hub, at_hub).number == number  # both gave the town's next number
    _round(town)
    renumbered = _request(town.hub, on_laptop).number
    assert renumbered != number and renumbered.startswith(number[:-4])
    assert _request(town.hub, at_hub).number == number  # the hub's own keeps its number
    assert _request(town.laptop, on_laptop).number == renumbered  # the receipt brought it back


def test_a_number_from_the_hub_held_by_an_unsent_request_moves_it_aside(town: Town) -> None:
    at_hub = town.hub.requests.record(town.household, "生活困难", "申请临时救助")  # 甲村: travels to the laptop
    unsent = town.laptop.requests.record(town.household, "就业需求", "想找工作")
    number = _request(town.hub, at_hub).number
    assert _request(town.laptop, unsent).number == number
    receipt = town.hub.sync.apply(town.laptop.sync.export(town.folder)).receipt_path
    town.laptop.sync.apply_receipt(receipt)
    numbers = {_request(town.laptop, rid).number for rid in (at_hub, unsent)}
    assert len(numbers) == 2  # no clash on the laptop
    _round(town)
    assert {_request(town.laptop, r).number for r in (at_hub, unsent)} == {
        _request(town.hub, r).number for r in (at_hub, unsent)}


# ---- conflicts of the workflow -------------------------------------------------------------------
def test_feedback_recorded_in_the_village_while_the_township_sent_it_back(town: Town) -> None:
    rid = _synced_request(town)
    town.laptop.requests.act(rid, Action.SOLVE, Resolution(day(15), "维修", "村集体出资", "已修好"))
    _round(town)
    assert _request(town.hub, rid).status == Status.SOLVED
    # the township hears the household is unhappy (办理中 again) while the village records 满意
    town.hub.requests.act(rid, Action.FEEDBACK, feedback("不满意", 19))
    town.laptop.requests.act(rid, Action.FEEDBACK, feedback("满意", 20))
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert result.conflicts == 1

    at_hub = _request(town.hub, rid)
    assert at_hub.status == Status.IN_PROGRESS  # the hub's state stands
    assert len(_feedback_ids(town.hub, rid)) == 2  # both feedback visits are kept
    (conflict,) = _open_conflicts(town.hub)
    assert (conflict.kind, conflict.field) == (ConflictKind.TRANSITION.value, "状态")
    assert json.loads(conflict.hub_value) == Status.IN_PROGRESS.value
    assert Action.FEEDBACK.value in json.loads(conflict.incoming_value)
    rows = town.hub.sync.conflicts()
    assert rows[0].hub_value == Status.IN_PROGRESS.value and rows[0].field == "办理状态"

    town.laptop.sync.apply_receipt(result.receipt_path)
    on_laptop = _request(town.laptop, rid)
    assert on_laptop.status == Status.IN_PROGRESS  # the laptop shows what the township has
    assert _feedback_ids(town.laptop, rid) == _feedback_ids(town.hub, rid)
    (local,) = _open_conflicts(town.laptop)  # and the cadre is told the step was not taken
    assert local.id == conflict.id and local.kept == "hub"
    assert town.laptop.sync.status().open_conflicts == 1


def test_the_later_steps_of_a_refused_chain_are_queued_too(town: Town) -> None:
    rid = _synced_request(town)
    town.hub.requests.act(rid, Action.EXPLAIN, Explanation("涉及规划调整，依法予以解释", day(12)))
    town.laptop.requests.act(rid, Action.PROGRESS, Progress(day(13), "已联系施工队"))
    town.laptop.requests.act(rid, Action.SOLVE, Resolution(day(15), "维修", "村集体出资", "已修好"))
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert result.conflicts == 2 and result.applied == 0
    assert _request(town.hub, rid).status == Status.UNSOLVABLE
    assert len(_open_conflicts(town.hub)) == 2


def test_a_step_the_cadre_may_not_take_at_the_hub_is_queued_not_applied(town: Town) -> None:
    rid = town.laptop.requests.record(town.household, "基础设施", "桥梁加固")
    town.laptop.requests.act(rid, Action.SORT, TOWN_LEVEL)
    town.laptop.requests.act(rid, Action.REPORT, None)
    _round(town)
    # forge a 镇级 decision in the laptop's outbox: the cadre could never click it, the hub re-checks
    with town.laptop.db.transaction() as session:
        r = session.get(Request, rid)
        r.status = Status.AWAITING_MEETING.value
    step = {"action": Action.ASSIGN.value, "payload": {"kind": "Assignment", "unit": "镇交通办", "person": "周主任",
            "deadline": day(40).isoformat(), "note": ""}, "event_id": "e" * 32, "feedback_id": None,
            "on": day(10).isoformat(), "at": "2026-03-10T08:00:00", "operator": "驻村干部小李"}
    with town.laptop.db.transaction() as session:
        ident = q.identity(session)
        seq = q.take_seq(session)
        session.add(SyncLog(entity=q.STEP, record_id=rid, household_id=town.household, village_id=town.village,
                            device_id=ident.device_id, device_seq=seq, base_version=1, kind="修改",
                            values=q.dumps(step), base_values=q.dumps({"status": "待上会"}), account_id=None))
    result = town.hub.sync.apply(town.laptop.sync.export(town.folder))
    assert result.conflicts == 1
    assert _request(town.hub, rid).status == Status.AWAITING_MEETING


def test_a_laptop_cannot_create_a_request_already_solved(town: Town) -> None:
    rid = town.laptop.requests.record(town.household, "生活困难", "屋顶漏雨")
    with town.laptop.db.transaction() as session:
        entry = session.scalar(select(SyncLog).where(SyncLog.record_id == rid))
        values = json.loads(entry.values)
        values["status"] = Status.CLOSED.value
        entry.values = json.dumps(values, ensure_ascii=False)
    sent = town.laptop.sync.export(town.folder)
    with pytest.raises(DomainError, match="状态不对"):
        town.hub.sync.apply(sent)
    with town.hub.db.sessions() as session:
        assert session.get(Request, rid) is None


# ---- the rest of a household file ----------------------------------------------------------------
def test_incomes_assistance_and_requests_of_the_household_file_travel(town: Town) -> None:
    file = town.laptop.households.load(town.household)
    file.incomes.append(IncomeData(kind="务工", description="外出务工", annual_income=36000.0))
    file.assistance.append(AssistanceData(date=D("2026-02-01"), provider="镇民政办", kind="临时救助",
                                          content="发放救助金", amount=2000.0))
    file.requests.append(RequestData(recorded_on=D("2026-02-02"), category="生活困难", description="申请低保"))
    town.laptop.households.save(file)
    _round(town)
    at_hub = town.hub.households.load(town.household)
    assert [i.description for i in at_hub.incomes] == ["外出务工"]
    assert [a.content for a in at_hub.assistance] == ["发放救助金"]
    assert [r.description for r in at_hub.requests] == ["申请低保"]
    assert at_hub.requests[0].id and _request(town.hub, at_hub.requests[0].id).number


def test_a_deleted_visit_stays_deleted_everywhere(town: Town) -> None:
    file = town.laptop.households.load(town.household)
    visit_id = file.visits[0].id
    file.visits[0].removed = True
    town.laptop.households.save(file)
    _round(town)
    with town.hub.db.sessions() as session:
        assert session.get(Visit, visit_id).deleted
    assert [v.id for v in town.hub.households.load(town.household).visits] == []
    with town.hub.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SyncConflict)) == 0


def test_the_meetings_decision_reaches_the_village_on_a_receipt_made_for_it(town: Town) -> None:
    rid = town.laptop.requests.record(town.household, "基础设施", "桥梁加固")
    town.laptop.requests.act(rid, Action.SORT, TOWN_LEVEL)
    town.laptop.requests.act(rid, Action.REPORT, None)
    _round(town)
    town.hub.requests.act(rid, Action.ASSIGN, Assignment("镇交通办", "周主任", day(40)))
    # the USB stick goes to the village without a file from the laptop
    receipt = town.hub.sync.receipt_for(town.device_id, town.folder / "回执")
    assert receipt.exists()
    taken = town.laptop.sync.apply_receipt(receipt)
    assert taken.applied >= 2  # the request's fields and its event
    assert _request(town.laptop, rid).status == Status.IN_PROGRESS
    assert town.laptop.sync.apply_receipt(receipt).duplicate  # taken twice: nothing new


def test_a_receipt_that_would_skip_hub_changes_is_refused(town: Town) -> None:
    town.hub.requests.record(town.household, "生活困难", "申请临时救助")
    skipped = town.hub.sync.receipt_for(town.device_id, town.folder / "一")  # never taken on the laptop
    town.hub.requests.record(town.household, "就业需求", "想找工作")
    later = town.hub.sync.receipt_for(town.device_id, town.folder / "二")
    with pytest.raises(DomainError, match="中间缺了"):
        town.laptop.sync.apply_receipt(later)
    town.laptop.sync.apply_receipt(skipped)
    town.laptop.sync.apply_receipt(later)
    with town.laptop.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Request)) == 2


def test_an_export_with_nothing_new_says_so_in_its_name(town: Town) -> None:
    assert "无新更改" in town.laptop.sync.export(town.folder).name
