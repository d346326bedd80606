"""Opening a database file: engine with SQLite pragmas, migration to the current schema
(after copying the file aside), refusal of files written by a newer version."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from zhuji_archive.storage import versions

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """The file cannot be opened as an archive; the message is Chinese and meant for the user."""


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite gets foreign keys, WAL and a busy timeout."""
    # hide_parameters: a database error's text must not carry the row's values (names, ID numbers).
    engine = create_engine(url, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_connect)
    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_file(path: Path, label: str) -> Path:
    """Copy a SQLite file aside with the online backup API (safe with WAL); return the copy's path."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix}.bak")
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def upgrade(engine: Engine, url: str) -> None:
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class Database:
    """An open archive: its engine, a session factory, and the path (None for non-file URLs)."""

    engine: Engine
    sessions: sessionmaker[Session]
    path: Path | None
    backup: Path | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together or rolled back together."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(path: Path | str) -> Database:
    """Open (creating if needed) an archive file and bring its schema to the current version."""
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"“{path}”是一个文件夹，不是档案数据库文件")
    path.parent.mkdir(parents=True, exist_ok=True)
    return open_url(f"sqlite:///{path}", path)


def open_url(url: str, path: Path | None = None) -> Database:
    engine = make_engine(url)
    try:
        current = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - a broken file is a user error, not a bug
        engine.dispose()
        raise DatabaseError(f"无法打开数据库文件“{path or url}”：{exc}") from exc
    if current is None and inspect(engine).get_table_names():
        # Tables but no schema version: another program's database. Migrating it would fail half-way
        # with a raw SQL error (or mix our tables into someone else's file).
        engine.dispose()
        raise DatabaseError(f"“{path or url}”不是群众档案的数据库文件（其中已有其他数据表），未打开。")
    head = head_revision()
    script = ScriptDirectory.from_config(alembic_config(url))
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        engine.dispose()
        raise DatabaseError(
            f"数据库“{path or url}”由更新版本的程序写入（版本 {current}），本程序无法安全打开。请升级程序。"
        )
    # WAL is a property of the file: set it only once the file is known to be ours and current-or-older,
    # so a refused file (newer version, another program's) is left exactly as it was.
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode = WAL")
    backup = None
    if current != head:
        if current is not None and path is not None and path.exists():
            backup = backup_file(path, f"before-{head}")
        upgrade(engine, url)
    if engine.dialect.name == "sqlite":
        # Table statistics let SQLite start a search from the few matching members instead of walking
        # all households in list order (19 ms → 0.1 ms for an ID number at 100,000 households). With
        # a sampling limit this takes about 10 ms, so it is simply redone at every open.
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit = 400")
            connection.exec_driver_sql("ANALYZE")
    sessions = sessionmaker(engine, expire_on_commit=False)
    versions.install(sessions)
    return Database(engine=engine, sessions=sessions, path=path, backup=backup)
