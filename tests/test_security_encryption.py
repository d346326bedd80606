"""The archive at rest: encrypted with SQLCipher, opened only through an account's password, files the
owner alone may read. Checked on real files, byte by byte."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, PASSWORD, as_person, login_for, open_archive

from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind, failed_login_delay
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import cipher, keyring
from zhuji_archive.storage.database import DatabaseError
from zhuji_archive.views.household_file import MemberData

ID_NUMBER = "330681198001010010"
PHONE = "13900001111"
NAME = "宣秘密"


@pytest.fixture
def secret_archive(tmp_path: Path) -> Path:
    """An archive holding one household whose name, ID number and phone number must not leak."""
    path = tmp_path / "archive.sqlite3"
    with open_archive(path) as archive:
        town = archive.organisation.add_town("安华镇", "诸暨市", "330681")
        village = archive.organisation.add_village(town, "杜黄村")
        group = archive.organisation.add_group(village, "一组")
        file = archive.households.new_file(group)
        file.members = [MemberData(name=NAME, relation="户主", id_number=ID_NUMBER, phone=PHONE)]
        archive.households.save(file)
    return path


def _files_beside(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.is_file()]


def test_no_name_id_or_phone_number_is_in_any_file_as_bytes(secret_archive: Path) -> None:
    with open_archive(secret_archive) as archive:  # open: the WAL beside the file holds pages too
        assert archive.household_list.count(_all()) == 1
        for file in _files_beside(secret_archive):
            content = file.read_bytes()
            for secret in (NAME, ID_NUMBER, PHONE):
                for encoding in ("utf-8", "utf-16-le"):
                    assert secret.encode(encoding) not in content, (file.name, secret)


def _all():
    from zhuji_archive.services.household_list import HouseholdFilter

    return HouseholdFilter(status=None)


def test_pythons_sqlite3_cannot_read_the_file(secret_archive: Path) -> None:
    assert not cipher.is_plain_sqlite(secret_archive)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(secret_archive).execute("SELECT * FROM sqlite_master").fetchall()


def test_a_wrong_key_cannot_read_it_either(secret_archive: Path) -> None:
    assert not cipher.opens_with(secret_archive, b"\x01" * 32)
    assert cipher.opens_with(secret_archive, _key(secret_archive))


def _key(path: Path) -> bytes:
    return keyring.Keyring.load(keyring.keyring_path(path)).unwrap(ADMIN_LOGIN, ADMIN_PASSWORD)


def test_the_wrong_password_opens_nothing_and_says_so_in_chinese(secret_archive: Path) -> None:
    with pytest.raises(access.LoginRefused) as refused:
        access.unlock(secret_archive, ADMIN_LOGIN, "Not-the-2026")
    assert str(refused.value) == access.WRONG_LOGIN
    with pytest.raises(access.LoginRefused) as unknown:  # an unknown login reads the same
        access.unlock(secret_archive, "nobody", ADMIN_PASSWORD)
    assert str(unknown.value) == access.WRONG_LOGIN


def test_repeated_wrong_passwords_make_the_next_attempt_wait(secret_archive: Path) -> None:
    for attempt in range(1, 4):
        with pytest.raises(access.LoginRefused) as refused:
            access.unlock(secret_archive, ADMIN_LOGIN, f"Wrong-{attempt}x")
    assert refused.value.wait_seconds == failed_login_delay(3) > 0
    # Even the right password must wait now: the delay is kept in the keyring, not in the window.
    with pytest.raises(access.LoginRefused, match="秒后再试") as waiting:
        access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD)
    assert 0 < waiting.value.wait_seconds <= failed_login_delay(3)


def test_the_delay_grows_and_is_capped() -> None:
    delays = [failed_login_delay(n) for n in range(0, 20)]
    assert delays[:3] == [0, 0, 0]
    assert all(b >= a for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == 300 and delays[4] > delays[3] > 0


def test_a_right_password_after_the_delay_clears_the_count(secret_archive: Path) -> None:
    ring_file = keyring.keyring_path(secret_archive)
    for _ in range(2):
        with pytest.raises(access.LoginRefused):
            access.unlock(secret_archive, ADMIN_LOGIN, "Wrong-2026x")
    assert keyring.Keyring.load(ring_file).failure_count(ADMIN_LOGIN)[0] == 2
    access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD).close()
    assert keyring.Keyring.load(ring_file).failure_count(ADMIN_LOGIN)[0] == 0


def test_the_keyring_names_no_one(secret_archive: Path) -> None:
    text = keyring.keyring_path(secret_archive).read_text(encoding="ascii")
    assert ADMIN_LOGIN not in json.loads(text)["slots"]
    assert login_for("测试员") not in text and ADMIN_LOGIN not in text


def test_the_archive_and_its_keyring_are_readable_by_the_owner_only(secret_archive: Path) -> None:
    for path in (secret_archive, keyring.keyring_path(secret_archive)):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_missing_keyring_is_explained(secret_archive: Path) -> None:
    keyring.keyring_path(secret_archive).unlink()
    assert access.state(secret_archive) is access.ArchiveState.NO_KEYRING
    with pytest.raises(DatabaseError, match="钥匙文件.*一起复制"):
        access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD)


def test_a_damaged_keyring_is_explained(secret_archive: Path) -> None:
    keyring.keyring_path(secret_archive).write_text("{not json", encoding="ascii")
    with pytest.raises(keyring.KeyringError, match="已损坏"):
        access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD)


def test_a_disabled_account_cannot_log_in_and_a_reset_lets_it_in_with_the_data_intact(
    secret_archive: Path,
) -> None:
    with open_archive(secret_archive) as archive:
        village = archive.organisation.villages()[0][0]
        clerk = as_person(archive, "村文书", Role.VILLAGE, villages=(village,))
    login = clerk.actor.login
    with access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD) as chief:
        chief.accounts.disable(clerk.actor.account_id)
    with pytest.raises(access.LoginRefused):
        access.unlock(secret_archive, login, PASSWORD)
    with access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD) as chief:
        chief.accounts.reset_password(clerk.actor.account_id, "Fresh-Start-1")
    with access.unlock(secret_archive, login, "Fresh-Start-1") as again:
        assert again.accounts.must_change_password()
        assert again.household_list.count(_all()) == 1


def test_changing_ones_password_rewraps_the_key(secret_archive: Path) -> None:
    with open_archive(secret_archive) as archive:
        login = archive.actor.login
        with pytest.raises(DomainError, match="原密码不正确"):
            archive.accounts.change_own_password("Wrong-2026x", "Brand-New-7")
        archive.accounts.change_own_password(PASSWORD, "Brand-New-7")
    with pytest.raises(access.LoginRefused):
        access.unlock(secret_archive, login, PASSWORD)
    access.unlock(secret_archive, login, "Brand-New-7").close()


def test_the_same_account_can_log_in_from_two_windows_at_once(secret_archive: Path) -> None:
    first = open_archive(secret_archive)
    second = open_archive(secret_archive)
    try:
        assert first.actor == second.actor
    finally:
        first.close()
        second.close()


def test_a_new_archive_records_its_cipher_settings_and_the_real_key_derivation_cost(tmp_path: Path) -> None:
    """Slots record their own Argon2id cost; the program's default is RFC 9106's 64 MiB, 3 passes."""
    assert keyring.KdfParams() == keyring.KdfParams(time_cost=3, memory_kib=65536, parallelism=4)
    path = tmp_path / "new.sqlite3"
    access.create(path, "chief", "镇管理员", "Strong-Pass-1").close()
    data = json.loads(keyring.keyring_path(path).read_text(encoding="ascii"))
    assert data["cipher"]["library"] == "SQLCipher" and data["cipher"]["compatibility"] == 4
    (slot,) = data["slots"].values()
    assert slot["kdf"] == "argon2id" and slot["memory_kib"] == keyring.KDF.memory_kib


def test_a_second_administrator_cannot_be_made_by_the_first_start_dialog(secret_archive: Path) -> None:
    with pytest.raises(DomainError, match="已经建立了账号"):
        access.create(secret_archive, "intruder", "入侵者", "Other-Pass-26")


def test_an_account_needs_a_sound_password(secret_archive: Path) -> None:
    with access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD) as chief:
        for weak in ("short1", "alllowercaseletters", "12345678901"):
            with pytest.raises(DomainError, match="密码"):
                chief.accounts.create("weakling", "弱密码", Role.READER, [], weak)
        village = chief.organisation.villages()[0][0]
        chief.accounts.create(
            "cunwenshu", "村文书", Role.VILLAGE, [ScopeUnit(UnitKind.VILLAGE, village)], "Cun-Wen-2026"
        )
        with pytest.raises(DomainError, match="已被使用"):
            chief.accounts.create("CunWenShu", "重名", Role.READER, [], "Cun-Wen-2026")


def test_the_last_administrator_cannot_be_disabled_or_demoted(secret_archive: Path) -> None:
    with access.unlock(secret_archive, ADMIN_LOGIN, ADMIN_PASSWORD) as chief:
        with pytest.raises(DomainError):
            chief.accounts.disable(chief.actor.account_id)
        with pytest.raises(DomainError):
            chief.accounts.update(chief.actor.account_id, "管理员", Role.OFFICE, [])


def test_an_archive_object_acts_for_exactly_one_account(secret_archive: Path) -> None:
    with open_archive(secret_archive) as archive:
        assert isinstance(archive, Archive) and archive.actor.role is Role.OFFICE
        assert archive.operator == archive.actor.display_name == "测试员"


def test_the_first_administrators_name_follows_the_account_rules(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with pytest.raises(DomainError, match="姓名"):
        access.create(path, "chief", "管" * 21, "Strong-Pass-1")
    assert access.state(path) is access.ArchiveState.NEW  # refused before anything was written
