"""The leaders' dashboard (领导驾驶舱) for the town or one village, from the same records as the lists."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.maintenance import rising_categories
from zhuji_archive.domain.reporting import MONTHLY, period_of, satisfaction_rate
from zhuji_archive.services.maintenance import MaintenanceService
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.storage import maintenance_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import Request


@dataclass
class Dashboard:
    """The figures a township leader reads in five minutes."""

    scope_name: str
    households: int
    households_visited: int
    information_items: int
    books: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    supervised: int = 0
    satisfaction_rate: float | None = None
    revisit_coverage: float | None = None
    rising: list[tuple[str, int, float]] = field(default_factory=list)


class DashboardService:
    """Computes the dashboard; every figure has a list behind it in the other pages. A scoped account's
    "whole" dashboard adds up the villages of its scope."""

    def __init__(
        self, db: Database, actor: Actor, settings: SettingsService, maintenance: MaintenanceService
    ) -> None:
        self.db, self.settings, self.maintenance = db, settings, maintenance
        self.guard = Guard(actor)

    def build(self, village_id: str | None = None, scope_name: str = "全镇") -> Dashboard:
        self.guard.village(Capability.READ_FILES, village_id)
        scope = self.guard.scope
        parts: list[str | None] = [village_id] if village_id or scope is None else sorted(scope)
        today = self.maintenance.today
        limit = self.settings.get("book.volume_limit")
        this_month = period_of(MONTHLY, today)
        months = []
        month = this_month
        for _ in range(3):
            month = month.previous()
            months.append(month)
        per_group: list[int] = []
        previous: list[Counter[str]] = [Counter() for _ in months]
        current: Counter[str] = Counter()
        by_status: Counter[str] = Counter()
        by_category: Counter[str] = Counter()
        by_level: Counter[str] = Counter()
        visited = items = overdue = supervised = 0
        with self.db.sessions() as session:
            for part in parts:
                per_group += queries.households_per_group(session, part)
                for counts, m in zip(previous, months, strict=True):
                    counts.update(queries.new_requests_by_category(session, part, m.start, m.end))
                current.update(queries.new_requests_by_category(session, part, this_month.start, today))
                late, listed = queries.open_overdue_and_supervised(session, part, today)
                overdue, supervised = overdue + late, supervised + listed
                by_status.update(queries.request_counts(session, part, Request.status))
                by_category.update(queries.request_counts(session, part, Request.category))
                by_level.update(queries.request_counts(session, part, Request.level))
                visited += queries.households_ever_visited(session, part)
                items += queries.information_items(session, part)
            where = [] if parts == [None] else [Request.village_id.in_([p for p in parts if p])]
            feedback = queries.feedback_in(session, where, None, None)
        dashboard = Dashboard(
            scope_name=scope_name,
            households=sum(per_group),
            households_visited=visited,
            information_items=items,
            books=sum(math.ceil(n / limit) for n in per_group if n),
            by_status=dict(by_status),
            by_category=dict(by_category),
            by_level={(k or "未梳理"): v for k, v in by_level.items()},
            overdue=overdue,
            supervised=supervised,
            satisfaction_rate=satisfaction_rate(feedback),
            rising=rising_categories(dict(current), [dict(c) for c in previous]),
        )
        dashboard.revisit_coverage = self.maintenance.revisit_coverage(village_id=village_id)
        return dashboard
