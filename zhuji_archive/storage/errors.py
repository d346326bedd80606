"""Errors caused by the user's environment (disk full, file locked, read-only), told apart from bugs."""

from __future__ import annotations

import errno

from sqlalchemy.exc import OperationalError

_SQLITE_MESSAGES = (
    ("disk is full", "磁盘空间已满，刚才的修改没有保存。请清理磁盘后重试。"),
    (
        "database is locked",
        "数据库正被另一个程序占用（例如另一个打开的群众档案窗口或备份程序），刚才的修改没有保存。请稍后重试。",
    ),
    (
        "readonly database",
        "数据库文件是只读的（可能在U盘写保护或只读文件夹中），修改无法保存。请把档案文件复制到可写的位置再打开。",
    ),
    ("unable to open database file", "无法打开数据库文件：文件夹可能已被移走或没有写入权限。"),
    ("disk I/O error", "读写数据库文件时出错（磁盘或U盘可能已拔出或损坏），刚才的修改没有保存。"),
    ("database disk image is malformed", "数据库文件已损坏。请用最近的备份副本（.bak 文件）恢复。"),
)
_OS_MESSAGES = {
    errno.ENOSPC: "磁盘空间已满，文件没有写完。请清理磁盘后重试。",
    errno.EACCES: "没有写入该位置的权限。",
    errno.EROFS: "该位置是只读的，无法写入。",
}


def describe_environment_error(error: BaseException) -> str | None:
    """A Chinese message when ``error`` comes from the machine rather than from a bug; else None."""
    if isinstance(error, OperationalError):
        text = str(error.orig or error)
        for needle, message in _SQLITE_MESSAGES:
            if needle in text:
                return message
        return None
    if isinstance(error, OSError) and error.errno in _OS_MESSAGES:
        where = f"（{error.filename}）" if error.filename else ""
        return _OS_MESSAGES[error.errno] + where
    return None
