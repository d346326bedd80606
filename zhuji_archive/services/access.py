"""Getting into an archive: what state a file is in, making a new one, logging in.

A file is in one of four states. NEW: no file yet. PLAIN: written by version 0.1 (unencrypted, no
accounts): the first start of this version creates the administrator and encrypts it. LOCKED: an
encrypted archive with its keyring; an account's password opens it. NO_KEYRING: encrypted, but the
keyring beside it is missing.
"""

from __future__ import annotations

import logging
import shutil
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path

from zhuji_archive.domain.accounts import (
    WHOLE_TOWN_ROLES,
    Actor,
    Role,
    ScopeUnit,
    UnitKind,
    check_login,
    check_password,
    failed_login_delay,
    normalise_login,
)
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.accounts import clean_display_name
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import account_queries, cipher, hub, keyring, login_failures, passwords
from zhuji_archive.storage.backup_files import BackupError, BackupFile
from zhuji_archive.storage.database import (
    ChangedMeanwhile,
    Database,
    DatabaseError,
    hub_has_schema,
    hub_schema_version,
    known_revisions,
    open_database,
    open_hub,
)
from zhuji_archive.storage.errors import classify, describe_environment_error
from zhuji_archive.storage.models import Account, utcnow
from zhuji_archive.views.audit import UNKNOWN_LOGIN

LOGGER = logging.getLogger("zhuji_archive.access")
WRONG_LOGIN = "登录名或密码不正确。"


class ArchiveState(Enum):
    NEW = "new"
    PLAIN = "plain"
    LOCKED = "locked"
    NO_KEYRING = "no-keyring"


class LoginRefused(DomainError):
    """Wrong login or password, a disabled account, or too many attempts: the Chinese reason.

    ``wait_seconds`` is set when the account must wait before the next attempt."""

    def __init__(self, message: str, wait_seconds: int = 0) -> None:
        super().__init__(message, "password")
        self.wait_seconds = wait_seconds


def state(path: Path | str) -> ArchiveState:
    """The state of an archive file, or of a hub (a ``postgresql://`` URL: NEW until its first
    administrator exists, then LOCKED)."""
    if hub.is_hub_location(path):
        return _hub_state(str(path))
    path = Path(path)
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return ArchiveState.NEW
    if cipher.is_plain_sqlite(path):
        return ArchiveState.PLAIN
    if not keyring.keyring_path(path).exists():
        return ArchiveState.NO_KEYRING
    return ArchiveState.LOCKED


def is_hub(location: object) -> bool:
    """Whether an archive location is a hub's ``postgresql://`` URL rather than a file."""
    return hub.is_hub_location(location)


def shown(location: Path | str) -> str:
    """An archive's location as the user may see it: a file's path, a hub's server and database, never
    the password in its URL."""
    return hub.where(str(location)) if hub.is_hub_location(location) else str(location)


def is_foreign_file(path: Path | str) -> bool:
    """A file that is neither a plain archive nor looks like an encrypted one (a text file, a workbook
    named by mistake): refused as such, rather than as an archive whose keyring is missing."""
    path = Path(path)
    return state(path) is ArchiveState.NO_KEYRING and not cipher.looks_encrypted(path)


def create(
    path: Path | str, login: str, display_name: str, password: str, today: date | None = None
) -> Archive:
    """A new encrypted archive (or the plain one of version 0.1, encrypted now) with its first
    administrator; returned logged in as that administrator. ``path`` may name a hub instead."""
    login = check_login(login)
    name = clean_display_name(display_name or "系统管理员")
    check_password(password, login)
    if hub.is_hub_location(path):
        return _create_hub(str(path), login, name, password, today)
    path = Path(path)
    current = state(path)
    if current is ArchiveState.LOCKED:
        raise DomainError("这个档案已经建立了账号，请用账号登录。")
    if current is ArchiveState.NO_KEYRING:
        raise DatabaseError(keyring_missing_message(path))
    ring = keyring.Keyring.new()
    key = cipher.new_key()
    ring_file = keyring.keyring_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(
            f"无法建立文件夹“{path.parent}”：{describe_environment_error(error) or '系统拒绝了这个操作'}"
        ) from error
    if current is ArchiveState.PLAIN:
        _encrypt_plain(path, key, ring, ring_file)
    else:
        ring.save(ring_file)
    db = open_database(path, key, ring.compatibility)
    try:
        cipher.restrict_to_owner(path)
        with db.transaction() as session:
            if account_queries.count(session):
                raise DomainError("这个档案已经建立了账号，请用账号登录。")
            account = Account(
                login=login,
                display_name=name,
                role=Role.ADMIN.value,
                password_hash=passwords.hash_password(password),
            )
            session.add(account)
        ring.add_slot(login, password, key)
        ring.save(ring_file)
        actor = actor_of(db, login)
        archive = Archive.start(db, actor, today)
        archive.audit.logged_in()  # the administrator's first login
    except BaseException:
        db.close()
        raise
    return archive


def _encrypt_plain(path: Path, key: bytes, ring: keyring.Keyring, ring_file: Path) -> None:
    """Encrypt a version-0.1 file in place: an encrypted copy is made and verified beside it, the
    keyring written, then the copy replaces the plain file. The plain copies that earlier upgrades
    left beside it (.bak) are encrypted the same way, so no plaintext stays in the folder."""
    work = path.with_name(path.name + ".encrypting")
    work.unlink(missing_ok=True)
    try:
        cipher.copy_database(path, work, None, target_key=key)
        problems = cipher.integrity_problems(work, key)
        if problems:
            raise DatabaseError(f"档案“{path.name}”加密后校验未通过，原文件未改动。")
    except BaseException:
        work.unlink(missing_ok=True)
        raise
    ring.save(ring_file)
    for journal in ("-wal", "-shm"):
        path.with_name(path.name + journal).unlink(missing_ok=True)
    shutil.move(str(work), str(path))
    for old_copy in path.parent.glob(path.stem + ".*.bak"):
        if cipher.is_plain_sqlite(old_copy):
            encrypted = old_copy.with_name(old_copy.name + ".encrypting")
            cipher.copy_database(old_copy, encrypted, None, target_key=key)
            shutil.move(str(encrypted), str(old_copy))
    LOGGER.info("旧版档案已加密")


def keyring_missing_message(path: Path) -> str:
    return (
        f"档案“{path.name}”是加密的，但它旁边没有钥匙文件“{keyring.keyring_path(path).name}”，无法打开。"
        "复制或移动档案时，须把这两个文件一起复制；请从原来的文件夹或备份中找回钥匙文件。"
    )


def unlock(
    path: Path | str, login: str, password: str, today: date | None = None, *, daily: bool = True
) -> Archive:
    """Log in: the archive opened with the key this account's password unwraps (on a hub: checked
    against the account's password hash). The day's first login backs the archive up here unless
    ``daily`` is False: the window makes that backup (``daily_backup``) on a worker once it shows, since
    copying a county's archive takes seconds."""
    if hub.is_hub_location(path):
        return _unlock_hub(str(path), login, password, today)
    path = Path(path)
    current = state(path)
    if current is ArchiveState.NO_KEYRING:
        raise DatabaseError(keyring_missing_message(path))
    if current is not ArchiveState.LOCKED:
        raise DomainError("这个档案还没有账号，请先建立系统管理员账号。")
    ring_file = keyring.keyring_path(path)
    ring = keyring.Keyring.load(ring_file)
    login = normalise_login(login)
    now = keyring.now_utc()
    wait = seconds_to_wait(ring, login, now)
    if wait:
        raise LoginRefused(f"密码错误次数过多，请 {wait} 秒后再试。", wait)
    try:
        key = ring.unwrap(login, password)
    except keyring.WrongPassword:
        ring = _update_quietly(ring_file, lambda r: r.record_failure(login, now)) or ring
        raise LoginRefused(WRONG_LOGIN, seconds_to_wait(ring, login, now)) from None
    db = open_database(path, key, ring.compatibility)
    try:
        with db.sessions() as session:
            account = account_queries.by_login(session, login)
            if account is None or account.disabled:
                raise LoginRefused("这个账号已停用，请联系系统管理员。")
        _note_login(db, login)
        actor = actor_of(db, login)
        if not db.read_only and ring.failure_count(login)[0]:
            _update_quietly(ring_file, lambda r: r.clear_failures(login))
        archive = Archive.start(db, actor, today)
        if not db.read_only and _log_login(archive, _pending_failures(db, ring)) and ring.pending_failures:
            _update_quietly(ring_file, _forget(list(ring.pending_failures)))  # now in the log
    except BaseException:
        db.close()
        raise
    if daily:
        archive.daily_backup = daily_backup(archive)
    return archive


def _log_login(archive: Archive, failures: list[tuple[str | None, str, datetime]]) -> bool:
    """Log the login (and the failures kept since). A file another program holds locked, or a full
    disk, must not keep the account out: the entry is then missing (the log file says so) and the
    failures stay in the keyring for the next login."""
    try:
        archive.audit.logged_in(failures)
        return True
    except Exception as error:  # noqa: BLE001 - only the machine's troubles are passed over
        trouble = classify(error)
        if trouble is None:
            raise
        LOGGER.warning("登录未能记入操作日志: %s", trouble.value)
        return False


def _forget(logged: list[dict[str, str]]):
    """A keyring change dropping the pending failures just logged (others may have come meanwhile)."""

    def change(ring: keyring.Keyring) -> None:
        ring.pending_failures[:] = [entry for entry in ring.pending_failures if entry not in logged]

    return change


def _pending_failures(db: Database, ring: keyring.Keyring) -> list[tuple[str | None, str, datetime]]:
    """The failed logins the keyring kept while the archive was closed, as (account id or None, the
    account's name or 未知登录名, when): its slots are digests of login names, matched here."""
    if not ring.pending_failures:
        return []
    with db.sessions() as session:
        accounts = {
            ring.slot_name(a.login): (a.id, a.display_name) for a in account_queries.all_accounts(session)
        }
    failures = []
    for entry in ring.pending_failures:
        try:
            when = datetime.fromisoformat(entry["at"])
        except (KeyError, ValueError):
            continue
        account_id, name = accounts.get(entry.get("slot", ""), (None, UNKNOWN_LOGIN))
        failures.append((account_id, name, when))
    return failures


def daily_backup(archive: Archive) -> BackupFile | None:
    """The day's first login backs the archive up (for every account). A backup that cannot be made
    (a full disk) must not keep anyone out: it is logged, and tried again at the next login."""
    try:
        return archive.backups.daily()
    except (BackupError, DomainError, OSError) as error:
        LOGGER.warning("每日自动备份没有做成：%s", type(error).__name__)
        return None


def _note_login(db: Database, login: str) -> None:
    """Record the time of this login. Bookkeeping: a file another program holds locked, or a full disk,
    does not keep the account out (the archive then opens as it is)."""
    if db.read_only:
        return
    try:
        with db.transaction() as session:
            account = account_queries.by_login(session, login)
            if account is not None:
                account.last_login_at = utcnow()
    except ChangedMeanwhile:
        return  # the same account logged in from another window at the same moment
    except Exception as error:  # noqa: BLE001 - only the machine's troubles are passed over
        if classify(error) is None:
            raise
        LOGGER.warning("登录时间未记录: %s", classify(error).value)


def seconds_to_wait(ring: keyring.Keyring, login: str, now: datetime) -> int:
    count, last = ring.failure_count(login)
    delay = failed_login_delay(count)
    if not delay or last is None:
        return 0
    remaining = (last + timedelta(seconds=delay) - now).total_seconds()
    # Half a second's grace: a window's countdown timer may end a little early, and the user who
    # waited it out must not be told to wait "1 second" more.
    return 0 if remaining <= 0.5 else int(remaining + 0.999)


def _update_quietly(ring_file: Path, change) -> keyring.Keyring | None:
    """The failure count is a nuisance for a guesser, not a lock: a read-only folder skips it."""
    try:
        return keyring.update(ring_file, change)
    except (OSError, keyring.KeyringError):
        LOGGER.warning("登录失败次数未能写入钥匙文件")
        return None


def actor_of(db: Database, login: str) -> Actor:
    """The account as the services see it, its scope resolved to villages."""
    with db.sessions() as session:
        account = account_queries.by_login(session, login)
        if account is None:
            raise LoginRefused(WRONG_LOGIN)
        return _actor(session, account)


def _actor(session, account: Account) -> Actor:
    role = Role(account.role)
    units = tuple(ScopeUnit(UnitKind(s.unit_kind), s.unit_id) for s in account.scope)
    whole = (
        role in WHOLE_TOWN_ROLES
        or any(u.kind is UnitKind.TOWN for u in units)
        or (role is Role.READER and not units)
    )
    villages = None if whole else account_queries.villages_of(session, units)
    if role is Role.ADMIN:
        villages = frozenset()
    return Actor(account.id, account.login, account.display_name, role, villages, units)


def refreshed(archive: Archive) -> Archive:
    """The same archive with its actor read again (after the organisation or the account changed)."""
    return Archive(archive.db, actor_of(archive.db, archive.actor.login), archive.clock.fixed)


# ----- a hub (PostgreSQL): no file, no keyring; passwords are checked against the account's hash -----


def _hub_state(url: str) -> ArchiveState:
    if not hub_has_schema(url):
        return ArchiveState.NEW
    db = open_hub(url)
    try:
        with db.sessions() as session:
            return ArchiveState.LOCKED if account_queries.count(session) else ArchiveState.NEW
    finally:
        db.close()


def _create_hub(url: str, login: str, name: str, password: str, today: date | None) -> Archive:
    db = open_hub(url)
    try:
        with db.transaction() as session:
            if account_queries.count(session):
                raise DomainError("这个档案已经建立了账号，请用账号登录。")
            session.add(
                Account(
                    login=login,
                    display_name=name,
                    role=Role.ADMIN.value,
                    password_hash=passwords.hash_password(password),
                )
            )
        archive = Archive.start(db, actor_of(db, login), today)
        archive.audit.logged_in()
    except BaseException:
        db.close()
        raise
    return archive


def upgrade_hub(url: str, login: str, password: str) -> tuple[str, str]:
    """Bring a hub's schema to this program's version, for its 系统管理员 (checked against the account
    table as it is before the upgrade): (the revision before, the revision now)."""
    login = normalise_login(login)
    before, head = hub_schema_version(url)
    if before is None:
        raise DomainError("这里还没有群众档案：请先用 zhuji-archive hub init 建立。")
    if before not in known_revisions():
        raise DatabaseError(f"镇里的数据库由更新版本的程序写入（版本 {before}），本程序无法升级它。请升级程序。")
    engine = hub.make_engine(url)
    try:
        with engine.connect() as connection:
            stored = account_queries.administrator_hash(connection, login)
    finally:
        engine.dispose()
    if not passwords.verify_password(stored or _DECOY_HASH(), password) or stored is None:
        raise LoginRefused("只有镇里数据库的系统管理员可以升级它：登录名或密码不正确。")
    open_hub(url, upgrade=True).close()
    return before, head


def _unlock_hub(url: str, login: str, password: str, today: date | None) -> Archive:
    login = normalise_login(login)
    db = open_hub(url)
    try:
        with db.transaction() as session:
            login_failures.take_turn(session, login)  # the next attempt sees this one's failure
            now = keyring.now_utc()
            wait = _hub_wait(session, login, now)
            if wait:
                raise LoginRefused(f"密码错误次数过多，请 {wait} 秒后再试。", wait)
            account = account_queries.by_login(session, login)
            # An unknown login costs the same hash as a known one: the time taken tells nothing.
            stored = account.password_hash if account is not None else _DECOY_HASH()
            right = passwords.verify_password(stored, password) and account is not None
            if not right:
                login_failures.record(session, login, now)
        if not right:
            with db.sessions() as session:
                raise LoginRefused(WRONG_LOGIN, _hub_wait(session, login, now))
        if account.disabled:
            raise LoginRefused("这个账号已停用，请联系系统管理员。")
        _note_login(db, login)
        archive = Archive.start(db, actor_of(db, login), today)
        _log_hub_login(archive, login)
    except BaseException:
        db.close()
        raise
    archive.daily_backup = None  # a hub is backed up by the server (pg_dump), not by the application
    return archive


def _hub_wait(session, login: str, now: datetime) -> int:
    count, last = login_failures.count_since_success(session, login)
    delay = failed_login_delay(count)
    if not delay or last is None:
        return 0
    remaining = (last + timedelta(seconds=delay) - now).total_seconds()
    return 0 if remaining <= 0.5 else int(remaining + 0.999)


def _log_hub_login(archive: Archive, login: str) -> None:
    """The login goes into the change log with the failures since the last one. They are claimed first
    (marked in one statement, so a login at the same moment cannot write them too), and released for
    the next login when the log cannot be written."""
    with archive.db.transaction() as session:
        failures = login_failures.claim_pending(session)
        accounts = {a.login: (a.id, a.display_name) for a in account_queries.all_accounts(session)}
        entries = [(*accounts.get(f.login, (None, UNKNOWN_LOGIN)), f.at) for f in failures]
        ids = [f.id for f in failures]
    logged = _log_login(archive, entries)
    with archive.db.transaction() as session:
        if logged:
            login_failures.clear(session, login)
        else:
            login_failures.release(session, ids)


_DECOY: list[str] = []


def _DECOY_HASH() -> str:  # noqa: N802 - a constant made on first use
    if not _DECOY:
        _DECOY.append(passwords.hash_password("decoy-password"))
    return _DECOY[0]


# ----- a hub's address as the connection window asks for it, and as this machine may keep it -----


def hub_location(host: str, port: int | None, database: str, user: str, password: str = "") -> str:
    """The address of a hub from what the connection window asked for. An empty password leaves it to
    libpq (``~/.pgpass`` or ``PGPASSWORD``); a password given is kept in this address for the session only."""
    return hub.location(host, port, database, user, password)


def hub_address(location: str) -> hub.HubAddress:
    """Server, port, database and database user of a hub (to fill the connection window again)."""
    return hub.address(location)


def remembered(location: Path | str) -> str:
    """What this machine may keep of an archive's location (its list of recent archives): a file's path,
    or a hub's address without the database password."""
    return hub.without_password(location) if is_hub(location) else str(Path(location))

