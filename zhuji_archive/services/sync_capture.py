"""Capturing a household save into the replication log (issue 14, docs/sync.md).

``HouseholdService._write`` calls ``before`` when it starts and ``after`` when the file is written,
inside the same transaction: every record of the household whose synced fields changed gets one log
entry (its base version, the new values and the values they replace). On an archive that takes no part
in sync (no ``sync_identity``) both do nothing. On a laptop the entries are numbered by the device's
own sequence and wait for export; on the hub they get a hub sequence number and travel in receipts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.sync_merge import FIELD_GROUPS, ChangeKind
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.models import Household, Member, Visit
from zhuji_archive.storage.sync_models import SyncLog

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
    for entity, model in (("member", Member), ("visit", Visit)):
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
        elif entity == "visit":
            continue  # append-only: a visit travels once, when it is created
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
        seq = q.take_seq(session)
        session.add(
            SyncLog(
                entity=entity,
                record_id=record_id,
                household_id=household_id,
                village_id=village_id,
                device_id=start.device_id,
                device_seq=seq,
                hub_seq=seq if start.role == "hub" else None,
                base_version=base_version,
                kind=kind.value,
                values=q.dumps(new),
                base_values=q.dumps(base),
                account_id=actor.account_id,
            )
        )
        written += 1
    return written
