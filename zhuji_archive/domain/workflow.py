"""The request (诉求) workflow: states, actions, what each action needs, and the time status.

    登记 ──梳理──▶ 已梳理 ──交办(村级/驻村干部)──────────────▶ 办理中 ──办结──▶ 已办结 ──反馈──▶ 已反馈
                    ├──上报镇──▶ 待上会 ──交办(月度专题会议)──▶   │                 ▲
                    └──市镇联动(挂牌督办+领导包案)────────────▶   └──不能解决(合理合法解释)─┘
    登记 ──当场解决 (立即可以解决)──▶ 已办结;  不满意的反馈 → 办理中;  已反馈 ──重新办理(须说明理由)──▶ 办理中

Pure Python: no Qt, no database. `apply` returns a new case or raises DomainError naming what is missing;
a refused action changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workdays import WorkCalendar


class Status(StrEnum):
    """Where a request stands."""

    REGISTERED = "登记"
    SORTED = "已梳理"
    AWAITING_MEETING = "待上会"
    IN_PROGRESS = "办理中"
    SOLVED = "已办结"
    UNSOLVABLE = "不能解决"
    CLOSED = "已反馈"


class Level(StrEnum):
    """Who coordinates the solution (落实解决 routes)."""

    VILLAGE = "村级"
    CADRE = "驻村干部"
    TOWN = "镇级"
    JOINT = "市镇联动"


class Action(StrEnum):
    """What a user can do to a request."""

    SORT = "梳理"
    ASSIGN = "交办"
    REPORT = "上报镇"
    JOINT = "市镇联动"
    PROGRESS = "记录进展"
    SOLVE = "办结"
    EXPLAIN = "不能解决"
    FEEDBACK = "反馈"
    SOLVE_ON_SPOT = "当场解决"
    REOPEN = "重新办理"


class TimeStatus(StrEnum):
    """Deadline light of an open request."""

    NONE = "无时限"
    ON_TRACK = "正常"
    DUE_SOON = "临期"  # 黄灯预警
    OVERDUE = "超期"  # 红灯警告


OPEN_STATUSES = frozenset({Status.REGISTERED, Status.SORTED, Status.AWAITING_MEETING, Status.IN_PROGRESS})
AWAITING_FEEDBACK = frozenset({Status.SOLVED, Status.UNSOLVABLE})
IMMEDIATE = "立即可以解决"
SCOPES = ("共性", "个性")
SOLVABILITIES = (IMMEDIATE, "近期一时难以解决")
SATISFACTIONS = ("满意", "基本满意", "不满意")
PARTICIPANT_ROLES = ("责任人", "驻村干部", "村干部")


def is_unsatisfied(satisfaction: str) -> bool:
    """满意度 labels are an editable list; any label saying 不满意 sends the request back."""
    return "不满意" in satisfaction


# ---- what each action carries ---------------------------------------------------------------
@dataclass(frozen=True)
class Classification:
    """梳理: content category, scope 共性/个性, solvability, resolution level."""

    category: str
    scope: str
    solvability: str
    level: Level


@dataclass(frozen=True)
class Assignment:
    """交办: responsible unit and person, and the deadline (办结时限)."""

    unit: str
    person: str
    deadline: date | None
    note: str = ""


@dataclass(frozen=True)
class Supervision:
    """市镇联动: 挂牌督办 by a supervising body, with a 包案领导, plus the assignment."""

    body: str
    listed_on: date | None
    leader: str
    assignment: Assignment
    next_check_on: date | None = None


@dataclass(frozen=True)
class Progress:
    """A dated progress entry (跟踪记录)."""

    on: date | None
    content: str
    next_check_on: date | None = None


@dataclass(frozen=True)
class Resolution:
    """办结: when, by what measures and method, with what result."""

    solved_on: date | None
    measures: str
    method: str
    result: str


@dataclass(frozen=True)
class Explanation:
    """不能解决: the lawful explanation and the date it was given to the household."""

    text: str
    given_on: date | None


@dataclass(frozen=True)
class Feedback:
    """情况反馈: date, who took part, the household's opinion, satisfaction, signed form received."""

    on: date | None
    responsible_person: str
    cadre: str
    village_cadre: str
    opinion: str
    satisfaction: str
    form_received: bool


@dataclass(frozen=True)
class OnTheSpot:
    """当场解决: classification and resolution given together when the request is recorded."""

    classification: Classification
    resolution: Resolution


@dataclass(frozen=True)
class Reopen:
    """重新办理 of a closed request: the reason is required."""

    reason: str


Payload = (
    Classification
    | Assignment
    | Supervision
    | Progress
    | Resolution
    | Explanation
    | Feedback
    | OnTheSpot
    | Reopen
    | None
)


@dataclass(frozen=True)
class RequestCase:
    """The workflow-relevant state of one request."""

    status: Status = Status.REGISTERED
    recorded_on: date | None = None
    classification: Classification | None = None
    assignment: Assignment | None = None
    supervision: Supervision | None = None
    resolution: Resolution | None = None
    explanation: Explanation | None = None
    feedback: Feedback | None = None
    reopen_reason: str = ""

    @property
    def level(self) -> Level | None:
        return self.classification.level if self.classification else None

    @property
    def deadline(self) -> date | None:
        return self.assignment.deadline if self.assignment else None


@dataclass(frozen=True)
class Transition:
    """An applied action: the case before and after, for the log."""

    action: Action
    before: Status
    after: Status
    note: str


# ---- the rules --------------------------------------------------------------------------------
def allowed_actions(case: RequestCase) -> list[Action]:
    """The actions a user may take now, in the order buttons show them."""
    status, level = case.status, case.level
    if status == Status.REGISTERED:
        return [Action.SORT, Action.SOLVE_ON_SPOT]
    if status == Status.SORTED:
        actions = [Action.SORT]
        if level in (Level.VILLAGE, Level.CADRE):
            actions.append(Action.ASSIGN)
        elif level == Level.TOWN:
            actions.append(Action.REPORT)
        elif level == Level.JOINT:
            actions.append(Action.JOINT)
        return actions
    if status == Status.AWAITING_MEETING:
        return [Action.ASSIGN, Action.JOINT]
    if status == Status.IN_PROGRESS:
        return [Action.PROGRESS, Action.SOLVE, Action.EXPLAIN]
    if status in AWAITING_FEEDBACK:
        return [Action.FEEDBACK]
    return [Action.REOPEN]


def _need(value: object, what: str, field: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(f"请填写{what}", field)


def _check_not_before(day: date | None, earliest: date | None, what: str, field: str) -> None:
    if day is not None and earliest is not None and day < earliest:
        raise DomainError(f"{what}不能早于诉求登记日期{earliest.isoformat()}", field)


def _check_classification(c: Classification) -> None:
    _need(c.category, "诉求类别", "category")
    _need(c.scope, "问题性质（共性/个性）", "scope")
    _need(c.solvability, "解决难易（立即可以解决/近期一时难以解决）", "solvability")
    if not isinstance(c.level, Level):
        raise DomainError("请选择办理层级：村级、驻村干部、镇级或市镇联动", "level")


def _check_assignment(a: Assignment, case: RequestCase) -> None:
    _need(a.unit, "责任单位", "unit")
    _need(a.person, "责任人", "person")
    _need(a.deadline, "办结时限", "deadline")
    _check_not_before(a.deadline, case.recorded_on, "办结时限", "deadline")


def _check_resolution(r: Resolution, case: RequestCase) -> None:
    _need(r.solved_on, "解决时间", "solved_on")
    _need(r.measures, "解决措施", "measures")
    _need(r.method, "解决办法", "method")
    _need(r.result, "解决结果", "result")
    _check_not_before(r.solved_on, case.recorded_on, "解决时间", "solved_on")


def _expect(payload: Payload, kind: type, action: Action) -> None:
    if not isinstance(payload, kind):
        raise DomainError(f"“{action}”缺少所需的内容")


def apply(case: RequestCase, action: Action, payload: Payload) -> tuple[RequestCase, Transition]:
    """Apply ``action`` with its ``payload``; return the new case and the transition to log."""
    if action not in allowed_actions(case):
        allowed = "、".join(allowed_actions(case))
        raise DomainError(f"诉求当前状态为“{case.status}”，不能“{action}”（可以：{allowed}）")
    before = case.status
    note = ""
    if action == Action.SORT:
        _expect(payload, Classification, action)
        assert isinstance(payload, Classification)
        _check_classification(payload)
        case = replace(case, status=Status.SORTED, classification=payload)
        note = f"{payload.category}；{payload.scope}；{payload.solvability}；{payload.level}"
    elif action == Action.SOLVE_ON_SPOT:
        _expect(payload, OnTheSpot, action)
        assert isinstance(payload, OnTheSpot)
        _check_classification(payload.classification)
        if payload.classification.solvability != IMMEDIATE:
            raise DomainError("只有“立即可以解决”的诉求才能当场解决", "solvability")
        _check_resolution(payload.resolution, case)
        case = replace(
            case, status=Status.SOLVED, classification=payload.classification, resolution=payload.resolution
        )
        note = payload.resolution.result
    elif action == Action.REPORT:
        case = replace(case, status=Status.AWAITING_MEETING)
        note = "上报镇党政办，待月度专题会议研究"
    elif action == Action.ASSIGN:
        _expect(payload, Assignment, action)
        assert isinstance(payload, Assignment)
        _check_assignment(payload, case)
        case = replace(case, status=Status.IN_PROGRESS, assignment=payload)
        note = f"责任单位：{payload.unit}；责任人：{payload.person}；办结时限：{payload.deadline}"
        if payload.note:
            note += f"；{payload.note}"
    elif action == Action.JOINT:
        _expect(payload, Supervision, action)
        assert isinstance(payload, Supervision)
        _need(payload.body, "挂牌督办单位", "body")
        _need(payload.listed_on, "挂牌日期", "listed_on")
        _need(payload.leader, "包案领导", "leader")
        _check_not_before(payload.listed_on, case.recorded_on, "挂牌日期", "listed_on")
        _check_assignment(payload.assignment, case)
        classification = case.classification
        if classification is not None and classification.level != Level.JOINT:
            classification = replace(classification, level=Level.JOINT)
        case = replace(
            case,
            status=Status.IN_PROGRESS,
            supervision=payload,
            assignment=payload.assignment,
            classification=classification,
        )
        note = f"挂牌督办：{payload.body}；包案领导：{payload.leader}；责任单位：{payload.assignment.unit}"
    elif action == Action.PROGRESS:
        _expect(payload, Progress, action)
        assert isinstance(payload, Progress)
        _need(payload.on, "进展日期", "on")
        _need(payload.content, "进展情况", "content")
        _check_not_before(payload.on, case.recorded_on, "进展日期", "on")
        if case.supervision is not None and payload.next_check_on is not None:
            case = replace(case, supervision=replace(case.supervision, next_check_on=payload.next_check_on))
        note = payload.content
    elif action == Action.SOLVE:
        _expect(payload, Resolution, action)
        assert isinstance(payload, Resolution)
        _check_resolution(payload, case)
        case = replace(case, status=Status.SOLVED, resolution=payload, explanation=None)
        note = payload.result
    elif action == Action.EXPLAIN:
        _expect(payload, Explanation, action)
        assert isinstance(payload, Explanation)
        _need(payload.text, "合理合法的解释", "text")
        _need(payload.given_on, "向当事人解释的日期", "given_on")
        _check_not_before(payload.given_on, case.recorded_on, "解释日期", "given_on")
        case = replace(case, status=Status.UNSOLVABLE, explanation=payload, resolution=None)
        note = payload.text
    elif action == Action.FEEDBACK:
        _expect(payload, Feedback, action)
        assert isinstance(payload, Feedback)
        _need(payload.on, "反馈日期", "on")
        _check_not_before(payload.on, case.recorded_on, "反馈日期", "on")
        if not (payload.responsible_person.strip() or payload.cadre.strip() or payload.village_cadre.strip()):
            raise DomainError("请填写参加反馈的人员（责任人、驻村干部、村干部）", "responsible_person")
        _need(payload.satisfaction, "当事人满意程度", "satisfaction")
        if is_unsatisfied(payload.satisfaction):
            _need(payload.opinion, "当事人不满意的意见（作为重新办理的理由）", "opinion")
            case = replace(case, status=Status.IN_PROGRESS, feedback=payload)
            note = f"当事人{payload.satisfaction}，重新办理：{payload.opinion}"
        else:
            case = replace(case, status=Status.CLOSED, feedback=payload)
            note = f"当事人{payload.satisfaction}" + (f"：{payload.opinion}" if payload.opinion else "")
    elif action == Action.REOPEN:
        _expect(payload, Reopen, action)
        assert isinstance(payload, Reopen)
        _need(payload.reason, "重新办理的理由", "reason")
        case = replace(case, status=Status.IN_PROGRESS, reopen_reason=payload.reason)
        note = payload.reason
    return case, Transition(action, before, case.status, note)


def time_status(case: RequestCase, today: date, calendar: WorkCalendar, warn_days: int) -> TimeStatus:
    """Red when past the deadline, yellow within ``warn_days`` working days of it, for open requests."""
    if case.status not in OPEN_STATUSES or case.deadline is None:
        return TimeStatus.NONE
    if today > case.deadline:
        return TimeStatus.OVERDUE
    if calendar.workdays_between(today, case.deadline) <= warn_days:
        return TimeStatus.DUE_SOON
    return TimeStatus.ON_TRACK


def check_overdue(status: Status, next_check_on: date | None, today: date) -> bool:
    """A supervised case whose 下次督查 date has passed while it is still being handled."""
    return status in OPEN_STATUSES and next_check_on is not None and next_check_on < today


def default_deadline(
    start: date, level: Level, days_by_level: dict[Level, int], calendar: WorkCalendar
) -> date:
    """The deadline a level gets by default: N working days after ``start``."""
    return calendar.add_workdays(start, days_by_level[level])
