"""Sync between village laptops and the township hub (issue 14, docs/sync.md): the first slice.

What travels: household files (the household's fields and its members, merged field by field against
the values the laptop's change was based on) and visits (append-only, united by id). The steps:

- at the hub, 党政办 ``enrol_device`` s a laptop for an account: a device with its keys, and an
  enrolment file (sealed with a one-time code) holding the hub's public keys, the device's private keys,
  the account and the rows in its scope; ``join`` makes the laptop's encrypted archive from it;
- on the laptop every household save is logged (services/sync_capture.py); ``export`` writes the
  changes the hub has not acknowledged into a sync file (storage/sync_bundle.py);
- at the hub ``apply`` verifies the file, re-checks every change against the sender's account and
  scope, merges (domain/sync_merge.py) in hub order, queues conflicts, all in one transaction, and
  writes the receipt: the acknowledgement and the hub's current values of what changed in the laptop's
  scope since the laptop's last receipt;
- on the laptop ``apply_receipt`` takes those values, except for fields with unsent local changes:
  they keep the local value (it wins at the hub when it arrives) and the hub's goes to the local queue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor, Capability, PermissionDenied
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.masking import mask_id_number, mask_phone
from zhuji_archive.domain.search_keys import member_search_keys
from zhuji_archive.domain.sync_merge import (
    APPEND_ONLY_ENTITIES,
    ChangeKind,
    Conflict,
    ConflictKind,
    Entry,
    RecordChange,
    RecordState,
    Side,
    merge_change,
    union_entries,
)
from zhuji_archive.services import access
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.households import HOUSEHOLD_LABELS, MEMBER_LABELS, VISIT_LABELS, HouseholdService
from zhuji_archive.services.permissions import Guard
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.storage import cipher, keyring, passwords, sync_bundle, sync_enrolment
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.database import Database, head_revision, open_database
from zhuji_archive.storage.models import Household, Member, Village, new_id, utcnow
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncIdentity, SyncLog

if TYPE_CHECKING:
    from zhuji_archive.services.archive import Archive

ENTITY_LABELS = {"household": "户", "member": "成员", "visit": "走访"}
FIELD_LABELS: Mapping[str, Mapping[str, str]] = {
    "household": HOUSEHOLD_LABELS,
    "member": {**MEMBER_LABELS, "removed": "移出"},
    "visit": VISIT_LABELS,
}
SYNC_NOTE = "同步导入"
SYNC_RECEIPT_NOTE = "导入回执"
SUFFIX = ".zjsync"
RECEIPT_SUFFIX = ".zjreceipt"


@dataclass(frozen=True)
class Enrolment:
    """The sealed enrolment file for a laptop and the one-time code that opens it (read it out; never
    write it beside the file)."""

    device_id: str
    data: bytes
    code: str


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

    def summary(self) -> str:
        if self.duplicate:
            return f"这个同步文件已经导入过，没有新的更改（已确认到第{self.acknowledged_to}号）"
        text = f"已导入{self.applied}条更改，已确认到第{self.acknowledged_to}号"
        if self.conflicts:
            text += f"；{self.conflicts}处两边都改过，已放入冲突待办，请核对"
        return text


@dataclass(frozen=True)
class SyncStatus:
    """What the 同步 page shows of this archive: a laptop joined to a hub, the hub, or neither."""

    role: str | None  # "laptop", "hub" or None (never enrolled anything / not joined)
    recorded: int = 0  # laptop: its changes so far; hub: the last hub sequence number
    acknowledged: int = 0  # laptop: the hub applied up to here
    hub_seen: int = 0  # laptop: hub changes received up to here (its last receipt)
    waiting: int = 0
    last_receipt_at: datetime | None = None  # laptop: when the last receipt was applied
    open_conflicts: int = 0


@dataclass(frozen=True)
class DeviceRow:
    id: str
    name: str
    account: str  # the login of the device's account
    enrolled_at: datetime | None
    last_contact: datetime | None
    applied_seq: int
    revoked: bool


@dataclass(frozen=True)
class ConflictRow:
    """One open entry of the conflict queue, ready to show: both values with who and when."""

    id: str
    what: str  # 户 / 成员 / 走访 and the household's 户号 or head when known
    field: str  # the field's label
    kind: str
    hub_value: str
    hub_who: str
    hub_at: datetime | None
    other_value: str  # the laptop's value (at the hub: the incoming one; on a laptop: the local one)
    other_who: str
    other_at: datetime | None
    kept: str  # "hub", "incoming" or "local"
    decidable: bool  # a field value the hub can set (not a deleted record, a transition, a duplicate id)


class SyncService:
    """Sync on behalf of one account: enrolment and applying at the hub, export and receipts on a laptop."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.guard = Guard(actor)

    # ---- the hub -------------------------------------------------------------------------------
    def _hub_identity(self, session: Session) -> SyncIdentity:
        ident = q.identity(session, lock=True)  # hub sequence numbers are taken under this lock
        if ident is None:
            signing, receiving = sync_bundle.generate_signing_keys(), sync_bundle.generate_receiving_keys()
            hub_id = new_id()
            ident = SyncIdentity(
                id=1, role="hub", device_id=hub_id, hub_id=hub_id, account_id=None,
                signing_private=signing.private_pem.decode(), receiving_private=receiving.private_pem.decode(),
                hub_signing_public=signing.public_pem.decode(), hub_receiving_public=receiving.public_pem.decode(),
                last_seq=0, acknowledged_seq=0, hub_seq_seen=0,
            )
            session.add(ident)
            session.flush()
        if ident.role != "hub":
            raise DomainError("这是笔记本上的档案，只有镇里的数据库可以登记设备、导入同步文件")
        return ident

    def enrol_device(self, name: str, account_login: str) -> Enrolment:
        """Enrol a laptop for an account (驻村干部 or 村干部): returns the sealed enrolment file."""
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "登记设备")
        name = name.strip()
        if not name or len(name) > 40:
            raise DomainError("设备名称须为1至40个字", "name")
        device_actor = access.actor_of(self.db, account_login)
        if not device_actor.can(Capability.EDIT_FILES):
            raise DomainError(f"“{device_actor.role.label}”账号不能在笔记本上修改档案，不能为它登记设备")
        signing, receiving = sync_bundle.generate_signing_keys(), sync_bundle.generate_receiving_keys()
        with self.db.transaction() as session:
            ident = self._hub_identity(session)
            villages = self._villages(session, device_actor)
            device = SyncDevice(
                id=new_id(), name=name, account_id=device_actor.account_id, scope=",".join(villages),
                signing_public=signing.public_pem.decode(), receiving_public=receiving.public_pem.decode(),
                revoked=False, applied_seq=0, receipt_hub_seq=ident.last_seq,
            )
            session.add(device)
            content = {
                "hub_id": ident.hub_id,
                "hub_signing_public": ident.hub_signing_public,
                "hub_receiving_public": ident.hub_receiving_public,
                "device_id": device.id,
                "signing_private": signing.private_pem.decode(),
                "receiving_private": receiving.private_pem.decode(),
                "account_id": device_actor.account_id,
                "login": device_actor.login,
                "hub_seq": ident.last_seq,
                "accounts": q.account_rows(session, device_actor.account_id),
                "rows": q.scope_rows(session, villages),
            }
            ChangeRecorder(session, self.actor).log("登记", "设备", device.id, note=f"登记设备{name}")
        code = sync_enrolment.new_code()
        return Enrolment(device.id, sync_enrolment.seal(content, code), code)

    def devices(self) -> list[DeviceRow]:
        """The laptops enrolled at this hub, with their account, last contact and applied sequence."""
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "查看设备")
        with self.db.sessions() as session:
            rows = q.devices(session)
            names = q.account_logins(session, {d.account_id for d in rows})
            return [
                DeviceRow(d.id, d.name, names.get(d.account_id, ""), d.enrolled_at, d.last_contact,
                          d.applied_seq, bool(d.revoked))
                for d in rows
            ]

    def status(self) -> SyncStatus:
        """Where this archive stands in sync (the 同步 page; any account that may read files)."""
        self.guard.need(Capability.READ_FILES)
        with self.db.sessions() as session:
            ident = q.identity(session)
            if ident is None:
                return SyncStatus(None)
            opened = len(q.open_conflicts(session))
            if ident.role == "hub":
                return SyncStatus("hub", recorded=ident.last_seq, open_conflicts=opened)
            return SyncStatus(
                "laptop", recorded=ident.last_seq, acknowledged=ident.acknowledged_seq,
                hub_seen=ident.hub_seq_seen, waiting=ident.last_seq - ident.acknowledged_seq,
                last_receipt_at=q.last_note_at(session, SYNC_RECEIPT_NOTE), open_conflicts=opened,
            )

    def conflicts(self) -> list[ConflictRow]:
        """The open conflict queue: at the hub (党政办, whole town) or on this laptop (its own)."""
        self.guard.need(Capability.READ_FILES)
        with self.db.sessions() as session:
            ident = q.identity(session)
            if ident is None:
                return []
            if ident.role == "hub":
                self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "查看冲突待办")
            rows = q.open_conflicts(session)
            masked = not SettingsService(self.db, self.actor).lists_show_full(self.actor.role)
            names = q.account_logins(session, {r.hub_account for r in rows} | {r.incoming_account for r in rows})
            devices = {d.id: d.name for d in q.devices(session)}
            places = q.household_labels(session, {r.household_id for r in rows if r.household_id})
            out = []
            for r in rows:
                labels = FIELD_LABELS.get(r.entity, {})
                field_label = "、".join(labels.get(n, n) for n in r.field.split("、"))
                what = places.get(r.household_id or "", "")
                if r.entity != "household" or not what:
                    what = " · ".join(filter(None, (what, ENTITY_LABELS.get(r.entity, r.entity))))
                hub_at, other_at = r.hub_at, r.incoming_at
                if ident.role == "hub":
                    hub_who = names.get(r.hub_account) or devices.get(r.hub_device, "镇里")
                    other_who = devices.get(r.incoming_device) or names.get(r.incoming_account) or "笔记本"
                else:  # the hub's value came with a receipt; the local one is not sent yet
                    hub_who, other_who = "镇里（回执）", "本机（未发送）"
                    hub_at = hub_at or r.created_at
                out.append(
                    ConflictRow(
                        r.id, what, field_label, r.kind, _shown(r.hub_value, r.field, masked), hub_who, hub_at,
                        _shown(r.incoming_value, r.field, masked), other_who, other_at, r.kept,
                        ident.role == "hub" and r.kind in (ConflictKind.SAME_FIELD.value, ConflictKind.FIELD_GROUP.value),
                    )
                )
            return out

    def decide(self, conflict_id: str, take: str) -> None:
        """党政办 decides a conflict at the hub: ``take`` "hub" (采用镇里的值) or "incoming" (采用笔记本的值).
        The chosen value becomes the record's (a hub change, logged, that travels back in receipts);
        the entry is marked decided, never deleted."""
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "裁决冲突")
        if take not in ("hub", "incoming"):
            raise DomainError("请选择采用镇里的值或笔记本的值")
        with self.db.transaction() as session:
            ident = self._hub_identity(session)
            c = session.get(SyncConflict, conflict_id)
            if c is None or c.decided:
                raise DomainError("这条冲突已经处理过或不存在，请刷新")
            chosen = json.loads(c.hub_value if take == "hub" else c.incoming_value)
            names = c.field.split("、")
            values = dict(chosen) if isinstance(chosen, Mapping) else {names[0]: chosen}
            model = q.MODELS.get(c.entity)
            record = session.get(model, c.record_id) if model is not None else None
            label = "采用镇里的值" if take == "hub" else "采用笔记本的值"
            recorder = ChangeRecorder(session, self.actor)
            if record is not None and all(n in q.FIELDS[c.entity] for n in values):
                current = q.values_of(record, values)
                changed = {k: v for k, v in values.items() if current[k] != v}
                if changed:
                    q.set_values(record, changed)
                    session.flush()
                    seq = q.take_seq(session)
                    session.add(
                        SyncLog(
                            entity=c.entity, record_id=c.record_id, household_id=c.household_id,
                            village_id=c.village_id, device_id=ident.device_id, device_seq=seq, hub_seq=seq,
                            base_version=getattr(record, "version", 0) or 0, kind=ChangeKind.EDIT.value,
                            values=q.dumps(changed), base_values=q.dumps({k: current[k] for k in changed}),
                            account_id=self.actor.account_id,
                        )
                    )
                    labels = FIELD_LABELS.get(c.entity, {})
                    for name, value in changed.items():
                        recorder.log(
                            "修改", ENTITY_LABELS.get(c.entity, c.entity), c.record_id,
                            household_id=c.household_id, village_id=c.village_id, field=labels.get(name, name),
                            old=current[name], new=value, note=f"冲突裁决：{label}",
                        )
                    if c.household_id:
                        _refresh(session, {c.household_id})
            c.decided = True
            recorder.log("裁决", "冲突", c.id, household_id=c.household_id, village_id=c.village_id,
                         note=f"冲突裁决：{label}")

    def revoke_device(self, device_id: str) -> None:
        """Stop accepting a laptop's files (its unsent changes stay on the laptop)."""
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "停用设备")
        with self.db.transaction() as session:
            device = session.get(SyncDevice, device_id)
            if device is None:
                raise DomainError("没有这台设备")
            if not device.revoked:
                device.revoked = True
                ChangeRecorder(session, self.actor).log("停用", "设备", device.id, note=f"停用设备{device.name}")

    @staticmethod
    def _villages(session: Session, actor: Actor) -> list[str]:
        if actor.villages is not None:
            return sorted(actor.villages)
        return sorted(session.scalars(select(Village.id)))

    def apply(self, path: Path, receipt_path: Path | None = None) -> ApplyResult:
        """Apply a laptop's sync file at the hub, whole or not at all; write the receipt (beside the file
        unless ``receipt_path`` is given). Refused files raise DomainError with the reason."""
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "导入同步文件")
        data = Path(path).read_bytes()
        try:
            result = self._apply_bytes(data)
        except IntegrityError:
            # the database's own guard (one household on file per ID number) caught a member the laptop
            # filed while the hub filed the same person elsewhere: nothing was applied
            raise DomainError(
                "同步文件中有成员的身份证号在镇里已在另一户在册，整份未导入。请先在镇里核实这个人在哪一户，再重新导入。"
            ) from None
        target = receipt_path or Path(path).with_suffix(RECEIPT_SUFFIX)
        target.write_bytes(result.receipt)
        result.receipt_path = target
        return result

    def _apply_bytes(self, data: bytes) -> ApplyResult:
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "导入同步文件")
        sync_bundle.peek_manifest(data)  # not a sync file at all: say so before anything else
        with self.db.transaction() as session:
            ident = self._hub_identity(session)
            known = {d.id: d.signing_public.encode() for d in q.devices(session)}
            revoked = {d.id for d in q.devices(session) if d.revoked}
            manifest, payload = sync_bundle.read(
                data, ident.receiving_private.encode(), known, ident.hub_id, revoked_devices=revoked
            )
            if manifest.get("kind", "changes") != "changes":
                raise DomainError("这是回执文件，应在笔记本上导入")
            if str(manifest["schema_version"]) > head_revision():
                raise DomainError("同步文件来自更新版本的程序，请先升级镇里的程序")
            device = session.get(SyncDevice, manifest["device_id"])
            assert device is not None
            sender = self._sender(session, device)
            result = ApplyResult(acknowledged_to=device.applied_seq)
            changes = [c for c in json.loads(payload) if c["device_seq"] > device.applied_seq]
            if manifest["seq_to"] <= device.applied_seq or not changes:
                result.duplicate = True
            elif manifest["seq_from"] > device.applied_seq + 1:
                first, last = device.applied_seq + 1, manifest["seq_from"] - 1
                missing = f"第{first}号" if first == last else f"第{first}至{last}号"
                raise DomainError(
                    f"这个同步文件前面还缺{missing}更改，暂不导入：请先导入包含这些更改的同步文件，再导入这一个"
                )
            else:
                self._check_changes(session, device, sender, changes)
                self._merge(session, ident, device, sender, changes, result)
                device.applied_seq = manifest["seq_to"]
                device.last_contact = utcnow()
                result.acknowledged_to = device.applied_seq
            cursor = int(manifest.get("hub_seq_to", device.receipt_hub_seq))
            result.receipt = self._receipt(session, ident, device, cursor)
            if not result.duplicate:
                device.receipt_hub_seq = ident.last_seq
        return result

    def _sender(self, session: Session, device: SyncDevice) -> Actor:
        """The device's account as the services see it now (role and scope at the hub, not in the file)."""
        login, disabled = q.account_state(session, device.account_id)
        if login is None:
            raise DomainError("同步文件的账号在镇里已不存在，已拒收")
        if disabled:
            raise DomainError("同步文件的账号已停用，已拒收（该设备上未发送的数据仍保留在设备上）")
        return access.actor_of(self.db, login)

    def _check_changes(
        self, session: Session, device: SyncDevice, sender: Actor, changes: list[dict[str, Any]]
    ) -> None:
        """Every change must be one the sender could make by hand, in the device's scope: else the
        whole file is refused before anything is written."""
        scope = set(filter(None, device.scope.split(",")))
        places = q.household_places(
            session, [c["household_id"] for c in changes if c.get("household_id")]
        )
        new_households: dict[str, str] = {}
        by_entity: dict[str, list[str]] = {"member": [], "visit": []}
        for c in changes:
            if c["entity"] in by_entity:
                by_entity[c["entity"]].append(c["record_id"])
        owners = {e: q.record_households(session, e, ids) for e, ids in by_entity.items()}
        for c in changes:
            entity = c["entity"]
            if entity not in q.FIELDS:
                raise DomainError("同步文件中有本程序还不能同步的记录，已整份拒收")
            values = c["values"]
            if entity == "household":
                if c["record_id"] in places:
                    village = places[c["record_id"]]
                elif c["kind"] == ChangeKind.CREATE.value:
                    village = values.get("village_id")
                    if q.group_village(session, values.get("group_id") or "") != village:
                        village = None
                    new_households[c["record_id"]] = village or ""
                elif c["record_id"] in new_households:  # filed earlier in this file, then edited
                    village = new_households[c["record_id"]]
                else:
                    village = None
            else:
                household = owners[entity].get(c["record_id"])
                if household is None and c["kind"] == ChangeKind.CREATE.value:
                    household = values.get("household_id")
                    owners[entity][c["record_id"]] = household  # its later edits in this file
                elif household is not None and values.get("household_id", household) != household:
                    household = None  # a member or visit may not move to another household
                village = places.get(household or "") or new_households.get(household or "")
                if village is None and household:
                    village = q.household_places(session, [household]).get(household)
            if not village:
                raise DomainError("同步文件中有镇里找不到的户档案，已整份拒收")
            if village not in scope or not sender.can(Capability.EDIT_FILES) or not sender.covers(village):
                raise PermissionDenied("同步文件中有超出该设备负责范围（或账号权限）的更改，已整份拒收，没有导入任何内容")
            c["_village"] = village
            c["_household"] = c["record_id"] if entity == "household" else (
                owners[entity].get(c["record_id"]) or values.get("household_id")
            )

    def _merge(
        self,
        session: Session,
        ident: SyncIdentity,
        device: SyncDevice,
        sender: Actor,
        changes: list[dict[str, Any]],
        result: ApplyResult,
    ) -> None:
        recorder = ChangeRecorder(session, sender)
        records = q.preload(session, [(c["entity"], c["record_id"]) for c in changes])
        next_seq = ident.last_seq
        with session.no_autoflush:
            for c in changes:
                next_seq += 1
                self._merge_one(session, recorder, records, device, sender, c, next_seq, result)
        ident.last_seq = next_seq
        session.flush()
        _refresh(session, result.households)

    def _merge_one(
        self,
        session: Session,
        recorder: ChangeRecorder,
        records: dict[tuple[str, str], Any],
        device: SyncDevice,
        sender: Actor,
        c: dict[str, Any],
        hub_seq: int,
        result: ApplyResult,
    ) -> None:
        entity, record_id = c["entity"], c["record_id"]
        model = q.MODELS[entity]
        at = datetime.fromisoformat(c["at"]) if c.get("at") else None
        record = records.get((entity, record_id))  # every record the file changes, loaded at once
        placement = {k: v for k, v in c["values"].items() if k in q.PLACEMENT[entity]}
        fields = {k: v for k, v in c["values"].items() if k in q.FIELDS[entity]}
        incoming_side = Side(device.id, sender.account_id, at, hub_seq)
        if entity in APPEND_ONLY_ENTITIES:
            hub = []
            if record is not None:
                have = q.values_of(record, q.FIELDS[entity] + q.PLACEMENT[entity])
                hub = [Entry(entity, record_id, have, self._hub_side(session, entity, record_id))]
            union = union_entries(hub, [Entry(entity, record_id, c["values"], incoming_side)])
            self._queue(session, union.conflicts, c)
            result.conflicts += len(union.conflicts)
            if not union.added:
                return
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
                x if x.hub_side is not None else _with_hub_side(x, self._hub_side(session, entity, record_id))
                for x in merged.conflicts
            ]
            self._queue(session, conflicts, c)
            result.conflicts += len(conflicts)
            base = dict(state.values) if state is not None else {}
            if record is None:
                record = model(id=record_id)
                q.set_values(record, placement)
                q.set_values(record, dict(merged.state.values))
                session.add(record)
                records[(entity, record_id)] = record
                changed = {**placement, **dict(merged.state.values)}
                base = {}
            else:
                changed = {k: merged.state.values[k] for k in merged.changed_fields}
                base = {k: base.get(k) for k in changed}
                if not changed:
                    return
                q.set_values(record, changed)
        household_id, village_id = c["_household"], c["_village"]
        self._audit(recorder, entity, record_id, household_id, village_id, changed, base, c["kind"])
        session.add(
            SyncLog(
                entity=entity, record_id=record_id, household_id=household_id, village_id=village_id,
                device_id=device.id, device_seq=c["device_seq"], hub_seq=hub_seq,
                base_version=c["base_version"], kind=c["kind"], values=q.dumps(changed),
                base_values=q.dumps(base), account_id=sender.account_id, at=utcnow(),
            )
        )
        result.applied += 1
        if entity != "household" or "status" in changed or c["kind"] == ChangeKind.CREATE.value:
            result.households.add(household_id)  # its list columns or members' holds depend on this

    @staticmethod
    def _hub_side(session: Session, entity: str, record_id: str) -> Side | None:
        entry = q.last_hub_entry(session, entity, record_id)
        if entry is None:
            return None
        return Side(entry.device_id, entry.account_id or "", entry.at, entry.hub_seq)

    @staticmethod
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

    @staticmethod
    def _audit(
        recorder: ChangeRecorder, entity: str, record_id: str, household_id: str, village_id: str,
        changed: Mapping[str, Any], base: Mapping[str, Any], kind: str,
    ) -> None:
        label, labels = ENTITY_LABELS[entity], FIELD_LABELS[entity]
        if kind == ChangeKind.CREATE.value:
            recorder.log("新增", label, record_id, household_id=household_id, village_id=village_id, note=SYNC_NOTE)
            return
        for name, value in changed.items():
            recorder.log(
                "修改", label, record_id, household_id=household_id, village_id=village_id,
                field=labels.get(name, name), old=base.get(name), new=value, note=SYNC_NOTE,
            )

    def _receipt(self, session: Session, ident: SyncIdentity, device: SyncDevice, cursor: int) -> bytes:
        """The acknowledgement, and the hub's current values of every record in the device's scope
        changed at the hub (by anyone but this device) after ``cursor``."""
        villages = [v for v in device.scope.split(",") if v]
        entries = q.hub_changes_for(session, villages, cursor, device.id)
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
        for (entity, record_id), item in latest.items():
            record = session.get(q.MODELS[entity], record_id)
            if record is None:
                continue
            names = [n for n in item["fields"] if n in q.FIELDS[entity] or n in q.PLACEMENT[entity]]
            if item["kind"] == ChangeKind.CREATE.value:
                names = list(q.FIELDS[entity] + q.PLACEMENT[entity])
            out.append({**{k: v for k, v in item.items() if k != "fields"}, "values": q.values_of(record, names)})
        manifest = {
            "device_id": ident.hub_id, "hub_id": device.id, "account_id": device.account_id,
            "scope": villages, "seq_from": cursor + 1, "seq_to": ident.last_seq,
            "schema_version": head_revision(), "kind": "receipt", "created_at": utcnow().isoformat(),
            "change_count": len(out), "acknowledged_to": device.applied_seq, "hub_seq_to": ident.last_seq,
        }
        return sync_bundle.write(
            manifest, q.dumps(out).encode("utf-8"), device.receiving_public.encode(), ident.signing_private.encode()
        )

    # ---- the laptop ----------------------------------------------------------------------------
    def _laptop(self, session: Session) -> SyncIdentity:
        ident = q.identity(session, lock=True)
        if ident is None or ident.role != "laptop":
            raise DomainError("这份档案不是从镇里领取的，不能生成同步文件或导入回执")
        return ident

    def export(self, folder: Path) -> Path:
        """Write the changes the hub has not acknowledged into a sync file in ``folder``; return its path."""
        self.guard.need(Capability.EDIT_FILES)
        with self.db.sessions() as session:
            ident = self._laptop(session)
            entries = q.unacknowledged(session, ident.device_id, ident.acknowledged_seq)
            changes = [
                {
                    "entity": e.entity, "record_id": e.record_id, "household_id": e.household_id,
                    "device_seq": e.device_seq, "base_version": e.base_version, "kind": e.kind,
                    "values": json.loads(e.values), "base_values": json.loads(e.base_values),
                    "at": e.at.isoformat(),
                }
                for e in entries
            ]
            villages = sorted(self.actor.villages or ())
            seq_from, seq_to = ident.acknowledged_seq + 1, ident.last_seq
            manifest = {
                "device_id": ident.device_id, "account_id": self.actor.account_id, "scope": villages,
                "seq_from": seq_from, "seq_to": seq_to, "schema_version": head_revision(),
                "hub_id": ident.hub_id, "kind": "changes", "created_at": utcnow().isoformat(),
                "change_count": len(changes), "hub_seq_to": ident.hub_seq_seen,
            }
            data = sync_bundle.write(
                manifest, q.dumps(changes).encode("utf-8"), ident.hub_receiving_public.encode(),
                ident.signing_private.encode(),
            )
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"同步-{ident.device_id[:8]}-{seq_from}-{seq_to}{SUFFIX}"
        path.write_bytes(data)
        return path

    def waiting(self) -> int:
        """How many of this laptop's changes the hub has not acknowledged yet."""
        self.guard.need(Capability.READ_FILES)
        with self.db.sessions() as session:
            ident = q.identity(session)
            if ident is None or ident.role != "laptop":
                return 0
            return ident.last_seq - ident.acknowledged_seq

    def apply_receipt(self, path: Path) -> ApplyResult:
        """Take a receipt from the hub: the acknowledgement and the hub's changes in this laptop's scope.
        A field with a local change the hub has not acknowledged keeps the local value; the hub's goes
        to the local conflict queue."""
        self.guard.need(Capability.EDIT_FILES)
        data = Path(path).read_bytes()
        sync_bundle.peek_manifest(data)
        with self.db.transaction() as session:
            ident = self._laptop(session)
            manifest, payload = sync_bundle.read(
                data, ident.receiving_private.encode(), {ident.hub_id: ident.hub_signing_public.encode()},
                ident.device_id,
            )
            if manifest.get("kind") != "receipt":
                raise DomainError("这不是回执文件")
            result = ApplyResult()
            ident.acknowledged_seq = max(ident.acknowledged_seq, int(manifest["acknowledged_to"]))
            result.acknowledged_to = ident.acknowledged_seq
            if int(manifest["hub_seq_to"]) <= ident.hub_seq_seen:
                result.duplicate = True
                return result
            pending = q.pending_fields(session, ident.device_id, ident.acknowledged_seq)
            recorder = ChangeRecorder(session, "镇里")
            for item in json.loads(payload):
                self._take(session, recorder, item, pending, ident, result)
            ident.hub_seq_seen = int(manifest["hub_seq_to"])
            recorder.log("导入", "回执", ident.hub_id, note=SYNC_RECEIPT_NOTE)
            session.flush()
            _refresh(session, result.households)
        return result

    def _take(
        self, session: Session, recorder: ChangeRecorder, item: Mapping[str, Any],
        pending: set[tuple[str, str, str]], ident: SyncIdentity, result: ApplyResult,
    ) -> None:
        entity, record_id, values = item["entity"], item["record_id"], item["values"]
        model = q.MODELS[entity]
        record = session.get(model, record_id)
        household_id = item["household_id"]
        village_id = q.household_places(session, [household_id]).get(household_id) if household_id else None
        if record is None:
            if item["kind"] != ChangeKind.CREATE.value:
                return  # a record this laptop does not hold
            record = model(id=record_id)
            q.set_values(record, values)
            session.add(record)
            session.flush()
            village_id = village_id or values.get("village_id")
            recorder.log("新增", ENTITY_LABELS[entity], record_id, household_id=household_id,
                         village_id=village_id, note=SYNC_NOTE)
        else:
            if entity in APPEND_ONLY_ENTITIES:
                return
            mine = q.values_of(record, values)
            changed: dict[str, Any] = {}
            for name, value in values.items():
                if mine[name] == value:
                    continue
                if (entity, record_id, name) in pending:
                    session.add(
                        SyncConflict(
                            entity=entity, record_id=record_id, household_id=household_id, village_id=village_id,
                            field=name, kind=ConflictKind.SAME_FIELD.value, hub_value=q.dumps(value),
                            incoming_value=q.dumps(mine[name]), kept="local", hub_device=ident.hub_id,
                            hub_seq=item.get("hub_seq"), incoming_device=ident.device_id, decided=False,
                        )
                    )
                    result.conflicts += 1
                    continue
                changed[name] = value
            if not changed:
                return
            q.set_values(record, changed)
            SyncService._audit(recorder, entity, record_id, household_id, village_id or "", changed, mine, "修改")
        result.applied += 1
        if household_id:
            result.households.add(household_id)


_MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def _shown(value: str, field_name: str = "", masked: bool = False) -> str:
    """A conflict value (JSON) as text for people: 空 for nothing, a group as its values. ID and phone
    numbers are masked as in the account's lists (``masked``)."""
    plain = json.loads(value)
    if plain in (None, ""):
        return "（空）"
    if isinstance(plain, Mapping):
        return "，".join(
            "（空）" if v in (None, "") else (_MASKS[k](str(v)) if masked and k in _MASKS else str(v))
            for k, v in plain.items()
        )
    if masked and field_name in _MASKS:
        return _MASKS[field_name](str(plain))
    if plain is True:
        return "是"
    if plain is False:
        return "否"
    return str(plain)


def _with_hub_side(conflict: Conflict, side: Side | None) -> Conflict:
    return replace(conflict, hub_side=side)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _refresh(session: Session, households: set[str]) -> None:
    """The households' list columns and their members' search keys, after records changed under them."""
    for household_id in sorted(households):
        h = session.get(Household, household_id)
        if h is None:
            continue
        for member in session.scalars(select(Member).where(Member.household_id == household_id)):
            for key, value in member_search_keys(member.name, member.id_number, member.phone).items():
                setattr(member, key, value)
        HouseholdService.refresh_summary(session, h)


def file_kind(path: Path) -> str:
    """"changes" (a laptop's sync file) or "receipt" (the hub's answer), read from the manifest before
    logging in; refused in Chinese when it is no sync file at all."""
    return str(sync_bundle.peek_manifest(Path(path).read_bytes()).get("kind", "changes"))


# ---- joining: a laptop's archive from an enrolment file ------------------------------------------
def join(enrolment: bytes | Path, path: Path, password: str, code: str) -> Archive:
    """Create the laptop's encrypted archive at ``path`` from an enrolment file and its code, for the
    enrolled account, whose password (the one it has at the hub) opens it. Returns the open Archive."""
    data = enrolment if isinstance(enrolment, bytes) else Path(enrolment).read_bytes()
    content = sync_enrolment.open_sealed(data, code)
    (account,) = content["accounts"]["account"]
    if not passwords.verify_password(account["password_hash"], password):
        raise DomainError("密码不对：请用这个账号在镇里的密码")
    path = Path(path)
    if access.state(path) is not access.ArchiveState.NEW:
        raise DomainError("这个位置已经有档案文件，请另选一个位置")
    ring = keyring.Keyring.new()
    key = cipher.new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _create_laptop_archive(path, ring, key, content, password)
    except BaseException:
        # Nothing half-made stays behind: the next try starts from an empty place again
        for leftover in (path, keyring.keyring_path(path), *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        raise
    return access.unlock(path, content["login"], password)


def _create_laptop_archive(
    path: Path, ring: keyring.Keyring, key: bytes, content: Mapping[str, Any], password: str
) -> None:
    ring.save(keyring.keyring_path(path))
    db = open_database(path, key, ring.compatibility)
    try:
        cipher.restrict_to_owner(path)
        with db.transaction() as session:
            q.load_rows(session, content["accounts"])
            q.load_rows(session, content["rows"])
            session.add(
                SyncIdentity(
                    id=1, role="laptop", device_id=content["device_id"], hub_id=content["hub_id"],
                    account_id=content["account_id"], signing_private=content["signing_private"],
                    receiving_private=content["receiving_private"],
                    hub_signing_public=content["hub_signing_public"],
                    hub_receiving_public=content["hub_receiving_public"],
                    last_seq=0, acknowledged_seq=0, hub_seq_seen=content["hub_seq"],
                )
            )
        ring.add_slot(content["login"], password, key)
        ring.save(keyring.keyring_path(path))
    finally:
        db.close()
