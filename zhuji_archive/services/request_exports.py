"""Printing and exporting the request workflow: the 情况反馈意见单 (filled or blank), a meeting's
交办单, the 周报/月报 as PDF and Excel, and the request ledger (台账).

Like the roster and book exports (services/exports.py), each writes to a temporary file beside the
target and moves it into place only when complete, reports progress, stops when cancelled, and
records who exported what in the change history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from zhuji_archive.domain import workflow as wf
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.reporting import MONTHLY, WEEKLY, Period, period_of
from zhuji_archive.exports import pdf_requests, xlsx_requests, xlsx_rosters
from zhuji_archive.exports.pdf_requests import FeedbackForm, MeetingSheet
from zhuji_archive.exports.xlsx_requests import LedgerLine
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.codelists import CodeListService
from zhuji_archive.services.export_files import atomic_outputs, file_name, protected_xlsx
from zhuji_archive.services.export_policy import export_terms
from zhuji_archive.services.exports import ExportCancelled, ExportResult
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.meetings import MeetingService
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.progress import Cancelled, Job, Progress
from zhuji_archive.services.requests import RequestQuery, RequestService
from zhuji_archive.services.summaries import SummaryService
from zhuji_archive.storage import export_queries, summary_queries
from zhuji_archive.storage import request_export_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.views.requests import RequestDetail
from zhuji_archive.views.summaries import Summary

LEDGER_LIMIT = 10_000_000  # the ledger lists every matching request, not a screenful


def parse_month(text: str) -> Period:
    """ "2026-11" (or 2026年11月) as the monthly reporting period."""
    cleaned = text.strip().replace("年", "-").replace("月", "").replace("/", "-")
    try:
        year, month = (int(part) for part in cleaned.split("-")[:2])
        return period_of(MONTHLY, date(year, month, 1))
    except ValueError as error:
        raise DomainError(f"月份“{text}”格式不对，请写成 2026-11") from error


def _feedback_part(detail: RequestDetail) -> dict[str, Any]:
    """Which feedback the form is for. Once the household's answer closed the request (已反馈), the
    form is the record of that last feedback: its round, its ticked answer, its words and day.
    Before that it is the form taken to the household for the next feedback, with nothing ticked."""
    feedbacks = detail.feedbacks
    if detail.case.status == wf.Status.CLOSED and feedbacks:
        last = feedbacks[-1]
        return {
            "round": len(feedbacks),
            "satisfaction": last.satisfaction,
            "opinion": last.opinion,
            "feedback_on": last.on,
        }
    return {"round": len(feedbacks) + 1}


class RequestExportService:
    """Request printouts and the ledger, on behalf of one account (导出打印, in its scope)."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        requests: RequestService,
        meetings: MeetingService,
        summaries: SummaryService,
        codes: CodeListService,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name
        self.guard = Guard(actor)
        self.requests = requests
        self.meetings = meetings
        self.summaries = summaries
        self.codes = codes
        self.clock = clock or Clock()

    def _today(self, today: date | None) -> date:
        return today or self.clock.today()

    def _satisfactions(self) -> tuple[str, ...]:
        return tuple(self.codes.values("satisfaction")) or wf.SATISFACTIONS

    # ---- 情况反馈意见单 -------------------------------------------------------------------------
    def feedback_form_data(self, request_id: str | None) -> FeedbackForm:
        """The form as it will be printed; ``None`` gives the blank form."""
        self._check_request(request_id)
        if request_id is None:
            return FeedbackForm(satisfactions=self._satisfactions())
        detail = self.requests.detail(request_id)
        return self._form(detail)

    def _check_request(self, request_id: str | None) -> None:
        self.guard.need(Capability.EXPORT)
        if request_id is not None:
            with self.db.sessions() as session:
                self.guard.request(session, Capability.EXPORT, request_id)

    def _form(self, detail: RequestDetail) -> FeedbackForm:
        row, case = detail.row, detail.case
        with self.db.sessions() as session:
            contact = queries.household_contacts(session, [row.household_id]).get(row.household_id)
            town = queries.town_of_village(session, None)
        classification = (
            "、".join(p for p in (row.scope, row.solvability) if p) if case.classification else ""
        )
        if case.resolution is not None:
            r = case.resolution
            label = "办理结果"
            parts = [
                f"办结日期：{r.solved_on}" if r.solved_on else "",
                f"措施：{r.measures}" if r.measures else "",
                f"办法：{r.method}" if r.method else "",
                f"结果：{r.result}" if r.result else "",
            ]
            outcome = "；".join(p for p in parts if p)
        elif case.explanation is not None:
            label = "不能解决的\n合理合法解释"
            given = f"（{case.explanation.given_on}已向当事人解释）" if case.explanation.given_on else ""
            outcome = case.explanation.text + given
        else:
            label, outcome = "办理结果", "尚未办结"
        return FeedbackForm(
            town=town,
            village=row.village_name,
            group=row.group_name,
            number=row.household_number,
            head_name=row.head_name,
            phone=contact.phone if contact else "",
            address=contact.address if contact else "",
            recorded_on=row.recorded_on,
            category=row.category,
            description=row.description,
            classification=classification or "尚未梳理",
            level=row.level,
            unit=row.responsible_unit,
            person=row.responsible_person,
            deadline=row.deadline,
            status=row.status,
            outcome_label=label,
            outcome=outcome,
            code=row.number or row.id,
            satisfactions=self._satisfactions(),
            **_feedback_part(detail),
        )

    def feedback_form(
        self,
        request_id: str | None,
        path: Path | str,
        *,
        copies: int = 1,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
    ) -> ExportResult:
        """Print the 情况反馈意见单 of a request, or ``copies`` blank ones when ``request_id`` is None."""
        self._check_request(request_id)
        path = Path(path)
        if not 1 <= copies <= 500:
            raise DomainError("份数须在1到500之间")
        job = Job(progress, cancelled, ExportCancelled)
        job.step(0, 1)
        form = self.feedback_form_data(request_id)
        forms = [form] * (copies if request_id is None else 1)
        with atomic_outputs([path]) as (temp,):
            pages = pdf_requests.write_feedback(temp, forms, today=self._today(today), author=self.operator)
            job.step(1, 1)
        if request_id is None:
            self._record(
                "空白情况反馈意见单", "", f"打印空白情况反馈意见单（PDF）{copies}份，文件“{path.name}”"
            )
        else:
            self._record(
                "情况反馈意见单",
                request_id,
                f"打印{form.village}{form.group}第{form.number}户诉求{form.code}的情况反馈意见单（PDF），"
                f"文件“{path.name}”",
                household_id=self.requests.detail(request_id).row.household_id,
            )
        return ExportResult([path], len(forms), pages)

    # ---- default document names -----------------------------------------------------------------
    def feedback_form_name(self, request_id: str | None) -> str:
        """杜黄村一组第12户情况反馈意见单（安华2026-0012）; 空白情况反馈意见单 without a request."""
        self._check_request(request_id)
        if request_id is None:
            return "空白情况反馈意见单"
        with self.db.sessions() as session:
            place = export_queries.request_place(session, request_id)
        if place is None:
            return "情况反馈意见单"
        village, group, number, request_number = place
        suffix = f"（{request_number}）" if request_number else ""
        return file_name(f"{village}{group}第{number}户情况反馈意见单{suffix}")

    def meeting_sheet_name(self, meeting_id: str) -> str:
        """安华镇2026年11月专题会议交办单: the meeting is the town's, so the town names it."""
        self.guard.need(Capability.EXPORT)
        try:
            meeting = self.meetings.meeting(meeting_id)
        except StopIteration:
            return "交办单"
        with self.db.sessions() as session:
            town = queries.town_of_village(session, None)
        return file_name(f"{town}{meeting.title}交办单")

    # ---- 交办单 ---------------------------------------------------------------------------------
    def meeting_sheet(
        self,
        meeting_id: str,
        path: Path | str,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
    ) -> ExportResult:
        """Print the 交办单 of a monthly meeting: its attendees and every decision on its agenda."""
        self.guard.need(Capability.EXPORT)
        path = Path(path)
        job = Job(progress, cancelled, ExportCancelled)
        job.step(0, 1)
        try:
            meeting = self.meetings.meeting(meeting_id)
        except StopIteration:
            raise DomainError("找不到这次会议") from None
        decisions = self.meetings.decisions(meeting_id)
        with self.db.sessions() as session:
            town = queries.town_of_village(session, None)
        sheet = MeetingSheet(town, meeting, decisions)
        with atomic_outputs([path]) as (temp,):
            pages = pdf_requests.write_meeting(temp, sheet, today=self._today(today), author=self.operator)
            job.step(1, 1)
        self._record(
            "交办单",
            meeting_id,
            f"打印{meeting.title}（{meeting.held_on}）交办单（PDF）{len(decisions)}件诉求{pages}页，文件“{path.name}”",
        )
        return ExportResult([path], len(decisions), pages)

    # ---- 周报 / 月报 ----------------------------------------------------------------------------
    def summary(self, scope_kind: str, scope_id: str, period: Period) -> tuple[Summary, str]:
        """The summary read-model and the unit that reports it (town and village)."""
        self.guard.need(Capability.READ_FILES)
        if period.kind not in (WEEKLY, MONTHLY):
            raise DomainError(f"未知的报告类型“{period.kind}”")
        summary = self.summaries.build(scope_kind, scope_id, period)
        with self.db.sessions() as session:
            if scope_kind == "cadre":
                unit = f"{queries.town_of_cadre(session, scope_id)}驻村干部{summary.scope_name}"
            elif scope_kind == "town":
                unit = summary.scope_name
            else:
                unit = f"{summary_queries.town_name(session, scope_kind, scope_id)}{summary.scope_name}"
        return summary, unit

    def summary_pdf(
        self,
        scope_kind: str,
        scope_id: str,
        period: Period,
        path: Path | str,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
        password: str | None = None,
    ) -> ExportResult:
        """Print a 周报/月报 with its tables and bar charts (``password``: asked for on opening)."""
        self._check_unit(scope_kind, scope_id)
        path = Path(path)
        terms = export_terms(self.actor, password=password)
        job = Job(progress, cancelled, ExportCancelled)
        job.step(0, 1)
        summary, unit = self.summary(scope_kind, scope_id, period)
        with atomic_outputs([path]) as (temp,):
            pages = pdf_requests.write_summary(
                temp,
                summary,
                unit=unit,
                today=self._today(today),
                author=self.operator,
                password=terms.password,
            )
            job.step(1, 1)
        self._record_summary(summary, "PDF", path, scope_kind, scope_id, bool(terms.password))
        return ExportResult([path], summary.new_total, pages)

    def summary_xlsx(
        self,
        scope_kind: str,
        scope_id: str,
        period: Period,
        path: Path | str,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
        password: str | None = None,
    ) -> ExportResult:
        """Export a 周报/月报 as an Excel workbook (``password``: encrypted, asked for on opening)."""
        self._check_unit(scope_kind, scope_id)
        path = Path(path)
        terms = export_terms(self.actor, password=password)
        job = Job(progress, cancelled, ExportCancelled)
        job.step(0, 1)
        summary, unit = self.summary(scope_kind, scope_id, period)
        with protected_xlsx(path, terms.password) as temp:
            rows = xlsx_requests.write_summary_workbook(temp, summary, unit=unit, today=self._today(today))
            job.step(1, 1)
        self._record_summary(summary, "Excel", path, scope_kind, scope_id, bool(terms.password))
        return ExportResult([path], rows)

    def _check_unit(self, scope_kind: str, scope_id: str) -> None:
        with self.db.sessions() as session:
            self.guard.unit(session, Capability.EXPORT, scope_kind, scope_id)

    def _record_summary(
        self, summary: Summary, kind: str, path: Path, scope_kind: str, scope_id: str, protected: bool = False
    ) -> None:
        verb = "打印" if kind == "PDF" else "导出"
        lock = "，设有打开密码" if protected else ""
        self._record(
            summary.period.kind,
            scope_id,
            f"{verb}{pdf_requests.summary_title(summary)}（{kind}）{lock}，文件“{path.name}”",
            village_id=scope_id if scope_kind == "village" else None,
        )

    # ---- 台账 ----------------------------------------------------------------------------------
    def ledger_lines(self, query: RequestQuery) -> list[LedgerLine]:
        """Every request the query matches (in the account's scope), with the household's ID and phone
        number."""
        self.guard.need(Capability.EXPORT)
        rows = self.requests.list(replace(query, limit=LEDGER_LIMIT))
        with self.db.sessions() as session:
            contacts = queries.household_contacts(session, [r.household_id for r in rows])
        out = []
        for r in rows:
            contact = contacts.get(r.household_id)
            out.append(
                LedgerLine(r, contact.head_id_number if contact else "", contact.phone if contact else "")
            )
        return out

    def ledger(
        self,
        query: RequestQuery,
        path: Path | str,
        *,
        masked: bool = True,
        reason: str | None = None,
        password: str | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
    ) -> ExportResult:
        """Export the request ledger (诉求台账) of the requests ``query`` matches: numbers masked unless
        ``masked=False`` with a ``reason`` (needs 导出完整号码); ``password`` encrypts the workbook."""
        self.guard.need(Capability.EXPORT)
        path = Path(path)
        terms = export_terms(self.actor, masked, reason, password)
        today = self._today(today)
        job = Job(progress, cancelled, ExportCancelled)
        job.step(0, 0)
        lines = self.ledger_lines(query)
        total = len(lines)
        with self.db.sessions() as session:
            names = export_queries.scope_names(session, query.village_id, None)
        place = names.village
        unit = f"{names.town}{names.village}" if names.village else f"{names.town}人民政府"
        title = f"{names.town}{place}群众诉求办理台账"
        sheet = xlsx_requests.ledger_sheet(title, unit, lines, terms.masked)
        job.step(0, total)
        with protected_xlsx(path, terms.password) as temp:
            (written,) = xlsx_rosters.write_roster(
                temp, [sheet], today=today, tick=lambda done: job.step(done, total)
            )
            job.step(written, total)
        closed = sum(
            1 for line in lines if xlsx_requests.closed_off(line.request.status, line.request.satisfaction)
        )
        self._record(
            "诉求台账",
            query.village_id or "",
            f"导出{names.town}{place}诉求台账（Excel）{written}件（已销号{closed}件），{terms.note()}，文件“{path.name}”",
            village_id=query.village_id,
        )
        return ExportResult([path], written, masked=terms.masked)

    # ---- look-ups for the command line -----------------------------------------------------------
    def meeting_ids(self) -> list[str]:
        self.guard.need(Capability.READ_FILES)
        return [m.id for m in self.meetings.meetings()]

    def _record(
        self,
        entity: str,
        record_id: str,
        note: str,
        *,
        household_id: str | None = None,
        village_id: str | None = None,
    ) -> None:
        if self.db.read_only:
            return  # a read-only archive can be exported from, but the export cannot be noted in it
        with self.db.transaction() as session:
            # One row per print (a PDF) or export (a workbook), with the account; the note says what
            # was written, never a person's name or a request's text.
            action = "打印" if note.startswith("打印") else "导出"
            ChangeRecorder(session, self.actor).log(
                action, entity, record_id, household_id=household_id, village_id=village_id, note=note
            )
