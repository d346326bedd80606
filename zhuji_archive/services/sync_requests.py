"""Requests in sync (issue 14, docs/sync.md): a laptop's transitions replayed at the hub, and 诉求编号.

A laptop's transition travels as the step it was (``request_step``: the action, what the user gave with
it, the ids of its event and feedback visit), not as the fields it changed. The hub replays it with the
workflow's own rules (``domain/workflow.apply``) and the same permission check as a click
(``requests.may_act``) on the request as the hub has it now, e.g. after the monthly meeting assigned it.
A step no longer allowed there goes to the conflict queue with the hub's status and the laptop's step,
and so do the later steps of the same request in that file (they were made on a state the hub does not
have); a feedback visit's record is kept either way (the household was visited and signed). The
request's state at the hub then travels back in the receipt, with the queue entry, so the laptop shows
what the township has.

诉求编号 are given where a request is recorded. A number a laptop gave that another request at the hub
already holds is replaced by the hub's next number, and the receipt carries it back; on the laptop, a
number arriving from the hub that an unsent local request holds moves that request to a free number
until its own comes back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from zhuji_archive.domain import workflow_wire
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.sync_merge import (
    ChangeKind,
    Conflict,
    ConflictKind,
    Side,
    WorkflowStep,
    merge_transitions,
    step_text,
)
from zhuji_archive.domain.workflow import Action, Feedback, Status
from zhuji_archive.services import sync_capture
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.requests import case_of, may_act, record_step
from zhuji_archive.storage import request_numbers
from zhuji_archive.storage import sync_queries as q
from zhuji_archive.storage.models import Request, RequestFeedback
from zhuji_archive.storage.sync_models import SyncConflict

# The fields of a request a household save changes; everything else moves only by transitions.
FILE_FIELDS = frozenset({"recorded_on", "category", "description", "deleted"})
DELETED_TEXT = "已删除"


@dataclass
class StepOutcome:
    """What replaying one step did at the hub."""

    applied: bool
    conflicts: list[Conflict] = field(default_factory=list)


def check_created(values: Mapping[str, Any]) -> None:
    """A request a laptop created must be new: recorded, not yet moved (its moves travel as steps)."""
    if values.get("status") != Status.REGISTERED.value or values.get("deleted"):
        raise DomainError("同步文件中新登记的诉求状态不对，已整份拒收")


def check_edit(values: Mapping[str, Any]) -> None:
    """A laptop edits a request's own fields only; its state moves by steps."""
    if set(values) - FILE_FIELDS:
        raise DomainError("同步文件中有直接修改诉求办理状态的更改，已整份拒收")


def replay_step(
    session: Session,
    recorder: ChangeRecorder,
    hub_id: str,
    sender: Actor,
    incoming: Side,
    hub_side: Side | None,
    change: Mapping[str, Any],
    refused_before: bool,
    take: Callable[[], int],
) -> StepOutcome:
    """Replay one of a laptop's transitions on the request as the hub has it (see the module's doc)."""
    values = change["values"]
    r = session.get(Request, change["record_id"])
    if r is None:
        raise DomainError("同步文件中有镇里找不到的诉求，已整份拒收")
    if values["event_id"] in q.request_event_ids(session, r.id):
        return StepOutcome(applied=False)  # applied before (a file sent again)
    action = Action(values["action"])
    payload = workflow_wire.from_wire(values["payload"])
    step = WorkflowStep(values["event_id"], action, payload, Status(change["base_values"]["status"]), incoming)
    status = DELETED_TEXT if r.deleted else r.status
    if refused_before or r.deleted or not may_act(sender, action, r.status, r.leader, r.village_id):
        conflict = Conflict("request", r.id, "状态", ConflictKind.TRANSITION, status, step_text(step), "hub",
                            hub_side, incoming)
        return _refused(session, hub_id, sender, r, values, payload, [conflict], take)
    merged = merge_transitions(r.id, case_of(r), [step], hub_side)
    if merged.conflicts:
        return _refused(session, hub_id, sender, r, values, payload, list(merged.conflicts), take)
    base, base_version = q.values_of(r, q.FIELDS["request"]), r.version
    stored = record_step(
        session, recorder, r, action, payload, operator=values.get("operator") or sender.display_name,
        account_id=sender.account_id, on=date.fromisoformat(values["on"]), event_id=values["event_id"],
        feedback_id=values.get("feedback_id"), at=datetime.fromisoformat(values["at"]),
    )
    session.flush()
    sync_capture.log_hub_step(session, hub_id, sender, r, base, base_version, stored, take)
    return StepOutcome(applied=True)


def _refused(
    session: Session, hub_id: str, sender: Actor, r: Request, values: Mapping[str, Any], payload: Any,
    conflicts: list[Conflict], take: Callable[[], int],
) -> StepOutcome:
    """The step stays out; a feedback visit's record is kept, and the request's state at the hub is
    logged afresh so the receipt takes it back to the laptop that made the step."""
    feedback_id = values.get("feedback_id")
    if feedback_id and session.get(RequestFeedback, feedback_id) is None and isinstance(payload, Feedback):
        feedback = RequestFeedback(
            id=feedback_id, request_id=r.id, on=payload.on, responsible_person=payload.responsible_person,
            cadre=payload.cadre, village_cadre=payload.village_cadre, opinion=payload.opinion,
            satisfaction=payload.satisfaction, form_received=payload.form_received,
        )
        session.add(feedback)
        session.flush()
        sync_capture.log_entry(session, "hub", hub_id, sender, "request_feedback", feedback_id, r.household_id,
                          r.village_id, ChangeKind.CREATE.value, 0, q.values_of(feedback, q.FIELDS["request_feedback"] + ("request_id",)),
                          {}, take())
    current = q.values_of(r, q.FIELDS["request"])
    sync_capture.log_entry(session, "hub", hub_id, sender, "request", r.id, r.household_id, r.village_id,
                      ChangeKind.EDIT.value, r.version, current, current, take())
    return StepOutcome(applied=False, conflicts=conflicts)


def free_number_at_hub(session: Session, r: Request) -> str | None:
    """At the hub, after a laptop's new request was added: when another request already holds its
    number, give it the hub's next one; returns the old number when it changed."""
    if not r.number or q.request_holding_number(session, r.number, r.id) is None:
        return None
    old = r.number
    r.number = None
    request_numbers.assign_number(session, r)
    return old


def release_number(session: Session, number: str | None, request_id: str) -> Request | None:
    """On a laptop, before a number from the hub is written: a local request holding it (one the hub
    has not numbered yet) lets it go; ``renumber`` gives it a free one once the hub's is written."""
    if not number:
        return None
    session.flush()  # numbers this receipt changed before count as they are now
    holder = q.request_holding_number(session, number, request_id)
    if holder is None:
        return None
    holder.number = None
    session.flush()
    return holder


def renumber(session: Session, holder: Request | None) -> None:
    """A request that let its number go gets the next free one, until the hub's own comes back."""
    if holder is not None:
        request_numbers.assign_number(session, holder)


def conflict_items(session: Session, device_id: str) -> list[dict[str, Any]]:
    """The device's transitions the hub could not apply, still open in its queue, for its receipt."""
    return [
        {
            "entity": "conflict", "record_id": c.id, "household_id": c.household_id, "kind": ChangeKind.CREATE.value,
            "values": {
                "entity": c.entity, "record_id": c.record_id, "village_id": c.village_id, "field": c.field,
                "kind": c.kind, "hub_value": c.hub_value, "incoming_value": c.incoming_value,
                "hub_at": q.to_wire(c.hub_at), "incoming_at": q.to_wire(c.incoming_at),
            },
        }
        for c in q.open_transition_conflicts(session, device_id)
    ]


def take_conflict(session: Session, item: Mapping[str, Any], hub_id: str, device_id: str) -> bool:
    """On a laptop: keep the hub's word that one of its steps was not applied (once)."""
    if session.get(SyncConflict, item["record_id"]) is not None:
        return False
    v = item["values"]
    session.add(
        SyncConflict(
            id=item["record_id"], entity=v["entity"], record_id=v["record_id"], household_id=item["household_id"],
            village_id=v["village_id"], field=v["field"], kind=v["kind"], hub_value=v["hub_value"],
            incoming_value=v["incoming_value"], kept="hub", hub_device=hub_id, incoming_device=device_id,
            hub_at=datetime.fromisoformat(v["hub_at"]) if v.get("hub_at") else None,
            incoming_at=datetime.fromisoformat(v["incoming_at"]) if v.get("incoming_at") else None,
            decided=False,
        )
    )
    return True
