"""Personal data stays out of error text and the log: a real full disk while saving and exporting,
a bug in a background worker; the messages say what happened in Chinese, the log keeps only kinds."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from accounts import open_archive
from filesystems import fill, small_tmpfs
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from zhuji_archive import logs
from zhuji_archive.domain import idcard
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.errors import Trouble, classify
from zhuji_archive.storage.models import Household
from zhuji_archive.views.household_file import HouseholdFile, MemberData

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
GIVEN = "嘉懿煜城懿轩烨伟苑博伟泽熠彤鸿煊博涛烨霖烨华煜祺智宸正豪昊然明杰立诚立轩立辉峻熙弘文熠辰"


def generated_people(seed: int, count: int = 3) -> list[tuple[str, str, str]]:
    """(name, ID number, phone) of made-up people."""
    rng = random.Random(seed)
    people = []
    for index in range(count):
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        born = date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28))
        people.append((name, idcard.make("330681", born, 100 + index), f"139{rng.randrange(10**8):08d}"))
    return people


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup(tmp_path / "logs")
    assert path is not None
    yield path
    for handler in list(logs.LOGGER.handlers):
        logs.LOGGER.removeHandler(handler)
        handler.close()


@pytest.fixture
def full_disk_archive(tmp_path: Path) -> Iterator[tuple[Archive, Path]]:
    """An archive on an 8 MB tmpfs, opened, and then the disk filled to the last byte."""
    with small_tmpfs(tmp_path / "usb", "8m") as usb:
        archive = open_archive(usb / "archive.sqlite3", "测试员")
        town = archive.organisation.add_town("安华镇", "诸暨市", "330681")
        village = archive.organisation.add_village(town, "杜黄村")
        group_id = archive.organisation.add_group(village, "一组")
        file = archive.households.new_file(group_id)
        file.members = [MemberData(name="户主", relation="户主")]
        archive.households.save(file)
        with archive.db.engine.begin() as connection:  # an empty WAL: the next write needs new space
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        fill(usb)
        try:
            yield archive, usb
        finally:
            archive.close()


def _household(archive: Archive, people: list[tuple[str, str, str]]) -> HouseholdFile:
    """The household on file with the people added as its members (the INSERTs carry their data)."""
    with archive.db.sessions() as session:
        household_id = session.scalars(select(Household.id)).one()
    file = archive.households.load(household_id)
    file.members += [
        MemberData(name=name, relation="子", id_number=number, phone=phone) for name, number, phone in people
    ]
    return file


def _assert_clean(text: str, people: list[tuple[str, str, str]]) -> None:
    for name, number, phone in people:
        for value in (name, number, phone, number[-6:]):
            assert value not in text


@pytest.mark.file_archive
def test_full_disk_save_error_carries_no_personal_data(full_disk_archive, log_file: Path) -> None:
    archive, _usb = full_disk_archive
    people = generated_people(1)
    with pytest.raises(OperationalError) as caught:
        archive.households.save(_household(archive, people))
    error = caught.value
    assert classify(error) is Trouble.DISK_FULL
    _assert_clean(str(error), people)  # hide_parameters: the INSERT's values are not in the text
    message = logs.failure_message("保存户档案", error)
    assert message.startswith("磁盘空间已满")
    _assert_clean(message, people)
    text = log_file.read_text(encoding="utf-8")
    assert "保存户档案: disk_full" in text
    _assert_clean(text, people)


@pytest.mark.file_archive
def test_full_disk_during_an_export_is_the_machines_fault_not_a_bug(full_disk_archive, tmp_path, qtbot, log_file) -> None:
    """The workbook is written elsewhere; recording the export in the full archive fails."""
    from zhuji_archive.gui.operations import Operation, Runner

    archive, _usb = full_disk_archive
    outcome: list[str] = []
    handle = (
        Operation(
            None,
            "导出",
            lambda progress, cancelled: archive.exports.roster(tmp_path / "花名册.xlsx", "households"),
            runner=Runner(),
        )
        .failure(lambda failure: outcome.append(failure.message))
        .success(lambda result: outcome.append("finished"))
        .run()
    )
    with qtbot.waitSignal(handle.ended, timeout=20000):
        pass
    assert outcome == ["磁盘空间已满，刚才的修改没有保存。请清理磁盘后重试。"]
    assert "导出: disk_full" in log_file.read_text(encoding="utf-8")


def test_a_bug_in_a_worker_shows_and_logs_no_personal_data(qtbot, archive, log_file: Path) -> None:
    from zhuji_archive.gui.import_wizard import ImportWizard

    people = generated_people(2)
    name, number, phone = people[0]

    def buggy(progress, cancelled):  # type: ignore[no-untyped-def]
        raise KeyError(f"{name} {number} {phone}")

    outcome: list[str] = []
    wizard = ImportWizard(archive)
    qtbot.addWidget(wizard)
    task = wizard.start(buggy, lambda _result: outcome.append("finished"), outcome.append)
    with qtbot.waitSignal(task.ended, timeout=10000):
        pass
    (message,) = outcome
    assert message.endswith("数据库未做任何改动。")
    assert "程序错误" in message and "KeyError" in message and str(log_file) in message
    _assert_clean(message, people)
    text = log_file.read_text(encoding="utf-8")
    assert "builtins.KeyError" in text and "buggy" in text  # where it happened, for the maintainer
    _assert_clean(text, people)


def test_the_window_error_handler_logs_and_shows_no_personal_data(qapp, log_file, monkeypatch) -> None:
    import sys

    from PySide6.QtWidgets import QMessageBox

    from zhuji_archive.gui import app

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text() + box.detailedText()))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app.install_error_handler()
    people = generated_people(3)
    try:
        raise ValueError("，".join(p[0] + p[1] for p in people))
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    (text,) = shown
    assert "意外错误" in text and "builtins.ValueError" in text
    _assert_clean(text, people)
    _assert_clean(log_file.read_text(encoding="utf-8"), people)


@pytest.mark.file_archive
def test_sqlite_error_codes_not_messages(tmp_path: Path) -> None:
    """A garbage file gives SQLITE_NOTADB, classified as damaged by code."""
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.DatabaseError) as caught:
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master")
    assert classify(caught.value) is Trouble.DAMAGED


def test_database_errors_do_not_quote_the_rows_values(archive: Archive) -> None:
    """A failing INSERT (here the one-household-per-ID index) says which statement, not which values."""
    from sqlalchemy.exc import IntegrityError

    from zhuji_archive.storage.models import Member

    people = generated_people(4, 2)
    (town,) = archive.organisation.tree()
    file = archive.households.new_file(town.children[0].children[0].id)
    file.members = [MemberData(name=people[0][0], relation="户主", id_number=people[0][1])]
    household_id = archive.households.save(file)
    with pytest.raises(IntegrityError) as caught, archive.db.transaction() as session:
        session.add(Member(household_id=household_id, name=people[1][0], id_number=people[0][1], phone=people[1][2]))
    _assert_clean(str(caught.value), people)
    assert "INSERT INTO member" in str(caught.value)
