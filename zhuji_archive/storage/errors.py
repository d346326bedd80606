"""Errors caused by the user's environment (disk full, file locked, read-only, damaged), told apart
from bugs once, here, by SQLite's result code, PostgreSQL's SQLSTATE and the system's errno — never by matching message text,
which for a database error may also carry the values of the row being written."""

from __future__ import annotations

import errno
import sqlite3
import sys
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
    # A hub (PostgreSQL server)
    UNREACHABLE = "unreachable"  # no connection, or the connection was lost
    REFUSED = "refused"  # the server refused the database user, or the database does not exist
    CONFLICT = "conflict"  # a deadlock or serialization failure with another writer: nothing applied
    BUSY = "busy"  # too many connections, a statement that waited too long for a lock


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
# SQLSTATE classes and codes of a PostgreSQL hub (psycopg's ``sqlstate``).
_PG_CODES = {
    "40001": Trouble.CONFLICT,  # serialization_failure
    "40P01": Trouble.CONFLICT,  # deadlock_detected
    "53100": Trouble.DISK_FULL,  # disk_full
    "53300": Trouble.BUSY,  # too_many_connections
    "55P03": Trouble.BUSY,  # lock_not_available
    "57014": Trouble.BUSY,  # query_canceled (statement_timeout)
    "25006": Trouble.READ_ONLY,  # read_only_sql_transaction (a standby server)
    "28000": Trouble.REFUSED,  # invalid_authorization_specification
    "28P01": Trouble.REFUSED,  # invalid_password
    "3D000": Trouble.REFUSED,  # invalid_catalog_name: no such database
    "42501": Trouble.REFUSED,  # insufficient_privilege
    "XX001": Trouble.DAMAGED,  # data_corrupted
    "XX002": Trouble.DAMAGED,  # index_corrupted
}
_PG_CLASSES = {"08": Trouble.UNREACHABLE, "57": Trouble.UNREACHABLE, "53": Trouble.BUSY, "58": Trouble.IO}
_PG_MESSAGES = {
    Trouble.UNREACHABLE: "连接不上镇里的数据库服务器（网络不通、服务器未开或地址不对），刚才的操作没有完成。请检查网络后重试。",
    Trouble.REFUSED: "镇里的数据库服务器拒绝了连接（数据库名、数据库用户或密码不对，或没有权限）。请联系管理服务器的同志。",
    Trouble.CONFLICT: "刚才的修改与他人同时进行的修改相互冲突，没有保存，数据未改动。请重试。",
    Trouble.BUSY: "镇里的数据库服务器正忙，刚才的操作没有完成，数据未改动。请稍后重试。",
    Trouble.DISK_FULL: "镇里数据库服务器的磁盘已满，刚才的修改没有保存。请联系管理服务器的同志。",
    Trouble.READ_ONLY: "镇里的数据库服务器现在只能读、不能写，刚才的修改没有保存。",
    Trouble.DAMAGED: "镇里的数据库服务器报告数据损坏。请联系管理服务器的同志用备份恢复。",
    Trouble.IO: "镇里的数据库服务器读写磁盘时出错，刚才的修改没有保存。",
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


def _is_pg(error: BaseException, kind: str = "Error") -> bool:
    """Whether ``error`` is psycopg's ``kind`` of error. psycopg is imported only by a program that
    talks to a hub (storage/hub.py): until then no error can be one of its own, and a laptop's start
    does not load the driver (a twentieth of a second) just to ask."""
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, getattr(psycopg, kind))


def _pg_trouble(error: BaseException) -> Trouble | None:
    state = getattr(error, "sqlstate", None)
    if state is None:
        # A psycopg OperationalError without a state: the connection could not be made or was lost.
        return Trouble.UNREACHABLE if _is_pg(error, "OperationalError") else None
    return _PG_CODES.get(state) or _PG_CLASSES.get(state[:2])


def on_hub(error: BaseException) -> bool:
    return any(_is_pg(e) for e in _chain(error))


def classify(error: BaseException) -> Trouble | None:
    """The environment trouble behind ``error``, or None for a bug."""
    for current in _chain(error):
        if _is_pg(current):
            return _pg_trouble(current)
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
    if on_hub(error):
        return _PG_MESSAGES.get(trouble, _PG_MESSAGES[Trouble.IO])
    os_error = next((e for e in _chain(error) if isinstance(e, OSError)), None)
    if os_error is not None and not any(isinstance(e, _SQLITE_ERRORS) for e in _chain(error)):
        where = f"（{os_error.filename}）" if os_error.filename else ""
        return _OS_MESSAGES.get(trouble, _SQLITE_MESSAGES[trouble]) + where
    return _SQLITE_MESSAGES[trouble]


def describe_trouble(trouble: Trouble, *, on_hub: bool = False) -> str:
    """The Chinese message for a trouble known otherwise than from an error."""
    return (_PG_MESSAGES if on_hub else _SQLITE_MESSAGES)[trouble]


# A connection to a hub that failed before the server said anything a program can read: libpq gives no
# SQLSTATE for a refused login, so the window's "test connection" tells the cases apart otherwise
# (storage/database.py _hub_trouble): the server asked for a password none was given for, or the
# server's port answered (the server refused the database, the user or the password), or nothing answered.
PASSWORD_NEEDED = (
    "镇里的数据库服务器要求输入数据库密码。请填写数据库密码"
    "（本机不保存这个密码；也可以请管理服务器的同志为本机配置 .pgpass 文件）。"
)


NOT_ANSWERING = (
    "连接不上镇里的数据库服务器（网络不通、服务器未开，或服务器地址、端口不对）。请检查网络和填写的地址后重试。"
)


def password_needed(error: BaseException) -> bool:
    """Whether a failed connection to a hub failed because the server wants a password and none was sent."""
    for current in _chain(error):
        connection = getattr(current, "pgconn", None) if _is_pg(current) else None
        if connection is not None and connection.needs_password:  # libpq: asked for one, had none
            return True
    return False


def hub_connect_message(error: BaseException, server_answers: bool) -> str | None:
    """The Chinese reason a connection to a hub could not be made (None for a bug): a connection refused
    at login is told as such rather than as a network fault, since the server did answer."""
    trouble = classify(error)
    if trouble is None:
        return None
    if trouble is Trouble.UNREACHABLE and password_needed(error):
        return PASSWORD_NEEDED
    if trouble is Trouble.UNREACHABLE and server_answers:
        return _PG_MESSAGES[Trouble.REFUSED]
    if trouble is Trouble.UNREACHABLE:
        return NOT_ANSWERING
    return _PG_MESSAGES.get(trouble, _PG_MESSAGES[Trouble.IO])
