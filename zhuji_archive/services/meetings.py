"""The township's monthly special meeting (月度专题会议): agenda, one decision per request,
and applying all decisions at once as 交办 transitions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuji_archive.domain import meeting as rules
from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Action, Status
from zhuji_archive.services.permissions import Capability
from zhuji_archive.services.requests import RequestService
from zhuji_archive.storage.database import ChangedMeanwhile
from zhuji_archive.storage.models import Household, Meeting, MeetingItem, Request, utcnow
from zhuji_archive.storage.request_queries import RequestQuery
from zhuji_archive.views.meetings import DecisionRow, MeetingSummary

OPEN, DECIDED = "筹备", "已决定"


class MeetingService:
    """Use cases of the monthly meeting; decisions become 交办 through the request service."""

    def __init__(self, requests: RequestService) -> None:
        self.requests = requests
        self.db = requests.db
        self.guard = requests.guard  # the account the request service acts for: 月度例会 to change

    def create(self, held_on: date | None, title: str, attendees: str) -> str:
        self.guard.need(Capability.RUN_MEETING)
        if held_on is None:
            raise DomainError("请填写会议日期", "held_on")
        with self.db.transaction() as session:
            meeting = Meeting(
                held_on=held_on,
                title=title.strip() or f"{held_on:%Y年%m月}诉求专题会议",
                attendees=attendees.strip(),
                status=OPEN,
            )
            session.add(meeting)
            session.flush()
            return meeting.id

    def meetings(self) -> list[MeetingSummary]:
        self.guard.need(Capability.READ_FILES)
        with self.db.sessions() as session:
            counts = dict(
                session.execute(
                    select(MeetingItem.meeting_id, func.count()).group_by(MeetingItem.meeting_id)
                ).all()
            )
            return [
                MeetingSummary(m.id, m.held_on, m.title, m.attendees, m.status, counts.get(m.id, 0))
                for m in session.scalars(select(Meeting).order_by(Meeting.held_on.desc()))
            ]

    def meeting(self, meeting_id: str) -> MeetingSummary:
        self.guard.need(Capability.READ_FILES)
        return next(m for m in self.meetings() if m.id == meeting_id)

    def add_requests(self, meeting_id: str, request_ids: list[str]) -> int:
        """Put requests waiting for the meeting (待上会) on the agenda; others are refused by name."""
        self.guard.need(Capability.RUN_MEETING)
        with self.db.transaction() as session:
            meeting = self._open_meeting(session, meeting_id)
            top = (
                session.scalar(select(func.max(MeetingItem.sort)).where(MeetingItem.meeting_id == meeting.id))
                or 0
            )
            added = 0
            for request_id in request_ids:
                r = session.get(Request, request_id)
                if r is None:
                    raise DomainError("找不到所选诉求")
                head = session.get(Household, r.household_id)
                if r.status != Status.AWAITING_MEETING:
                    raise DomainError(
                        f"户主{head.head_name}的诉求状态为“{r.status}”，只有“待上会”的诉求才能列入会议"
                    )
                if r.meeting_id and r.meeting_id != meeting.id:
                    raise DomainError(f"户主{head.head_name}的诉求已列入另一次会议")
                if r.meeting_id == meeting.id:
                    continue
                r.meeting_id = meeting.id
                top += 1
                deadline = self.requests.default_deadline(_level(r.level), meeting.held_on)
                session.add(MeetingItem(meeting_id=meeting.id, request_id=r.id, sort=top, deadline=deadline))
                added += 1
            return added

    def remove_request(self, meeting_id: str, request_id: str) -> None:
        self.guard.need(Capability.RUN_MEETING)
        with self.db.transaction() as session:
            self._open_meeting(session, meeting_id)
            item = session.scalar(
                select(MeetingItem).where(
                    MeetingItem.meeting_id == meeting_id, MeetingItem.request_id == request_id
                )
            )
            if item is not None:
                session.delete(item)
            r = session.get(Request, request_id)
            if r is not None and r.meeting_id == meeting_id:
                r.meeting_id = None

    def decisions(self, meeting_id: str) -> list[DecisionRow]:
        self.guard.need(Capability.READ_FILES)
        rows = {row.id: row for row in self.requests.list(RequestQuery(meeting_id=meeting_id))}
        with self.db.sessions() as session:
            meeting = session.get(Meeting, meeting_id)
            if meeting is None:
                raise DomainError("找不到这次会议")
            items = session.scalars(
                select(MeetingItem).where(MeetingItem.meeting_id == meeting_id).order_by(MeetingItem.sort)
            ).all()
            held_on = meeting.held_on
        suggested = {
            level: self.requests.default_deadline(level, held_on) for level in (wf.Level.TOWN, wf.Level.JOINT)
        }
        return [
            DecisionRow(
                i.id,
                rows[i.request_id],
                i.unit,
                i.person,
                i.deadline,
                i.note,
                suggested[_level(rows[i.request_id].level)],
            )
            for i in items
            if i.request_id in rows
        ]

    @staticmethod
    def incomplete_message(decisions: list[DecisionRow]) -> str | None:
        """The message naming every decision that still lacks a field, or None when all are complete."""
        lines = [f"{d.label}缺{'、'.join(d.gaps)}" for d in decisions if d.gaps]
        return rules.incomplete_message(lines) if lines else None

    def save_decisions(self, meeting_id: str, decisions: list[DecisionRow]) -> None:
        """Store what was typed in the decision table (complete or not) without applying it."""
        self.guard.need(Capability.RUN_MEETING)
        with self.db.transaction() as session:
            meeting = self._open_meeting(session, meeting_id)
            for d in decisions:
                item = session.get(MeetingItem, d.item_id)
                if item is None or item.meeting_id != meeting_id:
                    raise DomainError("会议议题已变化，请重新打开会议")
                self._check_deadline(d, meeting.held_on)
                item.unit, item.person, item.deadline, item.note = (
                    d.unit.strip(),
                    d.person.strip(),
                    d.deadline,
                    d.note,
                )
            session.flush()

    def apply_decisions(self, meeting_id: str) -> int:
        """交办 every request of the meeting at once. If any decision lacks a field, nothing is applied
        and the message names every request that is incomplete; the meeting stays open."""
        self.guard.need(Capability.RUN_MEETING)
        decisions = self.decisions(meeting_id)
        if not decisions:
            raise DomainError("会议还没有列入任何诉求")
        missing = self.incomplete_message(decisions)
        if missing:
            raise DomainError(missing)

        def decide(session: Session) -> None:
            meeting = self._open_meeting(session, meeting_id)
            self._check_agenda_unchanged(session, meeting_id, decisions)
            for d in decisions:
                self._check_deadline(d, meeting.held_on)
                payload = wf.Assignment(
                    d.unit, d.person, d.deadline, f"{meeting.title}决定" + (f"：{d.note}" if d.note else "")
                )
                try:
                    self.requests._apply(session, d.request.id, Action.ASSIGN, payload)
                except DomainError as error:
                    raise DomainError(
                        f"户主{d.request.head_name}的诉求：{error.message}", error.field
                    ) from error
            meeting.status = DECIDED
            meeting.decided_at = utcnow()

        try:
            # Re-run after a deadlock on the hub: the agenda and every step are checked again.
            self.db.run(decide)
        except ChangedMeanwhile:
            # A request on the agenda was changed (saved in its household's file, or acted on) between
            # this transaction's reading it and its writing: nothing is applied, the meeting stays open.
            raise DomainError(
                "会议议题中的诉求刚被他人修改，未交办任何诉求。请重新打开这次会议，核对后再交办。"
            ) from None
        return len(decisions)

    @staticmethod
    def _check_agenda_unchanged(session, meeting_id: str, decisions: list[DecisionRow]) -> None:  # type: ignore[no-untyped-def]
        """Refuse to apply decisions that another window changed (or an agenda it changed) after they
        were read: what is applied is exactly what was checked for completeness."""
        items = session.scalars(
            select(MeetingItem).where(MeetingItem.meeting_id == meeting_id).order_by(MeetingItem.sort)
        ).all()
        on_file = [(i.request_id, i.unit.strip(), i.person.strip(), i.deadline, i.note) for i in items]
        read = [(d.request.id, d.unit.strip(), d.person.strip(), d.deadline, d.note) for d in decisions]
        if on_file != read:
            raise DomainError("会议议题或决定刚被他人修改，未交办任何诉求。请重新打开这次会议后再交办。")

    @staticmethod
    def _check_deadline(decision: DecisionRow, held_on: date) -> None:
        try:
            rules.check_deadline(decision.deadline, held_on)
        except DomainError as error:
            raise DomainError(f"{decision.label}：{error.message}", error.field) from error

    @staticmethod
    def _open_meeting(session, meeting_id: str) -> Meeting:  # type: ignore[no-untyped-def]
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise DomainError("找不到这次会议")
        if meeting.status != OPEN:
            raise DomainError("这次会议的决定已经交办，不能再修改")
        return meeting


def _level(value: str) -> wf.Level:
    """The level whose default deadline a request on the agenda gets (镇级 unless 市镇联动)."""
    return wf.Level.JOINT if value == wf.Level.JOINT.value else wf.Level.TOWN
