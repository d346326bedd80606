"""Backup files on disk: the archive copied with SQLite's backup API, its keyring as it was, and a
small record of when and why the copy was made and whether it passed the integrity checks.

A backup of ``档案.sqlite3`` made on 30 November 2026 at 08:01 before an import is three files::

    档案.20261130-080102-123456.import.sqlite3        the archive, encrypted with the archive's key
    档案.20261130-080102-123456.import.sqlite3.keys   the keyring as it was (without it no one can open it)
    档案.20261130-080102-123456.import.sqlite3.json   taken, kind, archive id, sizes, digests, verified

The pair is itself an archive: it can be opened by logging in with the passwords of that day. All three
files are readable by the owner only, the folder by the owner only. The record's digests tell a copy
damaged since it was verified (a failing USB disk) from an intact one; a restore checks the file again
in full (``integrity_check`` and SQLCipher's page check) before it replaces anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from zhuji_archive.domain.backup_rotation import BackupKind, Snapshot
from zhuji_archive.storage import cipher, keyring

FORMAT = "zhuji-archive-backup"
FOLDER_NAME = "backups"
INFO_SUFFIX = ".json"
STAMP = "%Y%m%d-%H%M%S-%f"
RESTORING = ".restoring"


class BackupError(Exception):
    """A backup cannot be written, read or restored; the message is Chinese."""


@dataclass(frozen=True)
class BackupFile:
    """One backup in a folder, as its record describes it and as the files are now."""

    path: Path  # the archive copy; the keyring is beside it (keyring.keyring_path)
    taken: datetime
    kind: BackupKind
    archive_id: str
    size: int  # archive copy and keyring together, in bytes
    verified: bool  # passed the checks when made, and unchanged since
    schema: str = ""

    @property
    def keys_path(self) -> Path:
        return keyring.keyring_path(self.path)

    @property
    def info_path(self) -> Path:
        return self.path.with_name(self.path.name + INFO_SUFFIX)

    @property
    def snapshot(self) -> Snapshot:
        return Snapshot(self.path.name, self.taken, self.kind)


def default_folder(archive: Path) -> Path:
    """``backups`` beside the archive file."""
    return archive.parent / FOLDER_NAME


def ensure_folder(folder: Path) -> Path:
    """Create the folder (readable by the owner only) or fail in Chinese."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"无法建立备份文件夹“{folder}”（U盘未插入，或没有写入权限）。") from error
    restrict_folder(folder)
    return folder


def restrict_folder(folder: Path) -> None:
    """A folder holding personal data is opened by its owner only (no effect on Windows ACLs)."""
    try:
        os.chmod(folder, 0o700)
    except OSError:
        pass


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as file:
        os.fsync(file.fileno())


def _schema(path: Path, key: bytes, compatibility: int) -> str:
    connection = cipher.connect(path, key, compatibility=compatibility)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else ""
    except Exception:  # noqa: BLE001 - the schema is shown for information only
        return ""
    finally:
        connection.close()


def write(
    archive: Path,
    folder: Path,
    kind: BackupKind,
    key: bytes,
    taken: datetime,
    compatibility: int = cipher.COMPATIBILITY,
) -> BackupFile:
    """Back ``archive`` and its keyring up into ``folder``; the record says whether the copy verified."""
    ensure_folder(folder)
    ring_file = keyring.keyring_path(archive)
    try:
        ring = keyring.Keyring.load(ring_file)
    except keyring.KeyringError as error:
        raise BackupError(str(error)) from error
    stamp = taken
    while True:
        target = folder / f"{archive.stem}.{stamp.strftime(STAMP)}.{kind.value}{archive.suffix}"
        if not target.exists():
            break
        stamp = stamp.replace(microsecond=(stamp.microsecond + 1) % 1_000_000)
    partial = target.with_name(target.name + ".partial")
    partial_keys = keyring.keyring_path(partial)
    try:
        partial.unlink(missing_ok=True)
        cipher.copy_database(archive, partial, key)
        problems = cipher.integrity_problems(partial, key, compatibility)
        shutil.copyfile(ring_file, partial_keys)
        cipher.restrict_to_owner(partial_keys)
        _fsync(partial)
        _fsync(partial_keys)
        schema = _schema(partial, key, compatibility)
        os.replace(partial_keys, keyring.keyring_path(target))
        os.replace(partial, target)
    except OSError as error:
        for leftover in (partial, partial_keys, target, keyring.keyring_path(target)):
            leftover.unlink(missing_ok=True)
        raise BackupError(
            f"备份没有做成：无法写入“{folder}”（磁盘已满、U盘已拔出或没有写入权限）。"
        ) from error
    backup = BackupFile(
        path=target,
        taken=taken,
        kind=kind,
        archive_id=ring.archive_id,
        size=target.stat().st_size + backup_keys_size(target),
        verified=not problems,
        schema=schema,
    )
    _write_info(backup)
    return backup


def backup_keys_size(target: Path) -> int:
    try:
        return keyring.keyring_path(target).stat().st_size
    except OSError:
        return 0


def _write_info(backup: BackupFile) -> None:
    keys = backup.keys_path
    record = {
        "format": FORMAT,
        "version": 1,
        "archive_id": backup.archive_id,
        "taken": backup.taken.isoformat(),
        "kind": backup.kind.value,
        "verified": backup.verified,
        "schema": backup.schema,
        "size": backup.path.stat().st_size,
        "sha256": _digest(backup.path),
        "mtime_ns": backup.path.stat().st_mtime_ns,
        "keys_sha256": _digest(keys),
    }
    info = backup.info_path
    temporary = info.with_name(info.name + ".partial")
    temporary.write_text(json.dumps(record, indent=1), encoding="utf-8")
    cipher.restrict_to_owner(temporary)
    os.replace(temporary, info)


def read(info: Path) -> tuple[BackupFile, dict] | None:
    """The backup a record describes (None: not a backup record, or its files are gone)."""
    try:
        record = json.loads(info.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            return None
        path = info.with_name(info.name[: -len(INFO_SUFFIX)])
        stat = path.stat()
        keys = keyring.keyring_path(path)
        backup = BackupFile(
            path=path,
            taken=datetime.fromisoformat(record["taken"]),
            kind=BackupKind(record["kind"]),
            archive_id=str(record["archive_id"]),
            size=stat.st_size + (keys.stat().st_size if keys.exists() else 0),
            verified=False,
            schema=str(record.get("schema", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return backup, record


def unchanged(backup: BackupFile, record: dict) -> bool:
    """Whether the files are still what was verified: same size and, unless the file's time is the
    recorded one, the same digest (a copy onto another disk changes the time, not the content)."""
    try:
        stat = backup.path.stat()
        if stat.st_size != record["size"] or not backup.keys_path.is_file():
            return False
        if _digest(backup.keys_path) != record["keys_sha256"]:
            return False
        return stat.st_mtime_ns == record["mtime_ns"] or _digest(backup.path) == record["sha256"]
    except (OSError, KeyError):
        return False


def list_backups(folder: Path, archive_id: str | None = None) -> list[BackupFile]:
    """The backups in ``folder`` (of one archive when ``archive_id`` is given), newest first."""
    try:
        infos = sorted(folder.glob("*" + INFO_SUFFIX))
    except OSError:
        return []
    found = []
    for info in infos:
        entry = read(info)
        if entry is None:
            continue
        backup, record = entry
        if archive_id is not None and backup.archive_id != archive_id:
            continue
        verified = bool(record.get("verified")) and unchanged(backup, record)
        found.append(_with(backup, verified=verified))
    return sorted(found, key=lambda b: (b.taken, b.path.name), reverse=True)


def _with(backup: BackupFile, **changes: object) -> BackupFile:
    return replace(backup, **changes)  # type: ignore[arg-type]


def delete(backup: BackupFile) -> None:
    """Remove the three files of a backup (the record last, so a half-deleted one is still listed)."""
    for path in (backup.path, backup.keys_path, backup.info_path):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def full_check(backup: BackupFile, key: bytes, archive_id: str, compatibility: int) -> str | None:
    """Why the backup cannot be restored (Chinese), or None when it is whole and this archive's."""
    entry = read(backup.info_path)
    if entry is None or not backup.path.is_file() or not backup.keys_path.is_file():
        return "备份的文件不完整（档案副本、钥匙文件或备份记录缺失）。"
    _, record = entry
    if backup.archive_id != archive_id:
        return "这个备份不是本档案的备份。"
    try:
        ring = keyring.Keyring.load(backup.keys_path)
    except keyring.KeyringError:
        return "备份中的钥匙文件已损坏。"
    if ring.archive_id != archive_id:
        return "备份中的钥匙文件不是本档案的。"
    if not ring.slots:
        return "备份中的钥匙文件里没有任何账号，恢复后将无人能够登录。"
    if not unchanged(backup, record):
        return "备份文件在备份之后被改动或已损坏，未通过校验。"
    if cipher.integrity_problems(backup.path, key, compatibility):
        return "备份文件未通过完整性校验（文件已损坏）。"
    return None


def checkpoint(archive: Path, key: bytes, compatibility: int) -> bool:
    """Write the archive's WAL into the file and empty it; False when another connection prevents it."""
    connection = cipher.connect(archive, key, compatibility=compatibility)
    try:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
    finally:
        connection.close()


def replace_archive(backup: BackupFile, archive: Path, key: bytes, compatibility: int) -> None:
    """Put the backup in place of the (closed) archive and its keyring.

    The copies are made and checked beside the archive first (``….restoring``); then the archive file is
    replaced, then the keyring, each by an atomic rename. The archive's key never changes (passwords
    rewrap it, they do not replace it), so every state an interruption can leave opens: the old pair,
    the restored archive with the old keyring (the present passwords), or the restored pair."""
    ring_file = keyring.keyring_path(archive)
    work = archive.with_name(archive.name + RESTORING)
    work_keys = keyring.keyring_path(work)
    try:
        for leftover in (work, work_keys):
            leftover.unlink(missing_ok=True)
        cipher.copy_database(backup.path, work, key)
        if cipher.integrity_problems(work, key, compatibility):
            raise BackupError("备份复制到档案文件夹后未通过校验，档案未改动。")
        shutil.copyfile(backup.keys_path, work_keys)
        cipher.restrict_to_owner(work_keys)
        _fsync(work)
        _fsync(work_keys)
        if not checkpoint(archive, key, compatibility):
            raise BackupError("档案正被其他窗口或程序使用，无法恢复。请关闭其他窗口后再试。")
        for journal in ("-wal", "-shm"):
            archive.with_name(archive.name + journal).unlink(missing_ok=True)
        os.replace(work, archive)
        os.replace(work_keys, ring_file)
    except OSError as error:
        raise BackupError(f"无法写入档案所在的文件夹“{archive.parent}”，档案未恢复。") from error
    finally:
        for leftover in (work, work_keys):
            leftover.unlink(missing_ok=True)
    cipher.restrict_to_owner(archive)
    cipher.restrict_to_owner(ring_file)
