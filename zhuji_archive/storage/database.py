"""Opening a database file: engine with SQLite pragmas, migration to the current schema
(after copying the file aside), refusal of files written by a newer version."""

from __future__ import annotations

import glob
import logging
import os
import random
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from sqlalchemy import URL, Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.storage import audit_log, cipher, hub, versions
from zhuji_archive.storage.errors import (
    Trouble,
    classify,
    describe_environment_error,
    hub_connect_message,
)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
BUSY_TIMEOUT_MS = 5000
# Each connection's page cache, in KiB (SQLite reads a negative cache_size as KiB). SQLCipher decrypts
# and checks every page it reads into the cache; with SQLite's default of 2 MiB the pages the dashboard,
# the to-do list and the summaries read were decrypted again and again (100,000 households: the
# dashboard 68 ms against 30 ms with 32 MiB, the one-cadre to-do list 198 against 72 ms; bench/
# encryption-results.md). The cache grows only with the pages read, up to 32 MiB per connection: the
# GUI thread's and the operation runner's few workers' connections stay within the 400 MB the issue
# allows at 400,000 households (bench/county-scale-results.md).
PAGE_CACHE_KIB = 32 * 1024
# A unit of work the hub rolled back in a deadlock or serialization failure is run again this often.
CONFLICT_ATTEMPTS = 4
LOGGER = logging.getLogger("zhuji_archive.storage")
T = TypeVar("T")


class DatabaseError(Exception):
    """The file cannot be opened as an archive; the message is Chinese and meant for the user."""


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:  # or SQLCipher's
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    cursor.close()


def make_engine(url: str | URL, key: bytes | None = None, compatibility: int = cipher.COMPATIBILITY) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite gets foreign keys, WAL and a busy timeout.

    A SQLite archive file goes through SQLCipher's DB-API module, keyed on every new connection before
    anything else is read (``key`` None: a plain file, only ever opened to be encrypted or by tests)."""
    # hide_parameters: a database error's text must not carry the row's values (names, ID numbers).
    url = make_url(url)
    if url.get_backend_name() == "postgresql":
        return hub.make_engine(url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, hide_parameters=True)
    target = url.database or ":memory:"
    uri = url.query.get("uri") == "true"

    def connect() -> object:
        return cipher.connect(target, key, uri=uri, compatibility=compatibility)

    engine = create_engine(url, hide_parameters=True, module=cipher.dbapi, creator=connect)
    event.listen(engine, "connect", _on_connect)
    return engine


def alembic_config(url: str | URL = "sqlite://") -> Config:
    """Alembic's configuration; the URL is only used by Alembic when no connection is handed over."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", text.replace("%", "%%"))  # ConfigParser interpolation
    return config


# Alembic itself (a tenth of a second to import, and as long again to load every migration script) is
# needed only when the schema must change. Opening an archive at the current schema asks two things:
# which revisions this program knows and which is the newest. The migration scripts answer that in
# their ``revision = "…"`` and ``down_revision = "…"`` lines, read as text here; a script these lines
# do not describe plainly (a merge, a branch) sends the question to Alembic.
_REVISION_LINE = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:"([^"]*)"|'([^']*)'|(None))\s*$""", re.M)


@cache
def _revision_chain() -> tuple[tuple[str, ...], str] | None:
    """The program's schema revisions and its head, read from the scripts' text; None when a script is
    not a plain step after one other (then Alembic is asked)."""
    parents: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        if script.name.startswith("_"):
            continue
        found = {m[1]: m[2] or m[3] or None for m in _REVISION_LINE.finditer(script.read_text("utf-8"))}
        if set(found) != {"revision", "down_revision"} or not found["revision"] or found["revision"] in parents:
            return None
        parents[str(found["revision"])] = found["down_revision"]
    heads = set(parents) - set(parents.values())
    if len(heads) != 1 or any(parent is not None and parent not in parents for parent in parents.values()):
        return None
    return tuple(parents), heads.pop()


def head_revision() -> str:
    chain = _revision_chain()
    if chain is not None:
        return chain[1]
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every schema revision this program knows (a later one was written by a newer program)."""
    chain = _revision_chain()
    if chain is not None:
        return set(chain[0])
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The revision the archive's schema is at (None: no schema yet), read from Alembic's own table as
    Alembic reads it; several rows (branches, which this program never makes) are left to Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalars().all()
        if len(rows) <= 1:
            return rows[0] if rows else None
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()


def backup_file(path: Path, label: str, key: bytes | None = None) -> Path:
    """Copy an archive file aside with the online backup API (safe with WAL), encrypted with the same
    key as the file, readable by the owner only; return the copy's path."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix}.bak")
    cipher.copy_database(path, target, key)
    return target


def backup_before_upgrade(engine: Engine, path: Path, head: str, key: bytes | None, compatibility: int) -> Path:
    """The copy made before a schema upgrade. An encrypted archive's goes, with its keyring, to the
    archive's backup folder (the administrator's choice, else ``backups`` beside it), where the rotation
    keeps the newest few (services/backups.py). A plain file (tests), and the version-0.1 file being
    encrypted (its keyring has no account yet, so a pair could not be opened), are copied beside
    themselves as ``.bak`` as before."""
    from zhuji_archive.domain.backup_rotation import BackupKind
    from zhuji_archive.domain.settings import BACKUP_FOLDER_KEY
    from zhuji_archive.storage import backup_files, keyring

    ring_file = keyring.keyring_path(path)
    if key is None or not ring_file.exists() or not keyring.Keyring.load(ring_file).slots:
        # No account can open a copy yet (a version-0.1 file being encrypted): no restorable pair
        return backup_file(path, f"before-{head}", key)
    try:
        with engine.connect() as connection:
            chosen = connection.exec_driver_sql(
                "SELECT value FROM setting WHERE key = ?", (BACKUP_FOLDER_KEY,)
            ).scalar()
    except Exception:  # noqa: BLE001 - an old schema without the setting: the default folder
        chosen = None
    folders = [Path(chosen)] if chosen else []
    folders.append(backup_files.default_folder(path))
    for folder in folders:
        try:
            made = backup_files.write(path, folder, BackupKind.UPGRADE, key, datetime.now(), compatibility)
        except backup_files.BackupError as error:
            if folder == folders[-1]:
                raise DatabaseError(f"数据库升级前的备份没有做成，未升级：{error}") from error
            continue
        if not made.verified:
            raise DatabaseError(f"数据库“{path.name}”升级前的备份未通过完整性校验，未升级。文件可能已损坏。")
        return made.path
    raise AssertionError("unreachable")


def upgrade(engine: Engine) -> None:
    from alembic import command

    config = alembic_config()
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
    read_only: bool = False  # opened read-only: the file or its folder cannot be written
    read_only_reason: str = ""  # why, in Chinese, for the window's banner
    key: bytes | None = field(default=None, repr=False)  # the file's SQLCipher key (None: plain or server)
    compatibility: int = cipher.COMPATIBILITY

    @property
    def on_hub(self) -> bool:
        """A township hub on a PostgreSQL server rather than a laptop's file."""
        return self.engine.dialect.name == "postgresql"

    @property
    def shown_as(self) -> str:
        """Where the archive is, as the user may see it: the file, or the hub's server and database
        (never its password)."""
        return hub.where(self.engine.url) if self.on_hub else str(self.path or "")

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together or rolled back together.

        A record that another window or process changed after this transaction read it (its version
        moved on, storage/versions.py) rolls the whole transaction back as ``ChangedMeanwhile``: a rule
        the user can act on (reload and try again), not a program error."""
        try:
            with self.sessions.begin() as session:
                versions.pin_records(session)
                yield session
        except StaleDataError as error:
            raise ChangedMeanwhile() from error

    def run(self, unit: Callable[[Session], T], attempts: int = CONFLICT_ATTEMPTS) -> T:
        """``unit(session)`` in one ``transaction``, run again when the hub rolled it back because it
        met another writer in a deadlock or a serialization failure (SQLSTATE 40P01/40001, classified
        ``Trouble.CONFLICT``): nothing of it was applied, so a unit that reads everything it decides
        on inside its transaction can simply be re-run. After ``attempts`` the error stands and is
        told as a conflict (storage/errors.py: "…没有保存，数据未改动。请重试。"). SQLite never
        raises these (one writer at a time), so there the unit runs once as before."""
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as session:
                    return unit(session)
            except DBAPIError as error:
                if attempt == attempts or classify(error) is not Trouble.CONFLICT:
                    raise
                LOGGER.info("与他人的修改冲突，第 %d 次重做", attempt)
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # let the other writer finish first
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.engine.dispose()


class ChangedMeanwhile(DomainError):
    """A record was changed by someone else between reading it and writing it; nothing was written."""

    def __init__(self) -> None:
        super().__init__("这条记录刚被他人修改，本次操作未保存。请刷新（重新打开）后再操作。")


def sqlite_url(path: Path, *, read_only: bool = False, immutable: bool = False) -> URL:
    """The URL of an archive file, built as an object so that "%", "?" or "#" in a folder's name are
    part of the path, not URL syntax. Read-only opens use SQLite's URI form (path percent-encoded)."""
    if not (read_only or immutable):
        return URL.create("sqlite", database=str(path))
    # immutable: on read-only media SQLite cannot create the WAL index beside the file, and nobody can
    # write there anyway; mode=ro: a file this account may not write, in a folder it may.
    flag = "immutable=1" if immutable else "mode=ro"
    return URL.create("sqlite", database=f"file:{quote(str(path.resolve()))}?{flag}", query={"uri": "true"})


def _on_read_only_media(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _writable(path: Path) -> bool:
    """Whether this account may change the file (and create the journal beside it)."""
    if _on_read_only_media(path):
        return False
    return (not path.exists() or os.access(path, os.W_OK)) and os.access(path.parent, os.W_OK)


def find_backups(path: Path) -> list[tuple[Path, datetime]]:
    """The copies that upgrades of plain files put beside ``path`` (name.before-…suffix.bak) and the
    backups in the ``backups`` folder beside it, newest first."""
    try:
        found = [p for p in path.parent.glob(f"{glob.escape(path.stem)}.*{glob.escape(path.suffix)}.bak") if p.is_file()]
        # the encrypted backups (storage/backup_files.py) in the ``backups`` folder beside it
        folder = path.parent / "backups"
        if folder.is_dir():
            found += [p for p in folder.glob(f"{glob.escape(path.stem)}.*{glob.escape(path.suffix)}") if p.is_file()]
    except OSError:
        return []
    dated = [(p, datetime.fromtimestamp(p.stat().st_mtime)) for p in found]
    return sorted(dated, key=lambda item: item[1], reverse=True)


def damaged_message(path: Path) -> str:
    """What to tell the user about a damaged archive: where its backups are, with their dates."""
    backups = find_backups(path)
    text = f"数据库文件“{path}”已损坏，无法打开。"
    if not backups:
        return text + "在它所在的文件夹中没有找到备份副本（.bak 文件）；请用您另行保存的备份恢复。"
    lines = "\n".join(f"· {p}（{when:%Y-%m-%d %H:%M}）" for p, when in backups)
    return (
        text
        + "可以用以下备份副本恢复（把副本复制一份，改名为原文件名后打开；“backups”文件夹中的备份须连同"
        "同名的钥匙文件（.keys）一起复制、一起改名）：\n"
        + lines
    )


def _truncated(path: Path) -> bool:
    """A file shorter than its own header says (copied off a stick that was pulled out)."""
    try:
        with open(path, "rb") as file:
            header = file.read(100)
        size = path.stat().st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]  # the page count is valid only when these agree
    wal = path.with_name(path.name + "-wal")
    return header_valid and pages * page_size > size and not (wal.exists() and wal.stat().st_size)


def open_database(path: Path | str, key: bytes | None = None, compatibility: int = cipher.COMPATIBILITY) -> Database:
    """Open (creating if needed) an archive file and bring its schema to the current version.

    Every failure is a DatabaseError with a Chinese message. A file this account cannot write opens
    read-only (``Database.read_only``); a damaged file is refused, naming its backups."""
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"“{path}”是一个文件夹，不是档案数据库文件")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(f"无法建立文件夹“{path.parent}”：{_os_reason(error)}") from error
    exists = path.exists()
    if exists and _truncated(path):
        raise DatabaseError(damaged_message(path))
    read_only = exists and not _writable(path)
    if not exists and not _writable(path):
        raise DatabaseError(f"“{path.parent}”是只读的，不能在这里新建档案。请选择一个可以写入的文件夹。")
    url = sqlite_url(path, read_only=read_only, immutable=read_only and _on_read_only_media(path))
    try:
        db = open_url(url, path, read_only=read_only, key=key, compatibility=compatibility)
        if read_only:
            db.read_only_reason = "档案文件或所在的文件夹是只读的"
        return db
    except DatabaseError:
        raise
    except Exception as error:
        trouble = classify(error)
        if trouble is Trouble.DAMAGED:
            raise DatabaseError(damaged_message(path)) from error
        if trouble in (Trouble.DISK_FULL, Trouble.IO) and exists and _disk_full(path):
            return _open_on_full_disk(path, error, key, compatibility)
        if trouble is not None:
            raise DatabaseError(f"无法打开数据库文件“{path}”：{_opening_reason(error)}") from error
        raise


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def _open_on_full_disk(path: Path, error: Exception, key: bytes | None, compatibility: int) -> Database:
    """SQLite cannot even set up reading beside the file. When the archive was closed cleanly (no
    journal left), it can still be read as it is: open read-only rather than not at all."""
    journals = [path.with_name(path.name + suffix) for suffix in ("-wal", "-journal")]
    if any(journal.exists() and journal.stat().st_size for journal in journals):
        raise DatabaseError(
            f"磁盘空间已满，无法打开数据库文件“{path}”。请清理磁盘（删除不需要的文件）后再打开。"
        ) from error
    db = open_url(sqlite_url(path, immutable=True), path, read_only=True, key=key, compatibility=compatibility)
    db.read_only_reason = "磁盘空间已满，修改无法保存；请清理磁盘后重新打开"
    return db


def _opening_reason(error: BaseException) -> str:
    trouble = classify(error)
    if trouble is Trouble.LOCKED:
        return "文件正被另一个程序独占使用，请稍后再试。"
    if trouble is Trouble.CANNOT_OPEN:
        return "文件所在的文件夹可能已被移走，或没有读取的权限。"
    if trouble is Trouble.DISK_FULL:
        return "磁盘空间已满，请清理磁盘后再打开。"
    if trouble is Trouble.READ_ONLY:
        return "文件是只读的。"
    return "读写磁盘时出错（磁盘或U盘可能已拔出或损坏）。"


def _os_reason(error: OSError) -> str:
    return describe_environment_error(error) or "系统拒绝了这个操作"


def open_url(
    url: str | URL,
    path: Path | None = None,
    *,
    read_only: bool = False,
    key: bytes | None = None,
    compatibility: int = cipher.COMPATIBILITY,
    upgrade_hub: bool = False,
) -> Database:
    """Open any SQLAlchemy URL as an archive. Nothing is written unless the schema must be upgraded
    (or the file is new); statistics are refreshed only when missing or stale and the file writable.

    A hub at an older schema is upgraded only when ``upgrade_hub`` says so (``zhuji-archive hub
    upgrade`` by its administrator): every window in the township works on it, and a newer program on one
    laptop must not change it under the others' feet."""
    engine = make_engine(url, key, compatibility)
    where = path or (hub.where(url) if hub.is_hub_location(url) else url)
    try:
        try:
            current = current_revision(engine)
        except Exception as exc:
            if classify(exc) is not None:
                raise
            raise DatabaseError(f"无法打开数据库文件“{where}”：它不是可以识别的档案数据库文件。") from exc
        if current is None and inspect(engine).get_table_names():
            # Tables but no schema version: another program's database. Migrating it would fail half-way
            # with a raw SQL error (or mix our tables into someone else's file).
            raise DatabaseError(f"“{where}”不是群众档案的数据库文件（其中已有其他数据表），未打开。")
        head = head_revision()
        if current is not None and current not in known_revisions():
            raise DatabaseError(
                f"数据库“{where}”由更新版本的程序写入（版本 {current}），本程序无法安全打开。请升级程序。"
            )
        if read_only and current != head:
            raise DatabaseError(
                f"数据库“{where}”是只读的，而它由旧版本程序建立、需要先升级才能打开。"
                "请把它复制到可以写入的文件夹后再打开（升级前会自动保留一份副本）。"
            )
        backup = None
        if not read_only and engine.dialect.name == "postgresql":
            if current is not None and current != head and not upgrade_hub:
                raise DatabaseError(
                    f"镇里的数据库“{where}”由旧版本程序建立（版本 {current}），需要先升级才能用本程序打开。"
                    "请镇里的系统管理员在大家关闭程序后运行 zhuji-archive hub upgrade（升级前请先用 pg_dump 备份）。"
                )
            if current != head:
                upgrade(engine)
        elif not read_only:
            # WAL is a property of the file: set it only once the file is known to be ours and
            # current-or-older, so a refused file (newer version, another program's) stays as it was.
            with engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                if str(mode).lower() != "wal":
                    connection.exec_driver_sql("PRAGMA journal_mode = WAL")
            if current != head:
                if current is not None and path is not None and path.exists():
                    backup = backup_before_upgrade(engine, path, head, key, compatibility)
                upgrade(engine)
            refresh_statistics(engine)
    except BaseException:
        engine.dispose()
        raise
    sessions = sessionmaker(engine, expire_on_commit=False)
    versions.install(sessions)
    audit_log.install(sessions)  # after versions: entries are chained with their version
    return Database(
        engine=engine,
        sessions=sessions,
        path=path,
        backup=backup,
        read_only=read_only,
        key=key,
        compatibility=compatibility,
    )


def settle_after_bulk_load(engine: Engine) -> None:
    """After a bulk load (the demo town, a whole archive brought in): the planner's statistics made
    afresh, and on a hub the tally tables that the load's triggers bloated rewritten (storage/hub.py).
    SQLite's triggers update the tally rows in place and leave nothing to rewrite."""
    if engine.dialect.name == "postgresql":
        hub.settle_after_bulk_load(engine)
        return
    with engine.begin() as connection:  # sampled, as refresh_statistics makes them on opening
        connection.exec_driver_sql("PRAGMA analysis_limit = 400")
        connection.exec_driver_sql("ANALYZE")


def refresh_statistics(engine: Engine) -> None:
    """Table statistics let SQLite start a search from the few matching members instead of walking
    all households in list order (19 ms → 0.1 ms for an ID number at 100,000 households). They are
    (re)built only when missing or when the number of households has changed by a quarter since, and
    never at the cost of the open: a full disk or a locked file just leaves the old statistics."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            has_statistics = connection.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).scalar()
            analysed = (
                connection.exec_driver_sql(
                    "SELECT stat FROM sqlite_stat1 WHERE tbl = 'household' AND idx IS NOT NULL LIMIT 1"
                ).scalar()
                if has_statistics
                else None
            )
            households = connection.exec_driver_sql("SELECT count(*) FROM household").scalar() or 0
    except Exception as error:  # noqa: BLE001 - statistics are an optimisation; the open goes on
        trouble = classify(error)
        if trouble is None:
            raise
        LOGGER.warning("统计信息未检查: %s", trouble.value)
        return
    rows = int(str(analysed).split()[0]) if analysed else 0  # an empty table gets no statistics row
    if has_statistics and abs(households - rows) * 4 <= max(rows, 100):
        return
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit = 400")
            connection.exec_driver_sql("ANALYZE")
    except Exception as error:  # noqa: BLE001 - statistics are an optimisation; the open goes on
        trouble = classify(error)
        if trouble is None:
            raise
        LOGGER.warning("统计信息未更新: %s", trouble.value)


def open_hub(url: str | URL, *, upgrade: bool = False) -> Database:
    """Open a hub (an archive on a PostgreSQL server); an empty database gets the current schema, an
    older schema is upgraded only when ``upgrade`` is set (see ``open_url``).

    A server that cannot be reached, or refuses the connection, is a DatabaseError naming the server
    (never the password in the URL)."""
    try:
        return open_url(hub.hub_url(url), upgrade_hub=upgrade)
    except DatabaseError:
        raise  # its message already names the hub by server and database (open_url's ``where``)
    except Exception as error:
        if classify(error) is None:
            raise
        raise _hub_trouble(url, error) from error


def _hub_trouble(url: str | URL, error: Exception) -> DatabaseError:
    """The Chinese DatabaseError for a hub that could not be opened for a reason of the machine or the
    network, naming the server (never the password): refused (anything answers at the address), a
    password wanted (libpq asked for one and had none), or nothing answering."""
    answers = classify(error) is Trouble.UNREACHABLE and hub.server_answers(url)
    reason = hub_connect_message(error, answers) or describe_environment_error(error)
    return DatabaseError(f"无法打开镇里的数据库“{hub.where(url)}”：{reason}")


def hub_schema_version(url: str | URL) -> tuple[str | None, str]:
    """The hub's schema revision and this program's (None: no archive there yet)."""
    engine = hub.make_engine(url)
    try:
        return current_revision(engine), head_revision()
    except Exception as error:
        raise _hub_trouble(url, error) from error
    finally:
        engine.dispose()


def hub_has_schema(url: str | URL) -> bool:
    """Whether the hub's database already holds an archive (its schema version table)."""
    engine = hub.make_engine(url)
    try:
        return current_revision(engine) is not None
    except Exception as error:
        if classify(error) is None:
            raise
        raise _hub_trouble(url, error) from error
    finally:
        engine.dispose()

