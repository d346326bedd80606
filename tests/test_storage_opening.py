"""Opening an archive: nothing written unless it must be; read-only media open read-only; a damaged
file names its backups; odd characters in the path; a full disk. Real file systems where possible:
a small tmpfs remounted read-only, a read-only bind mount, a tmpfs filled to the last byte."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from accounts import archive_key, open_archive, raw_connection
from filesystems import fill, make_read_only, small_tmpfs
from sqlalchemy.exc import OperationalError

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.database import DatabaseError, backup_file, open_database
from zhuji_archive.storage.errors import Trouble, classify, describe_environment_error
from zhuji_archive.views.household_file import MemberData

# All about the archive as a file on a disk; opening a hub: test_hub_access.py
pytestmark = pytest.mark.file_archive


def _seed(path: Path, households: int = 3) -> Archive:
    archive = open_archive(path, "测试员")
    town = archive.organisation.add_town("安华镇", "诸暨市", "330681")
    village = archive.organisation.add_village(town, "杜黄村")
    group = archive.organisation.add_group(village, "一组")
    for number in range(households):
        file = archive.households.new_file(group)
        file.address = f"杜黄村{number + 1}号"
        file.members = [MemberData(name=f"户主{number + 1}", relation="户主")]
        archive.households.save(file)
    return archive


def _contents(path: Path) -> str:
    """Every row of the archive except the login bookkeeping (logging in records when and who)."""
    conn = raw_connection(path)
    digest = hashlib.sha256()
    try:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        for (table,) in tables:
            if table not in ("account", "change_log", "audit_head"):  # the login and its log entry
                digest.update(repr(conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()).encode())
    finally:
        conn.close()
    return digest.hexdigest()


def _stat_rows(path: Path) -> int:
    conn = raw_connection(path)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0]
    except sqlcipher.OperationalError:
        return 0
    finally:
        conn.close()


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    path = tmp_path / "archive.sqlite3"
    _seed(path).close()
    return path


def test_opening_a_current_archive_changes_no_record(seeded: Path) -> None:
    before = _contents(seeded)
    for _ in range(2):
        open_archive(seeded, "测试员").close()
    assert _contents(seeded) == before


def test_statistics_are_built_when_missing(seeded: Path) -> None:
    conn = raw_connection(seeded)
    conn.execute("DROP TABLE sqlite_stat1")
    conn.commit()
    conn.close()
    assert _stat_rows(seeded) == 0
    open_archive(seeded, "测试员").close()
    assert _stat_rows(seeded) > 0


@pytest.fixture
def read_only_usb(tmp_path: Path) -> Iterator[Path]:
    """An archive with three households on a stick that is then write-protected."""
    with small_tmpfs(tmp_path / "usb", "8m") as usb:
        _seed(usb / "archive.sqlite3").close()
        make_read_only(usb)
        yield usb / "archive.sqlite3"


def test_a_read_only_archive_opens_read_only_and_refuses_writes_in_chinese(read_only_usb: Path) -> None:
    archive = open_archive(read_only_usb, "测试员")
    try:
        assert archive.db.read_only
        assert archive.db.read_only_reason
        assert archive.households.load(_first_household(archive)).address == "杜黄村1号"
        (town,) = archive.organisation.tree()
        group_id = town.children[0].children[0].id
        file = archive.households.new_file(group_id)
        file.members = [MemberData(name="新户主", relation="户主")]
        with pytest.raises(OperationalError) as caught:
            archive.households.save(file)
        assert classify(caught.value) is Trouble.READ_ONLY
        assert "只读" in describe_environment_error(caught.value)
    finally:
        archive.close()


def test_a_read_only_bind_mount_opens_read_only(tmp_path: Path) -> None:
    source = tmp_path / "archive-folder"
    source.mkdir()
    _seed(source / "archive.sqlite3").close()
    target = tmp_path / "ro-view"
    target.mkdir()
    with small_tmpfs(tmp_path / "unused", "1m"):  # skips with its reason when not root
        pass
    subprocess.run(["mount", "--bind", str(source), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True)
        archive = open_archive(target / "archive.sqlite3", "测试员")
        try:
            assert archive.db.read_only
            file = archive.households.load(_first_household(archive))
            assert file.address.startswith("杜黄村")
            file.address = "改不了"
            with pytest.raises(OperationalError) as caught:
                archive.households.save(file)
            assert classify(caught.value) is Trouble.READ_ONLY
        finally:
            archive.close()
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def _first_household(archive: Archive) -> str:
    from sqlalchemy import select

    from zhuji_archive.storage.models import Household

    with archive.db.sessions() as session:
        return session.scalars(select(Household.id).order_by(Household.number)).first()  # type: ignore[return-value]


def test_a_new_archive_cannot_be_made_on_read_only_media(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "usb", "1m") as usb:
        make_read_only(usb)
        with pytest.raises(DatabaseError, match="只读的，不能在这里新建档案"):
            open_database(usb / "new.sqlite3")


def test_a_garbage_file_is_refused_naming_its_backups(seeded: Path) -> None:
    backup = backup_file(seeded, "before-0005", archive_key(seeded))
    seeded.write_bytes(b"\x00garbage, not a database\x00" * 500)
    with pytest.raises(DatabaseError) as caught:
        open_database(seeded)
    message = str(caught.value)
    assert "已损坏" in message and str(backup) in message
    assert "sqlalchemy" not in message.lower() and "SQLITE" not in message


def test_a_truncated_file_is_refused_and_says_no_backup_was_found(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite3"
    _seed(path, households=40).close()
    shutil.rmtree(tmp_path / "backups")  # the day's automatic backup, lost with the USB disk it was on
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatabaseError) as caught:
        open_database(path)
    assert "已损坏" in str(caught.value) and "没有找到备份副本" in str(caught.value)


@pytest.mark.parametrize("name", ["档案%20室?v=1#2", "100%", "a?b"])
def test_percent_and_question_mark_in_the_path(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    path = folder / f"{name}.sqlite3"
    _seed(path).close()
    beside = sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert beside == sorted([path.name, path.name + ".keys", path.name + ".keys.lock", "backups"])
    archive = open_archive(path, "测试员")
    try:
        assert archive.households.load(_first_household(archive)).address == "杜黄村1号"
    finally:
        archive.close()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # nothing written beside, under a cut name


def test_an_archive_on_a_full_disk_opens_read_only(tmp_path: Path) -> None:
    """SQLite cannot create its WAL index beside the file; a cleanly closed archive is still readable."""
    with small_tmpfs(tmp_path / "usb", "8m") as usb:
        path = usb / "archive.sqlite3"
        _seed(path).close()
        fill(usb)
        archive = open_archive(path, "测试员")
        try:
            assert archive.db.read_only and "磁盘空间已满" in archive.db.read_only_reason
            assert archive.households.load(_first_household(archive)).address == "杜黄村1号"
        finally:
            archive.close()


def test_statistics_that_cannot_be_written_do_not_stop_the_open(seeded: Path, monkeypatch) -> None:
    """Statistics are missing, so the open wants to build them, but another program holds the
    write lock: the archive opens all the same."""
    from zhuji_archive.storage import database

    conn = raw_connection(seeded)
    conn.execute("DROP TABLE sqlite_stat1")
    conn.commit()
    conn.close()
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    other = raw_connection(seeded)
    other.isolation_level = None
    other.execute("BEGIN IMMEDIATE")
    try:
        archive = open_archive(seeded, "测试员")
        try:
            assert not archive.db.read_only
            assert archive.households.load(_first_household(archive)).address == "杜黄村1号"
        finally:
            archive.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _stat_rows(seeded) == 0  # built at a later open


def test_an_export_to_a_full_disk_says_so_and_leaves_no_part_file(seeded: Path, tmp_path: Path) -> None:
    archive = open_archive(seeded, "测试员")
    try:
        with small_tmpfs(tmp_path / "usb", "64k") as usb:
            fill(usb)
            with pytest.raises(DomainError) as caught:
                archive.exports.roster(usb / "花名册.xlsx", "members")
            assert "磁盘空间不足" in caught.value.message
            assert [p.name for p in usb.iterdir()] == ["filler.bin"]
    finally:
        archive.close()


def test_every_connection_to_an_archive_file_keeps_32_mib_of_pages(seeded: Path) -> None:
    """SQLCipher decrypts every page it reads into the cache; the archive's connections, the GUI
    thread's and the workers' alike, keep 32 MiB of them rather than SQLite's default 2 MiB."""
    archive = open_archive(seeded, "测试员")
    try:
        connections = [archive.db.engine.connect() for _ in range(3)]  # the pool opens new ones
        try:
            sizes = {c.exec_driver_sql("PRAGMA cache_size").scalar() for c in connections}
        finally:
            for connection in connections:
                connection.close()
    finally:
        archive.close()
    assert sizes == {-32 * 1024}
