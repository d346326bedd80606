"""诉求编号: every way a request is stored gives it the next town-year number, a number taken by a
concurrent writer is retried, and the request search finds a request by its number."""

from __future__ import annotations

import multiprocessing
from datetime import date
from typing import Any

import pytest
from accounts import as_person, open_archive, where
from conftest import WorkflowTown
from sqlalchemy import func, select

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.requests import RequestQuery
from zhuji_archive.storage import request_numbers
from zhuji_archive.storage.models import ChangeLog, Request
from zhuji_archive.views.household_file import RequestData

D = date.fromisoformat


def number_of(archive: Archive, request_id: str) -> str | None:
    with archive.db.sessions() as session:
        return session.get(Request, request_id).number


def test_recording_gives_the_next_number_of_the_town_and_year(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    requests = town.archive.requests
    first = requests.record(town.households["张建国"], "生活困难", "房屋漏雨", D("2025-03-01"))
    second = requests.record(town.households["王小明"], "基础设施", "村道坑洼", D("2025-02-01"))
    next_year = requests.record(town.households["赵大"], "生活困难", "缺少劳力", D("2026-01-05"))
    assert number_of(town.archive, first) == "安华2025-0001"
    assert number_of(town.archive, second) == "安华2025-0002"  # numbered as recorded, not by date
    assert number_of(town.archive, next_year) == "安华2026-0001"
    assert requests.detail(second).row.number == "安华2025-0002"
    assert {row.number for row in requests.list()} == {"安华2025-0001", "安华2025-0002", "安华2026-0001"}
    with town.archive.db.sessions() as session:
        notes = session.scalars(select(ChangeLog.note).where(ChangeLog.record_id == first)).all()
    assert any("安华2025-0001" in note for note in notes)


def test_a_request_saved_with_the_household_file_is_numbered(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    archive = town.archive
    archive.requests.record(town.households["赵大"], "生活困难", "缺少劳力", D("2025-09-01"))
    file = archive.households.load(town.households["张建国"])
    file.requests.append(RequestData(recorded_on=D("2025-09-20"), category="生活困难", description="房屋漏雨"))
    archive.households.save(file)
    reloaded = archive.households.load(town.households["张建国"])
    (request,) = reloaded.requests
    assert request.number == "安华2025-0002"


def test_a_number_taken_by_a_concurrent_writer_is_retried(
    workflow_town: WorkflowTown, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read of the sequence is stale (another process stored 0001 meanwhile): the unique
    index refuses the duplicate, and recording tries again with a fresh read."""
    town = workflow_town
    archive = town.archive
    archive.requests.record(town.households["赵大"], "生活困难", "缺少劳力", D("2025-09-01"))
    real = request_numbers.last_sequence
    stale = iter([0])
    monkeypatch.setattr(request_numbers, "last_sequence", lambda db, prefix: next(stale, None) or real(db, prefix))
    rid = archive.requests.record(town.households["张建国"], "生活困难", "房屋漏雨", D("2025-09-02"))
    assert number_of(archive, rid) == "安华2025-0002"


def test_a_number_that_keeps_clashing_gives_a_chinese_message_and_stores_nothing(
    workflow_town: WorkflowTown, monkeypatch: pytest.MonkeyPatch
) -> None:
    town = workflow_town
    archive = town.archive
    archive.requests.record(town.households["赵大"], "生活困难", "缺少劳力", D("2025-09-01"))
    monkeypatch.setattr(request_numbers, "last_sequence", lambda db, prefix: 0)
    with pytest.raises(DomainError, match="未能分配诉求编号"):
        archive.requests.record(town.households["张建国"], "生活困难", "房屋漏雨", D("2025-09-02"))
    with archive.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Request)) == 1


def test_the_demo_numbers_every_request_in_recorded_order(demo_archive: Archive) -> None:
    with demo_archive.db.sessions() as session:
        rows = session.execute(select(Request.number, Request.recorded_on).order_by(Request.number)).all()
    numbers = [number for number, _day in rows]
    assert rows and all(numbers)
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith(f"安华{day.year}-") for n, day in rows)
    by_year: dict[int, list[tuple[int, date]]] = {}
    for number, day in rows:
        by_year.setdefault(day.year, []).append((int(number.split("-")[1]), day))
    for entries in by_year.values():
        entries.sort()
        assert [seq for seq, _ in entries] == list(range(1, len(entries) + 1))
        days = [day for _, day in entries]
        assert days == sorted(days)
    # A request recorded after the demo continues the sequence.
    household = demo_archive.requests.list()[0].household_id
    rid = demo_archive.requests.record(household, "生活困难", "新登记的诉求", D("2026-11-20"))
    last_2026 = max(seq for seq, _ in by_year[2026])
    assert demo_archive.requests.detail(rid).row.number == f"安华2026-{last_2026 + 1:04d}"


def test_the_request_search_finds_a_request_by_its_number(demo_archive: Archive) -> None:
    target = demo_archive.requests.list()[5]
    found = demo_archive.requests.list(RequestQuery(text=target.number))
    assert [row.id for row in found] == [target.id]
    sequence_only = target.number.split("-")[1]
    assert target.id in {row.id for row in demo_archive.requests.list(RequestQuery(text=sequence_only))}


def _record_many(path: str, household_id: str, count: int, start: Any) -> None:
    """Run in another process: record ``count`` requests as fast as possible once ``start`` is set."""
    archive = open_archive(path, "并发测试")
    try:
        start.wait(30)
        for n in range(count):
            archive.requests.record(household_id, "生活困难", f"并发登记{n}", D("2025-09-10"))
    finally:
        archive.close()


def test_two_processes_recording_at_once_get_distinct_consecutive_numbers(workflow_town: WorkflowTown) -> None:
    town = workflow_town
    path = str(where(town.archive.db))
    as_person(town.archive, "并发测试")  # the account exists before both windows log in
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_record_many, args=(path, town.households[head], 15, start))
        for head in ("张建国", "王小明")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(90)
        assert worker.exitcode == 0
    with town.archive.db.sessions() as session:
        numbers = sorted(session.scalars(select(Request.number)))
    assert numbers == [f"安华2025-{n:04d}" for n in range(1, 31)]
