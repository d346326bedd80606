"""Copying a whole laptop archive (SQLite/SQLCipher) into a hub that has only been initialised.

Every table is copied row for row — ids, record versions, the change log with its chain (seq, chain,
the chain's secret and head) — in dependency order (``Base.metadata.sorted_tables``), in batches, inside
one transaction of the hub: either all of it arrives or nothing does.

What the hub's initialisation wrote gives way or is kept:
- the running totals (``household_tally``, ``request_tally``, ``assessment_tally``,
  ``summary_tally``, ``state_tally``) are not copied: the hub's triggers count
  every household, visit and request as it is inserted, so copying them as well would count twice;
- the hub's seeded code lists and its settings give way to the file's (the file's choices carry on),
  except the laptop's backup folder;
- the hub's accounts stay; a file account whose login a hub account already uses comes along under a
  free login (``admin`` → ``admin2``), reported to the caller;
- a town the hub's initialisation made (no villages yet) with the name of one of the file's towns gives
  way to the file's town (scopes that named it follow); the hub's other towns stay;
- the hub's own change-log entries (its administrator's first login …) are chained again after the
  file's, with the file's secret, so the whole log verifies as one chain.

Anything else already on the hub (households, villages, requests …) refuses the copy before a row is
written."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, update

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.settings import BACKUP_FOLDER_KEY
from zhuji_archive.storage import audit_chain
from zhuji_archive.storage.audit_chain import FIELDS
from zhuji_archive.storage.models import (
    Account,
    AccountScope,
    AuditHead,
    AuditSecret,
    Base,
    ChangeLog,
    CodeItem,
    Household,
    LoginFailure,
    Setting,
    Town,
)
from zhuji_archive.storage.tally_models import (
    AssessmentTally,
    HouseholdTally,
    RequestTally,
    StateTally,
    SummaryTally,
)

BATCH = 2000

# Counted by the hub's triggers as the rows they count are inserted: never copied.
RECOMPUTED = frozenset(
    {
        HouseholdTally.__tablename__,
        RequestTally.__tablename__,
        AssessmentTally.__tablename__,
        SummaryTally.__tablename__,
        StateTally.__tablename__,
    }
)
# The hub's own bookkeeping of failed logins; a file keeps its failures in its keyring, not here.
HUB_ONLY = frozenset({LoginFailure.__tablename__})
# Settings about the laptop itself: its backup folder means nothing on the server (pg_dump backs a hub up).
LAPTOP_ONLY_SETTINGS = frozenset({BACKUP_FOLDER_KEY})
# What a freshly initialised hub may already hold (handled one by one below).
INITIAL = frozenset(
    {
        Account.__tablename__,
        AccountScope.__tablename__,
        Setting.__tablename__,
        CodeItem.__tablename__,
        ChangeLog.__tablename__,
        AuditHead.__tablename__,
        AuditSecret.__tablename__,
        Town.__tablename__,
    }
)
# Copied by hand (merged with or replacing the hub's rows) rather than in the bulk loop.
SPECIAL = frozenset(
    {
        Account.__tablename__,
        AccountScope.__tablename__,
        Setting.__tablename__,
        CodeItem.__tablename__,
        ChangeLog.__tablename__,
        AuditHead.__tablename__,
        AuditSecret.__tablename__,
        Town.__tablename__,
    }
)


class HubNotEmpty(DomainError):
    """The hub already holds records of its own: a whole archive can only go into an empty one."""


@dataclass
class CopyResult:
    """What arrived: rows per table, the accounts that came under another login, the towns merged."""

    rows: dict[str, int] = field(default_factory=dict)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (login in the file, login on the hub)
    towns_merged: list[str] = field(default_factory=list)  # the hub's empty towns that gave way
    hub_entries: int = 0  # the hub's own change-log entries chained again after the file's
    seconds: float = 0.0

    @property
    def households(self) -> int:
        return self.rows.get(Household.__tablename__, 0)


def households_on(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(Household.__table__)).scalar() or 0)


def _occupied(connection: Connection) -> list[str]:
    """Tables of the hub that hold rows an initialisation never writes."""
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in INITIAL or table.name in RECOMPUTED or table.name in HUB_ONLY:
            continue
        if connection.execute(select(1).select_from(table).limit(1)).first() is not None:
            found.append(table.name)
    return found


def check_empty(connection: Connection) -> None:
    """Refuse, before anything is written, a hub that already holds records."""
    households = households_on(connection)
    if households:
        raise HubNotEmpty(
            f"镇里的数据库中已有 {households} 户档案，不能再导入整份档案（只能导入到刚初始化、还没有档案的数据库；"
            "把两份档案合并是同步功能的事）。镇里的数据库没有任何改动。"
        )
    occupied = _occupied(connection)
    if occupied:
        raise HubNotEmpty(
            "镇里的数据库中已有村、组织或诉求等数据（不只是初始化时建立的管理员和镇），不能再导入整份档案。"
            "镇里的数据库没有任何改动。"
        )


def _rows(source: Connection, table: Table, batch: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    """The table's rows as they lie in the file (no table refers to itself, so order within a table does not
    matter; walking a text key's index instead read an encrypted file page by random page), ``batch`` at a
    time, typed as the models say."""
    query = select(table)
    result = source.execution_options(stream_results=True).execute(query)
    while True:
        chunk = result.mappings().fetchmany(batch)
        if not chunk:
            return
        yield [dict(row) for row in chunk]


def _insert(target: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows into the hub: PostgreSQL's COPY (one stream per batch rather than a statement per row; the
    tally triggers fire for each row all the same), else an executemany INSERT."""
    if not rows:
        return
    if target.dialect.name != "postgresql":
        target.execute(table.insert(), rows)
        return
    quote = target.dialect.identifier_preparer
    columns = [column.name for column in table.columns]
    statement = (
        f"COPY {quote.format_table(table)} ({', '.join(quote.quote(name) for name in columns)}) FROM STDIN"
    )
    driver = target.connection.driver_connection  # psycopg's, inside this transaction
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row.get(name) for name in columns])


def _lock(target: Connection) -> None:
    """No one may add records or log entries while the copy runs (PostgreSQL: table locks held to
    commit; others wait, then see the finished copy)."""
    if target.dialect.name == "postgresql":
        target.exec_driver_sql(
            "LOCK TABLE household, town, village, account, account_scope, change_log, audit_head, "
            "setting, code_item IN SHARE ROW EXCLUSIVE MODE"
        )


def _free_login(login: str, taken: set[str]) -> str:
    base = login[:30]
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def copy_archive(
    source: Connection,
    target: Connection,
    progress: Callable[[int, int], None] | None = None,
) -> CopyResult:
    """Copy every row of the archive ``source`` into the hub ``target`` (one open transaction on each;
    the caller commits the target). Refuses with HubNotEmpty before writing when the hub holds records."""
    started = time.perf_counter()
    _lock(target)
    check_empty(target)
    result = CopyResult()
    tables = [t for t in Base.metadata.sorted_tables if t.name not in RECOMPUTED and t.name not in HUB_ONLY]
    total = sum(
        int(source.execute(select(func.count()).select_from(t)).scalar() or 0) for t in tables
    )
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    hub_entries = _take_hub_log(target)
    town_ids = _merge_towns(source, target, result, advance)
    _merge_accounts(source, target, result, town_ids, advance)
    _replace_lists(source, target, advance)
    for table in tables:
        if table.name in SPECIAL:
            continue
        count = 0
        for rows in _rows(source, table):
            _insert(target, table, rows)
            count += len(rows)
            advance(len(rows))
        result.rows[table.name] = count
    result.rows[ChangeLog.__tablename__] = _copy_log(source, target, hub_entries, advance)
    result.hub_entries = len(hub_entries)
    result.seconds = time.perf_counter() - started
    return result


# ----- the tables a fresh hub already has rows in ----------------------------------------------------


def _take_hub_log(target: Connection) -> list[dict[str, Any]]:
    """The hub's change-log entries (its initialisation and logins), removed to be chained again after
    the file's; the hub's chain head and secret go with them."""
    log = ChangeLog.__table__
    entries = [dict(row) for row in target.execute(select(log).order_by(log.c.seq)).mappings()]
    target.execute(delete(log))
    target.execute(delete(AuditHead.__table__))
    target.execute(delete(AuditSecret.__table__))
    return entries


def _copy_log(
    source: Connection, target: Connection, hub_entries: list[dict[str, Any]], advance: Callable[[int], None]
) -> int:
    """The file's log as it is (seq, chain, its secret and head), then the hub's own entries linked on."""
    log = ChangeLog.__table__
    count = 0
    for rows in _rows(source, log):
        _insert(target, log, rows)
        count += len(rows)
        advance(len(rows))
    secret_row = source.execute(select(AuditSecret.__table__)).mappings().first()
    head_row = source.execute(select(AuditHead.__table__)).mappings().first()
    if secret_row is None:  # a file whose log has never been written: a new chain starts here
        import secrets

        secret_row = {"id": 1, "secret": secrets.token_hex(32)}
    head = dict(head_row) if head_row is not None else {
        "id": 1, "last_seq": 0, "last_chain": "", "verified_seq": 0, "verified_chain": ""
    }
    _insert(target, AuditSecret.__table__, [dict(secret_row)])
    secret = bytes.fromhex(secret_row["secret"])
    seq, chain = int(head["last_seq"]), head["last_chain"] or ""
    relinked = []
    for entry in hub_entries:
        seq += 1
        values = {name: entry[name] for name in FIELDS}
        chain = audit_chain.link(secret, chain, seq, values)
        relinked.append({**entry, "seq": seq, "chain": chain})
    for start in range(0, len(relinked), BATCH):
        _insert(target, log, relinked[start : start + BATCH])
    head["last_seq"], head["last_chain"] = seq, chain
    _insert(target, AuditHead.__table__, [head])
    return count


def _merge_towns(
    source: Connection, target: Connection, result: CopyResult, advance: Callable[[int], None]
) -> dict[str, str]:
    """The file's towns; the hub's empty town of the same name gives way. Returns {hub town id: file
    town id} for the scopes that named a town that gave way."""
    towns = Town.__table__
    theirs = [dict(row) for row in target.execute(select(towns)).mappings()]
    mine = [row for rows in _rows(source, towns) for row in rows]
    by_name = {row["name"]: row["id"] for row in mine}
    replaced: dict[str, str] = {}
    for town in theirs:
        if town["name"] in by_name:
            replaced[town["id"]] = by_name[town["name"]]
            result.towns_merged.append(town["name"])
    if replaced:
        scopes = AccountScope.__table__
        for old, new in replaced.items():
            target.execute(update(scopes).where(scopes.c.unit_id == old).values(unit_id=new))
        target.execute(delete(towns).where(towns.c.id.in_(list(replaced))))
    _insert(target, towns, mine)
    result.rows[towns.name] = len(mine)
    advance(len(mine))
    return replaced


def _merge_accounts(
    source: Connection,
    target: Connection,
    result: CopyResult,
    town_ids: dict[str, str],
    advance: Callable[[int], None],
) -> None:
    """The file's accounts with their password hashes; the hub's stay. A login both use: the file's
    account comes under a free one."""
    accounts, scopes = Account.__table__, AccountScope.__table__
    taken = set(target.execute(select(accounts.c.login)).scalars())
    hub_ids = set(target.execute(select(accounts.c.id)).scalars())
    rows = [row for chunk in _rows(source, accounts) for row in chunk]
    for row in rows:
        if row["id"] in hub_ids:  # the same account twice (the hub made from this very file before)
            raise HubNotEmpty("镇里的数据库中已有这份档案的账号，不能再导入一次。镇里的数据库没有任何改动。")
        if row["login"] in taken:
            new = _free_login(row["login"], taken)
            result.renamed.append((row["login"], new))
            row["login"] = new
        taken.add(row["login"])
    _insert(target, accounts, rows)
    scope_rows = [row for chunk in _rows(source, scopes) for row in chunk]
    _insert(target, scopes, scope_rows)
    result.rows[accounts.name] = len(rows)
    result.rows[scopes.name] = len(scope_rows)
    advance(len(rows) + len(scope_rows))


def _replace_lists(source: Connection, target: Connection, advance: Callable[[int], None]) -> None:
    """The file's code lists replace the defaults the hub was seeded with; its settings win over the
    hub's of the same key (the hub's others stay)."""
    codes, settings = CodeItem.__table__, Setting.__table__
    target.execute(delete(codes))
    for rows in _rows(source, codes):
        _insert(target, codes, rows)
        advance(len(rows))
    for chunk in _rows(source, settings):
        rows = [row for row in chunk if row["key"] not in LAPTOP_ONLY_SETTINGS]
        advance(len(chunk) - len(rows))
        if not rows:
            continue
        target.execute(delete(settings).where(settings.c.key.in_([row["key"] for row in rows])))
        _insert(target, settings, rows)
        advance(len(rows))
