"""Capturing a household save into the replication log (issue 14, docs/sync.md).

``HouseholdService._write`` calls ``before`` when it starts and ``after`` when the file is written,
inside the same transaction: every record of the household (members, visits, incomes, assistance,
requests) whose synced fields changed gets one log entry (its base version, the new values and the values
they replace). Requests recorded and moved through the workflow on the request pages are logged by
``request_created`` and ``request_after``. On an archive that takes no part
in sync (no ``sync_identity``) both do nothing. On a laptop the entries are numbered by the device's
own sequence and wait for export; on the hub they get a hub sequence number and travel in receipts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain import workflow_wire
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.sync_merge import APPEND_ONLY_ENTITIES, FIELD_GROUPS, ChangeKind
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.models import Household, Request
from zhuji_archive.storage.sync_models import SyncLog

if TYPE_CHECKING:
    from zhuji_archive.services.requests import Step

Snapshot = dict[tuple[str, str], tuple[int, dict[str, Any]]]


@dataclass
class Before:
    """What the household's records held when the save began (empty for a new household)."""

    role: str
    device_id: str
    records: Snapshot


def _snapshot(session: Session, household_id: str | None) -> Snapshot:
    records: Snapshot = {}
    if household_id is None:
        return records
    h = session.get(Household, household_id)
    if h is None:
        return records
    records[("household", h.id)] = (h.version, q.values_of(h, q.HOUSEHOLD_FIELDS + q.PLACEMENT["household"]))
    for entity in q.HOUSEHOLD_RECORDS:
        model = q.MODELS[entity]
        for row in session.scalars(select(model).where(model.household_id == household_id)):
            records[(entity, row.id)] = (row.version, q.values_of(row, q.FIELDS[entity] + q.PLACEMENT[entity]))
    return records


def before(session: Session, household_id: str | None) -> Before | None:
    ident = q.identity(session)
    if ident is None:
        return None
    return Before(ident.role, ident.device_id, _snapshot(session, household_id))


def after(session: Session, actor: Actor, household_id: str, village_id: str, start: Before | None) -> int:
    """Log the household's changed records; return how many entries were written."""
    if start is None:
        return 0
    session.flush()
    written = 0
    for (entity, record_id), (_version, values) in _snapshot(session, household_id).items():
        old = start.records.get((entity, record_id))
        if old is None:
            kind, base_version, new, base = ChangeKind.CREATE, 0, values, {}
        elif entity in APPEND_ONLY_ENTITIES:
            # created once and never edited in sync; only its deletion travels, as a tombstone
            base_version, old_values = old
            if not values.get("deleted") or old_values.get("deleted"):
                continue
            kind, new, base = ChangeKind.DELETE, {"deleted": True}, {"deleted": False}
        else:
            base_version, old_values = old
            fields = q.FIELDS[entity]
            new = {k: values[k] for k in fields if values[k] != old_values[k]}
            if not new:
                continue
            for group in FIELD_GROUPS.get(entity, ()):  # ID number, birth date and sex travel together
                if any(name in new for name in group):
                    new.update({name: values[name] for name in group})
            base = {k: old_values[k] for k in new}
            kind = ChangeKind.EDIT
        log_entry(session, start.role, start.device_id, actor, entity, record_id, household_id, village_id,
             kind.value, base_version, new, base)
        written += 1
    return written


def log_entry(
    session: Session, role: str, device_id: str, actor: Actor, entity: str, record_id: str,
    household_id: str | None, village_id: str | None, kind: str, base_version: int,
    values: dict[str, Any], base: dict[str, Any], seq: int | None = None,
) -> None:
    """One entry of the replication log: numbered by the device on a laptop, by the hub on a hub
    (``seq`` when the caller numbers the entries itself, as applying a sync file does)."""
    seq = seq if seq is not None else q.take_seq(session)
    session.add(
        SyncLog(
            entity=entity,
            record_id=record_id,
            household_id=household_id,
            village_id=village_id,
            device_id=device_id,
            device_seq=seq,
            hub_seq=seq if role == "hub" else None,
            base_version=base_version,
            kind=kind,
            values=q.dumps(values),
            base_values=q.dumps(base),
            account_id=actor.account_id,
        )
    )


# ---- requests recorded and moved through the workflow outside a household save --------------------
def request_created(session: Session, actor: Actor, r: Request) -> None:
    """A request recorded (with its number) by the request pages: one creation entry."""
    ident = q.identity(session)
    if ident is None:
        return
    session.flush()
    values = q.values_of(r, q.FIELDS["request"] + q.PLACEMENT["request"])
    log_entry(session, ident.role, ident.device_id, actor, "request", r.id, r.household_id, r.village_id,
         ChangeKind.CREATE.value, 0, values, {})


@dataclass(frozen=True)
class RequestBefore:
    role: str
    device_id: str
    version: int
    values: dict[str, Any]


def request_before(session: Session, r: Request) -> RequestBefore | None:
    """The request's values before a transition (None when the archive takes no part in sync)."""
    ident = q.identity(session)
    if ident is None:
        return None
    return RequestBefore(ident.role, ident.device_id, r.version, q.values_of(r, q.FIELDS["request"]))


def request_after(session: Session, actor: Actor, r: Request, start: RequestBefore | None, step: Step) -> None:
    """Log a transition. On a laptop it travels as the step itself (the action and what it carried),
    to be replayed at the hub on the request as the hub has it; at the hub it is what it changed: the
    request's fields, its event and its feedback visit, which receipts carry to the laptops."""
    if start is None:
        return
    session.flush()
    if start.role == "laptop":
        values = {
            "action": step.action.value,
            "payload": workflow_wire.to_wire(step.payload),
            "event_id": step.event.id,
            "feedback_id": step.feedback.id if step.feedback is not None else None,
            "on": q.to_wire(step.event.on),
            "at": q.to_wire(step.event.at),
            "operator": step.event.operator,
        }
        log_entry(session, start.role, start.device_id, actor, q.STEP, r.id, r.household_id, r.village_id,
             ChangeKind.EDIT.value, start.version, values, {"status": start.values["status"]})
        return
    log_hub_step(session, start.device_id, actor, r, start.values, start.version, step)


def log_hub_step(
    session: Session, hub_id: str, actor: Actor, r: Request, base: dict[str, Any], base_version: int, step: Step,
    take: Callable[[], int] | None = None,
) -> None:
    """At the hub: what a transition changed, as entries receipts carry (the request's changed fields
    and its new event and feedback visit)."""
    now = q.values_of(r, q.FIELDS["request"])
    changed = {k: v for k, v in now.items() if v != base[k]}
    if changed:
        log_entry(session, "hub", hub_id, actor, "request", r.id, r.household_id, r.village_id,
             ChangeKind.EDIT.value, base_version, changed, {k: base[k] for k in changed}, take and take())
    records: list[tuple[str, Any]] = [("request_event", step.event)]
    if step.feedback is not None:
        records.append(("request_feedback", step.feedback))
    for entity, record in records:
        values = q.values_of(record, q.FIELDS[entity] + q.PLACEMENT[entity])
        log_entry(session, "hub", hub_id, actor, entity, record.id, r.household_id, r.village_id,
             ChangeKind.CREATE.value, 0, values, {}, take and take())
