"""Chaining change-log entries inside the transaction that writes them, and checking the chain.

The services' sessions number and chain every new change-log entry (storage/audit_chain.py) before it
is inserted, after storage/versions.py has stamped its version; an entry whose version is stamped in a
later flush is chained then, and one never stamped at commit. The chain head lives in the one-row
``audit_head`` table: the first entry of a transaction updates that row before reading it, which takes
SQLite's write lock (PostgreSQL's row lock), held until commit, so two writers (two processes on one
file, several on the hub) cannot interleave their entries; the new head is written at commit. On the
hub that lock is taken at a transaction's first write (``_before_flush``), so writers queue there.
Rows inserted in bulk (the importer's executemany) are chained by ``stamp_rows`` with the same head."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from zhuji_archive.storage import audit_chain
from zhuji_archive.storage.audit_chain import FIELDS, Break
from zhuji_archive.storage.models import ChangeLog, new_id, utcnow
from zhuji_archive.storage.versions import _UNSTAMPED

_STATE = "audit_chain"
_DEFERRED = "audit_deferred"


@dataclass
class _Head:
    """The chain head as this transaction has advanced it (written to ``audit_head`` at commit)."""

    secret: bytes
    seq: int
    chain: str
    moved: bool = False


def _secret(connection: Connection) -> bytes:
    value = connection.execute(text("SELECT secret FROM audit_secret WHERE id = 1")).scalar()
    if value is None:  # an archive made without migration 0010's row: create the secret at first use
        value = secrets.token_hex(32)
        connection.execute(text("INSERT INTO audit_secret (id, secret) VALUES (1, :s)"), {"s": value})
    return bytes.fromhex(value)


def _head(session: Session) -> _Head:
    """This transaction's head; the first call takes the write lock by updating the head row."""
    state: _Head | None = session.info.get(_STATE)
    if state is None:
        connection = session.connection()
        locked = connection.execute(text("UPDATE audit_head SET last_seq = last_seq WHERE id = 1")).rowcount
        if not locked:
            connection.execute(
                text(
                    "INSERT INTO audit_head (id, last_seq, last_chain, verified_seq, verified_chain) "
                    "VALUES (1, 0, '', 0, '')"
                )
            )
        seq, chain = connection.execute(
            text("SELECT last_seq, last_chain FROM audit_head WHERE id = 1")
        ).one()
        state = _Head(_secret(connection), int(seq), chain or "")
        session.info[_STATE] = state
    return state


def _prepare(values: dict[str, Any]) -> None:
    """Fill what the INSERT's defaults would, so the chain covers what is stored."""
    values["at"] = audit_chain.normal_time(values.get("at") or utcnow())
    for name in audit_chain.TEXT_FIELDS:
        if values.get(name) is None:
            values[name] = ""


def _chain_entry(session: Session, entry: ChangeLog) -> None:
    if entry.id is None:
        entry.id = new_id()
    values = {name: getattr(entry, name) for name in FIELDS}
    _prepare(values)
    for name in ("at", *audit_chain.TEXT_FIELDS):
        if getattr(entry, name) != values[name]:
            setattr(entry, name, values[name])
    head = _head(session)
    head.seq += 1
    head.chain = audit_chain.link(head.secret, head.chain, head.seq, values)
    head.moved = True
    entry.seq, entry.chain = head.seq, head.chain


def stamp_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Number and chain change-log rows about to be inserted with Core (the importer's fast path)."""
    for row in rows:
        row.setdefault("id", new_id())
        for name in FIELDS:
            row.setdefault(name, None)
        _prepare(row)
        head = _head(session)
        head.seq += 1
        head.chain = audit_chain.link(head.secret, head.chain, head.seq, row)
        head.moved = True
        row["seq"], row["chain"] = head.seq, head.chain


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    if _STATE not in session.info and (session.new or session.dirty or session.deleted) and _on_hub(session):
        # On the hub the chain head is locked before a transaction's first write, not at its first
        # change-log entry: every writer then takes its locks in the same order (head first, then rows,
        # tally rows through the triggers, the unique indexes), as SQLite's one writer at a time does.
        # Taken later, a writer holding a tally row and waiting for the head deadlocked with one
        # holding the head and waiting for that tally row; and two writers read the same last request
        # number (storage/request_numbers.py) and one of them failed on the unique index.
        _head(session)
    waiting = {id(entry) for entry in session.info.get(_UNSTAMPED, [])}
    deferred: list[ChangeLog] = session.info.setdefault(_DEFERRED, [])
    for entry in list(deferred):  # inserted earlier, waiting for its version: stamped now?
        if id(entry) not in waiting:
            deferred.remove(entry)
            _chain_entry(session, entry)
    for entry in list(session.new):
        if isinstance(entry, ChangeLog) and entry.seq is None:
            if id(entry) in waiting:
                deferred.append(entry)
            else:
                _chain_entry(session, entry)


def _on_hub(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _before_commit(session: Session) -> None:
    session.flush()
    deferred: list[ChangeLog] = session.info.pop(_DEFERRED, [])
    if deferred:  # entries whose record never reached a new version here: chained as they are
        for entry in deferred:
            _chain_entry(session, entry)
        session.flush()
    head: _Head | None = session.info.get(_STATE)
    if head is not None and head.moved:
        session.connection().execute(
            text("UPDATE audit_head SET last_seq = :seq, last_chain = :chain WHERE id = 1"),
            {"seq": head.seq, "chain": head.chain},
        )
        head.moved = False


def settle(session: Session) -> None:
    """Chain what the session holds and write the head now, before commit (for a check of the chain
    inside the same transaction); the commit then finds nothing left to do."""
    _before_commit(session)


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_STATE, None)
        session.info.pop(_DEFERRED, None)


def install(sessions: sessionmaker[Session]) -> None:
    """Chain the change log on every session the factory makes (after storage/versions.install)."""
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_transaction_end", _forget)


# ----- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking the log: entries checked, the chain's length, the first break."""

    checked: int
    total: int
    broken: Break | None
    last_seq: int = 0
    last_chain: str = ""
    notes: list[str] = field(default_factory=list)


_WALK = text(
    f"SELECT seq, chain, {', '.join(FIELDS)} FROM change_log"
    " WHERE seq > :after AND seq <= :upto ORDER BY seq LIMIT :batch"
)


def _entries(connection: Connection, after: int, upto: int, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    """Entries after ``after`` up to ``upto`` in seq order, read in keyset pages, values as the driver
    gives them (SQLite's timestamps as their stored text: parsing 100,000 of them doubled a walk)."""
    last = after
    while last < upto:
        rows = connection.execute(_WALK, {"after": last, "upto": upto, "batch": batch}).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify(connection: Connection, *, from_checkpoint: bool = False) -> Verdict:
    """Walk the chain from its start (or from the checkpoint a previous check stored) to its head.

    Only entries up to the head read first are walked, so a writer committing meanwhile (its entries
    and the head move together) does not look like an appended entry; entries beyond the head read
    again afterwards are."""
    secret_hex = connection.execute(text("SELECT secret FROM audit_secret WHERE id = 1")).scalar()
    head = connection.execute(
        text("SELECT last_seq, last_chain, verified_seq, verified_chain FROM audit_head WHERE id = 1")
    ).one_or_none()
    if secret_hex is None or head is None:
        total = int(connection.execute(text("SELECT count(*) FROM change_log")).scalar() or 0)
        return Verdict(0, total, Break(1, None, "日志链的密钥或链尾缺失") if total else None)
    secret, head_seq = bytes.fromhex(secret_hex), int(head.last_seq)
    start_seq, start_chain = 0, audit_chain.GENESIS
    if from_checkpoint and 0 < head.verified_seq <= head_seq:
        anchor = connection.execute(
            text("SELECT chain FROM change_log WHERE seq = :seq"), {"seq": head.verified_seq}
        ).scalar()
        if anchor == head.verified_chain:
            start_seq, start_chain = int(head.verified_seq), head.verified_chain
    result = audit_chain.walk(
        secret, _entries(connection, start_seq, head_seq), start_seq=start_seq, start_chain=start_chain
    )
    broken = audit_chain.check_head(result, head_seq, head.last_chain or "", _time_of(connection, head_seq))
    if broken is None:
        broken = _outside_chain(connection)
    return Verdict(result.count, head_seq, broken, result.last_seq, result.last_chain)


def _outside_chain(connection: Connection) -> Break | None:
    """Entries that bypassed the chain: numbered beyond its head, or not numbered at all."""
    beyond = connection.execute(text("SELECT max(seq) FROM change_log")).scalar()
    head_now = int(connection.execute(text("SELECT last_seq FROM audit_head WHERE id = 1")).scalar() or 0)
    if beyond is not None and int(beyond) > head_now:
        first = connection.execute(
            text("SELECT min(seq) FROM change_log WHERE seq > :head"), {"head": head_now}
        ).scalar()
        return Break(int(first), _time_of(connection, int(first)), "不在日志链中（在链尾之后添加）")
    unnumbered = connection.execute(text("SELECT min(at) FROM change_log WHERE seq IS NULL")).scalar()
    if unnumbered is not None:
        return Break(head_now + 1, _as_time(unnumbered), "没有编入日志链（绕过程序写入）")
    return None


def _time_of(connection: Connection, seq: int) -> datetime | None:
    table = ChangeLog.__table__
    return connection.execute(select(table.c.at).where(table.c.seq == seq)).scalar()


_as_time = audit_chain.as_time


def store_checkpoint(connection: Connection, verdict: Verdict) -> None:
    """Remember where an intact check ended, so the next check at open starts there."""
    if verdict.broken is None:
        connection.execute(
            text("UPDATE audit_head SET verified_seq = :seq, verified_chain = :chain WHERE id = 1"),
            {"seq": verdict.last_seq, "chain": verdict.last_chain},
        )
