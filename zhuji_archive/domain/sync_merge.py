"""The conflict rules of sync (issue 14, docs/sync.md): how the hub merges one laptop's change into a record.

Pure Python: no database, no I/O. The hub's apply step (next, in services/) reads a record's state, calls
these functions in hub order, and writes the result and the conflict entries in one transaction.

The rules:
1. Field by field, three-way, against the values the change was based on: a field only one side changed
   takes that side's value; the same value on both sides is no conflict.
2. The same field changed on both sides to different values: **hub order decides, the later arrival at
   the hub wins** (the incoming change is applied, as if the two edits had been made one after the other
   at the hub, and as ODK Central applies an offline update and flags it), and the displaced hub value
   goes to a conflict entry with who and when of both sides. Nothing is dropped. Device clocks never
   decide anything: the ``at`` times are only shown to the person who resolves the conflict.
3. Field groups travel together (a member's ID number, birth date and sex): a change carries the whole
   group; merged field by field, a group that would change both ways or come out as a mix neither side
   had is a conflict, the incoming side's whole group is taken and the hub's group goes to the entry.
4. Append-only records (visits, request events and progress notes, assistance, feedback) are created,
   never overwritten: creations from every side are united, keyed by uuid.
5. Deletions and status ends are tombstones: once a record is deleted at hub version T, no change based
   on a version older than T brings it back; an edit of a deleted record goes to the conflict queue.
   Only a restore that saw the deletion (base version >= T), or one that follows the deletion in the
   deleting laptop's own sequence, lifts it.
6. A request's workflow transitions are re-checked against the merged state with domain/workflow.py;
   a transition no longer allowed goes to the queue with both sides, and so do the ones that follow it
   in the same change (they were made on a state the hub does not have).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Action, Payload, RequestCase, Status, apply

# Fields that travel together, per entity (table name): a conflict on any of them moves the whole group.
FIELD_GROUPS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "member": (("id_number", "birth_date", "sex"),),
}
# Records merged by union of their creations (a progress note is a request_event with action 记录进展).
APPEND_ONLY_ENTITIES = frozenset({"visit", "request_event", "assistance", "request_feedback"})


class FrozenValues(Mapping[str, Any]):
    """A read-only, hashable mapping of field name to value (values must be hashable: text, dates, numbers)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data: dict[str, Any] = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenValues({self._data!r})"


def _frozen(values: Mapping[str, Any]) -> FrozenValues:
    return values if isinstance(values, FrozenValues) else FrozenValues(values)


class ChangeKind(StrEnum):
    CREATE = "新增"
    EDIT = "修改"
    DELETE = "删除"  # deletions and status ends (member removed, household moved away): a tombstone
    RESTORE = "恢复"


class ConflictKind(StrEnum):
    SAME_FIELD = "同一字段两边都改了"
    FIELD_GROUP = "身份证号、出生日期、性别须一起取舍"
    DELETED = "记录已删除"
    TRANSITION = "流转已不可行"
    SAME_UUID = "同一记录两份不同内容"


@dataclass(frozen=True)
class Side:
    """Who made a value and when: the laptop (device), the account, the laptop's clock (shown, never
    compared) and the hub sequence number the change got when the hub applied it."""

    device_id: str
    account: str
    at: datetime | None = None
    hub_seq: int | None = None


@dataclass(frozen=True)
class RecordChange:
    """One entry of the replication log: a laptop's change of one record.

    ``values`` are the new values of the fields it set; ``base_values`` the values those fields had on the
    laptop before (the change log's old values), ``base_version`` the hub version the laptop last had.
    (device_id, device_seq) identifies the change; a change already applied is a no-op."""

    entity: str
    record_id: str
    device_id: str
    device_seq: int
    base_version: int
    values: Mapping[str, Any]
    base_values: Mapping[str, Any] = field(default_factory=FrozenValues)
    kind: ChangeKind = ChangeKind.EDIT
    account: str = ""
    at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _frozen(self.values))
        object.__setattr__(self, "base_values", _frozen(self.base_values))

    @property
    def key(self) -> tuple[str, int]:
        return (self.device_id, self.device_seq)

    def side(self, hub_seq: int | None = None) -> Side:
        return Side(self.device_id, self.account, self.at, hub_seq)


@dataclass(frozen=True)
class Tombstone:
    """The record was deleted (or its status ended) when it reached ``version``, by ``side``."""

    version: int
    side: Side
    device_seq: int


@dataclass(frozen=True)
class RecordState:
    """What the hub holds for a record: its version, values, who set each field, and its tombstone."""

    entity: str
    record_id: str
    version: int = 0  # 0: not at the hub yet
    values: Mapping[str, Any] = field(default_factory=FrozenValues)
    sides: Mapping[str, Side] = field(default_factory=FrozenValues)  # field -> who set its current value
    tombstone: Tombstone | None = None
    applied: frozenset[tuple[str, int]] = frozenset()  # (device, device_seq) of the changes applied

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _frozen(self.values))
        object.__setattr__(self, "sides", _frozen(self.sides))


@dataclass(frozen=True)
class Conflict:
    """An entry of the conflict queue: a value that lost, shown next to the one kept, with who and when.

    ``field`` is a field name, a group's names joined by "、", or 状态 for a workflow transition. For a group
    the values are mappings of the group's fields. ``kept`` says which side's value the record now has."""

    entity: str
    record_id: str
    field: str
    kind: ConflictKind
    hub_value: Any
    incoming_value: Any
    kept: str  # "hub" or "incoming"
    hub_side: Side | None
    incoming_side: Side


@dataclass(frozen=True)
class MergeResult:
    """The record after one change, the conflict entries it caused, and the fields whose value changed."""

    state: RecordState
    conflicts: tuple[Conflict, ...] = ()
    changed_fields: tuple[str, ...] = ()
    duplicate: bool = False  # the change had been applied before: nothing happened


class _Absent:
    """A field the hub (or the base) has never had: differs from every value, shown as None."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


def _shown(value: Any) -> Any:
    return None if value is ABSENT else value


def merge_units(entity: str, fields: Iterable[str]) -> list[tuple[str, ...]]:
    """The fields, cut into the units that merge together: declared groups touched, then single fields."""
    fields = sorted(set(fields))
    units: list[tuple[str, ...]] = []
    grouped: set[str] = set()
    for group in FIELD_GROUPS.get(entity, ()):
        if grouped.isdisjoint(group) and any(f in group for f in fields):
            units.append(group)
            grouped.update(group)
    units.extend((f,) for f in fields if f not in grouped)
    return units


def _unit_values(
    unit: tuple[str, ...], hub: Mapping[str, Any], change: RecordChange
) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """(base, hub, incoming) of a unit. A field the change does not carry is unchanged on its side."""
    base_t, hub_t, inc_t = [], [], []
    for name in unit:
        hub_v = hub.get(name, ABSENT)
        if name in change.values:
            base_v, inc_v = change.base_values.get(name, ABSENT), change.values[name]
        elif name in change.base_values:
            base_v = inc_v = change.base_values[name]
        else:
            base_v = inc_v = hub_v
        base_t.append(base_v)
        hub_t.append(hub_v)
        inc_t.append(inc_v)
    return tuple(base_t), tuple(hub_t), tuple(inc_t)


def _field_wise(base: tuple[Any, ...], hub: tuple[Any, ...], incoming: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The three-way merge of each position, or None when one position changed both ways differently."""
    merged = []
    for b, h, i in zip(base, hub, incoming, strict=True):
        if i == b or i == h:
            merged.append(h)
        elif h == b:
            merged.append(i)
        else:
            return None
    return tuple(merged)


def _check_groups(change: RecordChange) -> None:
    """A change that sets one field of a group carries the whole group, values and base alike (the base
    may be empty: a creation), so the hub can tell a consistent group from a mix of two sides."""
    for group in FIELD_GROUPS.get(change.entity, ()):
        if any(name in change.values for name in group):
            carried = [name in change.values for name in group]
            based = [name in change.base_values for name in group]
            if not all(carried) or (any(based) and not all(based)):
                raise ValueError(f"a change of {change.entity} must carry the whole group {'、'.join(group)}")


def _conflict_value(unit: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    if len(unit) == 1:
        return _shown(values[0])
    return FrozenValues((name, _shown(v)) for name, v in zip(unit, values, strict=True))


def _hub_side(unit: tuple[str, ...], state: RecordState) -> Side | None:
    sides = [state.sides[name] for name in unit if name in state.sides]
    # the most recent at the hub (highest hub sequence) among the group's fields
    return max(sides, key=lambda s: s.hub_seq or 0) if sides else None


def _deleted_record_conflicts(state: RecordState, change: RecordChange, side: Side) -> tuple[Conflict, ...]:
    """Every value the change would set that the (deleted) hub record does not already hold."""
    conflicts = []
    for unit in merge_units(change.entity, change.values):
        _base, hub_t, inc_t = _unit_values(unit, state.values, change)
        if hub_t != inc_t:
            conflicts.append(
                Conflict(
                    change.entity, change.record_id, "、".join(unit), ConflictKind.DELETED,
                    _conflict_value(unit, hub_t), _conflict_value(unit, inc_t), "hub",
                    state.tombstone.side if state.tombstone else None, side,
                )
            )
    return tuple(conflicts)


def _may_restore(tombstone: Tombstone, change: RecordChange) -> bool:
    """A restore lifts a tombstone only if it saw the deletion, or follows it on the deleting laptop."""
    if change.base_version >= tombstone.version:
        return True
    return change.device_id == tombstone.side.device_id and change.device_seq > tombstone.device_seq


def merge_change(state: RecordState | None, change: RecordChange, hub_seq: int) -> MergeResult:
    """Apply one laptop change to the hub's record, which is the state after every change the hub applied
    before it (hub order). ``hub_seq`` is the hub sequence number this change gets."""
    if state is None:
        state = RecordState(change.entity, change.record_id)
    if (state.entity, state.record_id) != (change.entity, change.record_id):
        raise ValueError("change and record state are not the same record")
    if change.key in state.applied:
        return MergeResult(state, duplicate=True)
    _check_groups(change)
    side = change.side(hub_seq)
    applied = state.applied | {change.key}
    tombstone = state.tombstone

    if tombstone is not None:
        if change.kind != ChangeKind.RESTORE or not _may_restore(tombstone, change):
            # the record stays deleted; what the change would have set waits in the queue
            conflicts = _deleted_record_conflicts(state, change, side)
            return MergeResult(replace(state, applied=applied), conflicts)
        tombstone = None

    values = dict(state.values)
    sides = dict(state.sides)
    conflicts: list[Conflict] = []
    changed: list[str] = []
    for unit in merge_units(change.entity, change.values):
        base_t, hub_t, inc_t = _unit_values(unit, state.values, change)
        merged = _field_wise(base_t, hub_t, inc_t)
        if merged == hub_t:
            continue  # the laptop did not change it, or both sides agree
        if merged != inc_t:  # a field changed both ways, or a group mixed from two sides
            kind = ConflictKind.FIELD_GROUP if len(unit) > 1 else ConflictKind.SAME_FIELD
            conflicts.append(
                Conflict(
                    change.entity, change.record_id, "、".join(unit), kind,
                    _conflict_value(unit, hub_t), _conflict_value(unit, inc_t), "incoming",
                    _hub_side(unit, state), side,
                )
            )
        for name, value in zip(unit, inc_t, strict=True):
            if value is not ABSENT and values.get(name, ABSENT) != value:
                values[name] = value
                sides[name] = side
                changed.append(name)

    ends = change.kind == ChangeKind.DELETE  # (a deleted record never gets here but by a restore)
    lifted = state.tombstone is not None and tombstone is None
    version = state.version + 1 if (changed or ends or lifted) else state.version
    if ends:
        tombstone = Tombstone(version, side, change.device_seq)
    new_state = replace(
        state,
        version=version,
        values=FrozenValues(values),
        sides=FrozenValues(sides),
        tombstone=tombstone,
        applied=applied,
    )
    return MergeResult(new_state, tuple(conflicts), tuple(sorted(changed)))


def merge_all(state: RecordState | None, changes: Sequence[RecordChange], first_hub_seq: int) -> MergeResult:
    """Apply changes in the given (hub) order, numbering them from ``first_hub_seq``; collects conflicts."""
    if not changes:
        raise ValueError("no changes to merge")
    conflicts: list[Conflict] = []
    changed: set[str] = set()
    result = MergeResult(state or RecordState(changes[0].entity, changes[0].record_id))
    for offset, change in enumerate(changes):
        result = merge_change(result.state, change, first_hub_seq + offset)
        conflicts.extend(result.conflicts)
        changed.update(result.changed_fields)
    return MergeResult(result.state, tuple(conflicts), tuple(sorted(changed)))


# ---- append-only records: union ------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One append-only record (a visit, a request event, an assistance, a feedback) as created."""

    entity: str
    uuid: str
    values: Mapping[str, Any]
    side: Side

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _frozen(self.values))


@dataclass(frozen=True)
class UnionResult:
    entries: tuple[Entry, ...]  # sorted by (entity, uuid)
    added: tuple[Entry, ...]  # the incoming entries the hub did not have
    conflicts: tuple[Conflict, ...] = ()


def union_entries(hub: Iterable[Entry], incoming: Iterable[Entry]) -> UnionResult:
    """Unite two sets of created records by uuid. The same uuid with the same values is one record; with
    different values (which a laptop cannot produce by creating) the hub's copy stays and the incoming
    one goes to the queue. Without such clashes the union is commutative."""
    by_key: dict[tuple[str, str], Entry] = {}
    for entry in hub:
        if entry.entity not in APPEND_ONLY_ENTITIES:
            raise ValueError(f"{entry.entity} is not merged by union")
        by_key.setdefault((entry.entity, entry.uuid), entry)
    added: list[Entry] = []
    conflicts: list[Conflict] = []
    for entry in incoming:
        if entry.entity not in APPEND_ONLY_ENTITIES:
            raise ValueError(f"{entry.entity} is not merged by union")
        key = (entry.entity, entry.uuid)
        present = by_key.get(key)
        if present is None:
            by_key[key] = entry
            added.append(entry)
        elif present.values != entry.values:
            conflicts.append(
                Conflict(entry.entity, entry.uuid, "*", ConflictKind.SAME_UUID, present.values, entry.values,
                         "hub", present.side, entry.side)
            )
    entries = tuple(by_key[k] for k in sorted(by_key))
    return UnionResult(entries, tuple(added), tuple(conflicts))


# ---- request workflow: transitions re-checked on the merged state --------------------------------
@dataclass(frozen=True)
class WorkflowStep:
    """A transition a laptop made (one request_event): the action, what it carried, the state it left."""

    event_id: str
    action: Action
    payload: Payload
    from_status: Status
    side: Side


@dataclass(frozen=True)
class WorkflowMerge:
    case: RequestCase
    applied: tuple[WorkflowStep, ...]
    conflicts: tuple[Conflict, ...] = ()


def step_text(step: WorkflowStep) -> str:
    """A laptop's step as the conflict queue shows it: the status it left and the action."""
    return f"{step.from_status}→{step.action}"


def merge_transitions(
    record_id: str,
    hub_case: RequestCase,
    steps: Sequence[WorkflowStep],
    hub_side: Side | None,
    applied_events: frozenset[str] = frozenset(),
) -> WorkflowMerge:
    """Replay a laptop's transitions, in its order, on the request as the hub has it now. A step the
    rules refuse there goes to the queue with the hub's status and the laptop's step side by side, and so
    does every later step of the chain. Steps already applied (by event id) are skipped."""
    case = hub_case
    applied: list[WorkflowStep] = []
    conflicts: list[Conflict] = []
    refused = False
    for step in steps:
        if step.event_id in applied_events:
            continue
        if not refused:
            try:
                case, _transition = apply(case, step.action, step.payload)
            except DomainError:
                refused = True
            else:
                applied.append(step)
                continue
        conflicts.append(
            Conflict("request", record_id, "状态", ConflictKind.TRANSITION, str(case.status), step_text(step),
                     "hub", hub_side, step.side)
        )
    return WorkflowMerge(case, tuple(applied), tuple(conflicts))
