"""One person, one household on file — held by the database inside the saving transaction, so two
windows (two sessions, two processes) racing to file the same ID number cannot both succeed."""

from __future__ import annotations

import multiprocessing
import re
from datetime import date
from typing import Any

import pytest
from accounts import as_person, open_archive, where
from sqlalchemy import func, select

from zhuji_archive.domain import idcard
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.households import HouseholdService, ValidationFailed
from zhuji_archive.storage.models import Household, Member
from zhuji_archive.views.household_file import HouseholdFile, MemberData

SHARED_ID = idcard.make("330681", date(1983, 8, 19), 41)


def _groups(archive: Archive) -> list[str]:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    return [group.id for group in village.children]


def _file(archive: Archive, group_id: str, name: str) -> HouseholdFile:
    file = archive.households.new_file(group_id)
    file.members = [MemberData(name=name, relation="户主", id_number=SHARED_ID)]
    return file


def _holders(archive: Archive) -> int:
    with archive.db.sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(Member)
            .join(Household, Household.id == Member.household_id)
            .where(Member.id_number == SHARED_ID, Member.removed.is_(False), Household.status == "在册")
        )


def test_two_sessions_racing_file_the_id_once(archive: Archive, monkeypatch) -> None:
    """B files the person after A's check and before A's transaction: A gets the usual message."""
    groups = _groups(archive)
    other = open_archive(where(archive.db), "操作员乙")  # type: ignore[arg-type]
    checked = HouseholdService.validate

    def validate_then_other_saves(self: HouseholdService, file: HouseholdFile) -> list[Any]:
        problems = checked(self, file)
        if self.operator == "测试员":
            monkeypatch.setattr(HouseholdService, "validate", checked)
            other.households.save(_file(other, groups[1], "宣志刚"))
        return problems

    monkeypatch.setattr(HouseholdService, "validate", validate_then_other_saves)
    try:
        with pytest.raises(ValidationFailed) as caught:
            archive.households.save(_file(archive, groups[0], "宣志强"))
    finally:
        other.close()
    (problem,) = caught.value.problems
    assert (problem.section, problem.row, problem.field) == ("members", 0, "id_number")
    assert problem.message == f"身份证号{SHARED_ID}已在杜黄村二组第1户在册，同一人不能同时在两户在册"
    assert _holders(archive) == 1
    with archive.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Household)) == 1  # A left nothing behind


def _racer(path: str, group_id: str, name: str, checked: Any, out: Any) -> None:
    """One window: validate (outside the transaction), wait until the other has validated too, save."""
    original = HouseholdService.validate

    def validate_and_wait(self: HouseholdService, file: HouseholdFile) -> list[Any]:
        problems = original(self, file)
        if file.id is None:
            checked.wait()
        return problems

    HouseholdService.validate = validate_and_wait  # type: ignore[method-assign]
    archive = open_archive(path, name)
    try:
        archive.households.save(_file(archive, group_id, name))
        out.put("saved")
    except ValidationFailed as failed:
        out.put(failed.problems[0].message)
    finally:
        archive.close()


def test_two_processes_racing_file_the_id_once(archive: Archive) -> None:
    groups = _groups(archive)
    context = multiprocessing.get_context("spawn")
    checked = context.Barrier(2)
    out = context.Queue()
    racers = ((groups[0], "宣志强"), (groups[1], "宣志刚"))
    for _group, name in racers:  # their accounts exist before the two windows log in at once
        as_person(archive, name)
    processes = [
        context.Process(target=_racer, args=(str(where(archive.db)), group, name, checked, out))
        for group, name in racers
    ]
    for process in processes:
        process.start()
    results = sorted(out.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert results.count("saved") == 1
    (refused,) = [r for r in results if r != "saved"]
    assert "同一人不能同时在两户在册" in refused and SHARED_ID in refused
    assert _holders(archive) == 1


def test_an_import_overtaken_inside_its_transaction_is_refused_in_chinese(
    archive: Archive, tmp_path, monkeypatch
) -> None:
    """Someone files the person between the import's own check (inside its transaction) and its
    INSERT: the database's guard stops it, and the user gets the import's usual message."""
    import openpyxl

    from zhuji_archive.domain.errors import DomainError
    from zhuji_archive.services.importing import ImportService

    path = tmp_path / "花名册.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["户号", "姓名", "与户主关系", "身份证号"])
    wb.active.append([7, "宣志强", "户主", SHARED_ID])
    wb.save(path)
    importer = archive.importer
    village = importer.find_village("杜黄村")
    sources = importer.read([path])
    assert not importer.assign_groups(sources, village, "一组")
    plan = importer.plan(sources)
    groups = _groups(archive)
    checked = ImportService._check_still_new
    other = open_archive(where(archive.db), "操作员乙")  # type: ignore[arg-type]

    def check_then_other_saves(session: Any, accepted: Any) -> None:
        checked(session, accepted)
        monkeypatch.setattr(ImportService, "_check_still_new", staticmethod(checked))
        other.households.save(_file(other, groups[1], "宣志刚"))

    monkeypatch.setattr(ImportService, "_check_still_new", staticmethod(check_then_other_saves))
    try:
        with pytest.raises(DomainError, match=f"身份证号{re.escape(idcard.mask(SHARED_ID))}已在档案中"):
            importer.run(plan)
    finally:
        other.close()
    assert _holders(archive) == 1
