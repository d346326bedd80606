"""Queries of sync (issue 14): the identity row, devices, the replication log, the conflict queue, the
records' values in wire form, and the rows an enrolment file carries. Works on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Table, delete, func, or_, select, update
from sqlalchemy.orm import Session, object_session

from zhuji_archive.storage.models import (
    Account,
    AccountScope,
    Area,
    Assistance,
    Base,
    Cadre,
    ChangeLog,
    Household,
    HouseholdCode,
    IncomeSource,
    Member,
    Request,
    RequestEvent,
    RequestFeedback,
    Town,
    Village,
    VillageGroup,
    Visit,
)
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncIdentity, SyncLog

# What travels, per entity (table name): the fields people edit. ``household_id`` / ``group_id`` and
# ``village_id`` place a new record and are sent only when it is created.
# ``codes``: the household's economic types and focus tags (household_code rows), as sorted [kind, label]
HOUSEHOLD_FIELDS = ("number", "address", "phone", "status", "status_note", "notes", "responsible_cadre_id", "codes")
CODES = "codes"
MEMBER_FIELDS = (
    "name", "relation", "sex", "id_number", "birth_date", "education", "political_status", "health",
    "disability_grade", "phone", "migrant_worker", "migrant_place", "notes", "removed",
)
VISIT_FIELDS = ("date", "kind", "cadres", "notes", "policies", "account_id", "deleted")
INCOME_FIELDS = ("kind", "description", "land_mu", "scale", "months", "annual_income", "deleted")
ASSISTANCE_FIELDS = ("date", "provider", "provider_type", "kind", "content", "amount", "deleted")
# A request's own fields; its workflow fields change only by transitions (``request_step``), replayed
# at the hub. ``meeting_id`` and ``common_issue_id`` stay at the hub (a laptop holds no meetings).
REQUEST_FIELDS = (
    "number", "recorded_on", "category", "description", "status", "resolution", "deleted",
    "scope", "solvability", "level", "responsible_unit", "responsible_person", "deadline", "assignment_note",
    "supervising_body", "listed_on", "leader", "next_check_on", "solved_on", "measures", "method", "result",
    "explanation", "explained_on", "satisfaction", "closed_on", "reopen_reason",
)
REQUEST_EVENT_FIELDS = ("at", "on", "operator", "account_id", "action", "from_status", "to_status", "note")
REQUEST_FEEDBACK_FIELDS = (
    "on", "responsible_person", "cadre", "village_cadre", "opinion", "satisfaction", "form_received",
)
PLACEMENT: Mapping[str, tuple[str, ...]] = {
    "household": ("group_id", "village_id"),
    "member": ("household_id",),
    "visit": ("household_id",),
    "income_source": ("household_id",),
    "assistance": ("household_id",),
    "request": ("household_id", "village_id"),
    "request_event": ("request_id",),
    "request_feedback": ("request_id",),
}
FIELDS: Mapping[str, tuple[str, ...]] = {
    "household": HOUSEHOLD_FIELDS,
    "member": MEMBER_FIELDS,
    "visit": VISIT_FIELDS,
    "income_source": INCOME_FIELDS,
    "assistance": ASSISTANCE_FIELDS,
    "request": REQUEST_FIELDS,
    "request_event": REQUEST_EVENT_FIELDS,
    "request_feedback": REQUEST_FEEDBACK_FIELDS,
}
MODELS: Mapping[str, Any] = {
    "household": Household,
    "member": Member,
    "visit": Visit,
    "income_source": IncomeSource,
    "assistance": Assistance,
    "request": Request,
    "request_event": RequestEvent,
    "request_feedback": RequestFeedback,
}
# The records a household save touches (its own rows), and the order records are written in, so that
# a record always comes after the one it belongs to.
HOUSEHOLD_RECORDS = ("member", "visit", "income_source", "assistance", "request")
WRITE_ORDER = tuple(MODELS)
# A transition a laptop made on a request: replayed at the hub on the request as the hub has it.
STEP = "request_step"


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
    return {name: _codes(record) if name == CODES else to_wire(getattr(record, name)) for name in names}


def set_values(record: Any, values: Mapping[str, Any]) -> None:
    """Write travelled values into a record (one in a session when ``codes`` is among them)."""
    table = type(record).__table__
    for name, value in values.items():
        if name != CODES:
            setattr(record, name, from_wire(table, name, value))
    if CODES in values:
        _set_codes(record, values[CODES])


def _codes(household: Any) -> list[list[str]]:
    session = object_session(household)
    if session is None:
        return []
    rows = session.execute(
        select(HouseholdCode.kind, HouseholdCode.label).where(HouseholdCode.household_id == household.id)
    ).all()
    return sorted([kind, label] for kind, label in rows)


def _set_codes(household: Any, codes: Iterable[Iterable[str]]) -> None:
    session = object_session(household)
    assert session is not None, "a household takes its codes once it is in a session"
    session.flush()  # codes written earlier in this transaction are replaced, not doubled
    session.execute(delete(HouseholdCode).where(HouseholdCode.household_id == household.id))
    session.add_all(HouseholdCode(household_id=household.id, kind=kind, label=label) for kind, label in codes)


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


def device_changes(session: Session, device_id: str, seqs: Iterable[int]) -> dict[int, tuple[str, str, Any]]:
    """device seq -> (entity, record id, when the laptop made it) of a device's changes the hub applied
    (one entry each)."""
    wanted = sorted(set(seqs))
    found: dict[int, tuple[str, str, Any]] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(SyncLog.device_seq, SyncLog.entity, SyncLog.record_id, SyncLog.at).where(
                SyncLog.device_id == device_id, SyncLog.device_seq.in_(wanted[start : start + 500])
            )
        )
        found.update({seq: (entity, record_id, at) for seq, entity, record_id, at in rows})
    return found


def renumber_unsent(session: Session, device_id: str, acknowledged: int, after: int) -> int:
    """On a laptop restored from a backup: its unsent changes take the numbers after ``after`` (what
    the hub applied of this device), in their order; returns the last number given."""
    unsent = unacknowledged(session, device_id, acknowledged)
    for entry in unsent:  # out of the way first: the new numbers may overlap the old ones
        entry.device_seq = -entry.device_seq
    session.flush()
    for n, entry in enumerate(unsent, start=after + 1):
        entry.device_seq = n
    session.flush()
    return after + len(unsent)


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
    """record id -> household id of existing records of a household (members, visits, requests …) or of
    a request (its events and feedback)."""
    model = MODELS[entity]
    ids = list(set(record_ids))
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        if hasattr(model, "household_id"):
            query = select(model.id, model.household_id).where(model.id.in_(chunk))
        else:
            query = select(model.id, Request.household_id).join(Request, Request.id == model.request_id)
            query = query.where(model.id.in_(chunk))
        found.update(session.execute(query).all())
    return found


def request_households(session: Session, request_ids: Iterable[str]) -> dict[str, str]:
    """request id -> household id of the requests that exist."""
    return record_households(session, "request", request_ids)


def request_event_ids(session: Session, request_id: str) -> frozenset[str]:
    """The ids of a request's events (a laptop's transition already applied keeps its event's id)."""
    return frozenset(session.scalars(select(RequestEvent.id).where(RequestEvent.request_id == request_id)))


def request_holding_number(session: Session, number: str, other_than: str) -> Request | None:
    """Another request already holding this 诉求编号."""
    return session.scalar(select(Request).where(Request.number == number, Request.id != other_than))


def household_holding_number(session: Session, group_id: str, number: int, other_than: str) -> Household | None:
    """Another household of the group already holding this 户号."""
    return session.scalar(
        select(Household).where(Household.group_id == group_id, Household.number == number, Household.id != other_than)
        .limit(1)
    )


def next_household_number(session: Session, group_id: str) -> int:
    return (session.scalar(select(func.max(Household.number)).where(Household.group_id == group_id)) or 0) + 1


def pending_requests(session: Session, device_id: str, after_seq: int) -> set[str]:
    """The requests with transitions this laptop made that the hub has not acknowledged."""
    return set(
        session.scalars(
            select(SyncLog.record_id).where(
                SyncLog.device_id == device_id, SyncLog.device_seq > after_seq, SyncLog.entity == STEP
            )
        )
    )


def open_transition_conflicts(session: Session, device_id: str) -> list[SyncConflict]:
    """The open queue entries of a device's transitions the hub could not apply (they go back to it)."""
    return list(
        session.scalars(
            select(SyncConflict)
            .where(
                SyncConflict.decided.is_(False),
                SyncConflict.incoming_device == device_id,
                SyncConflict.entity == "request",
            )
            .order_by(SyncConflict.created_at)
        )
    )


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
    requests = select(Request.id).where(Request.household_id.in_(households))
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
        "income_source": _rows(session, IncomeSource.__table__, IncomeSource.household_id.in_(households)),
        "assistance": _rows(session, Assistance.__table__, Assistance.household_id.in_(households)),
        "request": _request_rows(session, households),
        "request_event": _rows(session, RequestEvent.__table__, RequestEvent.request_id.in_(requests)),
        "request_feedback": _rows(session, RequestFeedback.__table__, RequestFeedback.request_id.in_(requests)),
    }


def _request_rows(session: Session, households: Any) -> list[dict[str, Any]]:
    """The households' requests, without their meeting or common issue (which stay at the hub)."""
    rows = _rows(session, Request.__table__, Request.household_id.in_(households))
    for row in rows:
        row["meeting_id"] = row["common_issue_id"] = None
    return rows


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
