"""Requests (诉求) through the workflow: listing, detail, applying actions with a full log,
common issues handled together, and the township's review queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.accounts import Actor, PermissionDenied, out_of_scope
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.text_input import clean_text, cleaned
from zhuji_archive.domain.workdays import WorkCalendar
from zhuji_archive.domain.workflow import Action, Level, RequestCase, Status
from zhuji_archive.services import sync_capture
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.storage import request_numbers, tally_queries
from zhuji_archive.storage import request_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import (
    CommonIssue,
    Household,
    Request,
    RequestEvent,
    RequestFeedback,
    new_id,
    utcnow,
)
from zhuji_archive.storage.request_queries import RequestQuery
from zhuji_archive.storage.tally_models import RequestTally
from zhuji_archive.views.requests import EventRow, RequestDetail, RequestRow

__all__ = ["RequestQuery", "RequestService"]

NUMBER_ATTEMPTS = 3  # a number taken by a concurrent writer is retried with the next one

# What a 镇领导 may record on a case he leads (包案): its progress and the feedback of the household.
LEADER_ACTIONS = frozenset({Action.PROGRESS, Action.FEEDBACK})
# Any of these lets an account act on some request; which one a given action needs is decided per request.
ACTING = (Capability.HANDLE_REQUESTS, Capability.REVIEW_REQUESTS, Capability.LEAD_CASES)


def is_review(action: Action, status: str) -> bool:
    """Whether the action is the township's (镇级审核): routing to 市镇联动 / 挂牌督办, or assigning a
    request the town took up (待上会). Everything else is handled at village level."""
    return action == Action.JOINT or (action == Action.ASSIGN and status == Status.AWAITING_MEETING.value)


def may_act(actor: Actor, action: Action, status: str, leader: str, village_id: str | None) -> bool:
    """Whether the account may take ``action`` on a request in this status, led by ``leader``, of this
    village (the workflow decides separately whether the action fits the status)."""
    if actor.can(Capability.LEAD_CASES) and not actor.can(Capability.HANDLE_REQUESTS):
        return action in LEADER_ACTIONS and bool(leader) and leader == actor.display_name
    needed = Capability.REVIEW_REQUESTS if is_review(action, status) else Capability.HANDLE_REQUESTS
    return actor.can(needed) and actor.covers(village_id)


def case_of(r: Request) -> RequestCase:
    """The domain view of a stored request."""
    classification = (
        wf.Classification(r.category, r.scope, r.solvability, Level(r.level)) if r.level else None
    )
    assignment = (
        wf.Assignment(r.responsible_unit, r.responsible_person, r.deadline, r.assignment_note)
        if r.responsible_unit or r.deadline
        else None
    )
    supervision = (
        wf.Supervision(r.supervising_body, r.listed_on, r.leader, assignment, r.next_check_on)
        if r.supervising_body and assignment is not None
        else None
    )
    resolution = wf.Resolution(r.solved_on, r.measures, r.method, r.result) if r.solved_on else None
    explanation = wf.Explanation(r.explanation, r.explained_on) if r.explanation else None
    return RequestCase(
        status=Status(r.status),
        recorded_on=r.recorded_on,
        classification=classification,
        assignment=assignment,
        supervision=supervision,
        resolution=resolution,
        explanation=explanation,
        reopen_reason=r.reopen_reason,
    )


def _store(r: Request, case: RequestCase) -> None:
    """Write the domain case back onto the stored request."""
    r.status = case.status.value
    if case.classification is not None:
        c = case.classification
        r.category, r.scope, r.solvability, r.level = c.category, c.scope, c.solvability, c.level.value
    if case.assignment is not None:
        a = case.assignment
        r.responsible_unit, r.responsible_person, r.deadline, r.assignment_note = (
            a.unit,
            a.person,
            a.deadline,
            a.note,
        )
    if case.supervision is not None:
        s = case.supervision
        r.supervising_body, r.listed_on, r.leader, r.next_check_on = (
            s.body,
            s.listed_on,
            s.leader,
            s.next_check_on,
        )
    if case.resolution is not None:
        res = case.resolution
        r.solved_on, r.measures, r.method, r.result = res.solved_on, res.measures, res.method, res.result
        r.explanation, r.explained_on = "", None
        r.resolution = f"{res.solved_on}：{res.measures}；{res.method}；{res.result}"
    elif case.explanation is not None:
        r.explanation, r.explained_on = case.explanation.text, case.explanation.given_on
        r.solved_on, r.measures, r.method, r.result = None, "", "", ""
        r.resolution = f"不能解决（{case.explanation.given_on}已解释）：{case.explanation.text}"
    r.reopen_reason = case.reopen_reason


def _business_date(action: Action, payload: wf.Payload, today: date) -> date:
    """The date an action happened on, as the user gave it."""
    day: date | None = None
    if isinstance(payload, wf.Resolution):
        day = payload.solved_on
    elif isinstance(payload, wf.OnTheSpot):
        day = payload.resolution.solved_on
    elif isinstance(payload, wf.Explanation):
        day = payload.given_on
    elif isinstance(payload, wf.Feedback | wf.Progress):
        day = payload.on
    elif isinstance(payload, wf.Supervision):
        day = payload.listed_on
    return day or today


@dataclass(frozen=True)
class Step:
    """A transition stored: the action and what it carried, the event, the feedback visit (if any)."""

    action: Action
    payload: wf.Payload
    transition: wf.Transition
    event: RequestEvent
    feedback: RequestFeedback | None


def record_step(
    session: Session,
    recorder: ChangeRecorder,
    r: Request,
    action: Action,
    payload: wf.Payload,
    *,
    operator: str,
    account_id: str | None,
    on: date,
    event_id: str | None = None,
    feedback_id: str | None = None,
    at: datetime | None = None,
) -> Step:
    """Apply one action to a stored request (the caller checked who may) and store what it did: the
    request's new state, its event, the feedback visit, the change-log entry. A refused action raises
    DomainError and stores nothing. A transition replayed from a laptop keeps its event's and feedback's
    ids and time (services/sync_requests.py)."""
    case, transition = wf.apply(case_of(r), action, payload)
    _store(r, case)
    feedback = None
    if isinstance(payload, wf.Feedback):
        feedback = RequestFeedback(
            id=feedback_id or new_id(),
            request_id=r.id,
            on=payload.on,
            responsible_person=payload.responsible_person,
            cadre=payload.cadre,
            village_cadre=payload.village_cadre,
            opinion=payload.opinion,
            satisfaction=payload.satisfaction,
            form_received=payload.form_received,
        )
        session.add(feedback)
        r.satisfaction = payload.satisfaction
        r.closed_on = payload.on if case.status == Status.CLOSED else None
    if action == Action.REOPEN:
        r.closed_on = None
    event = RequestEvent(
        id=event_id or new_id(),
        request_id=r.id,
        at=at or utcnow(),
        on=on,
        operator=operator,
        account_id=account_id,
        action=action.value,
        from_status=transition.before.value,
        to_status=transition.after.value,
        note=transition.note,
    )
    session.add(event)
    recorder.log(
        "办理",
        "诉求",
        r.id,
        household_id=r.household_id,
        village_id=r.village_id,
        field="办理状态",
        old=transition.before.value,
        new=transition.after.value,
        note=f"{action.value}：{transition.note}",
    )
    return Step(action, payload, transition, event, feedback)


class RequestService:
    """Use cases on requests, on behalf of one account. "today" comes from the archive's clock.

    Lists hold the requests of the villages in the account's scope; acting on a request takes 办理诉求
    (village level) or 镇级审核 (see ``is_review``) in its village; a 镇领导 may record progress and
    feedback on the cases he leads."""

    def __init__(
        self, db: Database, actor: Actor, settings: SettingsService, clock: Clock | None = None
    ) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name
        self.guard = Guard(actor)
        self.settings = settings
        self.clock = clock or Clock()

    @property
    def today(self) -> date:
        return self.clock.today()

    # ---- calendar and deadlines -----------------------------------------------------------
    def calendar(self) -> WorkCalendar:
        self.guard.need_any(Capability.READ_FILES, Capability.MANAGE_SETTINGS)
        with self.db.sessions() as session:
            return WorkCalendar(queries.holiday_overrides(session))

    def default_deadline(self, level: Level, start: date | None = None) -> date:
        self.guard.need(Capability.READ_FILES)
        return wf.default_deadline(start or self.today, level, self.settings.deadline_days(), self.calendar())

    def _query(self, query: RequestQuery) -> RequestQuery:
        """Check the account may read what the query names; limit it to the account's villages and fill
        the dates a time-status filter needs."""
        from dataclasses import replace

        self.guard.need(Capability.READ_FILES)
        if query.village_id or query.household_id:
            with self.db.sessions() as session:
                if query.household_id:
                    self.guard.household(session, Capability.READ_FILES, query.household_id)
                if query.village_id:
                    self.guard.village(Capability.READ_FILES, query.village_id)
        query = replace(query, villages=self.guard.scope)
        warn = self.settings.get("warn_days")
        due_before = self.calendar().add_workdays(self.today, warn + 1)
        return replace(query, today=self.today, due_before=due_before)

    # ---- reading ---------------------------------------------------------------------------
    def list(self, query: RequestQuery = RequestQuery()) -> list[RequestRow]:  # noqa: B008
        query = self._query(query)
        calendar, warn = self.calendar(), self.settings.get("warn_days")
        with self.db.sessions() as session:
            return [self._row(result, calendar, warn) for result in queries.rows(session, query)]

    PAGE_SIZE = 200

    def page(
        self,
        query: RequestQuery = RequestQuery(),  # noqa: B008
        after: queries.PageKey | None = None,
        limit: int | None = None,
    ) -> list[RequestRow]:
        """One page of the list in its order, after the row keyed ``after`` (see ``page_key``)."""
        query = self._query(query)
        calendar, warn = self.calendar(), self.settings.get("warn_days")
        with self.db.sessions() as session:
            found = queries.page(session, query, after, limit or self.PAGE_SIZE)
            return [self._row(result, calendar, warn) for result in found]

    @staticmethod
    def page_key(row: RequestRow) -> queries.PageKey:
        return (row.recorded_on, row.id)

    def total(self, query: RequestQuery = RequestQuery()) -> int:  # noqa: B008
        """How many requests match; from the kept tally when only village and status filter."""
        query = self._query(query)
        with self.db.sessions() as session:
            if queries.tally_countable(query):
                return tally_queries.requests(
                    session, query.village_id, query.statuses, villages=query.villages
                )
            return queries.count(session, query)

    def counts(self, query: RequestQuery = RequestQuery()) -> dict[str, int]:  # noqa: B008
        """Requests per status; from the kept tally when only village and status filter."""
        query = self._query(query)
        with self.db.sessions() as session:
            if queries.tally_countable(query):
                by_status = tally_queries.requests_by(
                    session, RequestTally.status, query.village_id, villages=query.villages
                )
                return {k: n for k, n in by_status.items() if not query.statuses or k in query.statuses}
            return queries.status_counts(session, query)

    def leaders(self) -> list[str]:
        """The 包案领导 named on requests, for pick-lists (names of town leaders, not of households)."""
        self.guard.need(Capability.READ_FILES)
        with self.db.sessions() as session:
            return queries.leaders(session)

    def _row(self, result: Any, calendar: WorkCalendar, warn: int) -> RequestRow:
        r, head_name, number, village_name, group_name, issue_title = result
        case = case_of(r)
        return RequestRow(
            id=r.id,
            household_id=r.household_id,
            head_name=head_name,
            village_name=village_name,
            group_name=group_name,
            household_number=number,
            recorded_on=r.recorded_on,
            category=r.category,
            description=r.description,
            status=r.status,
            level=r.level,
            scope=r.scope,
            solvability=r.solvability,
            responsible_unit=r.responsible_unit,
            responsible_person=r.responsible_person,
            deadline=r.deadline,
            time_status=wf.time_status(case, self.today, calendar, warn),
            leader=r.leader,
            supervising_body=r.supervising_body,
            next_check_on=r.next_check_on,
            satisfaction=r.satisfaction,
            resolution=r.resolution,
            common_issue=issue_title or "",
            common_issue_id=r.common_issue_id,
            check_overdue=wf.check_overdue(case.status, r.next_check_on, self.today),
            number=r.number or "",
        )

    def find(self, number: str) -> str:
        """The id of the request with this 诉求编号 (安华2026-0012; the old internal id works too)."""
        self.guard.need(Capability.READ_FILES)
        with self.db.sessions() as session:
            request_id = request_numbers.request_id_of(session, number)
            if request_id is not None:
                self.guard.request(session, Capability.READ_FILES, request_id)
        if request_id is None:
            raise DomainError(f"找不到诉求编号为“{number.strip()}”的诉求")
        return request_id

    def detail(self, request_id: str) -> RequestDetail:
        with self.db.sessions() as session:
            self.guard.request(session, Capability.READ_FILES, request_id)
        calendar, warn = self.calendar(), self.settings.get("warn_days")
        with self.db.sessions() as session:
            stmt = queries.base(RequestQuery()).where(Request.id == request_id)
            result = session.execute(stmt).one_or_none()
            if result is None:
                raise DomainError("找不到这条诉求")
            row = self._row(result, calendar, warn)
            case = case_of(result[0])
            events = [
                EventRow(e.at, e.on, e.operator, e.action, e.from_status, e.to_status, e.note)
                for e in queries.events(session, request_id)
            ]
            feedbacks = [
                wf.Feedback(
                    f.on,
                    f.responsible_person,
                    f.cadre,
                    f.village_cadre,
                    f.opinion,
                    f.satisfaction,
                    f.form_received,
                )
                for f in session.scalars(
                    select(RequestFeedback)
                    .where(RequestFeedback.request_id == request_id)
                    .order_by(RequestFeedback.on, RequestFeedback.id)
                )
            ]
        village_id = result[0].village_id
        allowed = [
            action
            for action in wf.allowed_actions(case)
            if may_act(self.actor, action, row.status, row.leader, village_id)
        ]  # the buttons the window offers: what this account may do now
        return RequestDetail(row, case, allowed, events, feedbacks)

    # ---- writing ---------------------------------------------------------------------------
    def record(
        self, household_id: str, category: str, description: str, recorded_on: date | None = None
    ) -> str:
        """Record a new request (登记) in a household file."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.HANDLE_REQUESTS, household_id)
        category = clean_text("request", "category", category)
        description = clean_text("request", "description", description)
        if not category:
            raise DomainError("请选择诉求类别", "category")
        if not description.strip():
            raise DomainError("请填写诉求内容", "description")
        for _attempt in range(NUMBER_ATTEMPTS):  # the retry sees the concurrent writer's number
            try:
                return self._record(household_id, category, description, recorded_on)
            except IntegrityError as error:
                if not request_numbers.is_number_clash(error):
                    raise
        raise DomainError("另一台电脑正在同时登记诉求，未能分配诉求编号，诉求没有登记，请再登记一次")

    def _record(self, household_id: str, category: str, description: str, recorded_on: date | None) -> str:
        return self.db.run(lambda session: self._record_in(session, household_id, category, description, recorded_on))

    def _record_in(
        self, session: Session, household_id: str, category: str, description: str, recorded_on: date | None
    ) -> str:
        household = session.get(Household, household_id)
        if household is None:
            raise DomainError("找不到这户档案")
        r = Request(
            household_id=household_id,
            village_id=household.village_id,
            recorded_on=recorded_on or self.today,
            category=category,
            description=description.strip(),
            status=Status.REGISTERED.value,
        )
        session.add(r)
        number = request_numbers.assign_number(session, r)
        sync_capture.request_created(session, self.actor, r)
        ChangeRecorder(session, self.actor).log(
            "新增",
            "诉求",
            r.id,
            household_id=household_id,
            village_id=household.village_id,
            note=f"登记诉求{number}：{category}",
        )
        return r.id

    def act(self, request_id: str, action: Action, payload: wf.Payload = None) -> RequestDetail:
        """Apply one action in one transaction; a refused action raises DomainError and changes nothing."""
        self.guard.need_any(*ACTING)
        # Re-run after a deadlock on the hub: the step is checked again on the request as it is then.
        self.db.run(lambda session: self._apply(session, request_id, action, payload))
        return self.detail(request_id)

    def _apply(self, session: Session, request_id: str, action: Action, payload: wf.Payload) -> wf.Transition:
        r = session.get(Request, request_id)
        if r is None or r.deleted:
            raise DomainError("找不到这条诉求")
        self._may_act(session, r, action)
        payload = cleaned(payload)
        before = sync_capture.request_before(session, r)
        step = record_step(
            session, ChangeRecorder(session, self.actor), r, action, payload,
            operator=self.operator, account_id=self.actor.account_id, on=_business_date(action, payload, self.today),
        )
        sync_capture.request_after(session, self.actor, r, before, step)
        return step.transition

    def _may_act(self, session: Session, r: Request, action: Action) -> None:
        """Refuse (PermissionDenied) unless the account may take ``action`` on this request."""
        actor = self.actor
        village_id = r.village_id or self.guard.request(session, Capability.READ_FILES, r.id)
        if may_act(actor, action, r.status, r.leader, village_id):
            return
        if actor.can(Capability.LEAD_CASES) and not actor.can(Capability.HANDLE_REQUESTS):
            raise PermissionDenied(
                f"“{actor.role.label}”账号只能对本人包案的诉求记录进展和反馈，不能{action.value}这条诉求。"
            )
        self.guard.need(
            Capability.REVIEW_REQUESTS if is_review(action, r.status) else Capability.HANDLE_REQUESTS
        )
        raise out_of_scope(actor, "这条诉求")

    def act_many(self, request_ids: list[str], action: Action, payload: wf.Payload) -> int:
        """Apply the same action to several requests, all or none; the error names the request refused."""
        self.guard.need_any(*ACTING)
        with self.db.transaction() as session:
            for request_id in request_ids:
                try:
                    self._apply(session, request_id, action, payload)
                except PermissionDenied:
                    raise
                except DomainError as error:
                    label = self._label(session, request_id)
                    raise DomainError(f"{label}：{error.message}", error.field) from error
        return len(request_ids)

    @staticmethod
    def _label(session: Session, request_id: str) -> str:
        r = session.get(Request, request_id)
        household = session.get(Household, r.household_id) if r else None
        return f"户主{household.head_name}的诉求“{r.description[:12]}”" if r and household else "诉求"

    # ---- common issues (共性问题) ------------------------------------------------------------
    def create_common_issue(self, title: str, description: str, request_ids: list[str]) -> str:
        self.guard.need(Capability.REVIEW_REQUESTS)
        with self.db.sessions() as session:
            self.guard.requests(session, Capability.REVIEW_REQUESTS, request_ids)
        if not title.strip():
            raise DomainError("请填写共性问题名称", "title")
        request_ids = list(dict.fromkeys(request_ids))
        if len(request_ids) < 2:
            raise DomainError("共性问题至少要关联两户的诉求", "requests")
        with self.db.transaction() as session:
            issue = CommonIssue(title=title.strip(), description=description.strip(), created_on=self.today)
            session.add(issue)
            session.flush()
            households = set()
            for request_id in request_ids:
                r = session.get(Request, request_id)
                if r is None:
                    raise DomainError("找不到所选诉求")
                if r.common_issue_id and r.common_issue_id != issue.id:
                    raise DomainError(f"{self._label(session, request_id)}已归入另一个共性问题")
                r.common_issue_id = issue.id
                households.add(r.household_id)
            if len(households) < 2:  # a common issue is shared by households, not one family's requests
                raise DomainError("共性问题至少要关联两户的诉求", "requests")
            return issue.id

    def common_issue_requests(self, issue_id: str) -> list[RequestRow]:
        return self.list(RequestQuery(common_issue_id=issue_id))

    def act_on_common_issue(self, issue_id: str, action: Action, payload: wf.Payload) -> int:
        """One decision or one result for every linked request that is open; feedback stays per household."""
        self.guard.need(Capability.REVIEW_REQUESTS)
        if action in (Action.FEEDBACK, Action.REOPEN):
            raise DomainError("情况反馈须逐户进行，每户分别填写反馈意见")
        targets = [row.id for row in self.common_issue_requests(issue_id) if row.status not in ("已反馈",)]
        if not targets:
            raise DomainError("这个共性问题没有待办理的诉求")
        return self.act_many(targets, action, payload)

    # ---- supervised cases (挂牌督办 / 领导包案) ------------------------------------------------
    def supervised(
        self, leader: str | None = None, include_closed: bool = False
    ) -> list[tuple[RequestRow, str]]:
        """Cases under 挂牌督办 with their last progress entry, soonest check first."""
        statuses = () if include_closed else tuple(s.value for s in wf.OPEN_STATUSES | wf.AWAITING_FEEDBACK)
        rows = self.list(RequestQuery(supervised_only=True, leader=leader, statuses=statuses))
        with self.db.sessions() as session:
            last = queries.last_progress(session, [r.id for r in rows])
        far = date.max
        rows.sort(key=lambda r: (r.next_check_on or far, r.deadline or far))
        return [(row, f"{last[row.id].on}：{last[row.id].note}" if row.id in last else "") for row in rows]

    def next_check_default(self, start: date | None = None) -> date:
        self.guard.need(Capability.READ_FILES)
        return (start or self.today) + timedelta(days=14)
