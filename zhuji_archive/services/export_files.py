"""The files an export writes: temporary files moved into place only when complete, Chinese messages
for a failed write that say where, file names every system accepts, and volumes of a long book."""

from __future__ import annotations

import errno
import math
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from zhuji_archive.domain.errors import DomainError


def disk_message(error: OSError, path: Path) -> str:
    """A Chinese explanation of a failed write that says where."""
    code = error.errno
    if code == errno.ENOSPC:
        return f"磁盘空间不足，无法写入“{path}”。请清理磁盘空间或换一个位置保存。"
    if isinstance(error, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return (
            f"没有权限写入“{path}”：该文件可能正被其他程序（如 Excel、PDF 阅读器）打开，"
            "或所在文件夹只读。请关闭该文件或换一个位置保存。"
        )
    if code == errno.EROFS:
        return f"“{path.parent}”所在的磁盘是只读的，无法保存。请换一个位置保存。"
    if code == errno.ENOENT:
        return f"文件夹“{path.parent}”不存在，无法保存“{path.name}”。"
    return f"无法写入“{path}”：{error.strerror or error}"


@contextmanager
def atomic_outputs(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary files beside ``targets``; moved over them only if the block completes."""
    for target in targets:
        if target.is_dir():
            raise DomainError(f"“{target}”是一个文件夹，请指定要保存的文件名")
        if not target.parent.is_dir():
            raise DomainError(f"文件夹“{target.parent}”不存在，无法保存“{target.name}”。")
    temps: list[Path] = []
    current = targets[0] if targets else Path()
    try:
        for target in targets:
            current = target
            temp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}")
            with open(temp, "xb"):
                pass
            temps.append(temp)
        yield temps
        for temp, target in zip(temps, targets, strict=True):
            current = target
            os.replace(temp, target)
    except OSError as error:
        raise DomainError(disk_message(error, current)) from error
    finally:
        for temp in temps:
            try:
                temp.unlink(missing_ok=True)
            except OSError:
                pass


@contextmanager
def protected_xlsx(target: Path, password: str | None) -> Iterator[Path]:
    """The file an xlsx writer writes to: moved to ``target`` when complete, and encrypted with
    ``password`` on the way when one is given (written to a temporary file, encrypted into another
    beside the target, which alone is moved to the final name)."""
    with atomic_outputs([target]) as (temp,):
        if not password:
            yield temp
            return
        plain = temp.with_name(temp.name.replace(".part", ".plain", 1))
        try:
            with open(plain, "xb"):
                pass
            yield plain
            from zhuji_archive.exports.protection import encrypt_xlsx

            encrypt_xlsx(plain, temp, password)
        finally:
            plain.unlink(missing_ok=True)


def file_name(text: str) -> str:
    """``text`` as a file name on every system: characters Windows refuses become 「_」."""
    return "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in text).strip(" .") or "未命名"


def volume_paths(path: Path, volumes: int) -> list[Path]:
    """The file of each volume: the path itself for one, "name-第2册.pdf" … for several."""
    if volumes <= 1:
        return [path]
    return [path.with_name(f"{path.stem}-第{i}册{path.suffix}") for i in range(1, volumes + 1)]


def split_volumes(count: int, limit: int) -> list[tuple[int, int]]:
    """Balanced [start, end) ranges of at most ``limit`` households each (limit <= 0: one volume)."""
    if count <= 0:
        return []
    if limit <= 0 or count <= limit:
        return [(0, count)]
    volumes = math.ceil(count / limit)
    size = math.ceil(count / volumes)
    return [(start, min(start + size, count)) for start in range(0, count, size)]
