"""Services take "today" from the archive's clock, not from the system date: set it once, every
service sees it (the checks of a file, request dates, the to-do rules, summaries, exports, the import)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader

from zhuji_archive.services.archive import Archive
from zhuji_archive.views.household_file import MemberData, VisitData

FUTURE = date(2031, 3, 14)  # later than any day these tests run on
PRINTED_ON = "打印日期：2031年3月14日"


def group_of(archive: Archive) -> str:
    village = archive.importer.find_village("杜黄村")
    return archive.organisation.add_group(village, "三组")


def test_every_service_follows_the_archive_clock(archive: Archive) -> None:
    archive.clock.set(FUTURE)
    assert archive.requests.today == FUTURE
    assert archive.summaries.today == FUTURE
    assert archive.maintenance.today == FUTURE
    assert archive.exports._today(None) == FUTURE
    assert archive.request_exports._today(None) == FUTURE
    archive.clock.set(date(2027, 1, 1))  # services made before the change see it too
    assert (archive.requests.today, archive.maintenance.today) == (date(2027, 1, 1), date(2027, 1, 1))


def test_a_file_is_checked_against_the_archive_today(archive: Archive) -> None:
    group = group_of(archive)
    archive.clock.set(FUTURE)
    file = archive.households.new_file(group)
    file.members = [MemberData(name="张建国", relation="户主")]
    file.visits = [VisitData(date=FUTURE, kind="回访")]
    household_id = archive.households.save(file)  # a visit "today" in 2031 is no visit in the future
    saved = archive.households.load(household_id)
    assert saved.visits[0].date == FUTURE
    archive.clock.set(date(2031, 3, 13))
    saved.visits.append(VisitData(date=FUTURE, kind="回访"))
    problems = archive.households.validate(saved)
    assert [(p.section, p.row, p.field) for p in problems] == [("visits", 0, "date"), ("visits", 1, "date")]


def test_printouts_are_dated_by_the_archive(archive: Archive, tmp_path: Path) -> None:
    archive.clock.set(FUTURE)
    file = archive.households.new_file(group_of(archive))
    file.members = [MemberData(name="张建国", relation="户主", birth_date=date(2001, 3, 15))]
    pdf = tmp_path / "户表.pdf"
    archive.exports.household_sheet(pdf, archive.households.save(file))
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert PRINTED_ON in text
