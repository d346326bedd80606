"""Read-models of requests (诉求): list rows, timeline lines and the detail page's whole picture."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.workflow import Action, RequestCase, TimeStatus


@dataclass(frozen=True)
class RequestRow:
    """One line of a request list."""

    id: str
    household_id: str
    head_name: str
    village_name: str
    group_name: str
    household_number: int
    recorded_on: date
    category: str
    description: str
    status: str
    level: str
    scope: str
    solvability: str
    responsible_unit: str
    responsible_person: str
    deadline: date | None
    time_status: TimeStatus
    leader: str
    supervising_body: str
    next_check_on: date | None
    satisfaction: str
    resolution: str
    common_issue: str
    common_issue_id: str | None = None
    check_overdue: bool = False  # 挂牌督办: the 下次督查 date has passed
    number: str = ""  # 诉求编号 (安华2026-0012)

    @property
    def household_label(self) -> str:
        return f"{self.village_name}{self.group_name}第{self.household_number}户 {self.head_name}"


@dataclass(frozen=True)
class EventRow:
    """One line of a request's timeline."""

    at: datetime
    on: date
    operator: str
    action: str
    from_status: str
    to_status: str
    note: str


@dataclass
class RequestDetail:
    """Everything the request page shows about one request."""

    row: RequestRow
    case: RequestCase
    allowed: list[Action]
    events: list[EventRow] = field(default_factory=list)
    feedbacks: list[wf.Feedback] = field(default_factory=list)
