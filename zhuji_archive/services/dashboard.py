"""The leaders' dashboard (领导驾驶舱) for the town or one village, from the same records as the lists."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from zhuji_archive.domain.maintenance import rising_categories
from zhuji_archive.domain.reporting import MONTHLY, period_of, satisfaction_rate
from zhuji_archive.services.maintenance import MaintenanceService
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
    """Computes the dashboard; every figure has a list behind it in the other pages."""

    def __init__(self, db: Database, settings: SettingsService, maintenance: MaintenanceService) -> None:
        self.db, self.settings, self.maintenance = db, settings, maintenance

    def build(self, village_id: str | None = None, scope_name: str = "全镇") -> Dashboard:
        today = self.maintenance.today
        limit = self.settings.get("book.volume_limit")
        with self.db.sessions() as session:
            per_group = queries.households_per_group(session, village_id)
            this_month = period_of(MONTHLY, today)
            previous = []
            month = this_month
            for _ in range(3):
                month = month.previous()
                previous.append(queries.new_requests_by_category(session, village_id, month.start, month.end))
            overdue, supervised = queries.open_overdue_and_supervised(session, village_id, today)
            by_level = queries.request_counts(session, village_id, Request.level)
            dashboard = Dashboard(
                scope_name=scope_name,
                households=sum(per_group),
                households_visited=queries.households_ever_visited(session, village_id),
                information_items=queries.information_items(session, village_id),
                books=sum(math.ceil(n / limit) for n in per_group if n),
                by_status=queries.request_counts(session, village_id, Request.status),
                by_category=queries.request_counts(session, village_id, Request.category),
                by_level={(k or "未梳理"): v for k, v in by_level.items()},
                overdue=overdue,
                supervised=supervised,
                satisfaction_rate=satisfaction_rate(
                    queries.feedback_in(
                        session, [Request.village_id == village_id] if village_id else [], None, None
                    )
                ),
                rising=rising_categories(
                    queries.new_requests_by_category(session, village_id, this_month.start, today), previous
                ),
            )
        dashboard.revisit_coverage = self.maintenance.revisit_coverage(village_id=village_id)
        return dashboard
