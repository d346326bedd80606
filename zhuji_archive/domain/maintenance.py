"""动态维护 rules: when a household is next due for a 大走访, event-triggered must-visits (事件必访),
which visits fulfil which tasks, the 三式服务 quotas and the assessment score. Pure Python."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

BIG_VISIT_KINDS = frozenset({"建档走访", "半年大走访"})  # these reset the half-year clock
EVENT_VISIT_KIND = "事件必访"  # this one fulfils event tasks
SERVICE_MODES = ("驻点式", "结对式", "管线联片式")
TARGET_KINDS = ("village", "enterprise", "household", "group")
TARGET_TITLES = {"village": "村", "enterprise": "企业", "household": "户", "group": "村民小组/党小组"}


class Due(StrEnum):
    """Where a household stands against its revisit date."""

    NEVER = "从未走访"
    OVERDUE = "已超期"
    DUE_SOON = "即将到期"
    OK = "正常"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def revisit_months(
    focus_tags: Iterable[str], default_months: int, short_tags: Iterable[str], short_months: int
) -> int:
    """Six months by default; fewer for households with a focus tag chosen in settings."""
    return short_months if set(focus_tags) & set(short_tags) else default_months


def next_visit_date(last_big_visit: date | None, months: int) -> date | None:
    """The latest date for the next 大走访; None means never visited, which is due at once."""
    return None if last_big_visit is None else add_months(last_big_visit, months)


def latest_still_due(limit: date, months: int) -> date:
    """The latest last-visit date whose next visit falls on or before ``limit``, so that
    "due by ``limit``" becomes ``last_big_visit <= latest_still_due(limit, months)`` in a query."""
    candidate = add_months(limit, -months)
    while add_months(candidate + timedelta(days=1), months) <= limit:
        candidate += timedelta(days=1)
    while add_months(candidate, months) > limit:
        candidate -= timedelta(days=1)
    return candidate


def due_status(next_visit: date | None, today: date, warn_days: int) -> Due:
    if next_visit is None:
        return Due.NEVER
    if next_visit < today:
        return Due.OVERDUE
    if (next_visit - today).days <= warn_days:
        return Due.DUE_SOON
    return Due.OK


def event_due_date(event_day: date, days: int) -> date:
    """A must-visit is due ``days`` calendar days after the event."""
    return event_day + timedelta(days=days)


@dataclass(frozen=True)
class VisitEffect:
    """What a recorded visit fulfils."""

    resets_revisit: bool
    fulfils_events_up_to: date | None


def visit_effect(kind: str, visit_day: date) -> VisitEffect:
    """A 大走访 moves the revisit date; an 事件必访 fulfils the household's open events up to its date.
    A 回访 (feedback visit) fulfils neither."""
    return VisitEffect(kind in BIG_VISIT_KINDS, visit_day if kind == EVENT_VISIT_KIND else None)


# ---- 三式服务 quotas -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Quota:
    """One line of a mode's quota: what is counted, how many are required in the period."""

    key: str
    title: str
    required: int


def quotas_for(mode: str, values: Mapping[str, int], months: int) -> list[Quota]:
    """The quota lines of a service mode over a period of ``months`` months (yearly ones pro rata, rounded up)."""

    def yearly(n: int) -> int:
        return -(-n * months // 12)

    if mode == "驻点式":
        return [
            Quota("villages", "联系村", values["quota.驻点式.村"]),
            Quota("enterprises", "联系企业", values["quota.驻点式.企业"]),
            Quota("households", "联系困难户", values["quota.驻点式.困难户"]),
            Quota("onsite_days", "蹲点天数", values["quota.驻点式.每月蹲点天数"] * months),
            Quota("deeds", "办实事件数", yearly(values["quota.驻点式.每年实事"])),
            Quota("solved", "帮困难户解决困难", yearly(values["quota.驻点式.每年解决困难"])),
        ]
    if mode == "结对式":
        return [
            Quota("villages", "联系村", values["quota.结对式.村"]),
            Quota("enterprises", "联系企业", values["quota.结对式.企业"]),
            Quota("households", "联系低收入户", values["quota.结对式.低收入户"]),
            Quota("visits", "走访联系对象次数", values["quota.结对式.每月走访"] * months),
        ]
    return [Quota("areas", "责任区（党小组/村民小组）", 1)]


def shortfalls(quotas: Sequence[Quota], actual: Mapping[str, int]) -> dict[str, int]:
    """How many each quota line is short by (only lines that are short)."""
    return {q.key: q.required - actual.get(q.key, 0) for q in quotas if actual.get(q.key, 0) < q.required}


def fulfilment(quotas: Sequence[Quota], actual: Mapping[str, int]) -> float | None:
    """Average fulfilment of the lines, each capped at 100%; None without quota lines."""
    lines = [min(actual.get(q.key, 0) / q.required, 1.0) for q in quotas if q.required > 0]
    return sum(lines) / len(lines) if lines else None


# ---- assessment ----------------------------------------------------------------------------------
ASSESSMENT_INDICATORS = (
    ("visit_coverage", "走访覆盖率"),
    ("reports_on_time", "报表按时上报率"),
    ("closed_on_time", "诉求按期办结率"),
    ("satisfaction", "反馈满意率"),
    ("quota", "定额完成率"),
)


def assessment_score(indicators: Mapping[str, float | None], weights: Mapping[str, int]) -> float | None:
    """Weighted score out of 100. Indicators that do not apply (None) are left out and the
    remaining weights rescaled, so a cadre is not penalised for having no requests."""
    used = [
        (indicators[key], weights.get(key, 0))
        for key, _ in ASSESSMENT_INDICATORS
        if indicators.get(key) is not None and weights.get(key, 0) > 0
    ]
    total = sum(w for _, w in used)
    if total == 0:
        return None
    return round(100 * sum(value * w for value, w in used) / total, 1)  # type: ignore[operator]


def rising_categories(
    this_month: Mapping[str, int], previous: Sequence[Mapping[str, int]], limit: int = 3
) -> list[tuple[str, int, float]]:
    """早预警: categories whose count this month most exceeds their average over the previous months.
    Returns (category, this month, previous average), largest rise first; only rises are listed."""
    months = max(len(previous), 1)
    rows = []
    for category, count in this_month.items():
        average = sum(m.get(category, 0) for m in previous) / months
        if count > average:
            rows.append((category, count, round(average, 1)))
    rows.sort(key=lambda r: (r[1] - r[2], r[1]), reverse=True)
    return rows[:limit]
