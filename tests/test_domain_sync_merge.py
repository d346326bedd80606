"""The conflict rules of sync (domain/sync_merge.py): one example per rule, and Hypothesis properties —
nothing vanishes, hub order decides deterministically, a change applied twice counts once, the union of
append-only records is commutative, and a tombstone is never undone by an older copy."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuji_archive.domain.sync_merge import (
    ChangeKind,
    Conflict,
    ConflictKind,
    Entry,
    FrozenValues,
    MergeResult,
    RecordChange,
    RecordState,
    Side,
    Tombstone,
    WorkflowStep,
    merge_all,
    merge_change,
    merge_transitions,
    merge_units,
    union_entries,
)
from zhuji_archive.domain.workflow import (
    Action,
    Assignment,
    Classification,
    Feedback,
    Level,
    RequestCase,
    Resolution,
    Status,
)

HUB = Side("hub", "党政办", datetime(2026, 5, 2, 9), hub_seq=40)
RID = "m" * 32


def member(version: int = 3, **values: object) -> RecordState:
    base = {"name": "测试甲", "phone": "13800000000", "notes": "", "id_number": "330681199001011234",
            "birth_date": date(1990, 1, 1), "sex": "男"}
    base.update(values)
    return RecordState("member", RID, version, base, {name: HUB for name in base})


def change(values: dict, base: dict, *, device: str = "A", seq: int = 1, base_version: int = 3,
           kind: ChangeKind = ChangeKind.EDIT, entity: str = "member", record_id: str = RID,
           at: datetime | None = None) -> RecordChange:
    return RecordChange(entity, record_id, device, seq, base_version, values, base, kind,
                        account=f"cadre-{device}", at=at or datetime(2026, 5, 1, 15))


# ---- rule 1 and 2: field by field, hub order --------------------------------------------------------
def test_different_fields_merge_without_conflict() -> None:
    hub = member(phone="13900000000")  # the hub changed the phone since the laptop's base
    result = merge_change(hub, change({"notes": "低保户"}, {"notes": ""}), hub_seq=41)
    assert result.conflicts == ()
    assert result.state.values["phone"] == "13900000000"
    assert result.state.values["notes"] == "低保户"
    assert result.state.version == 4
    assert result.changed_fields == ("notes",)
    assert result.state.sides["notes"] == Side("A", "cadre-A", datetime(2026, 5, 1, 15), 41)


def test_same_field_on_both_sides_the_later_arrival_wins_and_the_other_value_is_queued() -> None:
    hub = member(phone="13900000000")
    result = merge_change(hub, change({"phone": "13700000000"}, {"phone": "13800000000"}), hub_seq=41)
    assert result.state.values["phone"] == "13700000000"
    (conflict,) = result.conflicts
    assert conflict == Conflict("member", RID, "phone", ConflictKind.SAME_FIELD, "13900000000", "13700000000",
                                "incoming", HUB, Side("A", "cadre-A", datetime(2026, 5, 1, 15), 41))


def test_same_value_on_both_sides_is_no_conflict() -> None:
    hub = member(phone="13900000000")
    result = merge_change(hub, change({"phone": "13900000000"}, {"phone": "13800000000"}), hub_seq=41)
    assert result.conflicts == ()
    assert result.state.version == 3  # nothing changed
    assert result.state.sides["phone"] == HUB


def test_a_field_the_laptop_did_not_change_keeps_the_hub_value() -> None:
    hub = member(phone="13900000000")
    # a laptop that sends the whole record: the phone it sends is its base, so it is not an edit
    result = merge_change(hub, change({"phone": "13800000000", "notes": "x"},
                                      {"phone": "13800000000", "notes": ""}), hub_seq=41)
    assert result.state.values["phone"] == "13900000000"
    assert result.conflicts == ()


def test_device_clocks_decide_nothing() -> None:
    hub = member(phone="13900000000")
    early = change({"phone": "13700000000"}, {"phone": "13800000000"}, at=datetime(2020, 1, 1))
    late = change({"phone": "13700000000"}, {"phone": "13800000000"}, at=datetime(2030, 1, 1))
    assert merge_change(hub, early, 41).state.values == merge_change(hub, late, 41).state.values


def test_a_laptop_chain_of_edits_to_one_field_is_no_conflict_with_itself() -> None:
    hub = member()
    first = change({"notes": "一"}, {"notes": ""}, seq=1)
    second = change({"notes": "二"}, {"notes": "一"}, seq=2)  # same base version: the laptop had no receipt
    result = merge_all(hub, [first, second], first_hub_seq=41)
    assert result.state.values["notes"] == "二"
    assert result.conflicts == ()


def test_a_change_for_another_record_is_refused() -> None:
    with pytest.raises(ValueError):
        merge_change(member(), change({"notes": "x"}, {"notes": ""}, record_id="z" * 32), 41)
    with pytest.raises(ValueError):
        merge_all(member(), [], 41)


def test_a_creation_makes_version_one() -> None:
    created_values = {"name": "测试乙", "id_number": "", "birth_date": None, "sex": "女"}
    created = change(created_values, {}, kind=ChangeKind.CREATE, base_version=0)
    result = merge_change(None, created, hub_seq=41)
    assert result.state.version == 1
    assert result.state.values == created_values
    assert result.conflicts == ()
    again_by_another_road = RecordChange("member", RID, "B", 9, 0, {"name": "测试丙"}, {}, ChangeKind.CREATE)
    clash = merge_change(result.state, again_by_another_road, 42)
    assert [(c.field, c.hub_value, c.incoming_value) for c in clash.conflicts] == [("name", "测试乙", "测试丙")]


# ---- rule 3: field groups -----------------------------------------------------------------------------
def test_units_put_a_touched_group_together() -> None:
    assert merge_units("member", ["sex", "notes"]) == [("id_number", "birth_date", "sex"), ("notes",)]
    assert merge_units("member", ["notes"]) == [("notes",)]
    assert merge_units("household", ["sex"]) == [("sex",)]  # groups are per entity


def test_an_id_number_correction_takes_the_whole_group_and_queues_the_hubs_group() -> None:
    hub = member(sex="女")  # the township corrected only the sex
    fixed = change(
        {"id_number": "330681199202021221", "birth_date": date(1992, 2, 2), "sex": "女"},
        {"id_number": "330681199001011234", "birth_date": date(1990, 1, 1), "sex": "男"},
    )
    result = merge_change(hub, fixed, 41)
    assert result.conflicts == ()  # the same sex on both sides, no conflict
    assert result.state.values["id_number"] == "330681199202021221"

    hub = member(id_number="330681199003031236", birth_date=date(1990, 3, 3))  # the hub fixed it otherwise
    result = merge_change(hub, fixed, 41)
    (conflict,) = result.conflicts
    assert conflict.kind == ConflictKind.FIELD_GROUP
    assert conflict.field == "id_number、birth_date、sex"
    assert conflict.hub_value == {"id_number": "330681199003031236", "birth_date": date(1990, 3, 3), "sex": "男"}
    assert conflict.incoming_value == fixed.values
    assert {k: result.state.values[k] for k in ("id_number", "birth_date", "sex")} == fixed.values


def test_a_group_is_never_mixed_from_two_sides() -> None:
    hub = member(sex="女")  # the hub changed the sex
    group = {"id_number": "330681199001011234", "birth_date": date(1990, 1, 1), "sex": "男"}
    only_id = change({**group, "id_number": "330681199202021221"}, group)
    result = merge_change(hub, only_id, 41)
    # field by field these would merge into an ID number with the other side's sex; the group moves whole
    (conflict,) = result.conflicts
    assert conflict.kind == ConflictKind.FIELD_GROUP
    assert conflict.hub_value["sex"] == "女"
    assert result.state.values["sex"] == "男" and result.state.values["id_number"] == "330681199202021221"


def test_a_change_carries_the_whole_group() -> None:
    with pytest.raises(ValueError):
        merge_change(member(), change({"id_number": "330681199202021221"}, {"id_number": "x"}), 41)
    with pytest.raises(ValueError):  # values whole, base half
        merge_change(member(), change({"id_number": "1", "birth_date": None, "sex": "男"}, {"sex": "男"}), 41)


# ---- rule 4: append-only records ----------------------------------------------------------------------
def visit(uuid: str, device: str, notes: str = "走访") -> Entry:
    return Entry("visit", uuid, {"date": date(2026, 5, 1), "notes": notes}, Side(device, f"cadre-{device}"))


def test_visits_from_two_laptops_are_united() -> None:
    hub = [visit("v1", "A"), visit("v2", "B")]
    incoming = [visit("v2", "B"), visit("v3", "A")]
    result = union_entries(hub, incoming)
    assert [e.uuid for e in result.entries] == ["v1", "v2", "v3"]
    assert [e.uuid for e in result.added] == ["v3"]
    assert result.conflicts == ()


def test_the_same_uuid_with_other_content_is_queued_not_dropped() -> None:
    result = union_entries([visit("v1", "A", "甲")], [visit("v1", "B", "乙")])
    assert [e.values["notes"] for e in result.entries] == ["甲"]
    (conflict,) = result.conflicts
    assert conflict.kind == ConflictKind.SAME_UUID
    assert conflict.incoming_value["notes"] == "乙"


def test_only_append_only_entities_are_united() -> None:
    with pytest.raises(ValueError):
        union_entries([Entry("member", "x", {}, HUB)], [])
    with pytest.raises(ValueError):
        union_entries([], [Entry("household", "x", {}, HUB)])


# ---- rule 5: tombstones -------------------------------------------------------------------------------
def deleted_member() -> RecordState:
    delete = change({"removed": True}, {"removed": False}, device="B", seq=7, kind=ChangeKind.DELETE)
    state = merge_change(member(removed=False), delete, 41).state
    assert state.tombstone == Tombstone(4, delete.side(41), 7)
    return state


def test_an_edit_of_a_deleted_record_goes_to_the_queue() -> None:
    state = deleted_member()
    result = merge_change(state, change({"phone": "13700000000"}, {"phone": "13800000000"}), 42)
    assert result.state.values == state.values and result.state.tombstone == state.tombstone
    (conflict,) = result.conflicts
    assert conflict.kind == ConflictKind.DELETED and conflict.kept == "hub"
    assert (conflict.hub_value, conflict.incoming_value) == ("13800000000", "13700000000")
    assert conflict.hub_side == state.tombstone.side


def test_an_older_copy_cannot_restore_a_deleted_record() -> None:
    state = deleted_member()
    old_restore = change({"removed": False}, {"removed": True}, base_version=3, kind=ChangeKind.RESTORE)
    result = merge_change(state, old_restore, 42)
    assert result.state.tombstone == state.tombstone
    assert result.state.values["removed"] is True
    assert [c.kind for c in result.conflicts] == [ConflictKind.DELETED]


def test_a_restore_that_saw_the_deletion_lifts_it() -> None:
    state = deleted_member()
    restore = change({"removed": False}, {"removed": True}, base_version=4, kind=ChangeKind.RESTORE)
    result = merge_change(state, restore, 42)
    assert result.state.tombstone is None
    assert result.state.values["removed"] is False
    assert result.state.version == 5


def test_the_deleting_laptop_may_restore_later_in_its_own_sequence() -> None:
    state = deleted_member()
    own = change({"removed": False}, {"removed": True}, device="B", seq=8, kind=ChangeKind.RESTORE)
    assert merge_change(state, own, 42).state.tombstone is None


def test_a_deletion_keeps_what_the_hub_changed_meanwhile() -> None:
    hub = member(phone="13900000000")
    result = merge_change(hub, change({"removed": True}, {"removed": False}, kind=ChangeKind.DELETE), 41)
    assert result.state.tombstone is not None
    assert result.state.values["phone"] == "13900000000"


def test_a_second_deletion_changes_nothing() -> None:
    state = deleted_member()
    again = change({"removed": True}, {"removed": False}, device="C", kind=ChangeKind.DELETE)
    result = merge_change(state, again, 42)
    assert result.conflicts == ()
    assert result.state.tombstone == state.tombstone and result.state.version == state.version


# ---- rule 6: workflow transitions on the merged state -------------------------------------------------
RECORDED = date(2026, 4, 1)
VILLAGE_LEVEL = Classification("生活困难", "个性", "近期一时难以解决", Level.VILLAGE)
TOWN_LEVEL = Classification("生活困难", "个性", "近期一时难以解决", Level.TOWN)
SORTED = RequestCase(Status.SORTED, RECORDED, classification=VILLAGE_LEVEL)
LAPTOP = Side("A", "cadre-A", datetime(2026, 5, 3, 10))


def village_chain() -> list[WorkflowStep]:
    """On the laptop: the village took the request on, solved it and recorded the household's feedback."""
    return [
        WorkflowStep("e1", Action.ASSIGN, Assignment("村委会", "测试丙", date(2026, 5, 30)), Status.SORTED, LAPTOP),
        WorkflowStep("e2", Action.SOLVE, Resolution(date(2026, 5, 2), "协调", "上门", "已解决"), Status.IN_PROGRESS,
                     LAPTOP),
        WorkflowStep("e3", Action.FEEDBACK,
                     Feedback(date(2026, 5, 3), "", "测试丁", "", "", "满意", True), Status.SOLVED, LAPTOP),
    ]


def test_the_village_chain_applies_when_the_hub_did_nothing() -> None:
    merged = merge_transitions("r1", SORTED, village_chain(), HUB)
    assert merged.case.status == Status.CLOSED
    assert [s.event_id for s in merged.applied] == ["e1", "e2", "e3"]
    assert merged.conflicts == ()


def test_village_recorded_feedback_while_the_meeting_reassigned_it() -> None:
    # at the hub: re-classified to the township, reported, and the monthly meeting assigned a unit
    hub_case = RequestCase(Status.IN_PROGRESS, RECORDED, classification=TOWN_LEVEL,
                           assignment=Assignment("镇民政办", "测试戊", date(2026, 6, 15)))
    merged = merge_transitions("r1", hub_case, village_chain(), HUB)
    assert merged.case == hub_case  # the meeting's decision stands
    assert merged.applied == ()
    # all three steps wait in the queue, each with the hub's status and the laptop's step
    assert [(c.field, c.hub_value, c.incoming_value) for c in merged.conflicts] == [
        ("状态", "办理中", "已梳理→交办"),
        ("状态", "办理中", "办理中→办结"),
        ("状态", "办理中", "已办结→反馈"),
    ]
    assert all(c.kind == ConflictKind.TRANSITION and c.hub_side == HUB and c.incoming_side == LAPTOP
               for c in merged.conflicts)


def test_feedback_after_the_hub_sent_the_request_back() -> None:
    solved = RequestCase(Status.SOLVED, RECORDED, classification=VILLAGE_LEVEL)
    hub_case = RequestCase(Status.IN_PROGRESS, RECORDED, classification=VILLAGE_LEVEL)  # unsatisfied at the town
    step = village_chain()[2]
    assert merge_transitions("r1", solved, [step], HUB).case.status == Status.CLOSED
    merged = merge_transitions("r1", hub_case, [step], HUB)
    assert merged.case == hub_case
    assert [c.incoming_value for c in merged.conflicts] == ["已办结→反馈"]


def test_steps_already_applied_are_skipped() -> None:
    chain = village_chain()
    first = merge_transitions("r1", SORTED, chain, HUB)
    again = merge_transitions("r1", first.case, chain, HUB, applied_events=frozenset({"e1", "e2", "e3"}))
    assert again.case == first.case and again.applied == () and again.conflicts == ()


# ---- properties ---------------------------------------------------------------------------------------
FIELDS = ("phone", "notes", "id_number", "birth_date", "sex", "removed")
VALUES = st.sampled_from(["a", "b", "c"])
GROUP = {"id_number", "birth_date", "sex"}


@st.composite
def hub_states(draw: st.DrawFn) -> RecordState:
    values = {f: draw(VALUES) for f in FIELDS}
    return RecordState("member", RID, draw(st.integers(1, 6)), values, {f: HUB for f in values})


@st.composite
def changes(draw: st.DrawFn, seq: int | None = None) -> RecordChange:
    touched = draw(st.lists(st.sampled_from(FIELDS), unique=True, min_size=1, max_size=4))
    if GROUP & set(touched):
        touched = sorted(set(touched) | GROUP)  # a group travels whole
    with_base = draw(st.booleans())
    return RecordChange(
        "member", RID,
        device_id=draw(st.sampled_from(["A", "B", "C"])),
        device_seq=seq if seq is not None else draw(st.integers(1, 5)),
        base_version=draw(st.integers(0, 8)),
        values={f: draw(VALUES) for f in touched},
        base_values={f: draw(VALUES) for f in touched if with_base or (f not in GROUP and draw(st.booleans()))},
        kind=draw(st.sampled_from(ChangeKind)),
        account="x",
        at=datetime(2026, 1, 1) + timedelta(minutes=draw(st.integers(0, 10_000))),
    )


def change_lists(max_size: int = 6) -> st.SearchStrategy[list[RecordChange]]:
    return st.lists(changes(), max_size=max_size)


def _in_conflicts(name: str, value: object, conflicts: tuple[Conflict, ...], side: str) -> bool:
    for conflict in conflicts:
        shown = conflict.hub_value if side == "hub" else conflict.incoming_value
        if conflict.field == name and shown == value:
            return True
        if name in conflict.field.split("、") and isinstance(shown, FrozenValues) and shown.get(name) == value:
            return True
    return False


def _check_nothing_vanished(before: RecordState, change: RecordChange, result: MergeResult) -> None:
    if result.duplicate:
        assert result.state == before
        return
    after = result.state.values
    for name in change.values:
        base = change.base_values.get(name, "<absent>")
        incoming = change.values[name]
        hub = before.values[name]
        if incoming != base:  # the laptop's edit
            assert after[name] == incoming or _in_conflicts(name, incoming, result.conflicts, "incoming")
        if hub != base:  # the hub's edit since the laptop's base
            assert after[name] == hub or _in_conflicts(name, hub, result.conflicts, "hub")
    for name in before.values:
        if name not in change.values:
            assert after[name] == before.values[name]


@given(hub_states(), change_lists())
@settings(max_examples=300)
def test_nothing_vanishes(state: RecordState, sequence: list[RecordChange]) -> None:
    for hub_seq, one in enumerate(sequence, start=100):
        result = merge_change(state, one, hub_seq)
        _check_nothing_vanished(state, one, result)
        state = result.state


@given(hub_states(), change_lists(), st.randoms(use_true_random=False))
@settings(max_examples=200)
def test_merging_is_deterministic_given_hub_order(state: RecordState, sequence: list[RecordChange],
                                                  rnd) -> None:
    first = merge_all(state, sequence, 100) if sequence else None
    second = merge_all(state, sequence, 100) if sequence else None
    assert first == second
    if sequence:
        # other device clocks, same hub order: the same values, tombstone and conflicts
        reclocked = [RecordChange(c.entity, c.record_id, c.device_id, c.device_seq, c.base_version, c.values,
                                  c.base_values, c.kind, c.account, datetime(2000, 1, 1) + timedelta(rnd.random()))
                     for c in sequence]
        third = merge_all(state, reclocked, 100)
        assert third.state.values == first.state.values
        assert third.state.version == first.state.version
        assert (third.state.tombstone is None) == (first.state.tombstone is None)
        assert [(c.field, c.hub_value, c.incoming_value, c.kind) for c in third.conflicts] == [
            (c.field, c.hub_value, c.incoming_value, c.kind) for c in first.conflicts
        ]


@given(hub_states(), change_lists(), changes())
@settings(max_examples=300)
def test_a_change_applied_twice_counts_once(state: RecordState, before: list[RecordChange],
                                            one: RecordChange) -> None:
    if before:
        state = merge_all(state, before, 100).state
    once = merge_change(state, one, 200)
    twice = merge_change(once.state, one, 201)
    assert twice.duplicate and twice.state == once.state and twice.conflicts == ()
    if before:  # a whole file delivered twice: the second delivery changes nothing
        whole = merge_all(state, before, 300).state
        assert merge_all(whole, before, 400).state == whole


ENTRIES = st.lists(
    st.builds(lambda entity, uuid: Entry(entity, uuid, {"v": f"{entity}:{uuid}"}, HUB),
              st.sampled_from(["visit", "request_event", "assistance", "request_feedback"]),
              st.sampled_from([f"u{i}" for i in range(12)])),
    max_size=15,
)


@given(ENTRIES, ENTRIES)
def test_the_union_of_append_only_records_is_commutative(left: list[Entry], right: list[Entry]) -> None:
    one, other = union_entries(left, right), union_entries(right, left)
    assert one.entries == other.entries
    assert {(e.entity, e.uuid) for e in one.entries} == {(e.entity, e.uuid) for e in left + right}
    assert union_entries(one.entries, right).entries == one.entries  # idempotent
    assert one.conflicts == ()


@given(hub_states(), st.lists(changes(), min_size=1, max_size=8))
@settings(max_examples=300)
def test_a_tombstone_is_never_undone_by_an_older_base_version(state: RecordState,
                                                             later: list[RecordChange]) -> None:
    deleting = RecordChange("member", RID, "D", 1, state.version, {"removed": "deleted"},
                            {"removed": state.values["removed"]}, ChangeKind.DELETE)
    state = merge_change(state, deleting, 100).state
    tombstone = state.tombstone
    assert tombstone is not None
    for hub_seq, one in enumerate(later, start=101):
        older = RecordChange(one.entity, one.record_id, one.device_id, one.device_seq,
                             min(one.base_version, tombstone.version - 1), one.values, one.base_values,
                             one.kind, one.account, one.at)
        result = merge_change(state, older, hub_seq)
        assert result.state.tombstone == tombstone
        assert result.state.values == state.values
        assert all(c.kind == ConflictKind.DELETED for c in result.conflicts)
        state = result.state
