"""The conflict queue of sync (issue 14, docs/sync.md): showing its open entries with both values and
who and when, and deciding them.

At the hub 党政办 (whole town, 镇级审核) decides: for a field changed on both sides, 采用镇里的值 or
采用笔记本的值 (the chosen value becomes the record's as a hub change that receipts carry back); for a
transition the hub could not take, a deleted record or a duplicate id, 已知悉 (the entry is closed; what
to do with the request is done on its own page). On a laptop the cadre decides for the households in the
account's scope: 采用镇里的值 (a local change, sent like any other) or 保留本机的值 (the unsent local value
goes on to the hub, where it wins or is queued), and 已知悉 for a step of theirs the hub did not take.
Every decision is logged; an entry is marked decided, never deleted."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor, Capability, out_of_scope
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.masking import mask_id_number, mask_phone
from zhuji_archive.domain.sync_merge import ChangeKind, ConflictKind
from zhuji_archive.services import sync_capture, sync_records
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.permissions import Guard
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.sync_models import SyncConflict, SyncIdentity

FIELD_KINDS = frozenset({ConflictKind.SAME_FIELD.value, ConflictKind.FIELD_GROUP.value})
CHOICE_LABELS = {
    "hub": "采用镇里的值", "incoming": "采用笔记本的值", "local": "保留本机的值", "seen": "已知悉",
}


@dataclass(frozen=True)
class ConflictRow:
    """One open entry of the conflict queue, ready to show: both values with who and when, and the
    decisions this archive offers for it (see ``choices_for``)."""

    id: str
    what: str  # 户 / 成员 / 走访 / 诉求 and the household's 户号 or head when known
    field: str  # the field's label
    kind: str
    hub_value: str
    hub_who: str
    hub_at: datetime | None
    other_value: str  # the laptop's value (at the hub: the incoming one; on a laptop: the local one)
    other_who: str
    other_at: datetime | None
    kept: str  # "hub", "incoming" or "local"
    choices: tuple[str, ...] = ()

    @property
    def decidable(self) -> bool:
        """A value can be chosen here (not only acknowledged)."""
        return any(choice != "seen" for choice in self.choices)


def choices_for(role: str, conflict: SyncConflict) -> tuple[str, ...]:
    """What may be decided on an entry: at the hub a field's either side, else 已知悉; on a laptop a
    field kept locally (镇里的值 or 本机的值), else 已知悉."""
    field_conflict = conflict.kind in FIELD_KINDS
    if role == "hub":
        return ("hub", "incoming") if field_conflict else ("seen",)
    return ("hub", "local") if field_conflict and conflict.kept == "local" else ("seen",)


def open_rows(db: Database, actor: Actor, guard: Guard) -> list[ConflictRow]:
    """The open conflict queue: at the hub (党政办, whole town) or on this laptop (its own)."""
    guard.need(Capability.READ_FILES)
    with db.sessions() as session:
        ident = q.identity(session)
        if ident is None:
            return []
        if ident.role == "hub":
            guard.need_whole_town(Capability.REVIEW_REQUESTS, "查看冲突待办")
        rows = q.open_conflicts(session)
        masked = not SettingsService(db, actor).lists_show_full(actor.role)
        names = q.account_logins(session, {r.hub_account for r in rows} | {r.incoming_account for r in rows})
        devices = {d.id: d.name for d in q.devices(session)}
        places = q.household_labels(session, {r.household_id for r in rows if r.household_id})
        out = []
        for r in rows:
            labels = sync_records.FIELD_LABELS.get(r.entity, {})
            field_label = "、".join(labels.get(n, n) for n in r.field.split("、"))
            what = places.get(r.household_id or "", "")
            if r.entity != "household" or not what:
                what = " · ".join(filter(None, (what, sync_records.ENTITY_LABELS.get(r.entity, r.entity))))
            hub_at, other_at = r.hub_at, r.incoming_at
            if ident.role == "hub":
                hub_who = names.get(r.hub_account) or devices.get(r.hub_device, "镇里")
                other_who = devices.get(r.incoming_device) or names.get(r.incoming_account) or "笔记本"
            elif r.kept == "hub":  # a step of this laptop's the hub did not take
                hub_who, other_who = "镇里（回执）", "本机（镇里未采用）"
            else:  # the hub's value came with a receipt; the local one is not sent yet
                hub_who, other_who = "镇里（回执）", "本机（未发送）"
                hub_at = hub_at or r.created_at
            out.append(
                ConflictRow(
                    r.id, what, field_label, r.kind, shown(r.hub_value, r.field, masked), hub_who, hub_at,
                    shown(r.incoming_value, r.field, masked), other_who, other_at, r.kept,
                    choices_for(ident.role, r),
                )
            )
        return out


def decide(db: Database, actor: Actor, guard: Guard, conflict_id: str, take: str) -> None:
    """Decide an open entry (see the module's doc); ``take`` is one of ``choices_for`` it."""
    guard.need(Capability.READ_FILES)
    with db.transaction() as session:
        ident = q.identity(session, lock=True)
        if ident is None or ident.role == "hub":
            guard.need_whole_town(Capability.REVIEW_REQUESTS, "裁决冲突")
        else:
            guard.need(Capability.EDIT_FILES)
        c = session.get(SyncConflict, conflict_id)
        if ident is None or c is None or c.decided:
            raise DomainError("这条冲突已经处理过或不存在，请刷新")
        if ident.role != "hub" and not actor.covers(c.village_id):
            raise out_of_scope(actor, "这户档案")
        choices = choices_for(ident.role, c)
        if take not in choices:
            raise DomainError("请选择：" + "、".join(CHOICE_LABELS[choice] for choice in choices))
        label = CHOICE_LABELS[take]
        recorder = ChangeRecorder(session, actor)
        if take in ("hub", "incoming"):
            _take_value(session, recorder, ident, actor, c, c.hub_value if take == "hub" else c.incoming_value, label)
        c.decided = True
        recorder.log("裁决", "冲突", c.id, household_id=c.household_id, village_id=c.village_id,
                     note=f"冲突裁决：{label}")


def _take_value(
    session: Session, recorder: ChangeRecorder, ident: SyncIdentity, actor: Actor, c: SyncConflict,
    chosen_json: str, label: str,
) -> None:
    """The chosen value becomes the record's, as a change of this archive that travels (at the hub in
    receipts, from a laptop in its next sync file)."""
    chosen = json.loads(chosen_json)
    values = dict(chosen) if isinstance(chosen, Mapping) else {c.field.split("、")[0]: chosen}
    model = q.MODELS.get(c.entity)
    record = session.get(model, c.record_id) if model is not None else None
    if record is None or not all(n in q.FIELDS[c.entity] for n in values):
        return
    current = q.values_of(record, values)
    changed = {k: v for k, v in values.items() if current[k] != v}
    if not changed:
        return
    q.set_values(record, changed)
    session.flush()
    sync_capture.log_entry(
        session, ident.role, ident.device_id, actor, c.entity, c.record_id, c.household_id, c.village_id,
        ChangeKind.EDIT.value, getattr(record, "version", 0) or 0, changed, {k: current[k] for k in changed},
    )
    labels = sync_records.FIELD_LABELS.get(c.entity, {})
    for name, value in changed.items():
        recorder.log(
            "修改", sync_records.ENTITY_LABELS.get(c.entity, c.entity), c.record_id, household_id=c.household_id,
            village_id=c.village_id, field=labels.get(name, name), old=current[name], new=value,
            note=f"冲突裁决：{label}",
        )
    if c.household_id:
        sync_records.refresh(session, {c.household_id})


_MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def shown(value: str, field_name: str = "", masked: bool = False) -> str:
    """A conflict value (JSON) as text for people: 空 for nothing, a group as its values. ID and phone
    numbers are masked as in the account's lists (``masked``)."""
    plain: Any = json.loads(value)
    if plain in (None, ""):
        return "（空）"
    if isinstance(plain, Mapping):
        return "，".join(
            "（空）" if v in (None, "") else (_MASKS[k](str(v)) if masked and k in _MASKS else str(v))
            for k, v in plain.items()
        )
    if isinstance(plain, list):  # economic types and focus tags: [kind, label] pairs
        return "、".join(str(pair[-1]) if isinstance(pair, list) else str(pair) for pair in plain) or "（空）"
    if masked and field_name in _MASKS:
        return _MASKS[field_name](str(plain))
    if plain is True:
        return "是"
    if plain is False:
        return "否"
    return str(plain)
