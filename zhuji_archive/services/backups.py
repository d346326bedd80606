"""Backups of the archive file and restoring one.

Automatic backups are made for every account (they need no right): at the first login of each day,
before an Excel import writes anything and before a schema upgrade (storage/database.py). A 系统管理员
(Capability.BACKUP) lists the backups, makes one now, chooses where they go and restores one. Every
backup is the archive copied with SQLite's backup API plus its keyring, checked with ``integrity_check``
and SQLCipher's page check (storage/backup_files.py); after each backup the rotation
(domain/backup_rotation.py) drops what is no longer kept.

Backups go to the ``backups`` folder beside the archive, or to the folder the administrator chose (a
USB disk). When that folder cannot be written (the disk is not plugged in), automatic backups go to
the default folder instead, so a day is never left without one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from zhuji_archive.domain.accounts import Actor, Capability, require
from zhuji_archive.domain.backup_rotation import BackupKind, Retention, label, reasons
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.settings import BACKUP_FOLDER_KEY
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.storage import backup_files, keyring
from zhuji_archive.storage.backup_files import BackupError, BackupFile
from zhuji_archive.storage.database import Database, open_database
from zhuji_archive.storage.models import Account

LOGGER = logging.getLogger("zhuji_archive.backups")


HUB_BACKUPS = (
    "镇里的数据库（服务器）由服务器上的 pg_dump 定时备份，不在程序里备份或恢复；"
    "请联系管理服务器的同志（做法见说明书“镇级数据库”一节）。"
)


@dataclass(frozen=True)
class BackupEntry:
    """One row of the 备份与恢复 table."""

    backup: BackupFile
    kind_label: str  # 日/周/月/升级前/导入前/手动/恢复前

    @property
    def taken(self) -> datetime:
        return self.backup.taken

    @property
    def size(self) -> int:
        return self.backup.size

    @property
    def verified(self) -> bool:
        return self.backup.verified

    @property
    def path(self) -> Path:
        return self.backup.path


@dataclass(frozen=True)
class Restored:
    """What the window needs after a restore: the archive (closed) to log in to again, and the backup
    of the archive as it was just before, in case the restore was a mistake."""

    archive: Path
    restored_from: BackupFile
    saved_before: BackupFile
    message: str


class BackupService:
    """Making, listing, rotating and restoring the backups of one open archive."""

    def __init__(self, db: Database, actor: Actor, settings: SettingsService, clock: Clock) -> None:
        self.db = db
        self.actor = actor
        self.settings = settings
        self.clock = clock

    # ----- where -----------------------------------------------------------------------------------
    def _archive(self) -> Path:
        if self.db.on_hub:
            raise DomainError(HUB_BACKUPS)
        if self.db.path is None or self.db.key is None:
            raise DomainError("只有加密的档案文件可以备份。")
        return self.db.path

    def default_folder(self) -> Path:
        """``backups`` beside the archive (the 备份与恢复 dialog's, so 系统管理员's)."""
        require(self.actor, Capability.BACKUP)
        return self._default_folder()

    def folder(self) -> Path:
        """Where backups go: the chosen folder, or ``backups`` beside the archive (系统管理员's)."""
        require(self.actor, Capability.BACKUP)
        return self._folder()

    def _default_folder(self) -> Path:
        return backup_files.default_folder(self._archive())

    def _folder(self) -> Path:
        chosen = self.settings.backup_folder()
        return Path(chosen) if chosen else self._default_folder()

    def set_folder(self, folder: Path | str | None) -> Path:
        """Choose the folder backups go to (None or "": the default); it must be writable now."""
        require(self.actor, Capability.BACKUP)
        text = str(folder).strip() if folder else ""
        if text:
            target = Path(text)
            if not target.is_absolute():
                raise DomainError("备份位置须是完整的文件夹路径。", "folder")
            try:
                backup_files.ensure_folder(target)
            except BackupError as error:
                raise DomainError(str(error), "folder") from error
        self.settings.set_text(BACKUP_FOLDER_KEY, text)
        self._log("修改", note="备份位置")
        return self._folder()

    def retention(self) -> Retention:
        """How many backups of each class are kept (系统管理员's setting)."""
        require(self.actor, Capability.BACKUP)
        return self._retention()

    def _retention(self) -> Retention:
        get = self.settings.get
        return Retention(
            get("backup.keep_daily"),
            get("backup.keep_weekly"),
            get("backup.keep_monthly"),
            get("backup.keep_events"),
        )

    def set_retention(self, retention: Retention) -> None:
        require(self.actor, Capability.BACKUP)
        self.settings.set("backup.keep_daily", retention.daily)
        self.settings.set("backup.keep_weekly", retention.weekly)
        self.settings.set("backup.keep_monthly", retention.monthly)
        self.settings.set("backup.keep_events", retention.events)

    def _archive_id(self) -> str:
        try:
            return keyring.Keyring.load(keyring.keyring_path(self._archive())).archive_id
        except keyring.KeyringError as error:
            raise DomainError(str(error)) from error

    def _folders(self) -> list[Path]:
        folders = [self._folder()]
        if folders[0] != self._default_folder():
            folders.append(self._default_folder())  # where automatic backups fell back to
        return folders

    def _all(self) -> list[BackupFile]:
        archive_id = self._archive_id()
        found: dict[Path, BackupFile] = {}
        for folder in self._folders():
            for backup in backup_files.list_backups(folder, archive_id):
                found.setdefault(backup.path, backup)
        return sorted(found.values(), key=lambda b: (b.taken, b.path.name), reverse=True)

    # ----- making ------------------------------------------------------------------------------------
    def _now(self) -> datetime:
        """Today's date from the archive's clock (tests and demos set it), the time from the system."""
        return datetime.combine(self.clock.today(), datetime.now().time())

    def _make(self, kind: BackupKind, *, fall_back: bool, folder: Path | None = None) -> BackupFile:
        archive = self._archive()
        assert self.db.key is not None
        folder = folder or self._folder()
        try:
            made = backup_files.write(archive, folder, kind, self.db.key, self._now(), self.db.compatibility)
        except BackupError:
            if not fall_back or folder == self._default_folder():
                raise
            LOGGER.warning("备份位置无法写入，已改存到档案旁的备份文件夹")
            made = backup_files.write(
                archive, self._default_folder(), kind, self.db.key, self._now(), self.db.compatibility
            )
        if not made.verified:
            LOGGER.warning("备份未通过完整性校验：%s", kind.value)
        self._rotate()
        return made

    def rotate(self) -> list[Path]:
        """Delete the backups the rotation no longer keeps; returns what was deleted. Every backup
        rotates by itself; asked for on its own, deleting backups is 系统管理员's."""
        require(self.actor, Capability.BACKUP)
        return self._rotate()

    def _rotate(self) -> list[Path]:
        backups = self._all()
        why = reasons((b.snapshot for b in backups), self._retention())
        dropped = [b for b in backups if not why[b.path.name]]
        for backup in dropped:
            backup_files.delete(backup)
        return [b.path for b in dropped]

    def daily(self) -> BackupFile | None:
        """The first backup of the day (the archive's day), when there is none yet; for every account."""
        if self.db.read_only or self.db.path is None or self.db.key is None:
            return None
        today = self.clock.today()
        if any(b.kind is BackupKind.DAILY and b.taken.date() == today for b in self._all()):
            return None
        return self._make(BackupKind.DAILY, fall_back=True)

    def before(self, kind: BackupKind) -> BackupFile | None:
        """An automatic backup before an event (an import); None for a file that cannot be backed up."""
        if self.db.read_only or self.db.path is None or self.db.key is None:
            return None
        return self._make(kind, fall_back=True)

    def make_now(self, folder: Path | str | None = None) -> BackupEntry:
        """立即备份 (系统管理员), into the backup folder or, once, into ``folder`` (which is not rotated)."""
        require(self.actor, Capability.BACKUP)
        try:
            made = self._make(BackupKind.MANUAL, fall_back=False, folder=Path(folder) if folder else None)
        except BackupError as error:
            raise DomainError(str(error)) from error
        self._log("备份", note="手动备份")
        return next((e for e in self.list() if e.path == made.path), BackupEntry(made, made.kind.label))

    def backup_at(self, path: Path | str) -> BackupEntry:
        """The backup whose archive copy is ``path`` (wherever it was copied to), checked as listed."""
        require(self.actor, Capability.BACKUP)
        path = Path(path)
        found = backup_files.list_backups(path.parent)
        backup = next((b for b in found if b.path.resolve() == path.resolve()), None)
        if backup is None:
            raise DomainError(
                f"“{path.name}”不是群众档案的备份，或备份不完整（须有同名的 .keys 钥匙文件和 .json 备份记录）。"
            )
        return BackupEntry(backup, backup.kind.label)

    # ----- listing -----------------------------------------------------------------------------------
    def list(self) -> list[BackupEntry]:
        """The backups of this archive, newest first, each with its class, size and verified state."""
        require(self.actor, Capability.BACKUP)
        backups = self._all()
        why = reasons((b.snapshot for b in backups), self._retention())
        return [BackupEntry(b, label(b.kind, why[b.path.name])) for b in backups]

    # ----- restoring ---------------------------------------------------------------------------------
    def restore(self, backup: BackupFile | BackupEntry) -> Restored:
        """Replace the archive and its keyring by a backup, after backing the present file up.

        The archive is closed afterwards: everyone logs in again, with the passwords of the backup's
        day (the keyring is restored with the archive)."""
        require(self.actor, Capability.BACKUP)
        if isinstance(backup, BackupEntry):
            backup = backup.backup
        archive = self._archive()
        assert self.db.key is not None
        if self.db.read_only:
            raise DomainError("档案以只读方式打开，不能恢复。")
        problem = backup_files.full_check(backup, self.db.key, self._archive_id(), self.db.compatibility)
        if problem:
            raise DomainError(f"不能用这个备份恢复：{problem}")
        try:
            saved = self._make(BackupKind.RESTORE, fall_back=False)
        except BackupError as error:
            raise DomainError(f"恢复前未能先备份当前档案，未恢复：{error}") from error
        if not saved.verified:
            raise DomainError("当前档案的备份未通过校验，为安全起见未恢复。")
        self.db.close()
        try:
            backup_files.replace_archive(backup, archive, self.db.key, self.db.compatibility)
        except BackupError as error:
            raise DomainError(str(error)) from error
        LOGGER.info("档案已从备份恢复")
        self._log_in_restored(archive, f"恢复到 {backup.taken:%Y-%m-%d %H:%M} 的备份")
        return Restored(
            archive=archive,
            restored_from=backup,
            saved_before=saved,
            message=(
                f"档案已恢复到 {backup.taken:%Y-%m-%d %H:%M} 的备份。恢复前的档案已另存为备份"
                f"（{saved.path.name}）。请重新登录；密码是备份当时的密码。"
            ),
        )

    def _log_in_restored(self, archive: Path, note: str) -> None:
        """Record the restore in the restored archive's own change log (the account may not exist in
        it, if it was made after the backup: then the event carries the name only)."""
        assert self.db.key is not None
        try:
            restored = open_database(archive, self.db.key, self.db.compatibility)
        except Exception:  # noqa: BLE001 - the restore is done; its log entry is not worth failing it
            LOGGER.warning("恢复记录未能写入档案")
            return
        try:
            with restored.transaction() as session:
                exists = session.get(Account, self.actor.account_id) is not None
                who = self.actor if exists else self.actor.display_name
                ChangeRecorder(session, who).log("恢复", "备份", "archive", note=note)
        except Exception:  # noqa: BLE001
            LOGGER.warning("恢复记录未能写入档案")
        finally:
            restored.close()

    def _log(self, action: str, note: str) -> None:
        if self.db.read_only:
            return
        with self.db.transaction() as session:
            ChangeRecorder(session, self.actor).log(action, "备份", "archive", note=note)
