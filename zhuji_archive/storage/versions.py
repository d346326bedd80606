"""Record versions: every editable record counts its changes, raised by the services' sessions.

A record's ``version`` is 1 when it is created and goes up by one in every transaction that changes
one of its edited fields (columns the services derive for lists and searches do not count). The
UPDATE carries ``WHERE version = <the version this session read>``, so a writer that read an old
row fails instead of overwriting. Each change-log row gets the version its record reached, so the
log says which change made which version (what a save's base version is compared with)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Integer, event, inspect
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, sessionmaker

# Columns kept up to date by the services (list sort keys, search keys, timestamps): a change to them
# alone is not an edit of the record and leaves its version alone.
DERIVED_COLUMNS: dict[str, frozenset[str]] = {
    "household": frozenset(
        {
            "created_at",
            "updated_at",
            "head_name",
            "head_pinyin",
            "member_count",
            "last_visit_date",
            "last_big_visit_date",
            "last_visit_key",
            "group_sort",
            "cadre_name",
        }
    ),
    "account": frozenset({"last_login_at"}),  # login bookkeeping, written by every login
    "member": frozenset(
        {"name_pinyin", "name_initials", "given_name", "id_number_rev", "phone_rev", "holds_id", "sort"}
    ),
}
_PINNED = "pinned_records"  # session.info key: records read in a write transaction, kept until it ends
_BUMPED = "record_versions"  # session.info key: record id -> version reached in this transaction
_UNSTAMPED = "unstamped_change_logs"


class Versioned:
    """Mixin of every record people edit: an integer ``version`` column guarding its UPDATEs."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declared_attr receives the class
        # The services set the version themselves (only for edited fields); the ORM checks it.
        return {"version_id_col": cls.version, "version_id_generator": False}  # type: ignore[attr-defined]


def _edited(record: Versioned) -> bool:
    state = inspect(record)
    derived = DERIVED_COLUMNS.get(type(record).__tablename__, frozenset())  # type: ignore[attr-defined]
    return any(
        attr.key not in derived and attr.key != "version" and attr.history.has_changes()
        for attr in state.attrs
        if attr.key in state.mapper.columns
    )


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    reached: dict[str, int] = session.info.setdefault(_BUMPED, {})
    for record in session.new:
        if isinstance(record, Versioned):
            if record.id is None:  # type: ignore[attr-defined]
                record.id = uuid.uuid4().hex  # as models.new_id would at the INSERT
            record.version = record.version or 1
            reached[record.id] = record.version  # type: ignore[attr-defined]
        elif type(record).__tablename__ == "change_log":  # type: ignore[attr-defined]
            session.info.setdefault(_UNSTAMPED, []).append(record)
    for record in session.dirty:
        key = getattr(record, "id", None)
        if isinstance(record, Versioned) and key not in reached and _edited(record):
            record.version += 1
            reached[key] = record.version  # type: ignore[index]
    waiting = session.info.get(_UNSTAMPED, [])
    for entry in list(waiting):
        if entry.record_id in reached:
            entry.version = reached[entry.record_id]
            waiting.remove(entry)


def pin_records(session: Session) -> None:
    """Keep every versioned record this (write) transaction reads until the transaction ends.

    The session's identity map holds records only while something refers to them. A record a service
    read to check its version, then dropped, was read again when it came to be changed; on the hub
    (PostgreSQL, each statement sees the latest commit) that second read carried another writer's
    just-committed version, and the UPDATE's ``WHERE version = …`` guard accepted it: the other
    writer's change was silently overwritten. Kept, the record is written with the version this
    transaction first read, and a change committed meanwhile fails the guard (``ChangedMeanwhile``)
    as SQLite's one snapshot per transaction made it fail on a laptop."""
    session.info[_PINNED] = []


def _pin(session: Session, instance: object) -> None:
    pinned = session.info.get(_PINNED)
    if pinned is not None and isinstance(instance, Versioned):
        pinned.append(instance)


def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_PINNED, None)
        session.info.pop(_BUMPED, None)
        session.info.pop(_UNSTAMPED, None)


def install(sessions: sessionmaker[Session]) -> None:
    """Keep versions on every session the factory makes."""
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "loaded_as_persistent", _pin)
    event.listen(sessions, "after_transaction_end", _forget)
