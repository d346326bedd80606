"""Applying a laptop's sync file at the hub (services/sync.py ``SyncService.apply`` opens, verifies and
locks; this module does the work inside its one transaction): every change checked against the sender's
account and the device's scope before anything is written, then merged in hub order — fields against
their base (domain/sync_merge.py), append-only records by union, a request's steps replayed
(services/sync_requests.py) — with conflicts queued and numbers taken by the hub freed; and the receipt
written for the device. See docs/sync.md."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor, Capability, PermissionDenied
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.sync_merge import (
    APPEND_ONLY_ENTITIES,
    ChangeKind,
    Conflict,
    Entry,
    RecordChange,
    RecordState,
    Side,
    merge_change,
    union_entries,
)
from zhuji_archive.services import sync_capture, sync_records, sync_requests
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.progress import Job
from zhuji_archive.services.requests import ACTING
from zhuji_archive.storage import sync_bundle
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.database import head_revision
from zhuji_archive.storage.models import utcnow
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncIdentity, SyncLog

PROGRESS_EVERY = 200  # changes between two progress reports (and cancel checks)


@dataclass
class ApplyResult:
    """What applying a sync file (at the hub) or a receipt (on a laptop) did."""

    applied: int = 0  # changes merged (at the hub) or records updated (on a laptop)
    conflicts: int = 0  # entries added to the conflict queue
    duplicate: bool = False  # nothing new: everything in it had been applied before
    acknowledged_to: int = 0
    receipt: bytes = b""
    receipt_path: Path | None = None
    households: set[str] = field(default_factory=set)
    renumber_after: int | None = None  # the sender was restored from a backup: see SyncService.apply
    renumbered: int = 0  # on a laptop: unsent changes given new numbers after a restore

    def summary(self) -> str:
        if self.renumber_after is not None:
            return (f"这台笔记本的档案从备份恢复过，它的新更改用了镇里已导入过的编号，这次没有导入（镇里已导入到"
                    f"第{self.renumber_after}号）：笔记本导入这份回执后会给未送达的更改重新编号，下次同步时送达")
        if self.duplicate:
            return f"这个同步文件已经导入过，没有新的更改（已确认到第{self.acknowledged_to}号）"
        text = f"已导入{self.applied}条更改，已确认到第{self.acknowledged_to}号"
        if self.conflicts:
            text += f"；{self.conflicts}处两边都改过，已放入冲突待办，请核对"
        return text


def numbers_reused(session: Session, device: SyncDevice, sent: list[dict[str, Any]]) -> bool:
    """Whether numbers the hub already applied come with other changes than the ones it applied."""
    seen = [c for c in sent if c["device_seq"] <= device.applied_seq]
    if not seen:
        return False
    applied = q.device_changes(session, device.id, [c["device_seq"] for c in seen])
    for c in seen:
        entity, record_id, at = applied.get(c["device_seq"], (c["entity"], c["record_id"], None))
        made = datetime.fromisoformat(c["at"]) if c.get("at") else None
        if (entity, record_id) != (c["entity"], c["record_id"]) or (at and made and at != made):
            return True  # the same number, another change (its record or the moment it was made)
    return False


def check_changes(session: Session, device: SyncDevice, sender: Actor, changes: list[dict[str, Any]]) -> None:
    """Every change must be one the sender could make by hand, in the device's scope: else the
    whole file is refused before anything is written. Each change learns its household and village
    (``_household``, ``_village``)."""
    scope = set(filter(None, device.scope.split(",")))
    places = q.household_places(session, [c["household_id"] for c in changes if c.get("household_id")])
    owners: dict[str, dict[str, str]] = {}
    for entity in (*q.HOUSEHOLD_RECORDS, q.STEP):
        ids = [c["record_id"] for c in changes if c["entity"] == entity]
        owners[entity] = q.record_households(session, "request" if entity == q.STEP else entity, ids)
    new_households: dict[str, str] = {}
    for c in changes:
        entity, values = c["entity"], c["values"]
        if entity not in (*q.HOUSEHOLD_RECORDS, "household", q.STEP):
            raise DomainError("同步文件中有本程序还不能同步的记录，已整份拒收")
        creating = c["kind"] == ChangeKind.CREATE.value
        if entity == "household":
            household = c["record_id"]
            if household in places:
                village = places[household]
            elif creating:
                village = values.get("village_id")
                if q.group_village(session, values.get("group_id") or "") != village:
                    village = None
                new_households[household] = village or ""
            elif household in new_households:  # filed earlier in this file, then edited
                village = new_households[household]
            else:
                village = None
        else:
            household = owners[entity].get(c["record_id"])
            if household is None and creating:
                household = values.get("household_id")
                owners[entity][c["record_id"]] = household  # its later edits in this file
            elif household is not None and values.get("household_id", household) != household:
                household = None  # a record may not move to another household
            village = places.get(household or "") or new_households.get(household or "")
            if village is None and household:
                village = q.household_places(session, [household]).get(household)
        if not village:
            raise DomainError("同步文件中有镇里找不到的户档案，已整份拒收")
        if village not in scope or not sender.covers(village) or not _may_send(sender, entity):
            raise PermissionDenied("同步文件中有超出该设备负责范围（或账号权限）的更改，已整份拒收，没有导入任何内容")
        if entity == "request":
            if creating:
                sync_requests.check_created(values)
                if values.get("village_id") not in (None, village):
                    raise DomainError("同步文件中有诉求的村与户档案不符，已整份拒收")
            else:
                sync_requests.check_edit(values)
        c["_village"] = village
        c["_household"] = household
        if entity == "request" and creating:
            owners[q.STEP][c["record_id"]] = household  # its steps may follow in the same file


def _may_send(sender: Actor, entity: str) -> bool:
    if entity == q.STEP:
        return any(sender.can(capability) for capability in ACTING)
    return sender.can(Capability.EDIT_FILES)


def merge(
    session: Session,
    ident: SyncIdentity,
    device: SyncDevice,
    sender: Actor,
    changes: list[dict[str, Any]],
    result: ApplyResult,
    job: Job,
) -> None:
    """Merge the checked changes in the file's order, each given the next hub sequence number: fields
    against their base, append-only records by union, steps replayed; conflicts to the queue."""
    recorder = ChangeRecorder(session, sender)
    records = q.preload(
        session, [("request" if c["entity"] == q.STEP else c["entity"], c["record_id"]) for c in changes]
    )
    seqs = _HubSeq(ident.last_seq)
    refused_requests: set[str] = set()  # a step refused: the later steps of that request follow it
    # the hub's log has one entry per change of the device: one found is applied already (a hub
    # whose "applied up to" went back, e.g. restored with a newer log than device row)
    already = q.device_changes(session, device.id, [c["device_seq"] for c in changes])
    with session.no_autoflush:
        for done, c in enumerate(changes):
            if done % PROGRESS_EVERY == 0:
                job.step(done, len(changes))  # a cancel here rolls the whole file back
            if c["device_seq"] in already:
                continue
            hub_seq = seqs.take()
            if c["entity"] == q.STEP:
                _replay(session, recorder, ident, device, sender, c, hub_seq, seqs, refused_requests, result)
                logged = False
            else:
                logged = _merge_one(session, recorder, records, ident, device, sender, c, hub_seq, seqs, result)
            if not logged:  # one entry per change of the device, so a reused number is recognised
                session.add(
                    SyncLog(
                        entity=c["entity"], record_id=c["record_id"], household_id=c["_household"],
                        village_id=c["_village"], device_id=device.id, device_seq=c["device_seq"], hub_seq=None,
                        base_version=c["base_version"], kind=c["kind"], values="{}", base_values="{}",
                        account_id=sender.account_id,
                        at=datetime.fromisoformat(c["at"]) if c.get("at") else utcnow(),
                    )
                )
    ident.last_seq = seqs.last
    session.flush()
    sync_records.refresh(session, result.households)


def _replay(
    session: Session, recorder: ChangeRecorder, ident: SyncIdentity, device: SyncDevice, sender: Actor,
    c: dict[str, Any], hub_seq: int, seqs: _HubSeq, refused_requests: set[str], result: ApplyResult,
) -> None:
    """One of the laptop's transitions, replayed on the request as the hub has it."""
    at = datetime.fromisoformat(c["at"]) if c.get("at") else None
    incoming = Side(device.id, sender.account_id, at, hub_seq)
    request_id = c["record_id"]
    session.flush()
    outcome = sync_requests.replay_step(
        session, recorder, ident.device_id, sender, incoming, _hub_side(session, "request", request_id), c,
        request_id in refused_requests, seqs.take,
    )
    if outcome.conflicts:
        refused_requests.add(request_id)
        _queue(session, outcome.conflicts, c)
        result.conflicts += len(outcome.conflicts)
    if outcome.applied:
        result.applied += 1
    result.households.add(c["_household"])


def _merge_one(
    session: Session,
    recorder: ChangeRecorder,
    records: dict[tuple[str, str], Any],
    ident: SyncIdentity,
    device: SyncDevice,
    sender: Actor,
    c: dict[str, Any],
    hub_seq: int,
    seqs: _HubSeq,
    result: ApplyResult,
) -> bool:
    entity, record_id = c["entity"], c["record_id"]
    model = q.MODELS[entity]
    at = datetime.fromisoformat(c["at"]) if c.get("at") else None
    record = records.get((entity, record_id))  # every record the file changes, loaded at once
    placement = {k: v for k, v in c["values"].items() if k in q.PLACEMENT[entity]}
    fields = {k: v for k, v in c["values"].items() if k in q.FIELDS[entity]}
    incoming_side = Side(device.id, sender.account_id, at, hub_seq)
    if entity in APPEND_ONLY_ENTITIES and c["kind"] == ChangeKind.DELETE.value:
        # a tombstone: the record stays deleted whatever an older copy says
        if record is None or record.deleted:
            return False
        changed, base = {"deleted": True}, {"deleted": False}
        record.deleted = True
    elif entity in APPEND_ONLY_ENTITIES:
        hub = []
        if record is not None:
            have = q.values_of(record, q.FIELDS[entity] + q.PLACEMENT[entity])
            hub = [Entry(entity, record_id, have, _hub_side(session, entity, record_id))]
        union = union_entries(hub, [Entry(entity, record_id, c["values"], incoming_side)])
        _queue(session, union.conflicts, c)
        result.conflicts += len(union.conflicts)
        if not union.added:
            return False
        record = model(id=record_id)
        q.set_values(record, c["values"])
        session.add(record)
        records[(entity, record_id)] = record
        changed, base = c["values"], {}
    else:
        state = None
        if record is not None:
            state = RecordState(entity, record_id, record.version or 0, q.values_of(record, q.FIELDS[entity]))
        change = RecordChange(
            entity, record_id, device.id, c["device_seq"], c["base_version"], fields,
            c["base_values"], ChangeKind(c["kind"]), sender.account_id, at,
        )
        merged = merge_change(state, change, hub_seq)
        conflicts = [
            x if x.hub_side is not None else _with_hub_side(x, _hub_side(session, entity, record_id))
            for x in merged.conflicts
        ]
        _queue(session, conflicts, c)
        result.conflicts += len(conflicts)
        base = dict(state.values) if state is not None else {}
        if record is None:
            record = model(id=record_id)
            q.set_values(record, placement)
            fields_now = dict(merged.state.values)
            codes = fields_now.pop(q.CODES, None)
            q.set_values(record, fields_now)
            session.add(record)
            if codes is not None:
                q.set_values(record, {q.CODES: codes})  # rows of their own, once the household is added
            records[(entity, record_id)] = record
            changed = {**placement, **dict(merged.state.values)}
            base = {}
            if entity in ("request", "household"):
                _free_number(session, recorder, ident, sender, record, c, seqs)
        else:
            changed = {k: merged.state.values[k] for k in merged.changed_fields}
            base = {k: base.get(k) for k in changed}
            if not changed:
                return False
            q.set_values(record, changed)
    household_id, village_id = c["_household"], c["_village"]
    sync_records.audit(recorder, entity, record_id, household_id, village_id, changed, base, c["kind"])
    session.add(
        SyncLog(
            entity=entity, record_id=record_id, household_id=household_id, village_id=village_id,
            device_id=device.id, device_seq=c["device_seq"], hub_seq=hub_seq,
            base_version=c["base_version"], kind=c["kind"], values=q.dumps(changed),
            base_values=q.dumps(base), account_id=sender.account_id, at=at or utcnow(),  # when it was made
        )
    )
    result.applied += 1
    if entity != "household" or {"status", q.CODES} & set(changed) or c["kind"] == ChangeKind.CREATE.value:
        result.households.add(household_id)  # its list columns or members' holds depend on this
    return True


def _free_number(
    session: Session, recorder: ChangeRecorder, ident: SyncIdentity, sender: Actor, record: Any,
    c: Mapping[str, Any], seqs: _HubSeq,
) -> None:
    """A record a laptop created whose number another record at the hub holds (诉求编号 in the town,
    户号 in the group: two sides numbered offline) gets the hub's next number; the change is logged
    under the hub's own id, so the receipt takes it back to the sender."""
    entity = c["entity"]
    if entity == "request":
        old = sync_requests.free_number_at_hub(session, record)
        label, note = "诉求编号", "同步导入：编号已被占用，改用镇里的下一个编号"
    else:
        session.flush()
        old = record.number
        if q.household_holding_number(session, record.group_id, old, record.id) is None:
            return
        record.number = q.next_household_number(session, record.group_id)
        label, note = "户号", "同步导入：户号已被占用，改用本组的下一个户号"
    if old is None:
        return
    recorder.log("修改", sync_records.ENTITY_LABELS[entity], record.id, household_id=c["_household"],
                 village_id=c["_village"], field=label, old=old, new=record.number, note=note)
    sync_capture.log_entry(
        session, "hub", ident.device_id, sender, entity, record.id, c["_household"], c["_village"],
        ChangeKind.EDIT.value, 0, {"number": record.number}, {"number": old}, seqs.take(),
    )


def _hub_side(session: Session, entity: str, record_id: str) -> Side | None:
    entry = q.last_hub_entry(session, entity, record_id)
    if entry is None:
        return None
    return Side(entry.device_id, entry.account_id or "", entry.at, entry.hub_seq)


def _queue(session: Session, conflicts: Any, change: Mapping[str, Any]) -> None:
    for x in conflicts:
        hub, inc = x.hub_side, x.incoming_side
        session.add(
            SyncConflict(
                entity=x.entity, record_id=x.record_id, household_id=change.get("_household"),
                village_id=change.get("_village"), field=x.field, kind=str(x.kind),
                hub_value=q.dumps(_plain(x.hub_value)), incoming_value=q.dumps(_plain(x.incoming_value)),
                kept=x.kept, hub_device=hub.device_id if hub else "", hub_account=hub.account if hub else "",
                hub_at=hub.at if hub else None, hub_seq=hub.hub_seq if hub else None,
                incoming_device=inc.device_id, incoming_account=inc.account, incoming_at=inc.at,
                decided=False,
            )
        )


def receipt(
    session: Session, ident: SyncIdentity, device: SyncDevice, cursor: int, renumber_after: int | None = None
) -> bytes:
    """The acknowledgement, and the hub's current values of every record in the device's scope
    changed at the hub (by anyone but this device) after ``cursor``."""
    villages = [v for v in device.scope.split(",") if v]
    # from the start (a laptop restored from a backup, or after a complete file) it takes its own
    # changes back too: it may no longer hold them
    entries = q.hub_changes_for(session, villages, cursor, device.id if cursor else "")
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        key = (entry.entity, entry.record_id)
        # ordered by the record's first change: a household made here comes before its members
        item = latest.setdefault(key, {
            "entity": entry.entity, "record_id": entry.record_id, "household_id": entry.household_id,
            "kind": entry.kind, "fields": set(),
        })
        item["fields"].update(json.loads(entry.values))
        item["hub_seq"] = entry.hub_seq
    out = []
    records = q.preload(session, latest)
    for (entity, record_id), item in latest.items():
        record = records.get((entity, record_id))
        if record is None:
            continue
        names = [n for n in item["fields"] if n in q.FIELDS[entity] or n in q.PLACEMENT[entity]]
        if item["kind"] == ChangeKind.CREATE.value:
            names = list(q.FIELDS[entity] + q.PLACEMENT[entity])
        out.append({**{k: v for k, v in item.items() if k != "fields"}, "values": q.values_of(record, names)})
    out.sort(key=lambda item: q.WRITE_ORDER.index(item["entity"]))  # a record after the one it belongs to
    out.extend(sync_requests.conflict_items(session, device.id))
    out.append(sync_records.account_item(session, device.account_id))
    manifest = {
        "device_id": ident.hub_id, "hub_id": device.id, "account_id": device.account_id,
        "scope": villages, "seq_from": cursor + 1, "seq_to": ident.last_seq,
        "schema_version": head_revision(), "kind": "receipt", "created_at": utcnow().isoformat(),
        "change_count": len(out), "acknowledged_to": device.applied_seq, "hub_seq_to": ident.last_seq,
    }
    if renumber_after is not None:
        manifest["renumber_after"] = renumber_after
    return sync_bundle.write(
        manifest, q.dumps(out).encode("utf-8"), device.receiving_public.encode(), ident.signing_private.encode()
    )


class _HubSeq:
    """Hub sequence numbers handed out while a file is applied (under the identity row's lock)."""

    def __init__(self, last: int) -> None:
        self.last = last

    def take(self) -> int:
        self.last += 1
        return self.last


def _with_hub_side(conflict: Conflict, side: Side | None) -> Conflict:
    return replace(conflict, hub_side=side)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    return value
