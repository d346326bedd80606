"""Queries of sync (issue 14): the identity row, devices, the replication log, the conflict queue, the
records' values in wire form, and the rows an enrolment file carries. Works on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Table, func, or_, select, update
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import (
    Account,
    AccountScope,
    Area,
    Base,
    Cadre,
    ChangeLog,
    Household,
    HouseholdCode,
    Member,
    Town,
    Village,
    VillageGroup,
    Visit,
)
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncIdentity, SyncLog

# What travels, per entity (table name): the fields people edit. ``household_id`` / ``group_id`` and
# ``village_id`` place a new record and are sent only when it is created.
HOUSEHOLD_FIELDS = ("number", "address", "phone", "status", "status_note", "notes", "responsible_cadre_id")
MEMBER_FIELDS = (
    "name", "relation", "sex", "id_number", "birth_date", "education", "political_status", "health",
    "disability_grade", "phone", "migrant_worker", "migrant_place", "notes", "removed",
)
VISIT_FIELDS = ("date", "kind", "cadres", "notes", "policies", "account_id")
PLACEMENT = {"household": ("group_id", "village_id"), "member": ("household_id",), "visit": ("household_id",)}
FIELDS: Mapping[str, tuple[str, ...]] = {
    "household": HOUSEHOLD_FIELDS, "member": MEMBER_FIELDS, "visit": VISIT_FIELDS,
}
MODELS: Mapping[str, Any] = {"household": Household, "member": Member, "visit": Visit}


# ---- wire form -----------------------------------------------------------------------------------
def to_wire(value: Any) -> Any:
    """A column value as it travels (JSON): dates and times as ISO text, the rest as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def from_wire(table: Table, name: str, value: Any) -> Any:
    """A travelled value back into the column's Python type."""
    if value is None:
        return None
    kind = table.c[name].type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def values_of(record: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: to_wire(getattr(record, name)) for name in names}


def set_values(record: Any, values: Mapping[str, Any]) -> None:
    table = type(record).__table__
    for name, value in values.items():
        setattr(record, name, from_wire(table, name, value))


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ---- identity and devices ------------------------------------------------------------------------
def identity(session: Session, *, lock: bool = False) -> SyncIdentity | None:
    query = select(SyncIdentity).where(SyncIdentity.id == 1)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def take_seq(session: Session) -> int:
    """The next sequence number of this archive (a laptop's device seq, the hub's hub seq), taken
    inside the caller's transaction (on PostgreSQL the row stays locked until it ends)."""
    session.execute(update(SyncIdentity).where(SyncIdentity.id == 1).values(last_seq=SyncIdentity.last_seq + 1))
    return session.scalar(select(SyncIdentity.last_seq).where(SyncIdentity.id == 1))


def devices(session: Session) -> list[SyncDevice]:
    return list(session.scalars(select(SyncDevice).order_by(SyncDevice.enrolled_at)))


# ---- the replication log -------------------------------------------------------------------------
def unacknowledged(session: Session, device_id: str, after_seq: int) -> list[SyncLog]:
    """A laptop's own changes the hub has not acknowledged, in their order."""
    return list(
        session.scalars(
            select(SyncLog)
            .where(SyncLog.device_id == device_id, SyncLog.device_seq > after_seq)
            .order_by(SyncLog.device_seq)
        )
    )


def hub_changes_for(
    session: Session, villages: Iterable[str], after_hub_seq: int, excluding_device: str
) -> list[SyncLog]:
    """The hub's log after ``after_hub_seq`` in the villages, but the changes that came from the device."""
    return list(
        session.scalars(
            select(SyncLog)
            .where(
                SyncLog.hub_seq > after_hub_seq,
                SyncLog.village_id.in_(list(villages)),
                SyncLog.device_id != excluding_device,
            )
            .order_by(SyncLog.hub_seq)
        )
    )


def last_hub_entry(session: Session, entity: str, record_id: str) -> SyncLog | None:
    """The hub's latest applied change of a record (who set its current values), for the conflict queue."""
    return session.scalar(
        select(SyncLog)
        .where(SyncLog.entity == entity, SyncLog.record_id == record_id, SyncLog.hub_seq.is_not(None))
        .order_by(SyncLog.hub_seq.desc())
        .limit(1)
    )


def pending_fields(session: Session, device_id: str, after_seq: int) -> set[tuple[str, str, str]]:
    """(entity, record, field) of every field a laptop changed that the hub has not acknowledged."""
    pending = set()
    for entry in unacknowledged(session, device_id, after_seq):
        for name in json.loads(entry.values):
            pending.add((entry.entity, entry.record_id, name))
    return pending


def open_conflicts(session: Session) -> list[SyncConflict]:
    return list(
        session.scalars(select(SyncConflict).where(SyncConflict.decided.is_(False)).order_by(SyncConflict.created_at))
    )


def preload(session: Session, records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Load the records a file changes in a few statements, so that the merge finds them in the
    session instead of reading them one by one."""
    wanted: dict[str, set[str]] = {}
    for entity, record_id in records:
        wanted.setdefault(entity, set()).add(record_id)
    found: dict[tuple[str, str], Any] = {}
    for entity, ids in wanted.items():
        model, chunk = MODELS[entity], sorted(ids)
        for start in range(0, len(chunk), 500):
            for record in session.scalars(select(model).where(model.id.in_(chunk[start : start + 500]))):
                found[(entity, record.id)] = record
    return found


def account_state(session: Session, account_id: str) -> tuple[str | None, bool]:
    """(login, disabled) of an account; (None, True) when there is none."""
    row = session.execute(select(Account.login, Account.disabled).where(Account.id == account_id)).one_or_none()
    return (row[0], bool(row[1])) if row is not None else (None, True)


# ---- scope ---------------------------------------------------------------------------------------
def household_places(session: Session, household_ids: Iterable[str]) -> dict[str, str]:
    """household id -> village id, for the households that exist."""
    ids = list(set(household_ids))
    places: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        places.update(session.execute(select(Household.id, Household.village_id).where(Household.id.in_(chunk))).all())
    return places


def record_households(session: Session, entity: str, record_ids: Iterable[str]) -> dict[str, str]:
    """record id -> household id of existing members or visits."""
    model = MODELS[entity]
    ids = list(set(record_ids))
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(session.execute(select(model.id, model.household_id).where(model.id.in_(chunk))).all())
    return found


def group_village(session: Session, group_id: str) -> str | None:
    return session.scalar(select(VillageGroup.village_id).where(VillageGroup.id == group_id))


def villages_of_scope(session: Session, account_id: str) -> list[str]:
    """The villages an account's scope units cover (every village for a scope holding a town or none)."""
    units = session.execute(
        select(AccountScope.unit_kind, AccountScope.unit_id).where(AccountScope.account_id == account_id)
    ).all()
    villages: set[str] = set()
    for kind, unit_id in units:
        column = {"镇": Village.town_id, "片区": Village.area_id, "村": Village.id}[kind]
        villages.update(session.scalars(select(Village.id).where(column == unit_id)))
    if not units:
        villages.update(session.scalars(select(Village.id)))
    return sorted(villages)


# ---- enrolment: the rows of a scope --------------------------------------------------------------
def _rows(session: Session, table: Table, where: Any = None) -> list[dict[str, Any]]:
    query = select(table)
    if where is not None:
        query = query.where(where)
    return [{k: to_wire(v) for k, v in row._mapping.items()} for row in session.execute(query)]


def _cadre_rows(session: Session, villages: list[str], households: Any) -> list[dict[str, Any]]:
    """The cadres a laptop needs: those of its villages or of the town (no village), and those
    responsible for its households. Another village's cadre responsible for one of them comes without
    that village (the laptop does not hold it); the other villages' cadres do not come at all."""
    responsible = select(Household.responsible_cadre_id).where(Household.id.in_(households))
    rows = _rows(
        session,
        Cadre.__table__,
        or_(Cadre.village_id.is_(None), Cadre.village_id.in_(villages), Cadre.id.in_(responsible)),
    )
    held = set(villages)
    for row in rows:
        if row["village_id"] is not None and row["village_id"] not in held:
            row["village_id"] = None
    return rows


def scope_rows(session: Session, villages: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every row a laptop holding these villages starts with, by table, in dependency order."""
    village_rows = _rows(session, Village.__table__, Village.id.in_(villages))
    towns = {row["town_id"] for row in village_rows}
    areas = {row["area_id"] for row in village_rows if row["area_id"]}
    households = select(Household.id).where(Household.village_id.in_(villages))
    return {
        "town": _rows(session, Town.__table__, Town.id.in_(towns)),
        "area": _rows(session, Area.__table__, Area.id.in_(areas)),
        "village": village_rows,
        "village_group": _rows(session, VillageGroup.__table__, VillageGroup.village_id.in_(villages)),
        "cadre": _cadre_rows(session, villages, households),
        "household": _rows(session, Household.__table__, Household.village_id.in_(villages)),
        "household_code": _rows(session, HouseholdCode.__table__, HouseholdCode.household_id.in_(households)),
        "member": _rows(session, Member.__table__, Member.household_id.in_(households)),
        "visit": _rows(session, Visit.__table__, Visit.household_id.in_(households)),
    }


def account_rows(session: Session, account_id: str) -> dict[str, list[dict[str, Any]]]:
    return {
        "account": _rows(session, Account.__table__, Account.id == account_id),
        "account_scope": _rows(session, AccountScope.__table__, AccountScope.account_id == account_id),
    }


def load_rows(session: Session, tables: Mapping[str, list[dict[str, Any]]]) -> None:
    """Insert rows made by ``scope_rows`` / ``account_rows`` (in the order given)."""
    for name, rows in tables.items():
        if not rows:
            continue
        table = Base.metadata.tables[name]
        converted = [{k: from_wire(table, k, v) for k, v in row.items()} for row in rows]
        for start in range(0, len(converted), 1000):
            session.execute(table.insert(), converted[start : start + 1000])


def count(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def account_logins(session: Session, account_ids: Iterable[str]) -> dict[str, str]:
    """account id -> display name (or login) for the accounts this archive knows."""
    ids = sorted(i for i in account_ids if i)
    if not ids:
        return {}
    rows = session.execute(select(Account.id, Account.login, Account.display_name).where(Account.id.in_(ids)))
    return {r[0]: r[2] or r[1] for r in rows}


def household_labels(session: Session, household_ids: Iterable[str]) -> dict[str, str]:
    """household id -> its 户号 (or 住址) for showing a conflict."""
    ids = sorted(household_ids)
    if not ids:
        return {}
    rows = session.execute(select(Household.id, Household.number, Household.address).where(Household.id.in_(ids)))
    return {r[0]: f"{r[2] or ''}（{r[1]}号户）" for r in rows}


def last_note_at(session: Session, note: str) -> Any:
    """When the change log last recorded an entry with this note (e.g. a receipt applied)."""
    return session.scalar(select(func.max(ChangeLog.at)).where(ChangeLog.note == note))
