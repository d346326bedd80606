"""动态维护: the 今日待办 list, recording visits and must-visit events, revisit dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from zhuji_archive.domain import maintenance as rules
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import MONTHLY, WEEKLY, period_of
from zhuji_archive.domain.text_input import clean_text
from zhuji_archive.domain.workflow import TimeStatus
from zhuji_archive.services import sync_capture
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.households import HouseholdService
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.requests import RequestService
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.services.visits import fulfil_events
from zhuji_archive.storage import maintenance_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import Household, HouseholdCode, HouseholdEvent, Visit
from zhuji_archive.storage.request_queries import RequestQuery

REVISIT, EVENT, REQUEST_DUE, FEEDBACK, REPORT = "走访到期", "事件必访", "诉求时限", "待反馈", "报表未报"
KINDS = (EVENT, REVISIT, REQUEST_DUE, FEEDBACK, REPORT)


@dataclass(frozen=True)
class TodoItem:
    """One line of the to-do list; the ids say what it opens."""

    kind: str
    title: str
    detail: str
    due: date | None
    urgent: bool
    household_id: str | None = None
    request_id: str | None = None
    event_id: str | None = None
    report: tuple[str, str, str, date] | None = None  # (period kind, scope kind, scope id, period start)


@dataclass
class TodoList:
    """The to-do list with the full count of each kind (the list itself may be cut)."""

    items: list[TodoItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class MaintenanceService:
    """Revisit and event rules applied to the archive, for one operator."""

    REVISIT_LIMIT = 300

    def __init__(
        self,
        db: Database,
        actor: Actor,
        settings: SettingsService,
        requests: RequestService,
        clock: Clock | None = None,
    ) -> None:
        self.db, self.settings, self.requests = db, settings, requests
        self.actor, self.operator, self.guard = actor, actor.display_name, Guard(actor)
        self.clock = clock or Clock()

    def _parts(self, village_id: str | None) -> list[str | None]:
        """The villages to add up: the one asked for, the whole archive (None) or each of the scope's."""
        self.guard.village(Capability.READ_FILES, village_id)
        scope = self.guard.scope
        return [village_id] if village_id or scope is None else sorted(scope)

    @property
    def today(self) -> date:
        return self.clock.today()

    # ---- revisit rules ---------------------------------------------------------------------
    def due_condition(self, limit: date):  # type: ignore[no-untyped-def]
        self.guard.need(Capability.READ_FILES)
        values = self.settings.all()
        return queries.due_condition(
            self.settings.short_revisit_tags(),
            rules.latest_still_due(limit, values["revisit.months"]),
            rules.latest_still_due(limit, values["revisit.short_months"]),
        )

    def responsible_cadre(self, household_id: str) -> str:
        """The name of the household's 责任干部 ("" if none): who visits it and joins its feedback.
        Forms pre-fill it; the operator only signs the change."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.READ_FILES, household_id)
            return session.scalar(select(Household.cadre_name).where(Household.id == household_id)) or ""

    def next_visit(self, household_id: str) -> tuple[date | None, rules.Due]:
        """A household's next 大走访 date and where it stands today."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.READ_FILES, household_id)
        values = self.settings.all()
        with self.db.sessions() as session:
            h = session.get(Household, household_id)
            if h is None:
                raise DomainError("找不到这户档案")
            tags = list(
                session.scalars(
                    select(HouseholdCode.label).where(
                        HouseholdCode.household_id == h.id, HouseholdCode.kind == "focus_tag"
                    )
                )
            )
            last = h.last_big_visit_date
        months = rules.revisit_months(
            tags, values["revisit.months"], self.settings.short_revisit_tags(), values["revisit.short_months"]
        )
        next_day = rules.next_visit_date(last, months)
        return next_day, rules.due_status(next_day, self.today, values["revisit.warn_days"])

    def revisit_coverage(self, village_id: str | None = None, cadre_id: str | None = None) -> float | None:
        """Share of households on file that are not overdue for their 大走访 today (of the account's
        villages when it is scoped)."""
        parts = self._parts(village_id)
        condition = self.due_condition(self.today - timedelta(days=1))
        total = overdue = 0
        with self.db.sessions() as session:
            for part in parts:
                total += queries.household_count(session, cadre_id, part)
                overdue += queries.due_households(session, cadre_id, condition, 0, part)[1]
        return None if total == 0 else (total - overdue) / total

    # ---- to-do -----------------------------------------------------------------------------
    def todo(self, cadre_id: str | None = None) -> TodoList:
        """What is due: must-visit events, revisits, reports, requests near or past their deadline and
        feedback still owed — of the villages in the account's scope."""
        parts = self._parts(None)
        scope = self.guard.scope
        values = self.settings.all()
        today = self.today
        result = TodoList()
        with self.db.sessions() as session:
            for event, head, village, group, number in queries.open_events(session, cadre_id, scope):
                result.items.append(
                    TodoItem(
                        EVENT,
                        f"{village}{group}第{number}户 {head}",
                        f"{event.date} {event.kind}：{event.note}".rstrip("："),
                        event.due_on,
                        event.due_on <= today,
                        household_id=event.household_id,
                        event_id=event.id,
                    )
                )
            short_tags = self.settings.short_revisit_tags()
            limit = today + timedelta(days=values["revisit.warn_days"])
            rows, total = [], 0
            for part in parts:
                found, count = queries.due_households(
                    session, cadre_id, self.due_condition(limit), self.REVISIT_LIMIT, part
                )
                rows, total = rows + found, total + count
            if len(parts) > 1:  # never visited first, then the longest ago, as one village's list
                rows.sort(key=lambda r: (r[5] is not None, r[5] or today, r[0]))
                rows = rows[: self.REVISIT_LIMIT]
            for household_id, head, village, group, number, last, tags in rows:
                months = rules.revisit_months(
                    tags.split("、") if tags else [],
                    values["revisit.months"],
                    short_tags,
                    values["revisit.short_months"],
                )
                next_day = rules.next_visit_date(last, months)
                status = rules.due_status(next_day, today, values["revisit.warn_days"])
                detail = "从未进行大走访" if last is None else f"上次大走访 {last}，应于 {next_day} 前走访"
                result.items.append(
                    TodoItem(
                        REVISIT,
                        f"{village}{group}第{number}户 {head}",
                        detail,
                        next_day,
                        status in (rules.Due.NEVER, rules.Due.OVERDUE),
                        household_id=household_id,
                    )
                )
            result.counts[REVISIT] = total
            scope_kind_ids = (
                [("cadre", cadre_id)]
                if cadre_id
                else [("cadre", c.id) for c in queries.cadres(session, ("驻村干部",), scope)]
            )
            for scope_kind, scope_id in scope_kind_ids:
                done = queries.submissions(session, scope_kind, scope_id)
                name = next((c.name for c in queries.cadres(session, (), scope) if c.id == scope_id), "")
                for kind in (WEEKLY, MONTHLY):
                    period = period_of(kind, today).previous()
                    if (kind, period.start) not in done:
                        result.items.append(
                            TodoItem(
                                REPORT,
                                f"{name} {period.title}{kind}",
                                "尚未上报",
                                period.end + timedelta(days=3),
                                # urgent from the day the report is due
                                today >= period.end + timedelta(days=3),
                                report=(kind, scope_kind, scope_id, period.start),
                            )
                        )
        # Like the revisits, each request kind lists its first REVISIT_LIMIT items and counts them all:
        # at county scale there are thousands, and building every row took most of the list's time.
        request_counts: dict[str, int] = {}
        for time_status in (TimeStatus.OVERDUE, TimeStatus.DUE_SOON):
            query = RequestQuery(cadre_id=cadre_id, time_status=time_status.value, limit=self.REVISIT_LIMIT)
            request_counts[REQUEST_DUE] = request_counts.get(REQUEST_DUE, 0) + sum(
                self.requests.counts(query).values()
            )
            for row in self.requests.list(query):
                result.items.append(
                    TodoItem(
                        REQUEST_DUE,
                        row.household_label,
                        f"{time_status.value}：{row.number} {row.description}（时限 {row.deadline}）",
                        row.deadline,
                        time_status == TimeStatus.OVERDUE,
                        household_id=row.household_id,
                        request_id=row.id,
                    )
                )
        query = RequestQuery(cadre_id=cadre_id, statuses=("已办结", "不能解决"), limit=self.REVISIT_LIMIT)
        request_counts[FEEDBACK] = sum(self.requests.counts(query).values())
        for row in self.requests.list(query):
            result.items.append(
                TodoItem(
                    FEEDBACK,
                    row.household_label,
                    f"{row.status}，待情况反馈：{row.number} {row.description}",
                    None,
                    False,
                    household_id=row.household_id,
                    request_id=row.id,
                )
            )
        result.counts.update(request_counts)
        for kind in KINDS:
            if kind not in result.counts:
                result.counts[kind] = sum(1 for item in result.items if item.kind == kind)
        return result

    # ---- recording ---------------------------------------------------------------------------
    def record_visit(
        self, household_id: str, day: date, kind: str, cadres: str, notes: str = "", policies: str = ""
    ) -> str:
        """Record a visit; it moves the revisit date or fulfils events as the rules say."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.EDIT_FILES, household_id)
        cadres = clean_text("visit", "cadres", cadres)
        notes = clean_text("visit", "notes", notes)
        policies = clean_text("visit", "policies", policies)
        if kind not in ("建档走访", "半年大走访", "回访", "事件必访"):
            raise DomainError("请选择走访类型", "kind")
        if day > self.today:
            raise DomainError("走访日期不能晚于今天", "date")
        if not cadres.strip():
            raise DomainError("请填写走访干部", "cadres")
        with self.db.transaction() as session:
            h = session.get(Household, household_id)
            if h is None:
                raise DomainError("找不到这户档案")
            synced = sync_capture.before(session, h.id)  # None unless this archive takes part in sync
            visit = Visit(
                household_id=h.id,
                date=day,
                kind=kind,
                cadres=cadres.strip(),
                notes=notes.strip(),
                policies=policies.strip(),
                deleted=False,
                account_id=self.actor.account_id,
            )
            session.add(visit)
            session.flush()
            recorder = ChangeRecorder(session, self.actor)
            recorder.log(
                "新增",
                "走访",
                visit.id,
                household_id=h.id,
                village_id=h.village_id,
                note=f"{kind} {day}：{notes.strip()}".rstrip("："),
            )
            HouseholdService.refresh_summary(session, h)
            sync_capture.after(session, self.actor, h.id, h.village_id, synced)
            return visit.id

    def record_event(self, household_id: str, day: date, kind: str, note: str = "") -> str:
        """An event that obliges a visit within the set number of days (事件必访)."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.EDIT_FILES, household_id)
        if not kind:
            raise DomainError("请选择事件类型", "kind")
        if day > self.today:
            raise DomainError("事件日期不能晚于今天", "date")
        due = rules.event_due_date(day, self.settings.get("event.due_days"))
        with self.db.transaction() as session:
            h = session.get(Household, household_id)
            if h is None:
                raise DomainError("找不到这户档案")
            event = HouseholdEvent(
                household_id=h.id,
                date=day,
                kind=kind,
                note=note.strip(),
                due_on=due,
                recorded_by=self.operator,
            )
            session.add(event)
            session.flush()
            ChangeRecorder(session, self.actor).log(
                "新增",
                "必访事件",
                event.id,
                household_id=h.id,
                village_id=h.village_id,
                note=f"{day} {kind}，须于 {due} 前走访",
            )
            fulfil_events(session, h.id)
            return event.id

    def open_event_count(self) -> int:
        self.guard.need(Capability.READ_FILES)
        scope = self.guard.scope
        query = select(func.count()).select_from(HouseholdEvent).where(HouseholdEvent.fulfilled_on.is_(None))
        if scope is not None:
            query = query.join(Household, Household.id == HouseholdEvent.household_id).where(
                Household.village_id.in_(sorted(scope))
            )
        with self.db.sessions() as session:
            return session.scalar(query) or 0
