"""A save that failed for the machine's reasons (here: another program holds the write lock) leaves
the window's copy untouched, so the same save can be retried and nothing is written twice."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from accounts import open_archive, raw_connection
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from zhuji_archive.domain import idcard
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import database
from zhuji_archive.storage.errors import describe_environment_error
from zhuji_archive.storage.models import Household, Member, VillageLeader
from zhuji_archive.views.villages import LeaderData

# SQLite's write lock held by another program; a hub's conflicts: test_hub_concurrency.py
pytestmark = pytest.mark.file_archive


@pytest.fixture
def impatient(tmp_path: Path, monkeypatch) -> Iterator[Archive]:
    """An archive whose connections give up on a locked file after 50 ms instead of 5 s."""
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    arc = open_archive(tmp_path / "archive.sqlite3", "测试员")
    town = arc.organisation.add_town("安华镇", "诸暨市", "330681")
    village = arc.organisation.add_village(town, "杜黄村")
    arc.organisation.add_group(village, "一组")
    yield arc
    arc.close()


@contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Another program writing to the file (a second window in the middle of a save, a backup tool)."""
    other = raw_connection(path)  # the program's own SQLite: another copy would not see its locks
    other.isolation_level = None
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _group(archive: Archive) -> str:
    (town,) = archive.organisation.tree()
    return town.children[0].children[0].id


def _count(archive: Archive, model: type) -> int:
    with archive.db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_new_household_can_be_saved_again_after_a_locked_file(impatient: Archive) -> None:
    from zhuji_archive.views.household_file import MemberData

    file = impatient.households.new_file(_group(impatient))
    file.address = "杜黄村老街5号"
    file.members = [
        MemberData(name="周立新", relation="户主", id_number=idcard.make("330681", date(1968, 1, 9), 31).lower())
    ]
    before = copy.deepcopy(file)
    with write_lock(impatient.db.path), pytest.raises(OperationalError) as caught:  # type: ignore[arg-type]
        impatient.households.save(file)
    assert "另一个程序占用" in describe_environment_error(caught.value)
    assert file == before  # no ids, no normalised values: the window's copy is as the user left it
    assert file.id is None and file.members[0].id is None

    household_id = impatient.households.save(file)
    assert _count(impatient, Household) == 1 and _count(impatient, Member) == 1
    assert file.id == household_id and file.members[0].id is not None  # the copy now is what is on file


def test_a_new_member_of_a_household_on_file_is_added_once_after_a_retry(impatient: Archive) -> None:
    from zhuji_archive.views.household_file import MemberData

    file = impatient.households.new_file(_group(impatient))
    file.members = [MemberData(name="周立新", relation="户主")]
    household_id = impatient.households.save(file)
    file = impatient.households.load(household_id)
    file.members.append(MemberData(name="周小兰", relation="女"))
    with write_lock(impatient.db.path), pytest.raises(OperationalError):  # type: ignore[arg-type]
        impatient.households.save(file)
    assert file.members[1].id is None

    impatient.households.save(file)
    fresh = impatient.households.load(household_id)
    assert sorted(m.name for m in fresh.members) == ["周小兰", "周立新"]
    assert _count(impatient, Member) == 2


def test_the_village_table_can_be_saved_again_after_a_locked_file(impatient: Archive) -> None:
    (town,) = impatient.organisation.tree()
    village_id = town.children[0].id
    info = impatient.villages.load(village_id)
    info.leaders.append(LeaderData(name="楼建平", post="村书记", phone="138 0000 1234"))
    with write_lock(impatient.db.path), pytest.raises(OperationalError):  # type: ignore[arg-type]
        impatient.villages.save(info)
    assert info.leaders[0].id is None and info.leaders[0].phone == "138 0000 1234"

    impatient.villages.save(info)
    assert _count(impatient, VillageLeader) == 1
    assert [leader.name for leader in impatient.villages.load(village_id).leaders] == ["楼建平"]
