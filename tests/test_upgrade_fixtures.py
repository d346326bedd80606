"""Archives written by released versions open, back up and upgrade in the current version without loss.

tests/fixtures/archive-VERSION.db is a file as that release wrote it (tools/make_upgrade_fixture.py, run
with the release's code); the .json beside it records what the file held then. Each test works on a copy.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, open_archive, raw_connection

from zhuji_archive import __version__
from zhuji_archive.services import access
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.services.settings import APP_VERSION_KEY
from zhuji_archive.storage import cipher
from zhuji_archive.storage.database import backup_file, head_revision

FIXTURES = Path(__file__).parent / "fixtures"
RELEASED = sorted(FIXTURES.glob("archive-*.db"))
# Rows the current version adds when it opens any archive: its own version in the key/value table.
ADDED_ON_OPEN = {"setting": {APP_VERSION_KEY}}
GROWS_ON_OPEN = {"change_log"}  # the accounts made at the first start are logged
SCHEMA_MARKER = "alembic_version"  # its one row is the schema revision, which an upgrade changes


def recorded(fixture: Path) -> dict:
    return json.loads(fixture.with_suffix(".json").read_text(encoding="utf-8"))


def connect(path: Path, key: bytes | None = None):
    """The file as it is: a released (plain) archive, or one this version has encrypted."""
    if key is not None:
        return cipher.connect(path, key)
    if cipher.is_plain_sqlite(path):
        return cipher.connect(path, None)
    return raw_connection(path)


def counts(path: Path, key: bytes | None = None) -> dict[str, int]:
    conn = connect(path, key)
    try:
        tables = [
            n
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def assert_samples_kept(path: Path, samples: dict) -> int:
    """Every sampled row is still there, found by its primary key, with every recorded field unchanged."""
    conn = connect(path)
    conn.row_factory = sqlcipher.Row
    compared = 0
    try:
        for table, sample in samples.items():
            if table == SCHEMA_MARKER:
                continue
            key = sample["key"]
            for old in sample["rows"]:
                where = " AND ".join(f'"{k}" = ?' if k != "rowid" else "rowid = ?" for k in key)
                row = conn.execute(f'SELECT * FROM "{table}" WHERE {where}', [old[k] for k in key]).fetchone()
                assert row is not None, f"{table}: row {[old[k] for k in key]} lost"
                for field, value in old.items():
                    assert row[field] == value, f"{table}.{field} changed for {[old[k] for k in key]}"
                    compared += 1
    finally:
        conn.close()
    return compared


@pytest.fixture(params=RELEASED, ids=[p.stem for p in RELEASED])
def released(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict]:
    copy = tmp_path / request.param.name
    shutil.copyfile(request.param, copy)
    return copy, recorded(request.param)


def test_every_release_left_a_fixture() -> None:
    assert (FIXTURES / f"archive-{__version__}.db").exists() or __version__.endswith(".dev0"), (
        "每个发布版本都须在 tests/fixtures/ 留一个它写入的档案库：运行 tools/make_upgrade_fixture.py"
    )
    for fixture in RELEASED:
        data = recorded(fixture)
        assert fixture.name == f"archive-{data['version']}.db"
        assert fixture.stat().st_size < 2 * 1024 * 1024
        assert data["counts"]["household"] > 0 and data["counts"]["member"] > 0


def test_backup_of_a_released_archive_holds_every_record(released: tuple[Path, dict]) -> None:
    path, data = released
    copy = backup_file(path, "test", None)  # what opening did before it migrated an older, plain file
    assert counts(copy) == data["counts"]
    assert assert_samples_kept(copy, data["samples"]) > 100


def test_current_version_opens_and_upgrades_a_released_archive_without_loss(
    released: tuple[Path, dict],
) -> None:
    path, data = released
    assert cipher.is_plain_sqlite(path)
    # The first start of this version: the administrator is made, the file encrypted and upgraded.
    archive = access.create(path, ADMIN_LOGIN, "管理员", ADMIN_PASSWORD)
    try:
        if data["revision"] == head_revision():
            assert archive.db.backup is None
        else:  # an older schema: the untouched original was copied aside (encrypted) first
            assert archive.db.backup is not None and counts(archive.db.backup, archive.db.key) == data["counts"]
            assert not cipher.is_plain_sqlite(archive.db.backup)
        assert archive.settings.recorded_app_version() == __version__
    finally:
        archive.close()
    with open_archive(path, "升级测试") as reader:  # the services read it: every household is listed
        assert reader.household_list.count(HouseholdFilter(status=None)) == data["counts"]["household"]

    after = counts(path)
    for table, before in data["counts"].items():
        added = len(ADDED_ON_OPEN.get(table, ()))
        if table in GROWS_ON_OPEN:
            assert after[table] >= before, table
        else:
            assert after[table] in (before, before + added) if added else after[table] == before, table
    # Encrypted: Python's own sqlite3 cannot read it, and no name or ID number is left in its bytes,
    # nor in any file beside it (the plain copies earlier upgrades left are encrypted too).
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    members = data["samples"]["member"]["rows"]
    secrets = [m["id_number"].encode() for m in members if m.get("id_number")]
    secrets += [m["name"].encode() for m in members if len(m.get("name") or "") >= 2]
    assert secrets
    for file in (p for p in path.parent.rglob("*") if p.is_file()):  # backups/ included
        content = file.read_bytes()
        assert not [s for s in secrets if s in content], file.name
    conn = connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    finally:
        conn.close()
    assert assert_samples_kept(path, data["samples"]) > 100


def test_opening_records_the_program_version_once(released: tuple[Path, dict]) -> None:
    path, _data = released
    for _ in range(2):
        open_archive(path, "升级测试").close()
    conn = connect(path)
    try:
        rows = conn.execute("SELECT value FROM setting WHERE key = ?", (APP_VERSION_KEY,)).fetchall()
    finally:
        conn.close()
    assert rows == [(__version__,)]


def test_a_changed_field_or_lost_row_is_noticed(released: tuple[Path, dict]) -> None:
    """The comparison itself can fail: a field changed under it, or a row gone, is reported."""
    path, data = released
    member = data["samples"]["member"]["rows"][1]
    conn = connect(path)
    conn.execute("UPDATE member SET name = name || '改' WHERE id = ?", (member["id"],))
    conn.commit()
    with pytest.raises(AssertionError, match="member.name changed"):
        assert_samples_kept(path, data["samples"])
    conn.execute("DELETE FROM member WHERE id = ?", (member["id"],))
    conn.commit()
    conn.close()
    with pytest.raises(AssertionError, match="member: row .* lost"):
        assert_samples_kept(path, data["samples"])
