"""Two application processes on one hub (issue 13): each concurrent write ends in a merge, a clear
refusal or a retry, never a silent overwrite — on the real PostgreSQL test server, whichever backend
the rest of the run uses.

Each process logs in as its own account (made before the processes start) and the two are held at a
barrier *inside* their transactions, after both have read what they will write, so the writes really
overlap rather than running one after the other."""

from __future__ import annotations

import gc
import inspect
import multiprocessing
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pg_cluster
import pytest
from accounts import PASSWORD, TEMPLATE, _template, ensure_account, open_archive
from sqlalchemy import select, text

from zhuji_archive.domain import idcard
from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.accounts import Role
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.households import HouseholdService
from zhuji_archive.services.requests import RequestService
from zhuji_archive.storage import request_numbers
from zhuji_archive.storage.models import ChangeLog, Household, Meeting, Request, RequestEvent
from zhuji_archive.views.household_file import HouseholdFile, MemberData
from zhuji_archive.views.meetings import DecisionRow

D = date.fromisoformat
TODAY = D("2025-09-26")
HEAD_ID = idcard.make("330681", D("1971-06-03"), 17)
CHILD_ID = idcard.make("330681", D("1999-02-11"), 24)
WAIT = 60  # seconds any process waits for the other before the test fails instead of hanging


@dataclass
class Hub:
    url: str
    archive: Archive  # the parent's own window (党政办 测试员)
    village_id: str
    groups: list[str]
    logins: dict[str, str] = field(default_factory=dict)  # display name -> login


@pytest.fixture
def hub() -> Iterator[Hub]:
    """A fresh database on the test server (from the migrated template), a town with one village of
    two groups, and the accounts of the people in the tests — all made before any process starts."""
    server = pg_cluster.cluster()
    _template(server)
    name = "hubconc_" + uuid.uuid4().hex[:12]
    url = server.create(name, TEMPLATE)
    archive = open_archive(url, today=TODAY)
    town = archive.organisation.add_town("安华镇", "诸暨市", "330681")
    village = archive.organisation.add_village(town, "杜黄村")
    groups = [archive.organisation.add_group(village, "一组"), archive.organisation.add_group(village, "二组")]
    found = Hub(url, archive, village, groups)
    for person in ("操作员甲", "操作员乙"):
        found.logins[person] = ensure_account(archive, person)
    found.logins["驻村干部丙"] = ensure_account(archive, "驻村干部丙", Role.CADRE, (village,))
    try:
        yield found
    finally:
        archive.close()
        server.drop(name)


def _new_household(archive: Archive, group_id: str, address: str = "杜黄村老街3号") -> str:
    file = archive.households.new_file(group_id)
    file.address = address
    file.members = [
        MemberData(name="金德明", relation="户主", id_number=HEAD_ID, phone="13800001111"),
        MemberData(name="金晓燕", relation="女", id_number=CHILD_ID, phone="13800002222"),
    ]
    return archive.households.save(file)


# ---- the processes ------------------------------------------------------------------------------


_OTHER_DONE: list[Any] = []  # in a process: the event the other process sets when its task has ended


def _hold_once(owner: Any, name: str, barrier: Any, then_pause: float = 0.0, let_other_first: bool = False) -> None:
    """Make ``owner.name`` wait at ``barrier`` after its first call returns (later calls run straight on),
    then ``then_pause`` seconds more, or (``let_other_first``) until the other process has finished."""
    original = getattr(owner, name)
    held: list[bool] = []

    def holding(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not held:
            held.append(True)
            barrier.wait(WAIT)
            time.sleep(then_pause)
            if let_other_first:
                assert _OTHER_DONE[0].wait(WAIT), "the other process never finished"
            # The session keeps records it read only while something refers to them: the collector
            # may drop them here at any time, and a later get() reads the row again. Drop them now.
            gc.collect()
        return result

    static = isinstance(inspect.getattr_static(owner, name), staticmethod)
    setattr(owner, name, staticmethod(holding) if static else holding)


def _edit_household(archive: Archive, household_id: str, edits: dict[str, str], barrier: Any) -> str:
    """Load the file, change it, save it; the save waits, inside its transaction after the check of
    the versions, until the other process's save is there too."""
    file = archive.households.load(household_id)
    first = edits.pop("after_the_other", "") == "yes"
    for where, value in edits.items():
        if where == "address":
            file.address = value
        else:
            file.members[int(where)].phone = value
    _hold_once(HouseholdService, "_stale_records", barrier, let_other_first=first)
    archive.households.save(file)
    return "saved"


def _edit_village(archive: Archive, village_id: str, population: int, second: bool, barrier: Any) -> str:
    from zhuji_archive.services.villages import VillageService

    info = archive.villages.load(village_id)
    info.population = population
    _hold_once(VillageService, "_stale_records", barrier, let_other_first=second)
    archive.villages.save(info)
    return "saved"


def _decide_meeting(archive: Archive, meeting_id: str, second: bool, barrier: Any) -> str:
    """Apply the meeting's decisions; the transaction waits after reading the request it assigns."""
    _hold_once(RequestService, "_may_act", barrier, let_other_first=second)
    archive.meetings.apply_decisions(meeting_id)
    return "saved"


def _edit_request(archive: Archive, household_id: str, description: str, second: bool, barrier: Any) -> str:
    file = archive.households.load(household_id)
    file.requests[0].description = description
    _hold_once(HouseholdService, "_stale_records", barrier, let_other_first=second)
    archive.households.save(file)
    return "saved"


def _record_requests(archive: Archive, household_id: str, category: str, count: int, barrier: Any) -> str:
    barrier.wait(WAIT)
    for n in range(count):
        archive.requests.record(household_id, category, f"{archive.actor.display_name}并发登记{n}", TODAY)
    return "saved"


def _record_one(archive: Archive, household_id: str, barrier: Any) -> str:
    """Record a request; the transaction waits once the request row is stored (and numbered), and
    lets the other process write first."""
    _hold_once(request_numbers, "assign_number", barrier, then_pause=0.5)
    archive.requests.record(household_id, "生活困难", "新登记的诉求", TODAY)
    return "saved"


def _sort_request(archive: Archive, request_id: str, barrier: Any) -> str:
    """Sort (梳理) a request; the transaction waits after reading it."""
    _hold_once(RequestService, "_may_act", barrier)
    sorting = wf.Classification("生活困难", "个性", "近期一时难以解决", wf.Level.VILLAGE)
    archive.requests.act(request_id, wf.Action.SORT, sorting)
    return "saved"


def _write_log(archive: Archive, rounds: int, barrier: Any) -> str:
    name = archive.actor.display_name
    barrier.wait(WAIT)
    for index in range(rounds):
        with archive.db.transaction() as session:
            recorder = ChangeRecorder(session, archive.actor)
            for part in range(3):
                recorder.log("修改", "户", f"r{index}", note=f"{name}{index}-{part}")
        time.sleep(0.005)  # as between two saves, so that the writers interleave on a busy machine
    return "saved"


def _file_household(archive: Archive, group_id: str, address: str, barrier: Any) -> str:
    """File a new household whose head holds HEAD_ID; both processes have validated (nobody holds it
    yet) before either writes."""
    file = archive.households.new_file(group_id)
    file.address = address
    file.members = [MemberData(name="金德明", relation="户主", id_number=HEAD_ID)]
    original = HouseholdService._write

    def write_after_both_checked(self: HouseholdService, session: Any, work: HouseholdFile) -> str:
        if not getattr(write_after_both_checked, "held", False):
            write_after_both_checked.held = True  # type: ignore[attr-defined]
            barrier.wait(WAIT)
        return original(self, session, work)

    HouseholdService._write = write_after_both_checked  # type: ignore[method-assign]
    archive.households.save(file)
    return "saved"


TASKS: dict[str, Callable[..., str]] = {
    "edit_household": _edit_household,
    "edit_village": _edit_village,
    "decide_meeting": _decide_meeting,
    "edit_request": _edit_request,
    "record_requests": _record_requests,
    "record_one": _record_one,
    "sort_request": _sort_request,
    "write_log": _write_log,
    "file_household": _file_household,
}


def _process(
    url: str, login: str, task: str, args: tuple[Any, ...], barrier: Any, out: Any, mine: Any, other: Any
) -> None:
    """One application process: log in to the hub, run the task, report "saved" or the refusal."""
    archive = access.unlock(url, login, PASSWORD, TODAY)
    _OTHER_DONE.append(other)
    # Both logged in (a login writes the change log) before either task may hold the chain head.
    barrier.wait(WAIT)
    try:
        outcome = TASKS[task](archive, *args, barrier)
    except DomainError as refused:  # StaleSave, ChangedMeanwhile, ValidationFailed: told in Chinese
        outcome = "refused:" + refused.message
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        outcome = f"error:{type(error).__name__}:{error}"
    finally:
        mine.set()
        archive.close()
    out.put((archive.actor.display_name, outcome))


def _run(hub: Hub, *jobs: tuple[str, str, tuple[Any, ...]]) -> dict[str, str]:
    """Run one process per (person, task, args) at once; their outcomes by person."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    out = context.Queue()
    done = [context.Event() for _ in jobs]
    processes = [
        context.Process(
            target=_process,
            args=(hub.url, hub.logins[person], task, args, barrier, out, done[index], done[1 - index]),
        )
        for index, (person, task, args) in enumerate(jobs)
    ]
    for process in processes:
        process.start()
    outcomes = dict(out.get(timeout=3 * WAIT) for _ in processes)
    for process in processes:
        process.join(timeout=WAIT)
        assert process.exitcode == 0
    for person, outcome in outcomes.items():
        assert not outcome.startswith("error:"), f"{person}: {outcome}"
    return outcomes


def _changes(archive: Archive, record_id: str) -> list[tuple[str, str, str]]:
    with archive.db.sessions() as session:
        rows = session.execute(
            select(ChangeLog.operator, ChangeLog.field, ChangeLog.new_value)
            .where(ChangeLog.record_id == record_id, ChangeLog.action == "修改")
            .order_by(ChangeLog.seq)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _chain_intact(archive: Archive) -> None:
    verdict = archive.audit.verify()
    assert verdict.broken is None and verdict.checked == verdict.total


# ---- a. different records of one household: both kept ----------------------------------------------


def test_different_fields_of_one_household_saved_at_once_are_both_kept(hub: Hub) -> None:
    household_id = _new_household(hub.archive, hub.groups[0])
    outcomes = _run(
        hub,
        ("操作员甲", "edit_household", (household_id, {"address": "杜黄村新街8号"})),
        ("操作员乙", "edit_household", (household_id, {"0": "13900009999"})),
    )
    assert outcomes == {"操作员甲": "saved", "操作员乙": "saved"}
    fresh = hub.archive.households.load(household_id)
    assert fresh.address == "杜黄村新街8号"  # 乙's save did not put the old address back
    assert fresh.members[0].phone == "13900009999"
    assert fresh.members[1].phone == "13800002222"
    assert _changes(hub.archive, household_id) == [("操作员甲", "住址", "杜黄村新街8号")]
    assert _changes(hub.archive, fresh.members[0].id) == [("操作员乙", "联系电话", "13900009999")]
    _chain_intact(hub.archive)


# ---- b. the same field: the second refused, naming who changed it ---------------------------------


def test_the_same_field_saved_at_once_refuses_the_second_naming_the_first(hub: Hub) -> None:
    household_id = _new_household(hub.archive, hub.groups[0])
    outcomes = _run(
        hub,
        ("操作员甲", "edit_household", (household_id, {"address": "甲写的住址", "0": "13700000001"})),
        ("操作员乙", "edit_household", (household_id, {"address": "乙写的住址", "1": "13700000002"})),
    )
    assert sorted(outcomes.values())[1] == "saved"
    (loser,) = [person for person, outcome in outcomes.items() if outcome != "saved"]
    winner = "操作员乙" if loser == "操作员甲" else "操作员甲"
    message = outcomes[loser].removeprefix("refused:")
    assert "已被他人修改，您的修改没有保存" in message
    assert winner in message and "住址" in message
    assert "写的住址" not in message  # who and which field, never the values
    fresh = hub.archive.households.load(household_id)
    assert fresh.address == f"{winner[-1]}写的住址"
    # nothing of the refused save landed, not even its change to another record
    if winner == "操作员甲":
        assert [m.phone for m in fresh.members] == ["13700000001", "13800002222"]
    else:
        assert [m.phone for m in fresh.members] == ["13800001111", "13700000002"]
    assert [op for op, _field, _new in _changes(hub.archive, household_id)] == [winner]
    assert fresh.version == 2
    _chain_intact(hub.archive)


def test_the_same_field_of_a_member_saved_at_once_refuses_the_second(hub: Hub) -> None:
    """The member row is read again in the save's transaction after the other save committed (on the
    hub every statement sees the latest commit): the version it is checked against is the one the
    window loaded, not the one read then — else the second phone silently replaced the first."""
    household_id = _new_household(hub.archive, hub.groups[0])
    head_id = hub.archive.households.load(household_id).members[0].id
    outcomes = _run(
        hub,
        ("操作员甲", "edit_household", (household_id, {"0": "13700000001"})),
        ("操作员乙", "edit_household", (household_id, {"0": "13700000002", "after_the_other": "yes"})),
    )
    assert outcomes["操作员甲"] == "saved"  # 乙 let 甲 write first
    (loser,) = [person for person, outcome in outcomes.items() if outcome != "saved"]
    winner = "操作员乙" if loser == "操作员甲" else "操作员甲"
    assert winner in outcomes[loser] and "成员" in outcomes[loser] and "联系电话" in outcomes[loser]
    phone = hub.archive.households.load(household_id).members[0].phone
    assert phone == ("13700000001" if winner == "操作员甲" else "13700000002")
    assert [op for op, _field, _new in _changes(hub.archive, head_id)] == [winner]
    _chain_intact(hub.archive)


def test_the_same_field_of_the_village_table_saved_at_once_refuses_the_second(hub: Hub) -> None:
    """The same guard for every record with a version (storage/versions.pin_records), not only in the
    household file: the village table's 人口 typed in two windows."""
    outcomes = _run(
        hub,
        ("操作员甲", "edit_village", (hub.village_id, 1300, False)),
        ("操作员乙", "edit_village", (hub.village_id, 999, True)),
    )
    assert outcomes["操作员甲"] == "saved"
    assert "操作员甲" in outcomes["操作员乙"] and "人口" in outcomes["操作员乙"]
    assert hub.archive.villages.load(hub.village_id).population == 1300


# ---- c. the meeting decides a request while a cadre edits it --------------------------------------


def _on_the_agenda(hub: Hub) -> tuple[str, str, str]:
    """A household with one request waiting for the meeting, on an open meeting's agenda, decided."""
    archive = hub.archive
    household_id = _new_household(archive, hub.groups[0])
    rid = archive.requests.record(household_id, "生活困难", "危房改造", D("2025-09-01"))
    archive.requests.act(rid, wf.Action.SORT, wf.Classification("生活困难", "个性", "近期一时难以解决", wf.Level.TOWN))
    archive.requests.act(rid, wf.Action.REPORT)
    meeting = archive.meetings.create(TODAY, "", "镇长、党政办主任")
    archive.meetings.add_requests(meeting, [rid])
    (row,) = archive.meetings.decisions(meeting)
    decision = DecisionRow(row.item_id, row.request, "镇村建办", "楼主任", D("2025-10-31"), "")
    archive.meetings.save_decisions(meeting, [decision])
    return household_id, rid, meeting


def _events_consistent(archive: Archive, rid: str) -> list[RequestEvent]:
    with archive.db.sessions() as session:
        events = list(
            session.scalars(select(RequestEvent).where(RequestEvent.request_id == rid).order_by(RequestEvent.at))
        )
        request = session.get(Request, rid)
        assert request is not None
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
        assert events[-1].to_status == request.status
    return events


@pytest.mark.parametrize("head_start", ["meeting", "cadre"])
def test_a_meeting_decided_while_a_cadre_edits_the_request(hub: Hub, head_start: str) -> None:
    household_id, rid, meeting = _on_the_agenda(hub)
    before = len(_events_consistent(hub.archive, rid))
    # Both have read the request; the one without the head start lets the other finish first.
    outcomes = _run(
        hub,
        ("操作员甲", "decide_meeting", (meeting, head_start != "meeting")),
        ("驻村干部丙", "edit_request", (household_id, "危房改造（丙补充：屋顶漏雨）", head_start == "meeting")),
    )
    decided, edited = outcomes["操作员甲"] == "saved", outcomes["驻村干部丙"] == "saved"
    # The first to write goes through; the other read the request before that and is refused.
    assert (decided, edited) == ((True, False) if head_start == "meeting" else (False, True))
    events = _events_consistent(hub.archive, rid)
    detail = hub.archive.requests.detail(rid)
    with hub.archive.db.sessions() as session:
        meeting_status = session.get(Meeting, meeting).status  # type: ignore[union-attr]
    if decided:
        assert detail.row.status == "办理中" and detail.row.responsible_unit == "镇村建办"
        assert [e.action for e in events[before:]] == ["交办"] and meeting_status == "已决定"
    else:
        assert detail.row.status == "待上会" and len(events) == before and meeting_status == "筹备"
        assert "他人修改" in outcomes["操作员甲"]
    if edited:
        assert detail.row.description == "危房改造（丙补充：屋顶漏雨）"
    else:
        assert detail.row.description == "危房改造"
        message = outcomes["驻村干部丙"]
        assert "已被他人修改" in message and "操作员甲" in message and "诉求" in message
    # what the change log says happened is what happened, and nothing else
    logged = {(op, fld) for op, fld, _new in _changes(hub.archive, rid)}
    assert (("驻村干部丙", "诉求内容") in logged) == edited
    with hub.archive.db.sessions() as session:
        handled = session.scalars(
            select(ChangeLog.operator).where(ChangeLog.record_id == rid, ChangeLog.note.like("交办%"))
        ).all()
    assert list(handled) == (["操作员甲"] if decided else [])
    _chain_intact(hub.archive)


# ---- d. request numbers from two processes ---------------------------------------------------------


def test_requests_recorded_at_once_get_unique_consecutive_numbers(hub: Hub) -> None:
    first = _new_household(hub.archive, hub.groups[0])
    file = hub.archive.households.new_file(hub.groups[1])
    file.members = [MemberData(name="王小明", relation="户主")]
    second = hub.archive.households.save(file)
    count = 20
    outcomes = _run(
        hub,
        ("操作员甲", "record_requests", (first, "生活困难", count)),
        ("操作员乙", "record_requests", (second, "生产困难", count)),  # other tally rows: no queue there
    )
    assert outcomes == {"操作员甲": "saved", "操作员乙": "saved"}
    with hub.archive.db.sessions() as session:
        rows = session.execute(select(Request.number, Request.description).order_by(Request.number)).all()
    assert [number for number, _ in rows] == [f"安华2025-{n:04d}" for n in range(1, 2 * count + 1)]
    writers = [description[:4] for _, description in rows]
    assert writers.count("操作员甲") == writers.count("操作员乙") == count
    assert sum(1 for a, b in zip(writers, writers[1:], strict=False) if a != b) > 2  # they interleaved
    _chain_intact(hub.archive)


def test_a_request_recorded_while_another_of_its_kind_is_sorted(hub: Hub) -> None:
    """Both touch the same tally row (requests of the village, 登记, 生活困难): one by inserting a
    request, one by moving a request out of it. Each locks the chain head first, so neither holds
    the tally row while waiting for the head (that order deadlocked), and both go through."""
    household_id = _new_household(hub.archive, hub.groups[0])
    waiting = hub.archive.requests.record(household_id, "生活困难", "修路", D("2025-09-01"))
    outcomes = _run(
        hub,
        ("操作员甲", "record_one", (household_id,)),
        ("操作员乙", "sort_request", (waiting,)),
    )
    assert outcomes == {"操作员甲": "saved", "操作员乙": "saved"}
    assert hub.archive.requests.detail(waiting).row.status == "已梳理"
    with hub.archive.db.sessions() as session:
        numbers = sorted(session.scalars(select(Request.number)))
    assert numbers == ["安华2025-0001", "安华2025-0002"]
    assert hub.archive.requests.counts() == {"登记": 1, "已梳理": 1}  # the tally kept both moves
    _chain_intact(hub.archive)


# ---- e. the change log from two processes ----------------------------------------------------------


def test_change_log_written_at_once_keeps_one_verified_chain(hub: Hub) -> None:
    rounds = 30
    outcomes = _run(hub, ("操作员甲", "write_log", (rounds,)), ("操作员乙", "write_log", (rounds,)))
    assert outcomes == {"操作员甲": "saved", "操作员乙": "saved"}
    with hub.archive.db.sessions() as session:
        entries = session.execute(select(ChangeLog.seq, ChangeLog.note).order_by(ChangeLog.seq)).all()
    assert [seq for seq, _ in entries] == list(range(1, len(entries) + 1))
    writers = [note[:4] for _, note in entries if note.startswith("操作员")]
    assert writers.count("操作员甲") == writers.count("操作员乙") == 3 * rounds
    assert sum(1 for a, b in zip(writers, writers[1:], strict=False) if a != b) > 2
    _chain_intact(hub.archive)


# ---- f. the same person filed twice at once --------------------------------------------------------


def test_the_same_id_number_filed_at_once_in_two_households_is_refused_once(hub: Hub) -> None:
    outcomes = _run(
        hub,
        ("操作员甲", "file_household", (hub.groups[0], "甲登记的住址")),
        ("操作员乙", "file_household", (hub.groups[1], "乙登记的住址")),
    )
    assert sorted(outcomes.values())[1] == "saved"
    (loser,) = [person for person, outcome in outcomes.items() if outcome != "saved"]
    message = outcomes[loser]
    assert "同一人不能同时在两户在册" in message and "杜黄村" in message
    with hub.archive.db.sessions() as session:
        addresses = session.scalars(select(Household.address)).all()
    assert addresses == [f"{'乙' if loser == '操作员甲' else '甲'}登记的住址"]
    _chain_intact(hub.archive)


# ---- a writer killed in the middle of its transaction ----------------------------------------------


def _save_and_hang(url: str, login: str, household_id: str, inside: Any) -> None:
    """Save a change and, inside the transaction after its rows and change log are written, hang."""
    archive = access.unlock(url, login, PASSWORD, TODAY)
    file = archive.households.load(household_id)
    file.address = "不该留下的住址"
    file.members[0].phone = "13600000000"
    original = HouseholdService.refresh_summary

    def hang(session: Any, h: Household) -> None:
        original(session, h)
        session.flush()
        inside.set()
        time.sleep(3600)

    HouseholdService.refresh_summary = staticmethod(hang)  # type: ignore[method-assign, assignment]
    archive.households.save(file)


def test_a_writer_killed_mid_transaction_leaves_the_hub_unchanged(hub: Hub) -> None:
    household_id = _new_household(hub.archive, hub.groups[0])
    context = multiprocessing.get_context("spawn")
    inside = context.Event()
    writer = context.Process(
        target=_save_and_hang, args=(hub.url, hub.logins["操作员甲"], household_id, inside)
    )
    writer.start()
    assert inside.wait(WAIT), "the writer never got inside its transaction"
    with hub.archive.db.engine.connect() as connection:  # after its login's entry, before its save's
        head_before = connection.execute(text("SELECT last_seq, last_chain FROM audit_head")).one()
    os.kill(writer.pid, signal.SIGKILL)  # type: ignore[arg-type]
    writer.join(WAIT)
    assert writer.exitcode == -signal.SIGKILL

    # Nothing of the dead writer's transaction is on the hub: rows, change log, chain head.
    with hub.archive.db.engine.connect() as connection:
        assert connection.execute(text("SELECT last_seq, last_chain FROM audit_head")).one() == head_before
        assert not connection.execute(
            text("SELECT count(*) FROM change_log WHERE new_value = '不该留下的住址'")
        ).scalar()
    # The next open (a login, written to the change log) works.
    again = open_archive(hub.url, "操作员乙", today=TODAY)
    try:
        fresh = again.households.load(household_id)
        assert (fresh.address, fresh.members[0].phone, fresh.version) == ("杜黄村老街3号", "13800001111", 1)
        # and the rows and the chain head the dead writer had locked can be written again at once
        started = time.monotonic()
        fresh.address = "杜黄村新街8号"
        again.households.save(fresh)
        assert time.monotonic() - started < 10
        assert again.households.load(household_id).address == "杜黄村新街8号"
        _chain_intact(again)
    finally:
        again.close()


# ---- wrong passwords tried at once ---------------------------------------------------------------


def _guess(url: str, login: str, barrier: Any, out: Any) -> None:
    barrier.wait(WAIT)
    try:
        access.unlock(url, login, "Wrong-2026", TODAY).close()
        out.put("in")
    except DomainError as refused:
        out.put(refused.message)


def test_wrong_passwords_tried_at_once_are_counted_one_after_another(hub: Hub) -> None:
    """After two wrong passwords the third is checked, and from then on each must wait (2, 4 … s).
    Four guesses started at the same moment take turns: one is checked, three are told to wait —
    before, all four read "two failures" and all four passwords were checked."""
    login = hub.logins["操作员甲"]
    for _ in range(2):
        with pytest.raises(DomainError, match="密码"):
            access.unlock(hub.url, login, "Wrong-2026", TODAY)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    out = context.Queue()
    guessers = [context.Process(target=_guess, args=(hub.url, login, barrier, out)) for _ in range(4)]
    for guesser in guessers:
        guesser.start()
    answers = sorted(out.get(timeout=3 * WAIT) for _ in guessers)
    for guesser in guessers:
        guesser.join(WAIT)
        assert guesser.exitcode == 0
    told_to_wait = [a for a in answers if "密码错误次数过多" in a]
    assert len(told_to_wait) == 3 and "in" not in answers
    with hub.archive.db.engine.connect() as connection:
        failures = connection.execute(
            text("SELECT count(*) FROM login_failure WHERE login = :login"), {"login": login}
        ).scalar()
    assert failures == 3
