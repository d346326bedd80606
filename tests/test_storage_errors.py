"""The machine's faults (disk full, locked, read-only) are told apart from bugs, in Chinese."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from zhuji_archive.storage.database import open_database
from zhuji_archive.storage.errors import describe_environment_error


def _operational(message: str, code: int, name: str) -> OperationalError:
    original = sqlite3.OperationalError(message)
    original.sqlite_errorcode, original.sqlite_errorname = code, name  # as the sqlite3 module sets them
    return OperationalError("INSERT …", {}, original)


@pytest.mark.parametrize(
    ("message", "code", "name", "expected"),
    [
        ("database or disk is full", 13, "SQLITE_FULL", "磁盘空间已满"),
        ("database is locked", 5, "SQLITE_BUSY", "另一个程序占用"),
        ("attempt to write a readonly database", 8, "SQLITE_READONLY", "只读"),
        ("attempt to write a readonly database", 1032, "SQLITE_READONLY_DBMOVED", "只读"),
        ("disk I/O error", 778, "SQLITE_IOERR_WRITE", "U盘"),
        ("file is not a database", 26, "SQLITE_NOTADB", "已损坏"),
    ],
)
def test_sqlite_environment_errors_get_chinese_messages(message: str, code: int, name: str, expected: str) -> None:
    assert expected in describe_environment_error(_operational(message, code, name))


def test_a_bug_is_not_disguised_as_the_users_fault() -> None:
    assert describe_environment_error(_operational("no such column: household.nmae", 1, "SQLITE_ERROR")) is None
    assert describe_environment_error(KeyError("x")) is None
    # classified by code, not by text: a value that happens to read "disk is full" is still a bug
    assert describe_environment_error(_operational("CHECK failed: disk is full", 19, "SQLITE_CONSTRAINT")) is None


def test_full_disk_while_writing_a_file_names_the_file() -> None:
    error = OSError(errno.ENOSPC, "No space left on device", "/media/u/花名册.xlsx")
    assert (
        describe_environment_error(error)
        == "磁盘空间已满，文件没有写完。请清理磁盘后重试。（/media/u/花名册.xlsx）"
    )


def test_a_read_only_archive_file_is_reported_when_saving(tmp_path) -> None:
    """A real SQLite refusal: the archive opened read-only (as from a write-protected USB stick)."""
    path = tmp_path / "archive.sqlite3"
    open_database(path).close()
    readonly = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(OperationalError) as caught, readonly.begin() as connection:
        connection.execute(text("INSERT INTO setting (key, value) VALUES ('x', 'y')"))
    readonly.dispose()
    assert "只读" in describe_environment_error(caught.value)
