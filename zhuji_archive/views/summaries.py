"""Read-model of a 周报/月报: what the summary page shows and the exports print."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from zhuji_archive.domain.reporting import Period, satisfaction_rate


@dataclass
class Summary:
    """Everything one 周报/月报 says; exports print and export this same object."""

    scope_kind: str  # town / area / village / cadre
    scope_id: str
    scope_name: str
    period: Period
    households_visited: int
    new_by_class: list[tuple[str, str, str, int]]  # category, scope, solvability, count
    by_status: dict[str, int]
    solved: int
    explained: int
    escalated_town: int
    escalated_city: int
    overdue: int
    feedback: dict[str, int]
    submitted_at: datetime | None = None
    submitted_by: str = ""
    categories: list[str] = field(default_factory=list)

    @property
    def new_total(self) -> int:
        return sum(row[3] for row in self.new_by_class)

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.feedback)

    @property
    def who(self) -> str:
        """Whom the summary is about, as titles say it: 杜黄村, 安华镇, 驻村干部王某."""
        return f"驻村干部{self.scope_name}" if self.scope_kind == "cadre" else self.scope_name

    @property
    def title(self) -> str:
        """The one title of the summary, naming the period once: 杜黄村2026年11月月报."""
        return f"{self.who}{self.period.title}{self.period.kind}"
