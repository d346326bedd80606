"""Sync between village laptops and the township hub (issue 14; the protocol is in docs/sync.md): the
service's entry points on both sides.

What travels: household files (the household's fields, members, incomes, assistance and codes, merged
field by field against the values the laptop's change was based on), visits (append-only, united by
id), requests and their steps (replayed, services/sync_requests.py), and conflict decisions. The steps:

- at the hub, 党政办 ``enrol_device`` s a laptop for an account: a device with its keys, and an
  enrolment file (sealed with a one-time code) holding the hub's public keys, the device's private keys,
  the account and the rows in its scope; ``join`` makes the laptop's encrypted archive from it;
- on the laptop every household save is logged (services/sync_capture.py); ``export`` writes the
  changes the hub has not acknowledged into a sync file (storage/sync_bundle.py);
- at the hub ``apply`` verifies the file and, in one transaction, re-checks every change against the
  sender's account and scope, merges in hub order and queues conflicts (services/sync_merging.py), and
  writes the receipt: the acknowledgement and the hub's current values of what changed in the laptop's
  scope since the laptop's last receipt;
- on the laptop ``apply_receipt`` takes those values, except for fields with unsent local changes:
  they keep the local value (it wins at the hub when it arrives) and the hub's goes to the local queue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor, Capability
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.sync_merge import (
    APPEND_ONLY_ENTITIES,
    ChangeKind,
    ConflictKind,
)
from zhuji_archive.services import (
    access,
    sync_conflicts,
    sync_merging,
    sync_records,
    sync_requests,
)
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.permissions import Guard
from zhuji_archive.services.progress import Cancelled, Job, OperationCancelled, Progress
from zhuji_archive.services.sync_conflicts import ConflictRow
from zhuji_archive.services.sync_merging import PROGRESS_EVERY, ApplyResult
from zhuji_archive.storage import cipher, keyring, passwords, sync_bundle, sync_enrolment
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.database import Database, head_revision, open_database
from zhuji_archive.storage.models import Village, new_id, utcnow
from zhuji_archive.storage.sync_models import SyncConflict, SyncDevice, SyncIdentity

if TYPE_CHECKING:
    from zhuji_archive.services.archive import Archive

SYNC_NOTE = sync_records.SYNC_NOTE
SYNC_RECEIPT_NOTE = "导入回执"
SUFFIX = ".zjsync"
RECEIPT_SUFFIX = ".zjreceipt"


class SyncGap(DomainError):
    """A file starting past what the hub applied of its device. A laptop's files always start right
    after what the hub acknowledged, so this happens only when the hub lost applied changes (restored
    from a backup): a complete file from the laptop (``export(..., complete=True)``) fills the gap."""


class SyncCancelled(OperationCancelled):
    """The user cancelled applying a sync file or a receipt: nothing of it was written."""


@dataclass(frozen=True)
class Enrolment:
    """The sealed enrolment file for a laptop and the one-time code that opens it (read it out; never
    write it beside the file)."""

    device_id: str
    data: bytes
    code: str


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
        return sync_conflicts.open_rows(self.db, self.actor, self.guard)

    def decide(self, conflict_id: str, take: str) -> None:
        """Decide an open conflict (see services/sync_conflicts.py ``decide``): at the hub 党政办 takes
        "hub" or "incoming" for a field, or marks a transition "seen"; on a laptop the cadre takes "hub"
        or keeps "local" for a field, or marks "seen" a step the hub did not take."""
        sync_conflicts.decide(self.db, self.actor, self.guard, conflict_id, take)

    def receipt_for(self, device_id: str, folder: Path) -> Path:
        """A receipt for a laptop without a file from it (a USB stick going to the village after the
        meeting): what changed at the hub in its scope since its last receipt. Returns its path."""
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "生成回执")
        with self.db.transaction() as session:
            ident = self._hub_identity(session)
            device = session.get(SyncDevice, device_id)
            if device is None:
                raise DomainError("没有这台设备")
            if device.revoked:
                raise DomainError("这台设备已停用，不再给它回执")
            data = sync_merging.receipt(session, ident, device, device.receipt_hub_seq)
            device.receipt_hub_seq = ident.last_seq
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"回执-{device.name}-到第{ident.last_seq}号{RECEIPT_SUFFIX}"
        path.write_bytes(data)
        return path

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

    def apply(
        self, path: Path, receipt_path: Path | None = None,
        progress: Progress | None = None, cancelled: Cancelled | None = None,
    ) -> ApplyResult:
        """Apply a laptop's sync file at the hub, whole or not at all; write the receipt (beside the file
        unless ``receipt_path`` is given). Refused files raise DomainError with the reason."""
        self.guard.need_whole_town(Capability.REVIEW_REQUESTS, "导入同步文件")
        data = Path(path).read_bytes()
        try:
            result = self._apply_bytes(data, Job(progress, cancelled, SyncCancelled))
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

    def _apply_bytes(self, data: bytes, job: Job | None = None) -> ApplyResult:
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
            sent = json.loads(payload)
            changes = [c for c in sent if c["device_seq"] > device.applied_seq]
            if sync_merging.numbers_reused(session, device, sent):
                # the laptop was restored from a backup: its new changes carry numbers the hub applied
                # before; taking them for those would lose them. The receipt has them renumbered.
                result.duplicate, result.renumber_after = True, device.applied_seq
            elif manifest["seq_to"] <= device.applied_seq or not changes:
                result.duplicate = True
            elif manifest["seq_from"] > device.applied_seq + 1:
                first, last = device.applied_seq + 1, manifest["seq_from"] - 1
                missing = f"第{first}号" if first == last else f"第{first}至{last}号"
                raise SyncGap(
                    f"这个同步文件前面还缺{missing}更改，暂不导入（镇里的数据库可能从备份恢复过）："
                    "请在笔记本上生成完整同步文件（同步页“生成完整同步文件…”，或 sync export --all）再导入"
                )
            else:
                sync_merging.check_changes(session, device, sender, changes)
                sync_merging.merge(session, ident, device, sender, changes, result, job or Job(None, None))
                device.applied_seq = manifest["seq_to"]
                device.last_contact = utcnow()
                result.acknowledged_to = device.applied_seq
            cursor = int(manifest.get("hub_seq_to", device.receipt_hub_seq))
            result.receipt = sync_merging.receipt(session, ident, device, cursor, result.renumber_after)
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

    # ---- the laptop ----------------------------------------------------------------------------
    def _laptop(self, session: Session) -> SyncIdentity:
        ident = q.identity(session, lock=True)
        if ident is None or ident.role != "laptop":
            raise DomainError("这份档案不是从镇里领取的，不能生成同步文件或导入回执")
        return ident

    def export(self, folder: Path, complete: bool = False) -> Path:
        """Write the changes the hub has not acknowledged into a sync file in ``folder``; return its path.
        ``complete``: every change this laptop ever made (the hub skips what it has), for a hub that
        lost some of them (see ``SyncGap``)."""
        self.guard.need(Capability.EDIT_FILES)
        with self.db.transaction() if complete else self.db.sessions() as session:
            ident = self._laptop(session)
            if complete:
                # a hub restored from a backup numbers its changes anew: take all of them again
                ident.hub_seq_seen = 0
            after = 0 if complete else ident.acknowledged_seq
            entries = q.unacknowledged(session, ident.device_id, after)
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
            seq_from, seq_to = after + 1, ident.last_seq
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
        numbers = f"{seq_from}-{seq_to}" if seq_to >= seq_from else f"无新更改-{seq_to}"
        path = folder / f"同步-{ident.device_id[:8]}-{numbers}{SUFFIX}"
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

    def apply_receipt(
        self, path: Path, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> ApplyResult:
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
            if int(manifest["seq_from"]) > ident.hub_seq_seen + 1:
                # taking it would skip hub changes this laptop never received
                raise DomainError(
                    f"这份回执从镇里第{manifest['seq_from']}号更改开始，本机只收到第{ident.hub_seq_seen}号，中间缺了："
                    "请先导入更早的回执，或再同步一次（镇里会给出完整的回执）"
                )
            result = ApplyResult()
            after = manifest.get("renumber_after")
            if after is not None and int(after) >= ident.acknowledged_seq:
                # restored from a backup: the unsent changes take numbers after what the hub applied
                unsent = ident.last_seq - ident.acknowledged_seq
                ident.last_seq = q.renumber_unsent(session, ident.device_id, ident.acknowledged_seq, int(after))
                ident.acknowledged_seq = int(after)
                ident.hub_seq_seen = 0  # and the next receipt brings everything again, its own lost changes too
                result.renumbered = unsent
            ident.acknowledged_seq = max(ident.acknowledged_seq, int(manifest["acknowledged_to"]))
            result.acknowledged_to = ident.acknowledged_seq
            recorder = ChangeRecorder(session, "镇里")
            items = json.loads(payload)
            if int(manifest["hub_seq_to"]) <= ident.hub_seq_seen:
                # no record changed at the hub since the last receipt; the account and the queue may have
                result.duplicate = True
                for item in items:
                    self._take_state(session, recorder, item, ident, result)
                return result
            pending = q.pending_fields(session, ident.device_id, ident.acknowledged_seq)
            stepping = q.pending_requests(session, ident.device_id, ident.acknowledged_seq)
            # the records and villages the receipt touches, read at once rather than one by one
            records = q.preload(session, [(i["entity"], i["record_id"]) for i in items if i["entity"] in q.MODELS])
            places = q.household_places(session, [i["household_id"] for i in items if i.get("household_id")])
            with session.no_autoflush:
                job = Job(progress, cancelled, SyncCancelled)
                for done, item in enumerate(items):
                    if done % PROGRESS_EVERY == 0:
                        job.step(done, len(items))  # a cancel here rolls the whole receipt back
                    if item["entity"] in ("conflict", "account"):
                        self._take_state(session, recorder, item, ident, result)
                    elif item["entity"] == "request" and item["record_id"] in stepping:
                        # its unsent steps are replayed at the hub, whose state then comes back
                        continue
                    else:
                        self._take(session, recorder, item, pending, ident, result, records, places)
            ident.hub_seq_seen = 0 if result.renumbered else int(manifest["hub_seq_to"])
            recorder.log("导入", "回执", ident.hub_id, note=SYNC_RECEIPT_NOTE)
            session.flush()
            sync_records.refresh(session, result.households)
        return result

    @staticmethod
    def _take_state(
        session: Session, recorder: ChangeRecorder, item: Mapping[str, Any], ident: SyncIdentity,
        result: ApplyResult,
    ) -> None:
        """What a receipt says beside records: the laptop's account, and its steps the hub did not take."""
        if item["entity"] == "conflict":
            result.conflicts += sync_requests.take_conflict(session, item, ident.hub_id, ident.device_id)
        elif item["entity"] == "account" and item["record_id"] == ident.account_id:
            result.applied += sync_records.take_account(session, recorder, item)

    def _take(
        self, session: Session, recorder: ChangeRecorder, item: Mapping[str, Any],
        pending: set[tuple[str, str, str]], ident: SyncIdentity, result: ApplyResult,
        records: dict[tuple[str, str], Any], places: dict[str, str],
    ) -> None:
        entity, record_id, values = item["entity"], item["record_id"], item["values"]
        model = q.MODELS[entity]
        record = records.get((entity, record_id))
        household_id = item["household_id"]
        village_id = places.get(household_id) if household_id else None
        if record is None:
            if item["kind"] != ChangeKind.CREATE.value:
                return  # a record this laptop does not hold
            holder = sync_requests.release_number(session, values.get("number"), record_id) if entity == "request" else None
            record = model(id=record_id)
            codes = values.get(q.CODES)
            q.set_values(record, {k: v for k, v in values.items() if k != q.CODES})
            session.add(record)
            if codes is not None:
                q.set_values(record, {q.CODES: codes})
            records[(entity, record_id)] = record
            if holder is not None:
                session.flush()
                sync_requests.renumber(session, holder)
            if entity == "household":
                places[record_id] = values.get("village_id")
            village_id = village_id or values.get("village_id")
            recorder.log("新增", sync_records.ENTITY_LABELS[entity], record_id, household_id=household_id,
                         village_id=village_id, note=SYNC_NOTE)
        else:
            if entity == "request_event":
                # the hub replayed this laptop's step on its own state: its event is the hub's
                mine = q.values_of(record, values)
                if mine != values:
                    q.set_values(record, {k: v for k, v in values.items() if mine[k] != v})
                return
            if entity in APPEND_ONLY_ENTITIES:
                if not values.get("deleted") or record.deleted:
                    return  # created once; only its deletion (a tombstone) changes it
                record.deleted = True
                sync_records.audit(recorder, entity, record_id, household_id, village_id or "", {}, {}, "删除")
                result.applied += 1
                if household_id:
                    result.households.add(household_id)
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
            holder = None
            if entity == "request" and "number" in changed:
                holder = sync_requests.release_number(session, changed["number"], record_id)
            q.set_values(record, changed)
            session.flush()
            sync_requests.renumber(session, holder)
            sync_records.audit(recorder, entity, record_id, household_id, village_id or "", changed, mine, "修改")
        result.applied += 1
        if household_id:
            result.households.add(household_id)


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
    companions = (keyring.keyring_path(path), *(path.with_name(path.name + s) for s in ("-wal", "-shm")))
    if access.state(path) is not access.ArchiveState.NEW or any(p.exists() for p in companions):
        # a stray key file or journal beside it belongs to something else: never overwrite or remove it
        raise DomainError("这个位置已经有档案文件（或它的密钥、日志文件），请另选一个位置")
    ring = keyring.Keyring.new()
    key = cipher.new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _create_laptop_archive(path, ring, key, content, password)
    except BaseException:
        # Nothing half-made stays behind: the next try starts from an empty place again
        for leftover in (path, *companions):
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
