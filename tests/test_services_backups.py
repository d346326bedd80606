"""Backups and restores through real encrypted files (services/backups.py, storage/backup_files.py)."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD, admin, login_for, open_archive

from zhuji_archive.domain.accounts import PermissionDenied, Role
from zhuji_archive.domain.backup_rotation import BackupKind, Retention
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services import access
from zhuji_archive.storage import backup_files, keyring

# Backups are of the archive file and its keyring; a hub is backed up by its server (pg_dump).
pytestmark = pytest.mark.file_archive

DAY = date(2026, 11, 2)


def village_names(archive) -> list[str]:
    return [name for _, name in archive.organisation.villages()]


def make_town(path: Path) -> str:
    with open_archive(path, today=DAY) as office:
        town = office.organisation.add_town("安华镇", "诸暨市", "330681")
        return office.organisation.add_village(town, "杜黄村")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_restore_brings_back_the_archive_and_its_keyring_and_keeps_the_present_one(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    village = make_town(path)
    with admin(path, DAY) as chief:
        made = chief.backups.make_now()
    assert made.verified and made.kind_label == "手动"
    assert made.path.parent == tmp_path / "backups"
    assert keyring.keyring_path(made.path).is_file()

    # After the backup: a record changes, the administrator's password changes.
    with open_archive(path, today=DAY) as office:
        office.organisation.rename("village", village, "新杜黄村")
    with admin(path, DAY) as chief:
        chief.accounts.change_own_password(ADMIN_PASSWORD, "Later-2027x")
    chief = access.unlock(path, ADMIN_LOGIN, "Later-2027x", DAY)
    entry = next(e for e in chief.backups.list() if e.path == made.path)
    restored = chief.backups.restore(entry)

    assert restored.archive == path
    assert "请重新登录" in restored.message
    assert restored.saved_before.kind is BackupKind.RESTORE and restored.saved_before.path.exists()
    # The restored pair opens with the passwords of the backup's day, and the record is back.
    with pytest.raises(access.LoginRefused):
        access.unlock(path, ADMIN_LOGIN, "Later-2027x", DAY)
    with open_archive(path, today=DAY) as office:
        assert village_names(office) == ["杜黄村"]
    # The archive as it was before the restore is itself a backup one can go back to.
    again = access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD, DAY)
    before = next(e for e in again.backups.list() if e.path == restored.saved_before.path)
    assert before.kind_label == "恢复前" and before.verified
    again.backups.restore(before)
    with access.unlock(path, ADMIN_LOGIN, "Later-2027x", DAY) as office:
        assert village_names(office) == ["新杜黄村"]


def test_the_restore_is_in_the_restored_archives_change_log(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    with admin(path, DAY) as chief:
        made = chief.backups.make_now()
        chief.backups.restore(made)
    with admin(path, DAY) as chief:
        conn = chief.db.engine.raw_connection()
        try:
            rows = conn.execute(
                "SELECT action, entity, note FROM change_log WHERE entity = '备份'"
            ).fetchall()
        finally:
            conn.close()
    assert ("恢复", "备份") in [(a, e) for a, e, _ in rows]


def test_the_daily_backup_is_made_once_per_day_at_the_first_login(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    folder = tmp_path / "backups"

    def dailies() -> list[date]:  # (the test helpers also log in on the real today)
        days = [b.taken.date() for b in backup_files.list_backups(folder) if b.kind is BackupKind.DAILY]
        return sorted(day for day in days if day in (DAY, DAY + timedelta(days=1)))

    assert dailies() == [DAY]  # made by make_town's logins, once
    for _ in range(3):
        access.unlock(path, login_for("测试员" + Role.OFFICE.value), PASSWORD, DAY).close()
    assert dailies() == [DAY]
    next_day = DAY + timedelta(days=1)
    reader = open_archive(path, "只读者", Role.READER, today=next_day)  # any account, no right needed
    assert reader.daily_backup is not None and reader.daily_backup.verified
    reader.close()
    access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD, next_day).close()
    assert dailies() == [DAY, next_day]


def test_the_rotation_keeps_seven_days_of_daily_backups(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    for offset in range(1, 10):
        access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD, DAY + timedelta(days=offset)).close()
    with admin(path, DAY + timedelta(days=9)) as chief:
        entries = chief.backups.list()
    days = [e.taken.date() for e in entries if e.backup.kind is BackupKind.DAILY]
    # The 7 newest days (the test helpers also log in on the real today), then older weeks' and months'.
    made = {date.today(), *(DAY + timedelta(days=offset) for offset in range(10))}
    assert days[:7] == sorted(made, reverse=True)[:7]
    assert len(days) < len(made)
    assert len(days) <= 7 + 4 + 12
    assert all(e.verified for e in entries)
    labels = {e.kind_label for e in entries}
    assert labels <= {"日", "周", "月"} and "月" in labels


def test_a_damaged_backup_is_not_verified_and_cannot_be_restored(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    with admin(path, DAY) as chief:
        made = chief.backups.make_now()
        with open(made.path, "r+b") as file:  # a failing disk: bytes in the middle change
            file.seek(made.path.stat().st_size // 2)
            file.write(b"\xff" * 64)
        entry = next(e for e in chief.backups.list() if e.path == made.path)
        assert not entry.verified
        with pytest.raises(DomainError, match="校验"):
            chief.backups.restore(entry)
        assert not [e for e in chief.backups.list() if e.backup.kind is BackupKind.RESTORE]
    with open_archive(path, today=DAY) as office:
        assert village_names(office) == ["杜黄村"]


def test_a_backup_copied_to_another_disk_is_still_verified(tmp_path: Path):
    """Copying changes the file's time, not its content: the digest decides."""
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    with admin(path, DAY) as chief:
        made = chief.backups.make_now()
        for target in (made.path, keyring.keyring_path(made.path)):
            data = target.read_bytes()
            target.unlink()
            target.write_bytes(data)
        assert next(e for e in chief.backups.list() if e.path == made.path).verified


def test_a_backup_of_another_archive_is_refused(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    make_town(tmp_path / "a" / "档案.sqlite3")
    make_town(tmp_path / "b" / "档案.sqlite3")
    with admin(tmp_path / "a" / "档案.sqlite3", DAY) as chief:
        other = backup_files.list_backups(tmp_path / "b" / "backups")[0]
        assert other.path not in [e.path for e in chief.backups.list()]
        with pytest.raises(DomainError, match="不是本档案"):
            chief.backups.restore(other)


def test_only_a_system_administrator_lists_makes_or_restores_backups(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    with admin(path, DAY) as chief:
        made = chief.backups.make_now()
    with open_archive(path, today=DAY) as office:
        for attempt in (
            office.backups.list,
            office.backups.make_now,
            lambda: office.backups.restore(made),
            lambda: office.backups.set_folder(tmp_path / "elsewhere"),
        ):
            with pytest.raises(PermissionDenied):
                attempt()


def test_backups_go_to_the_chosen_folder_and_fall_back_beside_the_archive_when_it_is_missing(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    usb = tmp_path / "U盘" / "备份"
    with admin(path, DAY) as chief:
        assert chief.backups.set_folder(usb) == usb
        made = chief.backups.make_now()
        assert made.path.parent == usb
        assert mode(usb) == 0o700
    # The stick is pulled out (the folder cannot be created): the daily backup goes to the default.
    (tmp_path / "U盘").rename(tmp_path / "拔出")
    (tmp_path / "U盘").write_text("not a folder")
    next_day = DAY + timedelta(days=1)
    with access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD, next_day) as chief:
        assert chief.daily_backup is not None
        assert chief.daily_backup.path.parent == tmp_path / "backups"
        assert chief.daily_backup.path in [e.path for e in chief.backups.list()]
        with pytest.raises(DomainError):
            chief.backups.make_now()  # by hand, the administrator is told instead


def test_backup_files_and_folder_are_readable_by_the_owner_only(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    with admin(path, DAY) as chief:
        made = chief.backups.make_now()
    assert mode(tmp_path / "backups") == 0o700
    for file in (made.path, keyring.keyring_path(made.path), made.backup.info_path):
        assert mode(file) == 0o600, file
    record = json.loads(made.backup.info_path.read_text(encoding="utf-8"))
    assert record["kind"] == "manual" and record["verified"] is True
    assert "杜黄村" not in made.backup.info_path.read_text(encoding="utf-8")


def test_an_import_is_preceded_by_a_backup(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    from openpyxl import Workbook

    workbook = tmp_path / "台账.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["组别", "户主姓名", "与户主关系", "姓名", "身份证号"])
    sheet.append(["一组", "张三", "户主", "张三", ""])
    book.save(workbook)
    with open_archive(path, today=DAY) as office:
        importer = office.importer
        sources = importer.read([workbook])
        village = office.organisation.villages()[0][0]
        importer.assign_groups(sources, village, "一组", create_missing=True)
        plan = importer.plan(sources)
        importer.run(plan)
    with admin(path, DAY) as chief:
        assert [e.kind_label for e in chief.backups.list()].count("导入前") == 1


def test_retention_is_a_shared_setting(tmp_path: Path):
    path = tmp_path / "档案.sqlite3"
    make_town(path)
    with admin(path, DAY) as chief:
        chief.backups.set_retention(Retention(daily=3, weekly=1, monthly=2, events=2))
        for _ in range(4):
            chief.backups.make_now()
        assert [e.kind_label for e in chief.backups.list()].count("手动") == 2
    with admin(path, DAY) as chief:
        assert chief.backups.retention() == Retention(3, 1, 2, 2)


def test_a_damaged_archive_names_its_backups_and_how_to_use_them(tmp_path: Path):
    from zhuji_archive.storage.database import DatabaseError

    path = tmp_path / "档案.sqlite3"
    make_town(path)
    with admin(path, DAY) as chief:
        made = chief.backups.make_now()
    with open(path, "r+b") as file:  # the first page (the schema) is overwritten
        file.write(b"\x5a" * 4096)
    with pytest.raises(DatabaseError) as refused:
        access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD, DAY)
    assert str(made.path) in str(refused.value)
    assert ".keys" in str(refused.value)


def test_the_backup_before_an_upgrade_goes_to_the_backup_folder_with_its_keyring(tmp_path: Path, monkeypatch):
    """The copy made before a schema upgrade is a backup pair in the backups folder, listed as 升级前,
    restorable and rotated, not a loose file beside the archive."""
    from zhuji_archive.storage import database

    path = tmp_path / "档案.sqlite3"
    make_town(path)
    monkeypatch.setattr(database, "head_revision", lambda: "9999")  # the file is one version behind
    chief = access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD, DAY)
    try:
        assert chief.db.backup is not None and chief.db.backup.parent == tmp_path / "backups"
        assert keyring.keyring_path(chief.db.backup).is_file()
        entry = next(e for e in chief.backups.list() if e.path == chief.db.backup)
        assert entry.kind_label == "升级前" and entry.verified
        assert backup_files.full_check(entry.backup, chief.db.key, entry.backup.archive_id, 4) is None
    finally:
        chief.close()
    assert not list(tmp_path.glob("*.bak"))


def test_a_version_0_1_file_keeps_its_pre_upgrade_copy_beside_it(tmp_path: Path):
    """Encrypting a 0.1 file upgrades it before its first account exists: no account could open a
    backup pair of that moment, so the copy stays a .bak beside the file (encrypted) as before."""
    import shutil

    path = tmp_path / "档案.sqlite3"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "archive-0.1.0.db", path)
    with access.create(path, ADMIN_LOGIN, "管理员", ADMIN_PASSWORD, DAY) as chief:
        assert chief.db.backup is not None and chief.db.backup.parent == tmp_path
        assert chief.db.backup.name.endswith(".bak")
        assert not [e for e in chief.backups.list() if e.kind_label == "升级前"]
