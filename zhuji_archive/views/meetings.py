"""Read-models of the monthly meetings (月度专题会议): the list of meetings and the agenda's decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zhuji_archive.domain import meeting as rules
from zhuji_archive.views.requests import RequestRow


@dataclass(frozen=True)
class MeetingSummary:
    """A meeting in the list of meetings."""

    id: str
    held_on: date
    title: str
    attendees: str
    status: str
    items: int


@dataclass
class DecisionRow:
    """A request on the agenda with the decision being recorded for it."""

    item_id: str
    request: RequestRow
    unit: str = ""
    person: str = ""
    deadline: date | None = None
    note: str = ""
    # the level's default deadline counted from the meeting day: what the date editor starts from
    suggested_deadline: date | None = None

    @property
    def household(self) -> str:
        return self.request.household_label

    @property
    def gaps(self) -> list[str]:
        return rules.decision_gaps(self.unit, self.person, self.deadline)

    @property
    def label(self) -> str:
        return f"户主{self.request.head_name}的诉求“{self.request.description[:12]}”"

    @property
    def description(self) -> str:
        return self.request.description

    @property
    def number(self) -> str:
        return self.request.number
