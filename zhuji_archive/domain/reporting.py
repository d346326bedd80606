"""Reporting periods (周报/月报) and the satisfaction rate, as pure rules."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from zhuji_archive.domain.workflow import is_unsatisfied

WEEKLY, MONTHLY = "周报", "月报"


@dataclass(frozen=True)
class Period:
    """A reporting period, both ends inclusive."""

    kind: str
    start: date
    end: date

    @property
    def title(self) -> str:
        if self.kind == MONTHLY:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"

    def previous(self) -> Period:
        return period_of(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_of(self.kind, self.end + timedelta(days=1))


def period_of(kind: str, day: date) -> Period:
    """The week (Monday to Sunday) or calendar month containing ``day``."""
    if kind == WEEKLY:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(kind, day.replace(day=1), day.replace(day=last))
    raise ValueError(f"unknown period kind {kind!r}")


def satisfaction_rate(counts: dict[str, int]) -> float | None:
    """Share of feedback that is not 不满意 (满意 and 基本满意 both count); None without feedback."""
    total = sum(counts.values())
    if total == 0:
        return None
    satisfied = sum(n for label, n in counts.items() if not is_unsatisfied(label))
    return satisfied / total
