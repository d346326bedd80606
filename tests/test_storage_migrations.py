"""Opening archive files: migration to head, model/migration agreement, newer files refused, backups, pragmas."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from accounts import detached_actor
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import database
from zhuji_archive.storage.database import (
    DatabaseError,
    alembic_config,
    backup_file,
    head_revision,
    make_engine,
    open_database,
)
from zhuji_archive.storage.models import Base, Member

CJK = re.compile(r"[\u4e00-\u9fff]")


def version_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    conn.close()
    return [r[0] for r in rows]


def tables_in(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return {r[0] for r in rows}  # SQLite's own tables (sqlite_stat1 from ANALYZE) are not ours
    finally:
        conn.close()


def fresh(path: Path) -> Path:
    db = open_database(path)
    db.close()
    return path


def test_new_database_is_migrated_to_head(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite3"
    db = open_database(path)
    try:
        assert db.path == path
        assert db.backup is None
    finally:
        db.close()
    assert version_in(path) == [head_revision()]
    assert set(Base.metadata.tables) | {"alembic_version"} == tables_in(path)
    assert not list(tmp_path.rglob("*.bak"))


def test_the_revisions_read_from_the_scripts_are_alembics(tmp_path: Path) -> None:
    """Opening an archive at the current schema does not load Alembic: the program's revisions are
    read from the scripts' revision lines and the file's from alembic_version. Both agree with Alembic."""
    script = ScriptDirectory.from_config(alembic_config())
    assert database._revision_chain() is not None  # every script is read as text, none left to Alembic
    assert head_revision() == script.get_current_head()
    assert database.known_revisions() == {rev.revision for rev in script.walk_revisions()}
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    try:
        assert database.current_revision(engine) is None  # no schema yet, as Alembic says
        open_database(tmp_path / "a.sqlite3").close()
        with engine.connect() as connection:
            assert database.current_revision(engine) == MigrationContext.configure(connection).get_current_revision()
        assert database.current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.sqlite3")
    try:
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        db.close()
    assert diff == [], f"the models changed without a migration: {diff}"


def test_newer_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = fresh(tmp_path / "newer.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    names_before = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(DatabaseError) as caught:
        open_database(path)
    message = str(caught.value)
    assert CJK.search(message)
    assert "ffff9999" in message
    assert "升级" in message

    assert path.read_bytes() == before
    assert version_in(path) == ["ffff9999"]
    assert sorted(p.name for p in tmp_path.iterdir()) == names_before  # in particular no backup copy


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as caught:
        open_database(tmp_path)
    assert CJK.search(str(caught.value))


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not a database at all, just some text " * 100)
    before = path.read_bytes()
    with pytest.raises(DatabaseError) as caught:
        open_database(path)
    assert CJK.search(str(caught.value))
    assert path.read_bytes() == before


def test_another_programs_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE town (name TEXT)")  # clashes with one of ours
    conn.execute("INSERT INTO town VALUES ('别人的数据')")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError) as caught:
        open_database(path)
    assert CJK.search(str(caught.value))
    assert tables_in(path) == {"town"}
    assert not list(tmp_path.glob("*.bak"))


def test_up_to_date_file_is_opened_without_backup(tmp_path: Path) -> None:
    path = fresh(tmp_path / "current.sqlite3")
    db = open_database(path)
    try:
        assert db.backup is None
    finally:
        db.close()
    assert not list(tmp_path.glob("*.bak"))
    assert version_in(path) == [head_revision()]


def test_backup_file_copies_the_content(tmp_path: Path) -> None:
    path = fresh(tmp_path / "data.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO setting (key, value) VALUES ('greeting', '你好')")
    conn.commit()
    conn.close()

    copy = backup_file(path, "before-test")
    assert copy != path
    assert copy.parent == path.parent
    assert copy.name.startswith("data.before-test-")
    assert copy.name.endswith(".sqlite3.bak")
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT value FROM setting WHERE key = 'greeting'").fetchone() == ("你好",)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert version_in(copy) == [head_revision()]


def test_backup_includes_uncheckpointed_wal_content(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    db = open_database(path)
    try:
        with db.transaction() as session:
            session.execute(text("INSERT INTO setting (key, value) VALUES ('k', 'in the wal')"))
        copy = backup_file(path, "live")  # the engine still holds the file open
    finally:
        db.close()
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT value FROM setting WHERE key = 'k'").fetchone() == ("in the wal",)
    finally:
        conn.close()


def test_older_database_is_copied_aside_before_upgrading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """There is only one revision so far: pretend the program's head is a newer one, and record the upgrade."""
    path = fresh(tmp_path / "old.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO setting (key, value) VALUES ('marker', 'before upgrade')")
    conn.commit()
    conn.close()
    old_revision = head_revision()
    seen: list[list[Path]] = []

    def fake_upgrade(engine: object) -> None:
        seen.append(sorted(tmp_path.glob("*.bak")))  # the backup must already exist

    monkeypatch.setattr(database, "head_revision", lambda: "9999")
    monkeypatch.setattr(database, "upgrade", fake_upgrade)
    db = open_database(path)
    try:
        assert db.backup is not None
        assert db.backup.exists()
        assert "before-9999" in db.backup.name
    finally:
        db.close()
    assert seen == [[db.backup]]
    assert version_in(db.backup) == [old_revision]
    conn = sqlite3.connect(db.backup)
    try:
        assert conn.execute("SELECT value FROM setting WHERE key = 'marker'").fetchone() == ("before upgrade",)
    finally:
        conn.close()


def test_file_at_the_first_revision_is_backed_up_and_upgraded(tmp_path: Path) -> None:
    """A real old file: migrated only to the base revision. With a single revision so far the base is
    the head, and then opening must neither copy nor change it."""
    path = tmp_path / "first.sqlite3"
    url = f"sqlite:///{path}"
    config = alembic_config(url)
    base = ScriptDirectory.from_config(config).get_base()
    assert base is not None
    engine = make_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, base)
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO town (id, name, county, region_code) VALUES ('t1', '安华镇', '诸暨市', '330681')")
    conn.commit()
    conn.close()
    assert version_in(path) == [base]

    db = open_database(path)
    db.close()
    assert version_in(path) == [head_revision()]
    copies = list(tmp_path.glob("*.bak"))
    if base == head_revision():
        assert db.backup is None and copies == []
    else:
        assert copies == [db.backup]
        assert version_in(db.backup) == [base]
    for kept in [path, *copies]:
        conn = sqlite3.connect(kept)
        try:
            assert conn.execute("SELECT name FROM town WHERE id = 't1'").fetchone() == ("安华镇",)
        finally:
            conn.close()


def test_session_connection_pragmas(tmp_path: Path) -> None:
    db = open_database(tmp_path / "p.sqlite3")
    try:
        with db.sessions() as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert session.execute(text("PRAGMA busy_timeout")).scalar() > 0
    finally:
        db.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fk.sqlite3")
    try:
        with pytest.raises(IntegrityError):
            with db.transaction() as session:
                session.add(Member(household_id="0" * 32, name="无户之人"))
    finally:
        db.close()


def test_requests_recorded_before_the_workflow_are_carried_over(tmp_path: Path) -> None:
    """A file at 0001 with requests (as the household file recorded them then): after the upgrade each
    request has its household's village, empty workflow fields, and goes on through the workflow."""
    from datetime import date

    from zhuji_archive.domain.workflow import Action, Classification, Level, TimeStatus
    from zhuji_archive.storage.request_queries import RequestQuery

    path = tmp_path / "v1.sqlite3"
    url = f"sqlite:///{path}"
    config = alembic_config(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO town (id, name, county, region_code) VALUES ('t', '安华镇', '诸暨市', '330681')"
    )
    for village, name in (("v1", "杜黄村"), ("v2", "新桥村")):
        conn.execute(
            "INSERT INTO village (id, town_id, name, sort, main_industries, notes) VALUES (?, 't', ?, 0, '', '')",
            (village, name),
        )
        conn.execute(
            "INSERT INTO village_group (id, village_id, name, sort) VALUES (?, ?, '一组', 0)",
            (f"g{village}", village),
        )
    for household, village, head in (("h1", "v1", "张建国"), ("h2", "v2", "王小明")):
        conn.execute(
            "INSERT INTO household (id, group_id, village_id, number, address, phone, status, status_note, notes,"
            " created_at, updated_at, head_name, head_pinyin, member_count, economic_types, focus_tags,"
            " last_visit_key, group_sort, cadre_name) VALUES (?, ?, ?, 1, '', '', '在册', '', '',"
            " '2025-01-01 00:00:00', '2025-01-01 00:00:00', ?, '', 1, '', '', '', '', '')",
            (household, f"g{village}", village, head),
        )
    for request, household, status in (("r1", "h1", "登记"), ("r2", "h1", "办理中"), ("r3", "h2", "已办结")):
        conn.execute(
            "INSERT INTO request (id, household_id, recorded_on, category, description, status, resolution,"
            " deleted) VALUES (?, ?, '2025-06-01', '生活困难', ?, ?, '', 0)",
            (request, household, f"诉求{request}", status),
        )
    conn.commit()
    conn.close()

    db = open_database(path)
    try:
        assert db.backup is not None and version_in(db.backup) == ["0001"]
        archive = Archive(db, detached_actor(), date(2025, 9, 26))  # a plain storage-level file: no accounts
        with db.sessions() as session:
            rows = session.execute(
                text(
                    "SELECT id, village_id, scope, level, responsible_unit, deadline, satisfaction FROM request"
                )
            ).all()
        assert sorted(rows) == [
            ("r1", "v1", "", "", "", None, ""),
            ("r2", "v1", "", "", "", None, ""),
            ("r3", "v2", "", "", "", None, ""),
        ]
        requests = archive.requests
        assert {r.id for r in requests.list(RequestQuery(village_id="v1"))} == {"r1", "r2"}
        assert requests.counts(RequestQuery(village_id="v2")) == {"已办结": 1}
        assert {r.time_status for r in requests.list()} == {TimeStatus.NONE}
        assert requests.detail("r2").allowed == [Action.PROGRESS, Action.SOLVE, Action.EXPLAIN]
        assert requests.detail("r3").allowed == [Action.FEEDBACK]
        detail = requests.act(
            "r1", Action.SORT, Classification("生活困难", "个性", "近期一时难以解决", Level.TOWN)
        )
        assert detail.row.status == "已梳理" and detail.allowed == [Action.SORT, Action.REPORT]
    finally:
        db.close()
    assert version_in(path) == [head_revision()]


def test_refused_newer_file_keeps_its_journal_mode(tmp_path: Path) -> None:
    """A file from a newer version is not touched at all, not even switched to WAL."""
    path = tmp_path / "newer-rollback.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    conn.commit()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    with pytest.raises(DatabaseError):
        open_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
