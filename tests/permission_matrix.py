"""The permission matrix of issue 10: every role × every service entry point × a target in scope and
one out of scope, written from the policy rather than from the services' checks.

``build_world`` makes one archive with two villages, 甲村 (in the scope of the village-bound accounts)
and 乙村 (outside it), each with households, requests, a common issue, a meeting, a must-visit event
and a cadre, and one account per role. ``REGISTRY`` says for every public method of every service the
``Archive`` offers how to call it on a target in a given village and what it needs; ``expected`` is
the policy:

- 系统管理员: accounts, settings, the organisation, audit, backup; no casework at all.
- 查看操作日志 (系统管理员, 党政办) reads, checks and exports the audit log; 备份与恢复 (系统管理员 only)
  lists, makes and restores backups and chooses where they go. The events the program notes for every
  account (a login, a file opened, a search by ID number, a number revealed) and the automatic backups
  (the day's first login, before an import) need no right of their own beyond what they note.
- 党政办: the whole town, all casework, 镇级审核, the monthly meeting, the organisation, settings.
- 镇领导: reads and exports the whole town; acts only on the requests it leads (Request.leader is its
  display name); every other write is refused.
- 驻村干部: casework in the villages of its scope; no review, no meeting.
- 村干部: casework in its one village.
- 只读: reads and exports in its scope; every write is refused.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import openpyxl
import psycopg
from accounts import ON_HUB, PASSWORD, archive_key, ensure_account, location, open_archive
from conftest import copy_archive
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.accounts import Actor, Capability, Role, ScopeUnit, UnitKind
from zhuji_archive.domain.backup_rotation import BackupKind, Retention
from zhuji_archive.domain.reporting import MONTHLY, period_of
from zhuji_archive.domain.workflow import Action, Level
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage import audit_log, backup_files, cipher, hub, keyring, versions
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.household_queries import HouseholdFilter
from zhuji_archive.storage.request_queries import RequestQuery
from zhuji_archive.views.audit import AuditFilter
from zhuji_archive.views.household_file import MemberData

TODAY = date(2026, 3, 18)  # a Wednesday; every business date below is before it
D = date.fromisoformat
LEADER_NAME = "王镇长"  # the 镇领导 account's display name: it leads the open request of 甲村
OTHER_LEADER = "李副镇长"  # leads the open request of 乙村

# One account per role; the village-bound roles (and the reader) cover 甲村 only.
PEOPLE: dict[Role, str] = {
    Role.ADMIN: "韩管理",
    Role.OFFICE: "党办员",
    Role.LEADER: LEADER_NAME,
    Role.CADRE: "驻村员",
    Role.VILLAGE: "村干员",
    Role.READER: "查阅员",
}
SCOPED_TO_IN = frozenset({Role.CADRE, Role.VILLAGE, Role.READER})

# The services an Archive offers (its cached properties); a new one must be added here and below.
SERVICES = (
    "accounts",
    "households",
    "household_list",
    "organisation",
    "villages",
    "codes",
    "settings",
    "requests",
    "meetings",
    "summaries",
    "exports",
    "request_exports",
    "maintenance",
    "service_links",
    "dashboard",
    "importer",
    "audit",
    "backups",
    "numbers",
    "sync",
)


class Side(Enum):
    """Which village a call is about, seen from the village-bound accounts."""

    IN = "in"  # 甲村: in their scope
    OUT = "out"  # 乙村: outside it
    TOWN = "town"  # the answer does not depend on the village: tried once (on 甲村's records if any)


@dataclass
class Place:
    """The records of one village that calls are made on."""

    name: str
    village: str = ""
    group: str = ""
    households: list[str] = field(default_factory=list)  # two households
    led: str = ""  # an open request under 挂牌督办 (led by 王镇长 in 甲村, by 李副镇长 in 乙村)
    registered: str = ""  # a request just recorded
    free: list[str] = field(default_factory=list)  # two registered requests of two households
    issue: str = ""  # a common issue of two households' requests
    meeting: str = ""  # a meeting with one 待上会 request of this village on its agenda
    awaiting: str = ""  # a 待上会 request not yet on any agenda
    on_agenda: str = ""  # the request on the meeting's agenda
    number: str = ""  # the 诉求编号 of ``registered``
    cadre: str = ""  # a 驻村干部 of the organisation assigned to this village
    link: str = ""  # a service link of that cadre to the village
    file: Any = None  # a household file loaded by 党政办, to save again
    info: Any = None  # the village information table loaded by 党政办
    decisions: list[Any] = field(default_factory=list)  # the meeting's decisions, filled in
    sources: list[Any] = field(default_factory=list)  # an import workbook read and assigned to the group
    plan: Any = None  # the import planned by 党政办


@dataclass
class World:
    """The session's archive and the ids a call needs."""

    path: Path
    files: Path  # where exports and workbooks go
    town: str = ""
    area: str = ""
    places: dict[Side, Place] = field(default_factory=dict)
    logins: dict[Role, str] = field(default_factory=dict)
    accounts: dict[Role, str] = field(default_factory=dict)  # account ids
    workbook: Path | None = None
    key: bytes = b""  # the file's key (none on a hub)
    saved: Path | None = None  # a backup of the world as built, outside every backup folder
    snapshot: Path | None = None  # the world as built, which the private copies are made from

    @property
    def backup(self) -> backup_files.BackupFile:
        """The saved backup, to restore (its files are only read). A hub has no file backups: the
        service refuses before it reads one, so the record of one that was never made stands in."""
        assert self.saved is not None
        if ON_HUB:
            return backup_files.BackupFile(self.saved, datetime(2026, 3, 18), BackupKind.MANUAL, "", 0, False)
        return next(b for b in backup_files.list_backups(self.saved.parent) if b.path == self.saved)

    def place(self, side: Side) -> Place:
        return self.places[Side.IN if side is Side.TOWN else side]

    def login(self, role: Role) -> Archive:
        return access.unlock(location(self.path), self.logins[role], PASSWORD, TODAY)


def _workbook(path: Path) -> Path:
    """A small import workbook: one household of two members."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一组"
    ws.append(["户主姓名", "成员姓名", "与户主关系", "出生日期"])
    ws.append(["钱来福", "钱来福", "户主", "1960-01-01"])
    ws.append(["钱来福", "孙桂英", "配偶", "1962-02-02"])
    wb.save(path)
    return path


def _household(arc: Archive, group: str, head: str) -> str:
    file = arc.households.new_file(group)
    file.members = [MemberData(name=head, relation="户主"), MemberData(name=head + "妻", relation="配偶")]
    file.focus_tags = ["低保户"]  # a focus household with no service link: 三式服务's coverage lists it
    return arc.households.save(file)


def _place(arc: Archive, world: World, side: Side, name: str, leader: str) -> Place:
    place = Place(name)
    org, requests = arc.organisation, arc.requests
    place.village = org.add_village(world.town, name, world.area if side is Side.IN else None)
    place.group = org.add_group(place.village, "一组")
    place.households = [_household(arc, place.group, f"{name[0]}{i}户") for i in ("甲", "乙")]
    first, second = place.households
    start = D("2026-03-02")

    place.led = requests.record(first, "生活困难", "危房改造", start)
    requests.act(
        place.led, Action.SORT, wf.Classification("生活困难", "个性", "近期一时难以解决", Level.JOINT)
    )
    assignment = wf.Assignment("镇村建办", "楼主任", D("2026-04-30"))
    requests.act(place.led, Action.JOINT, wf.Supervision("市信访局", start, leader, assignment))

    place.registered = requests.record(second, "道路交通", "路灯不亮", start)
    place.number = requests.detail(place.registered).row.number
    place.free = [requests.record(h, "水利", "沟渠堵塞", start) for h in place.households]
    issue_requests = [requests.record(h, "环境卫生", "垃圾清运", start) for h in place.households]
    place.issue = requests.create_common_issue(f"{name}垃圾清运", "", issue_requests)

    def to_town(household: str) -> str:
        rid = requests.record(household, "生活困难", "低保申请", start)
        requests.act(rid, Action.SORT, wf.Classification("生活困难", "个性", "近期一时难以解决", Level.TOWN))
        requests.act(rid, Action.REPORT)
        return rid

    place.on_agenda = to_town(first)
    place.awaiting = to_town(second)
    place.meeting = arc.meetings.create(D("2026-03-10"), f"{name}专题会议", "镇长、党政办主任")
    arc.meetings.add_requests(place.meeting, [place.on_agenda])
    place.decisions = [
        replace(row, unit="民政办", person="周主任", deadline=D("2026-04-30"))
        for row in arc.meetings.decisions(place.meeting)
    ]
    arc.meetings.save_decisions(place.meeting, place.decisions)
    place.decisions = arc.meetings.decisions(place.meeting)

    arc.maintenance.record_event(first, D("2026-03-16"), "生活困难", "")
    arc.maintenance.record_visit(second, D("2026-03-03"), "半年大走访", "驻村员")
    place.cadre = org.add_cadre(f"{name}干部", "驻村干部", village_id=place.village)
    place.link = arc.service_links.add_link(place.cadre, "驻点式", "village", place.village, start)
    return place


def build_world(path: Path, files: Path) -> World:
    """The archive every case runs on (copied first when the call may write)."""
    world = World(path, files)
    with open_archive(path, "建档员", Role.OFFICE, TODAY) as arc:
        world.town = arc.organisation.add_town("安华镇", "诸暨市", "330681")
        world.area = arc.organisation.add_area(world.town, "东片")
        arc.settings.set_holiday_override(D("2026-05-09"), True, "劳动节调休")  # one to remove
        world.places[Side.IN] = _place(arc, world, Side.IN, "甲村", LEADER_NAME)
        world.places[Side.OUT] = _place(arc, world, Side.OUT, "乙村", OTHER_LEADER)
        for role, name in PEOPLE.items():
            villages = (world.places[Side.IN].village,) if role in SCOPED_TO_IN else ()
            world.logins[role] = ensure_account(arc, name, role, villages)
            world.accounts[role] = access.actor_of(arc.db, world.logins[role]).account_id
        world.workbook = _workbook(files / "import.xlsx")
        for place in world.places.values():
            place.file = arc.households.load(place.households[0])
            place.file.address = "新地址1号"
            place.info = arc.villages.load(place.village)
            place.info.population = 1234
            importer = arc.importer
            sources = importer.read([world.workbook])
            importer.assign_groups(sources, place.village, "一组")
            place.sources = sources
            place.plan = importer.plan(sources)
    if ON_HUB:
        world.saved = files / "saved" / "matrix.sqlite3"  # never made: a hub has no file backups
    else:
        world.key = archive_key(path)
        with world.login(Role.ADMIN) as arc:  # the backup restored by the matrix's restores
            world.saved = arc.backups.make_now(files / "saved").path
    # before anyone logs in for the cases: a hub's database is copied only while nobody is connected
    world.snapshot = copy_archive(path, files / "snapshot.sqlite3")
    return world


# ----- the fingerprint of a database: what a refused call must leave as it was ----------------------


def fingerprint(arc: Archive) -> tuple[str, str]:
    """A digest of every row of every table, and of the keyring (accounts keep their key slots there).
    The world is small, so reading all of it costs a few milliseconds."""
    if arc.db.engine.dialect.name == "postgresql":
        return _hub_fingerprint(arc), ""
    digest = hashlib.sha256()
    with arc.db.engine.connect() as connection:
        cursor = connection.connection.cursor()  # the DB-API cursor: no per-row objects
        tables = cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        for (table,) in tables:
            rows = cursor.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            digest.update(repr((table, rows)).encode())
        cursor.close()
    assert arc.db.path is not None
    ring = hashlib.sha256(keyring.keyring_path(Path(arc.db.path)).read_bytes()).hexdigest()
    return digest.hexdigest(), ring


# Every base table of the hub's schema, read by its own statement (the tables are the same in every copy).
_HUB_TABLES = text(
    "SELECT table_name FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
)
_hub_digests: dict[tuple[str, ...], Any] = {}


def _hub_fingerprint(arc: Archive) -> str:
    """On a hub: every row of every table, digested by the server in one statement. PostgreSQL has no
    rowid; each table's rows are put in the order of all their columns (a row's text form), so the same
    rows give the same digest whatever order the server keeps them in."""
    return _hub_digest(arc.db.engine)


def _hub_digest(engine: Any) -> str:
    with engine.connect() as connection:
        tables = tuple(connection.execute(_HUB_TABLES).scalars())
        statement = _hub_digests.get(tables)
        if statement is None:
            parts = [
                f"SELECT '{table}' AS name, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                f' AS rows FROM "{table}" t'
                for table in tables
            ]
            statement = _hub_digests[tables] = text(" UNION ALL ".join(parts) + " ORDER BY name")
        rows = connection.execute(statement).all()
    assert len(rows) == len(tables) > 10
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# ----- the registry ------------------------------------------------------------------------------

Call = Callable[[Archive, Place, World], object]


class Reach(Enum):
    """How the target's village bears on the decision."""

    VILLAGE = "village"  # in scope or not: allowed only where the account's casework reaches
    ANY = "any"  # the call is the same whatever the village (a town-wide list, filtered to the scope)
    TOWN = "town"  # a town-wide task: only accounts that cover the whole town


@dataclass(frozen=True)
class Entry:
    """One way of calling one public method, and what the policy says it needs.

    ``need`` None: every account may make the call, and ``why`` says why (it uses no archive data, or
    is the account's own password, or housekeeping of every login). ``lead``: a 镇领导 may make the call
    on a request it leads (Request.leader is its display name)."""

    name: str  # "service.method" or "service.method[variant]"
    call: Call
    need: tuple[Capability, ...] | None  # any one of these
    reach: Reach = Reach.VILLAGE
    writes: bool = False  # the call may change the archive: it runs on a private copy
    lead: bool = False
    sided: bool = False  # a town-wide task made on a record of either village: tried on both
    # about the archive file's backups: on a hub (backed up by pg_dump) an allowed call is refused with
    # services/backups.HUB_BACKUPS, after the same permission check as on a file
    file_only: bool = False
    why: str = ""

    @property
    def method(self) -> str:
        return self.name.split("[")[0]

    @property
    def sides(self) -> tuple[Side, ...]:
        return (Side.IN, Side.OUT) if self.reach is Reach.VILLAGE or self.sided else (Side.TOWN,)


def expected(actor: Actor, entry: Entry, side: Side, world: World) -> bool:
    """Whether the policy lets the account make this call on this side's target."""
    if entry.need is None:
        return True
    village = world.place(side).village
    if entry.lead and actor.role is Role.LEADER:
        return side is Side.IN  # 甲村's request is the one 王镇长 leads
    if not any(actor.can(capability) for capability in entry.need):
        return False
    if entry.reach is Reach.VILLAGE:
        return actor.covers(village)
    if entry.reach is Reach.TOWN:
        return actor.villages is None
    return True


class Copies:
    """Private copies of the world's archive for the calls that may write, made from the snapshot taken
    when the world was built (nobody opens the snapshot). One engine serves every copy, which keeps
    SQLAlchemy's statement cache warm: a copy costs a copy of the data rather than a cold start.

    A file's copy is two file copies: the archive and its keyring. A hub's "copy" is one transaction on
    a database made once from the snapshot, rolled back after the call (a database made per call with
    CREATE DATABASE … TEMPLATE takes 0.1 s on an idle machine, up to a second on a busy one, and
    there are 500 writing calls). The services open their own sessions and connections (the audit
    log's check reads and writes through the engine), so the transaction is held beneath SQLAlchemy:
    the engine's one DB-API connection turns each commit into a savepoint of that transaction
    (``_Held``). After each call the database is checked to be the snapshot again."""

    def __init__(self, world: World) -> None:
        assert world.snapshot is not None
        self.world = world
        self.snapshot = world.snapshot
        self.current: Path | None = None  # the file of the current copy
        self.held: _Held | None = None  # a hub: the connection holding the current copy's transaction
        if ON_HUB:
            self.engine = self._hub_engine()
        else:
            self.engine = self._file_engine()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        versions.install(self.sessions)
        audit_log.install(self.sessions)  # as storage/database.py's open_url: the log's entries are chained
        if ON_HUB:
            self.pristine = _hub_digest(self.engine)

    def _file_engine(self) -> Any:
        # in a folder of its own: the copies' backups (automatic, manual, before a restore) stay apart
        # from the world's
        self.current = self.world.files / "copies" / "copy.sqlite3"
        self.current.parent.mkdir(exist_ok=True)
        key, current = self.world.key, self.current

        def connect() -> object:
            connection = cipher.connect(current, key)
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 5000")
            connection.execute("PRAGMA synchronous = OFF")  # a throwaway copy: no need to reach the disk
            return connection

        # a pool of connections, as an archive file's engine has: the default for a "sqlite://" URL
        # gives every session of a thread the same connection, and a session read inside another's
        # transaction would roll that transaction's work back when it ends
        return create_engine(
            "sqlite://", module=cipher.dbapi, creator=connect, poolclass=QueuePool, hide_parameters=True
        )

    def _hub_engine(self) -> Any:
        target = copy_archive(self.snapshot, Path(str(self.snapshot) + "-copies"))
        url = location(target)  # the snapshot's data in a database of its own
        self.held = _Held.connect(str(url))
        held = self.held
        engine = create_engine(
            hub.hub_url(str(url)), creator=lambda: held, poolclass=StaticPool, hide_parameters=True
        )
        # after the pool's reset (a rollback) when a connection is given back
        event.listen(engine, "checkout", lambda *_: held.checked_out())
        event.listen(engine, "checkin", lambda *_: held.checked_in())
        return engine

    def open(self, actor: Actor) -> Archive:
        """A fresh copy acting for ``actor``; close it before the next one."""
        self.engine.dispose()
        if self.held is not None:
            self._undo()
            self.held.begin()
            return Archive(Database(engine=self.engine, sessions=self.sessions, path=None), actor, TODAY)
        assert self.current is not None
        for leftover in self.current.parent.glob(self.current.name + "*"):
            leftover.unlink()  # the previous copy with its -wal, -shm and keyring
        shutil.copyfile(self.snapshot, self.current)
        shutil.copyfile(keyring.keyring_path(self.snapshot), keyring.keyring_path(self.current))
        db = Database(engine=self.engine, sessions=self.sessions, path=self.current, key=self.world.key)
        return Archive(db, actor, TODAY)

    def _undo(self) -> None:
        """Roll the previous call's transaction back, and check that it took all the call did with it."""
        assert self.held is not None
        if self.held.undo():
            assert _hub_digest(self.engine) == self.pristine, "a call's writes outlived the rollback"

    def close(self) -> None:
        self.engine.dispose()
        if self.held is not None:
            self._undo()
            self.held.end()


class _Held(psycopg.Connection):
    """The hub copies' DB-API connection: whatever SQLAlchemy commits or rolls back stays inside one
    transaction that only ``undo`` ends.

    The services' sessions may nest (adding a request to a meeting reads the deadline settings in a
    session of their own while its transaction is open), and all of them get this one connection. Each
    checkout therefore holds a savepoint of its own: a commit releases it and sets it anew, a rollback
    returns to it, giving the checkout back releases it into the one before. So an inner session's
    rollback never takes an outer one's unsaved work with it."""

    held = False  # a case's transaction is open
    depth = 0  # the checkouts of the engine's connection now open in it

    def begin(self) -> None:
        self.held, self.depth = True, 0

    def undo(self) -> bool:
        """End the transaction, keeping nothing; whether one was open."""
        was, self.held, self.depth = self.held, False, 0
        super().rollback()
        return was

    def checked_out(self) -> None:
        if self.held:
            self.depth += 1
            self.execute(f"SAVEPOINT copy{self.depth}")  # psycopg begins the transaction first

    def checked_in(self) -> None:
        if self.held and self.depth:
            self.execute(f"RELEASE SAVEPOINT copy{self.depth}")
            self.depth -= 1

    def commit(self) -> None:
        if not (self.held and self.depth):
            super().rollback()  # the engine's first connect, outside any case: nothing to keep
            return
        self.execute(f"RELEASE SAVEPOINT copy{self.depth}")
        self.execute(f"SAVEPOINT copy{self.depth}")

    def rollback(self) -> None:
        if self.held and self.depth:
            self.execute(f"ROLLBACK TO SAVEPOINT copy{self.depth}")
        else:
            super().rollback()

    def close(self) -> None:
        pass  # the engine's dispose between copies

    def end(self) -> None:
        self.undo()
        super().close()


# ----- the registry: every public method, how to call it, what it needs -----------------------------

R, E, H = Capability.READ_FILES, Capability.EDIT_FILES, Capability.HANDLE_REQUESTS
X = Capability.EXPORT
ORG, SET = Capability.MANAGE_ORGANISATION, Capability.MANAGE_SETTINGS
V, ANY, TOWN = Reach.VILLAGE, Reach.ANY, Reach.TOWN
MONTH = period_of(MONTHLY, D("2026-03-01"))
STRUCTURE = (R, ORG)  # the organisation's names: casework accounts navigate by them, 系统管理员 keeps them
SETTINGS_READ = (R, SET)  # deadlines, holidays and code lists shape every list; 系统管理员 keeps them
EVERYONE = "the account's own login and password, or housekeeping every login does"


def _out(world: World, name: str) -> Path:
    return world.files / "out" / name


def _progress() -> wf.Progress:
    return wf.Progress(D("2026-03-17"), "已到现场查看")


def _supervision() -> wf.Supervision:
    assignment = wf.Assignment("镇民政办", "周主任", D("2026-04-30"))
    return wf.Supervision("市信访局", D("2026-03-17"), LEADER_NAME, assignment)


def _sorting() -> wf.Classification:
    return wf.Classification("水利", "个性", "近期一时难以解决", Level.VILLAGE)


def _query(p: Place) -> RequestQuery:
    return RequestQuery(village_id=p.village)


def _filter(p: Place) -> HouseholdFilter:
    return HouseholdFilter(village_id=p.village)


def _scope(p: Place) -> list[ScopeUnit]:
    return [ScopeUnit(UnitKind.VILLAGE, p.village)]


def entries() -> list[Entry]:  # noqa: PLR0915 - one line per entry point reads best as one table
    e: list[Entry] = []

    def add(name: str, call: Call, need: Any, reach: Reach = V, **kw: Any) -> None:
        needs = None if need is None else (need if isinstance(need, tuple) else (need,))
        e.append(Entry(name, call, needs, reach, **kw))

    # accounts: administration takes 管理账号; one's own password is everyone's
    acc = Capability.MANAGE_ACCOUNTS
    add("accounts.list", lambda a, p, w: a.accounts.list(), acc, ANY)
    add("accounts.people", lambda a, p, w: a.accounts.people(), (Capability.VIEW_AUDIT, acc), ANY)
    add(
        "accounts.create",
        lambda a, p, w: a.accounts.create("xinren", "新人", Role.VILLAGE, _scope(p), "Good-2026x"),
        acc,
        ANY,
        writes=True,
    )
    add(
        "accounts.update",
        lambda a, p, w: a.accounts.update(w.accounts[Role.READER], "查阅员二", Role.READER, _scope(p)),
        acc,
        ANY,
        writes=True,
    )
    add(
        "accounts.disable", lambda a, p, w: a.accounts.disable(w.accounts[Role.READER]), acc, ANY, writes=True
    )
    add(
        "accounts.reset_password",
        lambda a, p, w: a.accounts.reset_password(w.accounts[Role.READER], "Reset-2026x"),
        acc,
        ANY,
        writes=True,
    )
    add(
        "accounts.check_own_password",
        lambda a, p, w: a.accounts.check_own_password(PASSWORD),
        None,
        ANY,
        why=EVERYONE,
    )
    add(
        "accounts.must_change_password",
        lambda a, p, w: a.accounts.must_change_password(),
        None,
        ANY,
        why=EVERYONE,
    )
    add(
        "accounts.change_own_password",
        lambda a, p, w: a.accounts.change_own_password(PASSWORD, "Newer-2026x"),
        None,
        ANY,
        writes=True,
        why=EVERYONE,
    )

    # household files
    add("households.load", lambda a, p, w: a.households.load(p.households[0]), R)
    add("households.history", lambda a, p, w: a.households.history(p.households[0]), R)
    add("households.new_file", lambda a, p, w: a.households.new_file(p.group), E)
    add("households.validate", lambda a, p, w: a.households.validate(p.file), E)
    add("households.save", lambda a, p, w: a.households.save(p.file), E, writes=True)
    add(
        "households.set_status",
        lambda a, p, w: a.households.set_status(p.households[1], "迁出", "迁往杭州"),
        E,
        writes=True,
    )
    add(
        "households.check_member",
        lambda a, p, w: a.households.check_member(MemberData(name="某", relation="户主")),
        E,
        ANY,
    )
    add("households.per_capita_income", lambda a, p, w: a.households.per_capita_income(p.file), R, ANY)
    add("household_list.page", lambda a, p, w: a.household_list.page(_filter(p)), R)
    add("household_list.row", lambda a, p, w: a.household_list.row(_filter(p), p.households[0]), R)
    add("household_list.count", lambda a, p, w: a.household_list.count(_filter(p)), R)
    add(
        "household_list.member_hits",
        lambda a, p, w: a.household_list.member_hits(replace(_filter(p), text="户")),
        R,
    )

    # the organisation
    add("organisation.tree", lambda a, p, w: a.organisation.tree(), STRUCTURE, ANY)
    add("organisation.villages", lambda a, p, w: a.organisation.villages(), STRUCTURE, ANY)
    add("organisation.cadres", lambda a, p, w: a.organisation.cadres(), STRUCTURE, ANY)
    add("organisation.town_of", lambda a, p, w: a.organisation.town_of("village", p.village), STRUCTURE, ANY)
    add("organisation.add_town", lambda a, p, w: a.organisation.add_town("新镇"), ORG, ANY, writes=True)
    add(
        "organisation.add_area",
        lambda a, p, w: a.organisation.add_area(w.town, "西片"),
        ORG,
        ANY,
        writes=True,
    )
    add(
        "organisation.add_village",
        lambda a, p, w: a.organisation.add_village(w.town, "丙村"),
        ORG,
        ANY,
        writes=True,
    )
    add(
        "organisation.add_group",
        lambda a, p, w: a.organisation.add_group(p.village, "九组"),
        ORG,
        ANY,
        writes=True,
        sided=True,
    )
    add(
        "organisation.rename",
        lambda a, p, w: a.organisation.rename("group", p.group, "第一组"),
        ORG,
        ANY,
        writes=True,
        sided=True,
    )
    add(
        "organisation.add_cadre",
        lambda a, p, w: a.organisation.add_cadre("新干部", "驻村干部", village_id=p.village),
        ORG,
        ANY,
        writes=True,
        sided=True,
    )
    add(
        "organisation.retire_cadre",
        lambda a, p, w: a.organisation.retire_cadre(p.cadre),
        ORG,
        ANY,
        writes=True,
        sided=True,
    )

    # village information tables
    add("villages.load", lambda a, p, w: a.villages.load(p.village), R)
    add("villages.history", lambda a, p, w: a.villages.history(p.village), R)
    add("villages.validate", lambda a, p, w: a.villages.validate(p.info), E)
    add("villages.save", lambda a, p, w: a.villages.save(p.info), E, writes=True)

    # code lists and settings
    add("codes.values", lambda a, p, w: a.codes.values("economic_type"), SETTINGS_READ, ANY)
    add("codes.usage", lambda a, p, w: a.codes.usage("economic_type", "种植户"), SET, ANY)
    add("codes.add", lambda a, p, w: a.codes.add("economic_type", "民宿户"), SET, ANY, writes=True)
    add("codes.remove", lambda a, p, w: a.codes.remove("economic_type", "种植户"), SET, ANY, writes=True)
    add("codes.ensure_seeded", lambda a, p, w: a.codes.ensure_seeded(), None, ANY, writes=True, why=EVERYONE)
    # (the world is seeded already: this call changes nothing, see UNCHANGING_WRITES)
    for name in (
        "specs",
        "all",
        "deadline_days",
        "holiday_overrides",
        "short_revisit_tags",
        "recorded_app_version",
    ):
        add(f"settings.{name}", functools.partial(_no_args, "settings", name), SETTINGS_READ, ANY)
    add("settings.get", lambda a, p, w: a.settings.get("warn_days"), SETTINGS_READ, ANY)
    add("settings.set", lambda a, p, w: a.settings.set("warn_days", 5), SET, ANY, writes=True)
    add(
        "settings.set_holiday_override",
        lambda a, p, w: a.settings.set_holiday_override(D("2026-10-10"), True, "国庆调休"),
        SET,
        ANY,
        writes=True,
    )
    add(
        "settings.remove_holiday_override",
        lambda a, p, w: a.settings.remove_holiday_override(D("2026-05-09")),
        SET,
        ANY,
        writes=True,
    )
    add(
        "settings.set_short_revisit_tags",
        lambda a, p, w: a.settings.set_short_revisit_tags(["低保户"]),
        SET,
        ANY,
        writes=True,
    )
    add("settings.text", lambda a, p, w: a.settings.text("backup.folder"), SETTINGS_READ, ANY)
    add("settings.backup_folder", lambda a, p, w: a.settings.backup_folder(), SETTINGS_READ, ANY)
    add("settings.list_full_numbers", lambda a, p, w: a.settings.list_full_numbers(), SETTINGS_READ, ANY)
    add(
        "settings.lists_show_full",
        lambda a, p, w: a.settings.lists_show_full(Role.VILLAGE),
        SETTINGS_READ,
        ANY,
    )
    add(
        "settings.set_lists_show_full",
        lambda a, p, w: a.settings.set_lists_show_full(a.actor, Role.VILLAGE, True),
        SET,
        ANY,
        writes=True,
    )
    add("settings.set_text", lambda a, p, w: a.settings.set_text("matrix.note", "x"), SET, ANY, writes=True)
    add(
        "settings.demo_accounts",
        lambda a, p, w: a.settings.demo_accounts(),
        None,
        ANY,
        why="the demo archive's accounts, shown to everyone on its welcome screen (empty for a real one)",
    )
    # marking the archive as the demo records its accounts: 系统管理员's, who makes them
    add(
        "settings.mark_demo",
        lambda a, p, w: a.settings.mark_demo([]),
        Capability.MANAGE_ACCOUNTS,
        ANY,
        writes=True,
    )
    add(
        "settings.record_app_version",
        lambda a, p, w: a.settings.record_app_version("9.9"),
        None,
        ANY,
        writes=True,
        why=EVERYONE,
    )

    # requests
    add("requests.list", lambda a, p, w: a.requests.list(_query(p)), R)
    add("requests.page", lambda a, p, w: a.requests.page(_query(p)), R)
    add("requests.total", lambda a, p, w: a.requests.total(_query(p)), R)
    add("requests.counts", lambda a, p, w: a.requests.counts(_query(p)), R)
    add("requests.detail", lambda a, p, w: a.requests.detail(p.registered), R)
    add("requests.find", lambda a, p, w: a.requests.find(p.number), R)
    # a common issue may join households of several villages: its list is filtered to the scope
    add("requests.common_issue_requests", lambda a, p, w: a.requests.common_issue_requests(p.issue), R, ANY)
    add("requests.leaders", lambda a, p, w: a.requests.leaders(), R, ANY)
    add("requests.supervised", lambda a, p, w: a.requests.supervised(), R, ANY)
    add("requests.calendar", lambda a, p, w: a.requests.calendar(), SETTINGS_READ, ANY)
    add("requests.default_deadline", lambda a, p, w: a.requests.default_deadline(Level.TOWN), R, ANY)
    add("requests.next_check_default", lambda a, p, w: a.requests.next_check_default(), R, ANY)
    add(
        "requests.page_key",
        lambda a, p, w: a.requests.page_key(_Row(TODAY, "x")),  # type: ignore[arg-type]
        None,
        ANY,
        why="a static function of a row already read",
    )
    add(
        "requests.record",
        lambda a, p, w: a.requests.record(p.households[0], "水利", "井水浑浊"),
        H,
        writes=True,
    )
    # acting: 记录进展 on the 挂牌督办 case (王镇长 leads 甲村's), 梳理 at village level, and 市镇联动 of a
    # 待上会 request, which is the township's review
    add(
        "requests.act[PROGRESS]",
        lambda a, p, w: a.requests.act(p.led, Action.PROGRESS, _progress()),
        H,
        writes=True,
        lead=True,
    )
    add(
        "requests.act[SORT]",
        lambda a, p, w: a.requests.act(p.registered, Action.SORT, _sorting()),
        H,
        writes=True,
    )
    add(
        "requests.act[JOINT]",
        lambda a, p, w: a.requests.act(p.awaiting, Action.JOINT, _supervision()),
        Capability.REVIEW_REQUESTS,
        writes=True,
    )
    add(
        "requests.act_many",
        lambda a, p, w: a.requests.act_many([p.led], Action.PROGRESS, _progress()),
        H,
        writes=True,
        lead=True,
    )
    add(
        "requests.act_on_common_issue",
        lambda a, p, w: a.requests.act_on_common_issue(p.issue, Action.SORT, _sorting()),
        Capability.REVIEW_REQUESTS,
        writes=True,
    )
    add(
        "requests.create_common_issue",
        lambda a, p, w: a.requests.create_common_issue("沟渠堵塞", "", p.free),
        Capability.REVIEW_REQUESTS,
        writes=True,
    )

    # the monthly meeting is the town's: changing it takes 月度例会; reading it is casework (filtered)
    run = Capability.RUN_MEETING
    add("meetings.meetings", lambda a, p, w: a.meetings.meetings(), R, ANY)
    add("meetings.meeting", lambda a, p, w: a.meetings.meeting(p.meeting), R, ANY)
    add(
        "meetings.decisions", lambda a, p, w: a.meetings.decisions(p.meeting), R, ANY
    )  # filtered to the scope
    add(
        "meetings.incomplete_message",
        lambda a, p, w: a.meetings.incomplete_message(p.decisions),
        None,
        ANY,
        why="a static function of decisions already read",
    )
    add(
        "meetings.create",
        lambda a, p, w: a.meetings.create(D("2026-03-18"), "", "镇长"),
        run,
        ANY,
        writes=True,
    )
    add(
        "meetings.add_requests",
        lambda a, p, w: a.meetings.add_requests(p.meeting, [p.awaiting]),
        run,
        ANY,
        writes=True,
        sided=True,
    )
    add(
        "meetings.remove_request",
        lambda a, p, w: a.meetings.remove_request(p.meeting, p.on_agenda),
        run,
        ANY,
        writes=True,
        sided=True,
    )
    add(
        "meetings.save_decisions",
        lambda a, p, w: a.meetings.save_decisions(
            p.meeting, [replace(d, person="吴主任") for d in p.decisions]
        ),
        run,
        ANY,
        writes=True,
        sided=True,
    )
    add(
        "meetings.apply_decisions",
        lambda a, p, w: a.meetings.apply_decisions(p.meeting),
        run,
        ANY,
        writes=True,
        sided=True,
    )

    # summaries and the dashboard
    add("summaries.build", lambda a, p, w: a.summaries.build("village", p.village, MONTH), R)
    add(
        "summaries.submit",
        lambda a, p, w: a.summaries.submit("village", p.village, MONTH),
        Capability.SUBMIT_REPORTS,
        writes=True,
    )
    add("dashboard.build", lambda a, p, w: a.dashboard.build(p.village, p.name), R)

    # exports
    add(
        "exports.roster",
        lambda a, p, w: a.exports.roster(_out(w, "r.xlsx"), "households", village_id=p.village),
        X,
    )
    add(
        "exports.household_sheet",
        lambda a, p, w: a.exports.household_sheet(_out(w, "h.pdf"), p.households[0]),
        X,
    )
    add("exports.household_sheet_name", lambda a, p, w: a.exports.household_sheet_name(p.households[0]), X)
    add(
        "exports.household_sheets",
        lambda a, p, w: a.exports.household_sheets(_out(w, "hs.pdf"), village_id=p.village),
        X,
    )
    add("exports.book", lambda a, p, w: a.exports.book(_out(w, "b.pdf"), village_id=p.village), X)
    add("exports.blank_form", lambda a, p, w: a.exports.blank_form(_out(w, "f.pdf")), X, ANY)
    # the names an export is asked for by (the command line): part of exporting, in scope
    add("exports.find_household", lambda a, p, w: a.exports.find_household(p.group, 1), X)
    add("exports.find_village", lambda a, p, w: a.exports.find_village(p.name), X, ANY)
    add("exports.find_group", lambda a, p, w: a.exports.find_group(p.village, "一组"), X)
    add("exports.village_of_group", lambda a, p, w: a.exports.village_of_group(p.group), X)
    add("exports.scope_title", lambda a, p, w: a.exports.scope_title(village_id=p.village), X)
    add("exports.volume_limit", lambda a, p, w: a.exports.volume_limit(), X, ANY)
    add(
        "exports.may_export_unmasked",
        lambda a, p, w: a.exports.may_export_unmasked(),
        None,
        ANY,
        why="whether the account itself holds 导出完整号码: no archive data",
    )
    add(
        "exports.default_masked",
        lambda a, p, w: a.exports.default_masked("focus"),
        None,
        ANY,
        why="a static rule about a roster kind",
    )
    rx = "request_exports"
    add(f"{rx}.feedback_form", lambda a, p, w: a.request_exports.feedback_form(p.led, _out(w, "fb.pdf")), X)
    add(f"{rx}.feedback_form_data", lambda a, p, w: a.request_exports.feedback_form_data(p.led), X)
    add(f"{rx}.feedback_form_name", lambda a, p, w: a.request_exports.feedback_form_name(p.led), X)
    add(f"{rx}.ledger", lambda a, p, w: a.request_exports.ledger(_query(p), _out(w, "l.xlsx")), X)
    add(f"{rx}.ledger_lines", lambda a, p, w: a.request_exports.ledger_lines(_query(p)), X)
    add(f"{rx}.meeting_ids", lambda a, p, w: a.request_exports.meeting_ids(), R, ANY)
    add(
        f"{rx}.meeting_sheet",
        lambda a, p, w: a.request_exports.meeting_sheet(p.meeting, _out(w, "m.pdf")),
        X,
        ANY,
    )
    add(f"{rx}.meeting_sheet_name", lambda a, p, w: a.request_exports.meeting_sheet_name(p.meeting), X, ANY)
    add(f"{rx}.summary", lambda a, p, w: a.request_exports.summary("village", p.village, MONTH), R)
    add(
        f"{rx}.summary_pdf",
        lambda a, p, w: a.request_exports.summary_pdf("village", p.village, MONTH, _out(w, "s.pdf")),
        X,
    )
    add(
        f"{rx}.summary_xlsx",
        lambda a, p, w: a.request_exports.summary_xlsx("village", p.village, MONTH, _out(w, "s.xlsx")),
        X,
    )

    # 动态维护
    add("maintenance.next_visit", lambda a, p, w: a.maintenance.next_visit(p.households[0]), R)
    add("maintenance.responsible_cadre", lambda a, p, w: a.maintenance.responsible_cadre(p.households[0]), R)
    add("maintenance.revisit_coverage", lambda a, p, w: a.maintenance.revisit_coverage(p.village), R)
    add("maintenance.todo", lambda a, p, w: a.maintenance.todo(), R, ANY)
    add("maintenance.open_event_count", lambda a, p, w: a.maintenance.open_event_count(), R, ANY)
    add("maintenance.due_condition", lambda a, p, w: a.maintenance.due_condition(TODAY), R, ANY)
    add(
        "maintenance.record_visit",
        lambda a, p, w: a.maintenance.record_visit(p.households[0], D("2026-03-17"), "回访", "驻村员"),
        E,
        writes=True,
    )
    add(
        "maintenance.record_event",
        lambda a, p, w: a.maintenance.record_event(p.households[1], D("2026-03-17"), "生活困难"),
        E,
        writes=True,
    )

    # 三式服务: the register names households across the town; keeping it takes 管理组织 for the town
    sl = "service_links"
    add(
        f"{sl}.add_link",
        lambda a, p, w: a.service_links.add_link(
            p.cadre, "驻点式", "household", p.households[0], D("2026-03-17")
        ),
        ORG,
        TOWN,
        writes=True,
    )
    add(
        f"{sl}.end_link",
        lambda a, p, w: a.service_links.end_link(p.link, D("2026-03-17")),
        ORG,
        TOWN,
        writes=True,
    )
    add(
        f"{sl}.add_onsite_day",
        lambda a, p, w: a.service_links.add_onsite_day(p.cadre, D("2026-03-17"), p.name),
        ORG,
        TOWN,
        writes=True,
    )
    add(
        f"{sl}.add_deed",
        lambda a, p, w: a.service_links.add_deed(p.cadre, D("2026-03-17"), "修路灯", "全村"),
        ORG,
        TOWN,
        writes=True,
    )
    add(f"{sl}.targets", lambda a, p, w: a.service_links.targets("household"), ORG, TOWN)
    add(f"{sl}.links", lambda a, p, w: a.service_links.links(), R, ANY)
    add(f"{sl}.coverage", lambda a, p, w: a.service_links.coverage(), R, ANY)
    add(f"{sl}.quota_table", lambda a, p, w: a.service_links.quota_table(D("2026-01-01"), TODAY), R, ANY)
    add(f"{sl}.assessment", lambda a, p, w: a.service_links.assessment(D("2026-01-01"), TODAY), R, ANY)
    add(
        f"{sl}.export_assessment",
        lambda a, p, w: a.service_links.export_assessment(_out(w, "a.xlsx"), D("2026-01-01"), TODAY),
        X,
        ANY,
    )

    # the import of household workbooks: planning reads the village's files, running writes them
    add("importer.assign_groups", lambda a, p, w: a.importer.assign_groups(p.sources, p.village, "一组"), E)
    add("importer.plan", lambda a, p, w: a.importer.plan(p.sources), E)
    add("importer.run", lambda a, p, w: a.importer.run(p.plan), E, writes=True)
    # the rest of the import window: importing is editing files, so it all takes 修改档案
    add("importer.groups", lambda a, p, w: a.importer.groups(p.village), E)
    add("importer.find_village", lambda a, p, w: a.importer.find_village(p.name), E, ANY)
    add("importer.new_groups", lambda a, p, w: a.importer.new_groups(), E, ANY)
    add("importer.read", lambda a, p, w: a.importer.read([w.workbook]), E, ANY)
    add("importer.write_errors", lambda a, p, w: a.importer.write_errors(p.plan, _out(w, "e.xlsx")), E, ANY)
    add("importer.write_template", lambda a, p, w: a.importer.write_template(_out(w, "t.xlsx")), E, ANY)
    # the audit log: reading, checking and exporting it takes 查看操作日志 (系统管理员, 党政办)
    va = Capability.VIEW_AUDIT
    add("audit.accounts", lambda a, p, w: a.audit.accounts(), va, ANY)
    add("audit.households", lambda a, p, w: a.audit.households(p.name), va, ANY)
    add("audit.actions", lambda a, p, w: a.audit.actions(), va, ANY)
    add("audit.count", lambda a, p, w: a.audit.count(AuditFilter()), va, ANY)
    add("audit.page", lambda a, p, w: a.audit.page(AuditFilter()), va, ANY)
    add("audit.verify", lambda a, p, w: a.audit.verify(), va, ANY)
    # stores the intact check's checkpoint
    add("audit.problem_at_open", lambda a, p, w: a.audit.problem_at_open(), va, ANY, writes=True)
    add(
        "audit.export_xlsx",
        lambda a, p, w: a.audit.export_xlsx(AuditFilter(), _out(w, "log.xlsx")),
        va,
        ANY,
        writes=True,
    )
    # the events the program notes for every account: a login is everyone's; opening a file and
    # revealing a number are noted only where the account may read the household; a search by ID
    # number is part of searching the files
    add("audit.logged_in", lambda a, p, w: a.audit.logged_in(), None, ANY, writes=True, why=EVERYONE)
    add("audit.opened_household", lambda a, p, w: a.audit.opened_household(p.households[0]), R, writes=True)
    add("audit.reveal", lambda a, p, w: a.audit.reveal(p.households[0], "联系电话"), R, writes=True)
    add("audit.searched", lambda a, p, w: a.audit.searched("330681"), R, ANY, writes=True)

    # backups: 备份与恢复 is 系统管理员's; the copies' backups go to the copies' own folder. Those of
    # the file are refused on a hub (after the permission check); the retention is a setting on both.
    bk = Capability.BACKUP
    add("backups.list", lambda a, p, w: a.backups.list(), bk, ANY, file_only=True)
    add("backups.folder", lambda a, p, w: a.backups.folder(), bk, ANY, file_only=True)
    add("backups.default_folder", lambda a, p, w: a.backups.default_folder(), bk, ANY, file_only=True)
    add("backups.retention", lambda a, p, w: a.backups.retention(), bk, ANY)
    add(
        "backups.backup_at",
        lambda a, p, w: a.backups.backup_at(w.saved),  # type: ignore[arg-type]
        bk,
        ANY,
        file_only=True,
    )
    add("backups.make_now", lambda a, p, w: a.backups.make_now(), bk, ANY, writes=True, file_only=True)
    add("backups.rotate", lambda a, p, w: a.backups.rotate(), bk, ANY, writes=True, file_only=True)
    add("backups.restore", lambda a, p, w: a.backups.restore(w.backup), bk, ANY, writes=True, file_only=True)
    add(
        "backups.set_folder",
        lambda a, p, w: a.backups.set_folder(w.files / "usb"),
        bk,
        ANY,
        writes=True,
        file_only=True,
    )
    add(
        "backups.set_retention",
        lambda a, p, w: a.backups.set_retention(Retention(3, 2, 6, 5)),
        bk,
        ANY,
        writes=True,
    )
    automatic = "an automatic backup made for every account (the day's first login, before an import)"
    add("backups.daily", lambda a, p, w: a.backups.daily(), None, ANY, writes=True, why=automatic)
    add(
        "backups.before",
        lambda a, p, w: a.backups.before(BackupKind.IMPORT),
        None,
        ANY,
        writes=True,
        why=automatic,
    )

    # numbers outside the household file: a full one is revealed only where the account reads files
    add(
        "numbers.reveal_household_phone",
        lambda a, p, w: a.numbers.reveal_household_phone(p.households[0]),
        R,
        writes=True,
    )
    add(
        "numbers.reveal_member", lambda a, p, w: a.numbers.reveal_member(p.file.members[0].id), R, writes=True
    )
    add(
        "numbers.full_in_lists",
        lambda a, p, w: a.numbers.full_in_lists(),
        None,
        ANY,
        why="whether the account's own lists show full numbers: every list asks it of rows already read",
    )
    add(
        "numbers.for_list",
        lambda a, p, w: a.numbers.for_list([]),
        None,
        ANY,
        why="a pure function of rows already read under the list's own check",
    )

    # sync (issue 14): 党政办 enrols laptops and applies their files at the hub (town-wide, like the
    # review); a casework account exports from and takes receipts on its own laptop. The world is no
    # laptop and holds no device, so an allowed export or apply stops at a business rule, not a right.
    review = Capability.REVIEW_REQUESTS
    add(
        "sync.enrol_device",
        lambda a, p, w: a.sync.enrol_device("笔记本", w.logins[Role.CADRE]),
        review,
        TOWN,
        writes=True,
    )
    add(
        "sync.revoke_device",
        lambda a, p, w: a.sync.revoke_device(a.sync.enrol_device("笔记本", w.logins[Role.CADRE]).device_id),
        review,
        TOWN,
        writes=True,
    )
    add("sync.receipt_for", lambda a, p, w: a.sync.receipt_for("0" * 32, _out(w, "receipt")), review, TOWN)
    add("sync.apply", lambda a, p, w: a.sync.apply(_not_a_sync_file(w)), review, TOWN)
    add("sync.export", lambda a, p, w: a.sync.export(_out(w, "sync")), E, ANY)
    add("sync.apply_receipt", lambda a, p, w: a.sync.apply_receipt(_not_a_sync_file(w)), E, ANY)
    add("sync.waiting", lambda a, p, w: a.sync.waiting(), R, ANY)
    add("sync.status", lambda a, p, w: a.sync.status(), R, ANY)
    add("sync.devices", lambda a, p, w: a.sync.devices(), review, TOWN)
    # the world is no hub yet: an account that may read files sees an empty queue (at a hub the
    # queue asks for the whole-town review right, as deciding does)
    add("sync.conflicts", lambda a, p, w: a.sync.conflicts(), R, ANY)
    add("sync.decide", lambda a, p, w: a.sync.decide("0" * 32, "hub"), review, TOWN)
    return e


def _not_a_sync_file(world: World) -> Path:
    path = world.files / "not-a-sync-file.zjsync"
    path.write_bytes(b"not a sync file")
    return path


@dataclass(frozen=True)
class _Row:
    recorded_on: date
    id: str


def _no_args(service: str, method: str, arc: Archive, _p: Place, _w: World) -> object:
    return getattr(getattr(arc, service), method)()


# Writes that change nothing in the world as it is built (the fingerprint check below skips them).
# The backups that do not restore write files beside the archive, not the archive itself.
UNCHANGING_WRITES = {"codes.ensure_seeded", "backups.daily", "backups.before", "backups.rotate"}

# Public methods that no account calls: they take an open database session and run inside another
# service's transaction, after that service's own check.
INTERNAL = {
    "households.refresh_summary": "takes the session of the service that saves a household",
}
