"""Two windows on one archive: record versions, saving only what was changed, stale saves refused.

Both at the service level (two archives, i.e. two engines, on one file) and with two real processes."""

from __future__ import annotations

import multiprocessing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from accounts import as_person_on, open_archive, where
from sqlalchemy import select

from zhuji_archive.domain import idcard
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.conflicts import StaleSave
from zhuji_archive.storage.models import ChangeLog, Household, Member
from zhuji_archive.views.household_file import HouseholdFile, MemberData

HEAD_ID = idcard.make("330681", date(1971, 6, 3), 17)
CHILD_ID = idcard.make("330681", date(1999, 2, 11), 24)


def _new_household(archive: Archive) -> str:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    file = archive.households.new_file(village.children[0].id)
    file.address = "杜黄村老街3号"
    file.members = [
        MemberData(name="金德明", relation="户主", id_number=HEAD_ID, phone="13800001111"),
        MemberData(name="金晓燕", relation="女", id_number=CHILD_ID),
    ]
    return archive.households.save(file)


def _versions(archive: Archive, household_id: str) -> tuple[int, list[int]]:
    with archive.db.sessions() as session:
        household = session.get(Household, household_id)
        assert household is not None
        members = session.scalars(
            select(Member.version).where(Member.household_id == household_id).order_by(Member.sort)
        ).all()
        return household.version, list(members)


def _log(archive: Archive, household_id: str) -> list[tuple[str, str, str, int | None]]:
    with archive.db.sessions() as session:
        rows = session.execute(
            select(ChangeLog.operator, ChangeLog.entity, ChangeLog.field, ChangeLog.version)
            .where(ChangeLog.household_id == household_id, ChangeLog.action == "修改")
            .order_by(ChangeLog.at)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _head(file: HouseholdFile) -> MemberData:
    return next(m for m in file.members if m.relation == "户主")


@pytest.fixture
def two_windows(archive: Archive) -> tuple[Archive, Archive, str]:
    """The fixture's archive as window A and a second engine on the same file as window B."""
    household_id = _new_household(archive)
    other = open_archive(where(archive.db), "操作员乙")  # type: ignore[arg-type]
    yield as_person_on(archive.db, "操作员甲"), other, household_id
    other.close()


def test_versions_start_at_one_and_count_each_saved_change(archive: Archive) -> None:
    household_id = _new_household(archive)
    assert _versions(archive, household_id) == (1, [1, 1])
    file = archive.households.load(household_id)
    assert file.version == 1 and [m.version for m in file.members] == [1, 1]

    file.address = "杜黄村新街8号"
    _head(file).phone = "13900002222"
    archive.households.save(file)
    assert _versions(archive, household_id) == (2, [2, 1])
    # the log says which change made which version
    assert sorted(_log(archive, household_id)) == sorted(
        [("测试员", "户", "住址", 2), ("测试员", "成员", "联系电话", 2)]
    )

    # saving without a change changes nothing, not even the version
    archive.households.save(archive.households.load(household_id))
    assert _versions(archive, household_id) == (2, [2, 1])


def test_other_windows_changes_to_other_records_survive(two_windows) -> None:
    a, b, household_id = two_windows
    file_a = a.households.load(household_id)
    file_b = b.households.load(household_id)
    file_a.address = "杜黄村新街8号"
    a.households.save(file_a)
    _head(file_b).phone = "13900002222"
    b.households.save(file_b)  # B never touched the address: its save must not put the old one back

    fresh = a.households.load(household_id)
    assert fresh.address == "杜黄村新街8号"
    assert _head(fresh).phone == "13900002222"
    assert [(op, field) for op, _entity, field, _v in _log(a, household_id)] == [
        ("操作员甲", "住址"),
        ("操作员乙", "联系电话"),
    ]


def test_another_field_of_a_record_changed_meanwhile_is_refused_not_merged(two_windows) -> None:
    """The version is per record: B changing the notes of a household whose address A changed since
    is asked to reload (the user decides), and A's address is not overwritten."""
    a, b, household_id = two_windows
    file_a = a.households.load(household_id)
    file_b = b.households.load(household_id)
    file_a.address = "杜黄村新街8号"
    a.households.save(file_a)
    file_b.notes = "常年在外务工"
    with pytest.raises(StaleSave):
        b.households.save(file_b)
    fresh = a.households.load(household_id)
    assert (fresh.address, fresh.notes) == ("杜黄村新街8号", "")


def test_a_stale_save_is_refused_naming_who_changed_what(two_windows) -> None:
    a, b, household_id = two_windows
    file_a = a.households.load(household_id)
    file_b = b.households.load(household_id)
    file_a.address = "杜黄村新街8号"
    _head(file_a).phone = "13700003333"
    a.households.save(file_a)

    file_b.address = "杜黄村后山1号"
    _head(file_b).phone = "13600004444"
    with pytest.raises(StaleSave) as caught:
        b.households.save(file_b)
    message = caught.value.message
    assert "操作员甲" in message and "住址" in message and "联系电话" in message
    assert "户" in message and "成员" in message
    for value in ("杜黄村新街8号", "杜黄村后山1号", "13700003333", "13600004444", "金德明", HEAD_ID):
        assert value not in message
    # nothing of B's landed, A's values stand
    fresh = a.households.load(household_id)
    assert fresh.address == "杜黄村新街8号" and _head(fresh).phone == "13700003333"
    assert _versions(a, household_id) == (2, [2, 1])

    # after reloading, B's change goes through on top of A's
    file_b = b.households.load(household_id)
    file_b.address = "杜黄村后山1号"
    b.households.save(file_b)
    assert a.households.load(household_id).address == "杜黄村后山1号"


def test_removing_a_member_someone_else_just_changed_is_refused(two_windows) -> None:
    a, b, household_id = two_windows
    file_a = a.households.load(household_id)
    file_b = b.households.load(household_id)
    file_a.members[1].phone = "13500005555"
    a.households.save(file_a)
    file_b.members[1].removed = True
    with pytest.raises(StaleSave, match="操作员甲"):
        b.households.save(file_b)
    assert len(a.households.load(household_id).members) == 2


# ---- two real processes ------------------------------------------------------------------------


def _window(path: str, operator: str, household_id: str, edit: str, loaded: Any, turn: Any, out: Any) -> None:
    """One process = one window: load, wait until the other has loaded too, edit, save in turn."""
    archive = open_archive(path, operator)
    file = archive.households.load(household_id)
    loaded.wait()
    if edit == "address":
        file.address = f"{operator}填写的住址"
    elif edit == "phone":
        _head(file).phone = "13900002222"
    turn.wait()  # the parent releases A, then B, so the order is fixed
    try:
        archive.households.save(file)
        out.put((operator, "saved"))
    except StaleSave as stale:
        out.put((operator, stale.message))
    finally:
        archive.close()


def _run_two_windows(path: Path, household_id: str, edit_a: str, edit_b: str) -> dict[str, str]:
    context = multiprocessing.get_context("spawn")
    loaded = context.Barrier(2)
    turns = [context.Event(), context.Event()]
    out = context.Queue()
    processes = [
        context.Process(target=_window, args=(str(path), name, household_id, edit, loaded, turn, out))
        for name, edit, turn in (("操作员甲", edit_a, turns[0]), ("操作员乙", edit_b, turns[1]))
    ]
    for process in processes:
        process.start()
    results: dict[str, str] = {}
    for turn in turns:
        turn.set()
        name, outcome = out.get(timeout=60)
        results[name] = outcome
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return results


def test_two_processes_address_and_phone_both_kept(archive: Archive) -> None:
    household_id = _new_household(archive)
    results = _run_two_windows(where(archive.db), household_id, "address", "phone")  # type: ignore[arg-type]
    assert results == {"操作员甲": "saved", "操作员乙": "saved"}
    fresh = archive.households.load(household_id)
    assert fresh.address == "操作员甲填写的住址"
    assert _head(fresh).phone == "13900002222"
    assert [(op, field) for op, _e, field, _v in _log(archive, household_id)] == [
        ("操作员甲", "住址"),
        ("操作员乙", "联系电话"),
    ]


def test_two_processes_same_field_second_is_refused(archive: Archive) -> None:
    household_id = _new_household(archive)
    results = _run_two_windows(where(archive.db), household_id, "address", "address")  # type: ignore[arg-type]
    assert results["操作员甲"] == "saved"
    assert "操作员甲" in results["操作员乙"] and "住址" in results["操作员乙"]
    assert archive.households.load(household_id).address == "操作员甲填写的住址"


# ---- the village information table: the same two windows ---------------------------------------


def _village(archive: Archive) -> str:
    (town,) = archive.organisation.tree()
    return town.children[0].id


def test_village_table_keeps_the_other_windows_changes(archive: Archive) -> None:
    from zhuji_archive.views.villages import LeaderData

    village_id = _village(archive)
    info = archive.villages.load(village_id)
    info.leaders = [LeaderData(name="楼建平", post="村书记", phone="13800001234")]
    archive.villages.save(info)
    other = open_archive(where(archive.db), "操作员乙")  # type: ignore[arg-type]
    try:
        mine = archive.villages.load(village_id)
        theirs = other.villages.load(village_id)
        mine.population = 1234
        archive.villages.save(mine)
        theirs.leaders[0].phone = "13900005678"
        other.villages.save(theirs)  # never touched the population: it must stay 1234
        fresh = archive.villages.load(village_id)
        assert fresh.population == 1234 and fresh.leaders[0].phone == "13900005678"

        theirs = other.villages.load(village_id)
        mine = archive.villages.load(village_id)
        mine.population = 1300
        archive.villages.save(mine)
        theirs.population = 999
        with pytest.raises(StaleSave) as caught:
            other.villages.save(theirs)
        assert "测试员" in caught.value.message and "人口" in caught.value.message
        assert "1300" not in caught.value.message and "999" not in caught.value.message
        assert archive.villages.load(village_id).population == 1300
    finally:
        other.close()


def test_a_request_changed_meanwhile_is_a_rule_not_a_program_error(two_windows, monkeypatch) -> None:
    """Window B saves the household (editing its request) while window A is sorting that request: A's
    transaction meets a newer version and is refused in Chinese with nothing written — before, the
    version check's StaleDataError reached the user as 程序错误."""
    from zhuji_archive.domain import workflow as wf
    from zhuji_archive.domain.errors import DomainError
    from zhuji_archive.services import requests as request_service

    a, b, household_id = two_windows
    request_id = a.requests.record(household_id, "生产困难", "修路")
    original = wf.apply
    raced: list[int] = []

    def b_saves_first(case, action, payload):  # B commits between A's read and A's write
        if not raced:
            raced.append(1)
            file = b.households.load(household_id)
            file.requests[0].description = "修路（乙补充）"
            b.households.save(file)
        return original(case, action, payload)

    monkeypatch.setattr(request_service.wf, "apply", b_saves_first)
    sorting = wf.Classification("生产困难", "个性", "近期一时难以解决", wf.Level.VILLAGE)
    with pytest.raises(DomainError) as refused:
        a.requests.act(request_id, wf.Action.SORT, sorting)
    assert "他人修改" in refused.value.message
    detail = a.requests.detail(request_id)
    assert detail.row.status == "登记"  # nothing of A's step was written
    assert "修路（乙补充）" in detail.row.description
    monkeypatch.setattr(request_service.wf, "apply", original)
    a.requests.act(request_id, wf.Action.SORT, sorting)  # after a refresh the step goes through
    assert a.requests.detail(request_id).row.status == "已梳理"


def test_a_save_whose_read_back_fails_is_not_repeated_as_a_new_household(archive: Archive, monkeypatch) -> None:
    """The commit succeeded but reading the file back failed (a locked file): the caller's file already
    carries the saved ids, so pressing 保存 again updates the household instead of filing a second one."""
    from sqlalchemy import func
    from sqlalchemy.exc import OperationalError

    (town,) = archive.organisation.tree()
    (village,) = town.children
    group_id = village.children[1].id
    file = archive.households.new_file(group_id)
    file.address = "杜黄村下杜黄5号"
    file.members = [MemberData(name="楼永强", relation="户主")]  # no ID number: nothing else would stop a duplicate
    real_load = archive.households.load
    failing = [True]

    def load_failing_once(household_id: str) -> HouseholdFile:
        if failing:
            failing.clear()
            raise OperationalError("SELECT", {}, Exception("database is locked"))
        return real_load(household_id)

    monkeypatch.setattr(archive.households, "load", load_failing_once)
    first = archive.households.save(file)
    assert file.id == first and file.members[0].id
    file.address = "杜黄村下杜黄7号"
    assert archive.households.save(file) == first
    with archive.db.sessions() as session:
        households = session.scalar(select(func.count()).select_from(Household).where(Household.group_id == group_id))
        members = session.scalar(select(func.count()).select_from(Member).where(Member.household_id == first))
    assert (households, members) == (1, 1)
    assert real_load(first).address == "杜黄村下杜黄7号"
