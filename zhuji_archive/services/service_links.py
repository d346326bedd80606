"""三式服务: the register of cadres' service links, on-site days and 实事, quota fulfilment,
coverage checks, and the cadre assessment built on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from zhuji_archive.domain import maintenance as rules
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import WEEKLY, period_of, satisfaction_rate
from zhuji_archive.services.maintenance import MaintenanceService
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.storage import maintenance_queries as queries
from zhuji_archive.storage import tally_queries as tallies
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import Cadre, OnSiteDay, PracticalDeed, ServiceLink

MODE_OF_KIND = {"镇领导": "驻点式", "机关干部": "结对式", "村干部": "管线联片式"}


@dataclass(frozen=True)
class LinkRow:
    """One service link as listed."""

    id: str
    cadre_id: str
    cadre_name: str
    mode: str
    target_kind: str
    target_name: str
    start_on: date
    end_on: date | None

    @property
    def target_title(self) -> str:
        return rules.TARGET_TITLES.get(self.target_kind, self.target_kind)


@dataclass
class QuotaRow:
    """One cadre's quota lines in one mode for a period, with what was done."""

    cadre_id: str
    cadre_name: str
    cadre_kind: str
    mode: str
    quotas: list[rules.Quota]
    actual: dict[str, int]

    @property
    def shortfalls(self) -> dict[str, int]:
        return rules.shortfalls(self.quotas, self.actual)

    @property
    def fulfilment(self) -> float | None:
        return rules.fulfilment(self.quotas, self.actual)


@dataclass
class Coverage:
    """Gaps in the service links."""

    unlinked_households: list[tuple[str, str, str]] = field(default_factory=list)  # id, label, tags
    cadres_missing: list[tuple[str, str, str]] = field(default_factory=list)  # cadre, mode, what is missing


@dataclass
class AssessmentRow:
    """A cadre's indicators (0..1, or None where they do not apply) and weighted score for a period."""

    cadre_id: str
    cadre_name: str
    cadre_kind: str
    indicators: dict[str, float | None]
    score: float | None


def months_in(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


class ServiceLinkService:
    """Use cases of the three service modes and the assessment."""

    def __init__(
        self, db: Database, actor: Actor, settings: SettingsService, maintenance: MaintenanceService
    ) -> None:
        self.db, self.settings, self.maintenance = db, settings, maintenance
        self.guard = Guard(actor)

    @property
    def may_register(self) -> bool:
        """Whether the account keeps the register (see ``_need_register``): the window offers it or not."""
        actor = self.guard.actor
        return (
            actor.can(Capability.MANAGE_ORGANISATION)
            and actor.can(Capability.READ_FILES)
            and actor.whole_town
        )

    def _need_register(self) -> None:
        """Keeping the register of links, on-site days and deeds: 管理组织 with access to the files
        (links name households), i.e. 党政办."""
        self.guard.need(Capability.MANAGE_ORGANISATION)
        self.guard.need_whole_town(Capability.READ_FILES, "全镇的联系对象")

    # ---- register ---------------------------------------------------------------------------
    def add_link(
        self, cadre_id: str, mode: str, target_kind: str, target_id: str, start_on: date, note: str = ""
    ) -> str:
        self._need_register()
        if mode not in rules.SERVICE_MODES:
            raise DomainError(f"服务方式须为：{'、'.join(rules.SERVICE_MODES)}", "mode")
        if target_kind not in rules.TARGET_KINDS:
            raise DomainError("请选择联系对象类型", "target_kind")
        if mode == "管线联片式" and target_kind != "group":
            raise DomainError("管线联片式的联系对象是责任区（党小组或村民小组）", "target_kind")
        with self.db.transaction() as session:
            if session.get(Cadre, cadre_id) is None:
                raise DomainError("找不到这名干部", "cadre_id")
            name = queries.target_name(session, target_kind, target_id)
            if name is None:
                raise DomainError("找不到所选联系对象", "target_id")
            link = ServiceLink(
                cadre_id=cadre_id,
                mode=mode,
                target_kind=target_kind,
                target_id=target_id,
                target_name=name,
                start_on=start_on,
                note=note.strip(),
            )
            session.add(link)
            session.flush()
            return link.id

    def end_link(self, link_id: str, end_on: date) -> None:
        self._need_register()
        with self.db.transaction() as session:
            link = session.get(ServiceLink, link_id)
            if link is None:
                raise DomainError("找不到这条联系记录")
            if end_on < link.start_on:
                raise DomainError("结束日期不能早于开始日期", "end_on")
            link.end_on = end_on

    def links(self, active_on: date | None = None) -> list[LinkRow]:
        """The links (of the cadres of the account's villages when it is scoped)."""
        self.guard.need(Capability.READ_FILES)
        scope = self.guard.scope
        with self.db.sessions() as session:
            names = {c.id: c.name for c in queries.cadres(session)}
            shown = None if scope is None else {c.id for c in queries.cadres(session, (), scope)}
            rows = (
                queries.active_links(session, active_on, active_on)
                if active_on
                else queries.all_links(session)
            )
            return [
                LinkRow(
                    r.id,
                    r.cadre_id,
                    names.get(r.cadre_id, ""),
                    r.mode,
                    r.target_kind,
                    r.target_name,
                    r.start_on,
                    r.end_on,
                )
                for r in rows
                if shown is None or r.cadre_id in shown
            ]

    def add_onsite_day(self, cadre_id: str, day: date, place: str, note: str = "") -> str:
        self._need_register()
        if not place.strip():
            raise DomainError("请填写蹲点地点", "place")
        with self.db.transaction() as session:
            row = OnSiteDay(cadre_id=cadre_id, date=day, place=place.strip(), note=note.strip())
            session.add(row)
            session.flush()
            return row.id

    def add_deed(self, cadre_id: str, day: date, title: str, beneficiary: str, result: str = "") -> str:
        self._need_register()
        if not title.strip():
            raise DomainError("请填写实事名称", "title")
        with self.db.transaction() as session:
            row = PracticalDeed(
                cadre_id=cadre_id,
                date=day,
                title=title.strip(),
                beneficiary=beneficiary.strip(),
                result=result.strip(),
            )
            session.add(row)
            session.flush()
            return row.id

    def targets(self, kind: str) -> list[tuple[str, str]]:
        """What a link can point to: villages, enterprises, focus-tag households, or groups."""
        self._need_register()
        with self.db.sessions() as session:
            return queries.link_targets(session, kind)

    # ---- quotas -------------------------------------------------------------------------------
    def quota_table(self, start: date, end: date) -> list[QuotaRow]:
        """Each cadre's quotas and what was done (only the cadres of a scoped account's villages)."""
        self.guard.need(Capability.READ_FILES)
        scope = self.guard.scope
        values = self.settings.all()
        months = months_in(start, end)
        rows: list[QuotaRow] = []
        with self.db.sessions() as session:
            cadres = {c.id: c for c in queries.cadres(session, (), scope)}
            onsite_days = queries.onsite_days_by_cadre(session, start, end)
            deeds = queries.deeds_by_cadre(session, start, end)
            by_cadre_mode: dict[tuple[str, str], list[ServiceLink]] = {}
            for link in queries.active_links(session, start, end):
                if link.cadre_id not in cadres:
                    continue
                by_cadre_mode.setdefault((link.cadre_id, link.mode), []).append(link)
            for cadre in cadres.values():  # cadres whose kind requires a mode appear even without links
                mode = MODE_OF_KIND.get(cadre.kind)
                if mode in ("驻点式", "结对式"):
                    by_cadre_mode.setdefault((cadre.id, mode), [])
            order = {mode: n for n, mode in enumerate(rules.SERVICE_MODES)}
            for (cadre_id, mode), links in sorted(
                by_cadre_mode.items(), key=lambda item: (order[item[0][1]], cadres[item[0][0]].name)
            ):
                cadre = cadres[cadre_id]
                households = [link.target_id for link in links if link.target_kind == "household"]
                actual = {
                    "villages": sum(1 for link in links if link.target_kind == "village"),
                    "enterprises": sum(1 for link in links if link.target_kind == "enterprise"),
                    "households": len(households),
                    "areas": sum(1 for link in links if link.target_kind == "group"),
                    "onsite_days": onsite_days.get(cadre_id, 0),
                    "deeds": deeds.get(cadre_id, 0),
                    "solved": queries.count_solved(session, households, start, end),
                    "visits": queries.count_visits_by(session, cadre.name, households, start, end),
                }
                rows.append(
                    QuotaRow(
                        cadre_id, cadre.name, cadre.kind, mode, rules.quotas_for(mode, values, months), actual
                    )
                )
        return rows

    def coverage(self, day: date | None = None) -> Coverage:
        """Focus households without a link (of the account's villages) and, for a whole-town account,
        the township cadres whose links are incomplete."""
        self.guard.need(Capability.READ_FILES)
        scope = self.guard.scope
        day = day or self.maintenance.today
        result = Coverage()
        with self.db.sessions() as session:
            for hid, head, village, group, number, tags in queries.focus_households_without_link(
                session, day, day, villages=scope
            ):
                result.unlinked_households.append((hid, f"{village}{group}第{number}户 {head}", tags))
            links = queries.active_links(session, day, day)
            township = queries.cadres(session, ("镇领导", "机关干部")) if scope is None else []
            for cadre in township:
                mode = MODE_OF_KIND[cadre.kind]
                kinds = {
                    link.target_kind for link in links if link.cadre_id == cadre.id and link.mode == mode
                }
                missing = [
                    rules.TARGET_TITLES[k] for k in ("village", "enterprise", "household") if k not in kinds
                ]
                if missing:
                    result.cadres_missing.append((cadre.name, mode, "缺联系" + "、".join(missing)))
        return result

    # ---- assessment ----------------------------------------------------------------------------
    def assessment(self, start: date, end: date) -> list[AssessmentRow]:
        """The cadres' indicators and scores (only the cadres of a scoped account's villages)."""
        self.guard.need(Capability.READ_FILES)
        scope = self.guard.scope
        values = self.settings.all()
        weights = {key: values[f"weight.{key}"] for key, _ in rules.ASSESSMENT_INDICATORS}
        quota_by_cadre: dict[str, list[float]] = {}
        for row in self.quota_table(start, end):
            if row.fulfilment is not None:
                quota_by_cadre.setdefault(row.cadre_id, []).append(row.fulfilment)
        rows = []
        with self.db.sessions() as session:
            responsible = tallies.responsible_cadres(session)
            closed_by_cadre = queries.closed_in_by_cadre(session, start, end)
            feedback_by_cadre = queries.feedback_in_by_cadre(session, start, end)
            # Township cadres are assessed here; village cadres are assessed by their village.
            for cadre in queries.cadres(session, ("驻村干部", "镇领导", "机关干部"), scope):
                if cadre.id not in responsible and cadre.id not in quota_by_cadre:
                    continue
                on_time, closed = closed_by_cadre.get(cadre.id, (0, 0))
                feedback = feedback_by_cadre.get(cadre.id, {})
                indicators: dict[str, float | None] = {
                    "visit_coverage": self.maintenance.revisit_coverage(cadre_id=cadre.id)
                    if cadre.id in responsible
                    else None,
                    "reports_on_time": self._reports_on_time(
                        session, cadre.id, start, end, self.maintenance.today
                    )
                    if cadre.kind == "驻村干部"
                    else None,
                    "closed_on_time": on_time / closed if closed else None,
                    "satisfaction": satisfaction_rate(feedback),
                    "quota": (
                        sum(quota_by_cadre[cadre.id]) / len(quota_by_cadre[cadre.id])
                        if cadre.id in quota_by_cadre
                        else None
                    ),
                }
                rows.append(
                    AssessmentRow(
                        cadre.id,
                        cadre.name,
                        cadre.kind,
                        indicators,
                        rules.assessment_score(indicators, weights),
                    )
                )
        rows.sort(key=lambda r: (r.score is None, -(r.score or 0)))
        return rows

    def export_assessment(self, path: Path | str, start: date, end: date) -> int:
        """Write the assessment table to an Excel workbook through the export layer; return its rows."""
        self.guard.need(Capability.EXPORT)
        from zhuji_archive.exports.xlsx_rosters import Column, RosterSheet, write_roster
        from zhuji_archive.services.export_files import atomic_outputs

        rows = self.assessment(start, end)
        columns = [Column("干部", 10), Column("类别", 10)]
        columns += [Column(title, 14) for _key, title in rules.ASSESSMENT_INDICATORS]
        columns.append(Column("综合得分", 10))

        def cells(row: AssessmentRow) -> list[str]:
            values = [row.indicators.get(key) for key, _ in rules.ASSESSMENT_INDICATORS]
            return [
                row.cadre_name,
                row.cadre_kind,
                *("—" if v is None else f"{v:.1%}" for v in values),
                "—" if row.score is None else f"{row.score:.1f}",
            ]

        sheet = RosterSheet(
            name="干部考核",
            title=f"干部动态考核表（{start}至{end}）",
            unit="安华镇",
            columns=columns,
            rows=(cells(r) for r in rows),
            expected=len(rows),
            unit_word="人",
        )
        target = Path(path)
        with atomic_outputs([target]) as (temp,):
            write_roster(temp, [sheet], today=self.maintenance.today)
        return len(rows)

    @staticmethod
    def _reports_on_time(session, cadre_id: str, start: date, end: date, today: date) -> float | None:  # type: ignore[no-untyped-def]
        """Weekly reports of the weeks ending in the period submitted within three days of the week's end.
        A week whose three days have not yet run out counts only once its report is in."""
        done = queries.submissions(session, "cadre", cadre_id)
        week = period_of(WEEKLY, start)
        due, on_time = 0, 0
        while week.end <= end:
            deadline = week.end + timedelta(days=3)
            submitted = done.get((WEEKLY, week.start))
            if week.end >= start and (submitted is not None or deadline < today):
                due += 1
                if submitted is not None and submitted.submitted_at.date() <= deadline:
                    on_time += 1
            week = week.next()
        return on_time / due if due else None
