"""The weekly/monthly classified summary (周报/月报) as a read-model, and marking it submitted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import Period
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.storage import summary_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import ReportSubmission
from zhuji_archive.views.summaries import Summary


class SummaryService:
    """Builds summaries from the same records the lists show, of units in the account's scope."""

    def __init__(self, db: Database, actor: Actor, clock: Clock | None = None) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name
        self.guard = Guard(actor)
        self.clock = clock or Clock()

    @property
    def today(self) -> date:
        return self.clock.today()

    def build(self, scope_kind: str, scope_id: str, period: Period) -> Summary:
        with self.db.sessions() as session:
            self.guard.unit(session, Capability.READ_FILES, scope_kind, scope_id)
            name = self._scope_name(session, scope_kind, scope_id)
            start, end = period.start, period.end
            actions = queries.actions_in(session, scope_kind, scope_id, start, end)
            submission = session.scalar(
                select(ReportSubmission).where(
                    ReportSubmission.period == period.kind,
                    ReportSubmission.scope_kind == scope_kind,
                    ReportSubmission.scope_id == scope_id,
                    ReportSubmission.period_start == start,
                )
            )
            new_rows = [
                (c, s or "未梳理", v or "未梳理", n)
                for c, s, v, n in queries.new_by_class(session, scope_kind, scope_id, start, end)
            ]
            return Summary(
                scope_kind=scope_kind,
                scope_id=scope_id,
                scope_name=name,
                period=period,
                households_visited=queries.households_visited(session, scope_kind, scope_id, start, end),
                new_by_class=new_rows,
                by_status=queries.by_status(session, scope_kind, scope_id, end),
                solved=queries.requests_acted_on(
                    session, scope_kind, scope_id, start, end, ("办结", "当场解决")
                ),
                explained=actions.get("不能解决", 0),
                escalated_town=actions.get("上报镇", 0),
                escalated_city=actions.get("市镇联动", 0),
                overdue=queries.overdue_at(session, scope_kind, scope_id, min(end, self.today)),
                feedback=queries.feedback_counts(session, scope_kind, scope_id, start, end),
                submitted_at=submission.submitted_at if submission else None,
                submitted_by=submission.operator if submission else "",
                categories=sorted({row[0] for row in new_rows}),
            )

    def submit(self, scope_kind: str, scope_id: str, period: Period) -> None:
        with self.db.sessions() as session:
            self.guard.unit(session, Capability.SUBMIT_REPORTS, scope_kind, scope_id)
        if period.start > self.today:
            raise DomainError("还没有到这个报告期，不能上报")
        with self.db.transaction() as session:
            existing = session.scalar(
                select(ReportSubmission).where(
                    ReportSubmission.period == period.kind,
                    ReportSubmission.scope_kind == scope_kind,
                    ReportSubmission.scope_id == scope_id,
                    ReportSubmission.period_start == period.start,
                )
            )
            if existing is not None:
                raise DomainError(
                    f"{period.title}{period.kind}已于{existing.submitted_at:%Y-%m-%d %H:%M}（UTC）上报"
                )
            session.add(
                ReportSubmission(
                    period=period.kind,
                    scope_kind=scope_kind,
                    scope_id=scope_id,
                    period_start=period.start,
                    operator=self.operator,
                    account_id=self.actor.account_id,
                )
            )

    @staticmethod
    def _scope_name(session: Session, scope_kind: str, scope_id: str) -> str:
        if scope_kind not in queries.SCOPE_KINDS:
            raise DomainError("周报、月报只能按镇、驻村分中心、村或驻村干部汇总")
        name = queries.scope_name(session, scope_kind, scope_id)
        if name is None:
            raise DomainError("找不到所选的镇、村或干部")
        return name
