"""Errors caused by the user's environment (disk full, file locked, read-only, damaged), told apart
from bugs once, here, by SQLite's result code and the system's errno — never by matching message text,
which for a database error may also carry the values of the row being written."""

from __future__ import annotations

import errno
import sqlite3
from enum import Enum

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy.exc import DBAPIError


class Trouble(Enum):
    """What in the machine went wrong; anything else is a bug."""

    DISK_FULL = "disk_full"
    LOCKED = "locked"
    READ_ONLY = "read_only"
    DAMAGED = "damaged"
    CANNOT_OPEN = "cannot_open"
    IO = "io"


# Primary SQLite result codes (the low byte of an extended code such as SQLITE_READONLY_DBMOVED).
_SQLITE_CODES = {
    13: Trouble.DISK_FULL,  # SQLITE_FULL
    5: Trouble.LOCKED,  # SQLITE_BUSY
    6: Trouble.LOCKED,  # SQLITE_LOCKED
    8: Trouble.READ_ONLY,  # SQLITE_READONLY
    3: Trouble.READ_ONLY,  # SQLITE_PERM
    11: Trouble.DAMAGED,  # SQLITE_CORRUPT
    26: Trouble.DAMAGED,  # SQLITE_NOTADB
    14: Trouble.CANNOT_OPEN,  # SQLITE_CANTOPEN
    10: Trouble.IO,  # SQLITE_IOERR
}
_ERRNOS = {
    errno.ENOSPC: Trouble.DISK_FULL,
    errno.EDQUOT: Trouble.DISK_FULL,
    errno.EROFS: Trouble.READ_ONLY,
    errno.EACCES: Trouble.READ_ONLY,
    errno.EPERM: Trouble.READ_ONLY,
    errno.EIO: Trouble.IO,
}
_SQLITE_MESSAGES = {
    Trouble.DISK_FULL: "磁盘空间已满，刚才的修改没有保存。请清理磁盘后重试。",
    Trouble.LOCKED: "数据库正被另一个程序占用（例如另一个打开的群众档案窗口或备份程序），刚才的修改没有保存。请稍后重试。",
    Trouble.READ_ONLY: "数据库文件是只读的（可能在U盘写保护或只读文件夹中），修改无法保存。请把档案文件复制到可写的位置再打开。",
    Trouble.CANNOT_OPEN: "无法打开数据库文件：文件夹可能已被移走或没有写入权限。",
    Trouble.IO: "读写数据库文件时出错（磁盘或U盘可能已拔出或损坏），刚才的修改没有保存。",
    Trouble.DAMAGED: "数据库文件已损坏。请用最近的备份副本（.bak 文件）恢复。",
}
_OS_MESSAGES = {
    Trouble.DISK_FULL: "磁盘空间已满，文件没有写完。请清理磁盘后重试。",
    Trouble.READ_ONLY: "没有写入该位置的权限，或该位置是只读的。",
    Trouble.IO: "读写磁盘时出错（磁盘或U盘可能已拔出或损坏），文件没有写完。",
}


# The archive files go through SQLCipher's module, plain files and tests through Python's own.
_SQLITE_ERRORS = (sqlite3.Error, sqlcipher.Error)


def _chain(error: BaseException) -> list[BaseException]:
    """The error, what it wraps (a DBAPI error's original) and what caused it."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        if isinstance(current, DBAPIError):
            todo.append(current.orig)  # type: ignore[arg-type]
        todo.extend((current.__cause__, current.__context__))
    return seen


def classify(error: BaseException) -> Trouble | None:
    """The environment trouble behind ``error``, or None for a bug."""
    for current in _chain(error):
        if isinstance(current, _SQLITE_ERRORS):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None:
                return _SQLITE_CODES.get(code & 0xFF)
        elif isinstance(current, OSError) and current.errno in _ERRNOS:
            return _ERRNOS[current.errno]
    return None


def describe_environment_error(error: BaseException) -> str | None:
    """A Chinese message when ``error`` comes from the machine rather than from a bug; else None.
    It never repeats the error's own text (which may hold the values of the row being written)."""
    trouble = classify(error)
    if trouble is None:
        return None
    os_error = next((e for e in _chain(error) if isinstance(e, OSError)), None)
    if os_error is not None and not any(isinstance(e, _SQLITE_ERRORS) for e in _chain(error)):
        where = f"（{os_error.filename}）" if os_error.filename else ""
        return _OS_MESSAGES.get(trouble, _SQLITE_MESSAGES[trouble]) + where
    return _SQLITE_MESSAGES[trouble]
