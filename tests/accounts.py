"""Opening archives in tests the way the program does: encrypted files, real accounts, real logins.

``open_archive`` makes the archive (and its administrator) when the file is new, makes an account for
the person named when there is none, and logs in as that person. The key derivation is cheap in tests
(conftest lowers ``keyring.KDF``); test_security_* checks the real cost.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from pathlib import Path

from zhuji_archive.domain.accounts import Actor, Role, ScopeUnit, UnitKind
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import account_queries, cipher, keyring

# ZHUJI_TEST_DATABASE=postgresql: the same tests on a hub. Each archive "file" a test names is then a
# database of its own on the test server (tests/pg_cluster.py), made from a migrated template.
BACKEND = os.environ.get("ZHUJI_TEST_DATABASE", "sqlite")
ON_HUB = BACKEND == "postgresql"
TEMPLATE = "zhuji_template"
_made: dict[str, Path] = {}  # hub databases made, by name: the archive path each stands for
_kept: set[str] = set()  # the template

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "Chief-2026"
PASSWORD = "Test-2026"


def login_for(name: str) -> str:
    """A stable login name for a display name (logins are ASCII)."""
    return "u" + hashlib.sha1(name.encode()).hexdigest()[:10]


def database_name(path: Path | str) -> str:
    return "t_" + hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:24]


def location(path: Path | str) -> Path | str:
    """Where the archive a test calls ``path`` lives: that file, or on a hub run a database named after it."""
    if not ON_HUB or str(path).startswith("postgresql"):
        return path
    import pg_cluster

    server = pg_cluster.cluster()
    name = database_name(path)
    if name not in _made and name not in _kept and not server.exists(name):
        _template(server)
        server.create(name, TEMPLATE)
        _made[name] = Path(path).resolve()
    return server.url(name)


def _template(server) -> None:
    """The migrated, empty template every test database is copied from (migrating once per session)."""
    if TEMPLATE in _kept:
        return
    from zhuji_archive.storage.database import open_hub

    server.create(TEMPLATE)
    open_hub(server.url(TEMPLATE)).close()
    _kept.add(TEMPLATE)


def migrated_hub(name: str) -> str:
    """A new hub database at the current schema with no account yet (a copy of the template)."""
    import pg_cluster

    server = pg_cluster.cluster()
    _template(server)
    return server.create(name, TEMPLATE)


def drop_test_databases(folder: Path) -> None:
    """After each test on a hub: the databases standing for files in its own ``tmp_path`` go (a
    session's worth would fill the disk); those of module and session fixtures stay."""
    folder = folder.resolve()
    mine = [name for name, path in _made.items() if path.is_relative_to(folder)]
    if not mine:
        return
    import pg_cluster

    server = pg_cluster.cluster()
    for name in mine:
        server.drop(name)
        del _made[name]


def ensure_created(path: Path | str) -> None:
    path = location(path)
    if access.state(path) in (access.ArchiveState.NEW, access.ArchiveState.PLAIN):
        access.create(path, ADMIN_LOGIN, "管理员", ADMIN_PASSWORD).close()


def admin(path: Path | str, today: date | None = None) -> Archive:
    path = location(path)
    ensure_created(path)
    return access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD, today)


def ensure_account(
    archive: Archive, name: str, role: Role = Role.OFFICE, villages: tuple[str, ...] = ()
) -> str:
    """The login of an account for ``name`` (made with the administrator's rights when missing)."""
    login = login_for(name + role.value + ",".join(villages))
    with archive.db.sessions() as session:
        exists = account_queries.by_login(session, login) is not None
    if not exists:
        chief = archive.acting_as(access.actor_of(archive.db, ADMIN_LOGIN))
        units = [ScopeUnit(UnitKind.VILLAGE, v) for v in villages]
        account_id = chief.accounts.create(login, name, role, units, PASSWORD)
        chief.accounts.reset_password(account_id, PASSWORD)  # reset by an admin: must change
        with archive.db.transaction() as session:
            account = account_queries.by_login(session, login)
            assert account is not None
            account.must_change_password = False
    return login


def open_archive(
    path: Path | str,
    name: str = "测试员",
    role: Role = Role.OFFICE,
    today: date | None = None,
    villages: tuple[str, ...] = (),
) -> Archive:
    """Log in to ``path`` as ``name`` with ``role`` (a 党政办 account by default: whole town, casework
    and the organisation), making the archive and the account first when needed."""
    path = location(path)
    with admin(path) as chief:
        login = ensure_account(chief, name, role, villages)
    return access.unlock(path, login, PASSWORD, today)


def as_person(
    archive: Archive,
    name: str,
    role: Role = Role.OFFICE,
    today: date | None = None,
    villages: tuple[str, ...] = (),
) -> Archive:
    """The same open file seen by another account (as a second window would see it)."""
    login = ensure_account(archive, name, role, villages)
    return archive.acting_as(access.actor_of(archive.db, login), today)


class HubConnection:
    """A psycopg connection that reads like the SQLite one the tests use (``?`` placeholders,
    ``execute`` on the connection): for tests that check the services against their own SQL."""

    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg.types.string import TextLoader

        self.connection = psycopg.connect(url, autocommit=True)
        # Dates as the ISO text SQLite keeps them in, so one expectation serves both
        self.connection.adapters.register_loader("date", TextLoader)

    def execute(self, sql: str, parameters=()):
        return self.connection.execute(sql.replace("%", "%%").replace("?", "%s"), parameters)

    def commit(self) -> None:
        """Each statement commits by itself (autocommit), as the tests' SQLite writes then commit."""

    def close(self) -> None:
        self.connection.close()


def table_names(connection) -> list[str]:
    """The archive's tables, by name, through ``raw_connection``/``raw_of`` on either database."""
    query = (
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        if isinstance(connection, HubConnection)
        else "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [name for (name,) in connection.execute(query)]


def where(db) -> Path | str:
    """Where an open archive lives, to open it again (a second window, another process): its file, or
    its hub's URL."""
    if db.path is not None:
        return db.path
    return db.engine.url.render_as_string(hide_password=False)


def raw_of(db) -> object:
    """``raw_connection`` for an open database: its file, or its hub database."""
    if db.path is None:
        return HubConnection(db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False))
    return raw_connection(db.path)


def raw_connection(path: Path | str):
    """A DB-API connection to an encrypted test archive, keyed with the administrator's slot (for tests
    that hold a lock or look at rows beneath the services). The same SQLite library as the program's:
    two copies of SQLite in one process do not see each other's locks. On a hub run: a connection to
    the database standing for the file."""
    if ON_HUB:
        return HubConnection(str(location(path)))
    ring = keyring.Keyring.load(keyring.keyring_path(Path(path)))
    key = ring.unwrap(ADMIN_LOGIN, ADMIN_PASSWORD)
    return cipher.connect(path, key)


def archive_key(path: Path | str) -> bytes:
    ring = keyring.Keyring.load(keyring.keyring_path(Path(path)))
    return ring.unwrap(ADMIN_LOGIN, ADMIN_PASSWORD)


def as_person_on(db, name: str, today: date | None = None, role: Role = Role.OFFICE) -> Archive:
    """An archive over an already open database acting for ``name`` (a 党政办 account by default)."""
    chief = Archive(db, access.actor_of(db, ADMIN_LOGIN))
    login = ensure_account(chief, name, role)
    return Archive(db, access.actor_of(db, login), today)


def copy_archive(source: Path | str, target: Path | str) -> Path:
    """A consistent copy of an encrypted archive and its keyring (what a backup holds); on a hub, a
    copy of the source's database."""
    if ON_HUB:
        import pg_cluster

        server = pg_cluster.cluster()
        name = database_name(target)
        server.create(name, database_name(source))
        _made[name] = Path(target).resolve()
        return Path(target)
    source, target = Path(source), Path(target)
    cipher.copy_database(source, target, archive_key(source))
    shutil.copyfile(keyring.keyring_path(source), keyring.keyring_path(target))
    return target


def detached_actor(name: str = "测试员", role: Role = Role.OFFICE) -> Actor:
    """An account that exists only in the test: for a file whose account table a downgrade emptied."""
    return Actor("detached", "detached", name, role, None)


def cli_as(login: str, password: str = PASSWORD):
    """The command line's main() logged in as ``login`` (``--user``, the password on standard input)."""
    import io
    import sys

    from zhuji_archive.cli import main

    def run(argv: list[str]) -> int:
        saved = sys.stdin
        sys.stdin = io.StringIO(password + "\n")
        try:
            return main(["--user", login, "--password-stdin", *argv])
        finally:
            sys.stdin = saved

    return run
