"""Printing and exporting: Excel rosters, household sheets, the group book and blank forms.

ID and phone numbers are masked unless the account has 导出完整号码 and gives a reason, which is logged
with the export; any export may carry an opening password (services/export_policy.py).

Every use case writes to a temporary file beside the target and moves it into place only when it
is complete, so a cancelled or failed export leaves nothing half-written; reports progress as
``progress(done, total)``; stops when ``cancelled()`` turns true; and records who exported what (how
many rows, masked or not) in the change history."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.glyphs import UnprintableText, unprintable
from zhuji_archive.domain.household import per_capita_income
from zhuji_archive.exports import fonts, pdf_book, pdf_household, xlsx_rosters
from zhuji_archive.exports.pdf_book import BookCover, TocEntry
from zhuji_archive.exports.pdf_household import SheetInput
from zhuji_archive.exports.xlsx_rosters import Column, RosterSheet
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.export_files import (
    atomic_outputs,
    file_name,
    protected_xlsx,
    split_volumes,
    volume_paths,
)
from zhuji_archive.services.export_policy import ExportTerms, export_terms, masked_file, masked_village
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.progress import Cancelled, Job, OperationCancelled, Progress
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.services.villages import VillageService
from zhuji_archive.storage import export_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.export_queries import Scope
from zhuji_archive.views.household_file import (
    AssistanceData,
    HouseholdFile,
    IncomeData,
    MemberData,
    RequestData,
    VisitData,
)

ROSTER_KINDS = {"households": "户花名册", "members": "成员花名册", "focus": "名册"}
# Rosters meant for public notice (公示); every export is masked by default now, these the same.
PUBLIC_NOTICE_KINDS = frozenset({"focus"})
DEFAULT_VOLUME_LIMIT = 150
VOLUME_LIMIT_SETTING = "book.volume_limit"
BATCH = 40


class ExportCancelled(OperationCancelled):
    """The user cancelled the export; nothing was written."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the files (several for a book in volumes), rows or households, pages."""

    paths: list[Path]
    rows: int
    pages: int = 0
    masked: bool | None = None


HOUSEHOLD_COLUMNS = (
    Column("村", 10),
    Column("村民小组", 9),
    Column("户号", 6, "int"),
    Column("户主姓名", 10),
    Column("户主身份证号", 21, "id"),
    Column("联系电话", 14, "phone"),
    Column("家庭人口", 8, "int", total=True),
    Column("家庭住址", 18),
    Column("经济类型", 16),
    Column("重点关注", 12),
    Column("责任干部", 10),
    Column("最近走访", 12, "date"),
)
FOCUS_COLUMNS = (
    Column("村", 10),
    Column("村民小组", 9),
    Column("户号", 6, "int"),
    Column("户主姓名", 10),
    Column("户主身份证号", 21, "id"),
    Column("家庭人口", 8, "int", total=True),
    Column("家庭年收入(元)", 13, "money", total=True),
    Column("人均年收入(元)", 13, "money"),
    Column("联系电话", 14, "phone"),
    Column("家庭住址", 18),
    Column("重点关注", 14),
    Column("责任干部", 10),
)
MEMBER_COLUMNS = (
    Column("村", 10),
    Column("村民小组", 9),
    Column("户号", 6, "int"),
    Column("户主姓名", 10),
    Column("姓名", 10),
    Column("与户主关系", 10),
    Column("性别", 6),
    Column("身份证号", 21, "id"),
    Column("出生日期", 12, "date"),
    Column("文化程度", 12),
    Column("政治面貌", 12),
    Column("健康状况", 10),
    Column("联系电话", 14, "phone"),
    Column("外出务工地点", 12),
)

_HOUSEHOLD_FIELDS = (
    "group_id",
    "number",
    "address",
    "phone",
    "responsible_cadre_id",
    "status",
    "status_note",
    "notes",
    "cadre_name",
)
_SECTION_CLASSES: dict[str, Any] = {
    "members": MemberData,
    "incomes": IncomeData,
    "assistance": AssistanceData,
    "visits": VisitData,
    "requests": RequestData,
}
_SECTION_FIELDS = {
    section: [f.name for f in fields(cls) if f.name != "removed"] for section, cls in _SECTION_CLASSES.items()
}


class ExportService:
    """Exports and printouts on behalf of one operator."""

    def __init__(
        self, db: Database, actor: Actor, settings: SettingsService | None = None, clock: Clock | None = None
    ) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name
        self.guard = Guard(actor)
        self.settings = settings
        self.clock = clock or Clock()

    def _check(self, village_id: str | None = None, group_id: str | None = None) -> None:
        """导出打印 of the named village or group (of the whole scope when neither is named)."""
        self.guard.need(Capability.EXPORT)
        with self.db.sessions() as session:
            if group_id:
                self.guard.group(session, Capability.EXPORT, group_id)
            if village_id:
                self.guard.village(Capability.EXPORT, village_id)

    def _today(self, today: date | None) -> date:
        return today or self.clock.today()

    def volume_limit(self) -> int:
        """Households per volume of a book (setting 档案册每册最多户数)."""
        self.guard.need(Capability.EXPORT)
        if self.settings is None:
            return DEFAULT_VOLUME_LIMIT
        return self.settings.get(VOLUME_LIMIT_SETTING)

    # ---- look-ups for the command line and dialogs -----------------------------------------------
    def find_village(self, name: str) -> str:
        self.guard.need(Capability.EXPORT)
        scope = self.guard.scope
        with self.db.sessions() as session:
            found = queries.villages_named(session, name.strip())
            names = queries.village_names(session) if not found else []
        if scope is not None:
            found = [row for row in found if row[0] in scope]
            names = []  # a scoped account is not told the names of other villages
        if not found:
            raise DomainError(f"没有名为“{name}”的村。{_listing('档案中的村', names)}")
        if len(found) > 1:
            raise DomainError(f"有{len(found)}个村都叫“{name}”，无法确定是哪一个")
        return found[0][0]

    def find_group(self, village_id: str, name: str) -> str:
        self._check(village_id)
        with self.db.sessions() as session:
            found = queries.groups_named(session, village_id, name.strip())
            names = queries.group_names(session, village_id) if not found else []
        if not found:
            raise DomainError(f"该村没有名为“{name}”的村民小组。{_listing('该村的村民小组', names)}")
        return found[0]

    def find_household(self, group_id: str, number: int) -> str:
        """The household with this number in a group (the one on file when a number was reused)."""
        self._check(group_id=group_id)
        with self.db.sessions() as session:
            found = queries.households_numbered(session, group_id, number)
            names = queries.scope_names(session, queries.village_of_group(session, group_id), group_id)
        if not found:
            raise DomainError(f"{names.village}{names.group}没有第{number}户")
        return found[0][0]

    def village_of_group(self, group_id: str) -> str:
        self._check(group_id=group_id)
        with self.db.sessions() as session:
            village_id = queries.village_of_group(session, group_id)
        if village_id is None:
            raise DomainError("找不到该村民小组")
        return village_id

    def scope_title(
        self, *, village_id: str | None = None, group_id: str | None = None, area_id: str | None = None
    ) -> str:
        """The scope as people name it: 杜黄村一组, 杜黄村, 驻村一分中心 or 安华镇 (everything)."""
        self._check(village_id, group_id)
        with self.db.sessions() as session:
            names = queries.scope_names(session, village_id, group_id, area_id)
        return f"{names.village}{names.group}" or names.town

    def household_sheet_name(self, household_id: str) -> str:
        """The default name of a household's printed 户表: 杜黄村一组第12户户表."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.EXPORT, household_id)
            place = queries.household_place(session, household_id)
        if place is None:
            return "户表"
        village, group, number = place
        return file_name(f"{village}{group}第{number}户户表")

    @staticmethod
    def default_masked(kind: str) -> bool:
        """Every export is masked unless the account asks for full numbers and says why."""
        return True

    def may_export_unmasked(self) -> bool:
        """Whether this account may export full ID and phone numbers (with a reason)."""
        return self.actor is not None and self.actor.can(Capability.EXPORT_UNMASKED)

    # ---- Excel rosters ------------------------------------------------------------------------
    def roster(
        self,
        path: Path | str,
        kind: str,
        *,
        tag: str | None = None,
        village_id: str | None = None,
        group_id: str | None = None,
        area_id: str | None = None,
        masked: bool | None = None,
        reason: str | None = None,
        password: str | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
    ) -> ExportResult:
        """Write a roster: ``kind`` is households, members or focus (households carrying ``tag``); of the
        villages in the account's scope only. Masked unless ``masked=False`` with a ``reason`` (needs
        导出完整号码); ``password`` encrypts it."""
        self._check(village_id, group_id)
        path = Path(path)
        terms = export_terms(
            self.actor, self.default_masked(kind) if masked is None else masked, reason, password
        )
        masked = terms.masked
        if kind not in ROSTER_KINDS:
            raise DomainError(f"未知的名册类型“{kind}”，可选：households、members、focus")
        if kind == "focus" and not (tag or "").strip():
            raise DomainError("请选择要导出的重点关注类别（如 低保户）")
        tag = tag.strip() if tag else None
        today = self._today(today)
        scope = Scope(village_id=village_id, group_id=group_id, area_id=area_id, villages=self.guard.scope)
        job = Job(progress, cancelled, ExportCancelled)
        with self.db.sessions() as session:
            names = queries.scope_names(session, village_id, group_id, area_id)
            place = f"{names.village}{names.group}"
            unit = f"{names.town}{names.village}" if names.village else f"{names.town}人民政府"
            if kind == "members":
                expected = queries.member_count(session, scope)
                rows: Any = _member_rows(queries.member_roster(session, scope))
                columns, unit_word, name = MEMBER_COLUMNS, "人", ROSTER_KINDS[kind]
            elif kind == "focus":
                expected = queries.household_count(session, scope, tag)
                rows = _focus_rows(queries.household_roster(session, scope, tag, with_income=True))
                columns, unit_word, name = FOCUS_COLUMNS, "户", f"{tag}名册"
            else:
                expected = queries.household_count(session, scope)
                rows = (row[:12] for row in queries.household_roster(session, scope))
                columns, unit_word, name = HOUSEHOLD_COLUMNS, "户", ROSTER_KINDS[kind]
            sheet = RosterSheet(
                name=name,
                title=f"{names.town}{place}{name}",
                unit=unit,
                columns=columns,
                rows=rows,
                expected=expected,
                unit_word=unit_word,
                masked=masked,
            )
            job.step(0, expected)
            with protected_xlsx(path, terms.password) as temp:
                (written,) = xlsx_rosters.write_roster(
                    temp, [sheet], today=today, tick=lambda done: job.step(done, expected)
                )
                job.step(written, expected)
        self._record(
            "花名册",
            group_id or village_id or area_id or "",
            f"导出{names.town}{place}{name}（Excel）{written}{unit_word}，{terms.note()}，文件“{path.name}”",
            village_id=village_id,
        )
        return ExportResult([path], written, masked=masked)

    # ---- PDF -----------------------------------------------------------------------------------
    def household_sheet(
        self,
        path: Path | str,
        household_id: str,
        *,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
        allow_unprintable: bool = False,
        masked: bool = True,
        reason: str | None = None,
        password: str | None = None,
    ) -> ExportResult:
        """Print one household's 户表 to a PDF (numbers masked unless ``masked=False`` with a reason;
        ``password`` asks for it on opening).

        Raises UnprintableText, before writing anything, when some character of the sheet has no font
        on this machine — unless ``allow_unprintable`` (the user chose to print with gaps)."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.EXPORT, household_id)
        path = Path(path)
        terms = export_terms(self.actor, masked, reason, password)
        today = self._today(today)
        job = Job(progress, cancelled, ExportCancelled)
        job.step(0, 1)
        sheets = list(self._sheets([household_id], terms))
        if not sheets:
            raise DomainError("找不到这户档案，可能已被合并或数据库已更换")
        if not allow_unprintable:
            _refuse_unprintable(pdf_household.sheet_texts(sheets[0]))
        with atomic_outputs([path]) as (temp,):
            pages = pdf_household.write_household(
                temp, sheets[0], today=today, author=self.operator, password=terms.password
            )
            job.step(1, 1)
        f = sheets[0].file
        self._record(
            "户表",
            household_id,
            f"打印{f.village_name}{f.group_name}第{f.number}户户表（PDF）{pages}页，{terms.note()}，文件“{path.name}”",
            household_id=household_id,
        )
        return ExportResult([path], 1, pages, masked=terms.masked)

    def household_sheets(
        self,
        path: Path | str,
        *,
        village_id: str | None = None,
        group_id: str | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
        allow_unprintable: bool = False,
        masked: bool = True,
        reason: str | None = None,
        password: str | None = None,
    ) -> ExportResult:
        """Print the 户表 of every household on file in a group (or a whole village) to one PDF, in archive
        order, each household starting on a new page (no cover or contents: that is the book). Refused
        with UnprintableText if a character has no font here, unless ``allow_unprintable``."""
        self._check(village_id, group_id)
        path = Path(path)
        terms = export_terms(self.actor, masked, reason, password)
        today = self._today(today)
        if group_id and not village_id:
            village_id = self.village_of_group(group_id)
        if not village_id:
            raise DomainError("请选择要打印户表的村或村民小组")
        job = Job(progress, cancelled, ExportCancelled)
        with self.db.sessions() as session:
            names = queries.scope_names(session, village_id, group_id)
            ids = [r.id for r in queries.book_rows(session, Scope(village_id=village_id, group_id=group_id))]
        where = f"{names.village}{names.group}"
        if not ids:
            raise DomainError(f"{where}没有在册户，无法打印户表")
        if not allow_unprintable:
            texts: dict[tuple[str, str], None] = {}
            for sheet in self._sheets(ids, terms):
                texts.update(dict.fromkeys(pdf_household.sheet_texts(sheet)))
            _refuse_unprintable(texts)
        done = [0]

        def counted() -> Iterator[SheetInput]:
            for sheet in self._sheets(ids, terms):
                yield sheet
                done[0] += 1
                job.step(done[0], len(ids))

        job.step(0, len(ids))
        with atomic_outputs([path]) as (temp,):
            pages = pdf_household.write_households(
                temp,
                counted(),
                title=where,
                header=f"{names.town}{where} 群众档案",
                today=today,
                author=self.operator,
                password=terms.password,
            )
        self._record(
            "户表",
            group_id or village_id,
            f"打印{where}{len(ids)}户户表（PDF）{pages}页，{terms.note()}，文件“{path.name}”",
            village_id=village_id,
        )
        return ExportResult([path], len(ids), pages, masked=terms.masked)

    def book(
        self,
        path: Path | str,
        *,
        village_id: str | None = None,
        group_id: str | None = None,
        volume_limit: int | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
        allow_unprintable: bool = False,
        masked: bool = True,
        reason: str | None = None,
        password: str | None = None,
    ) -> ExportResult:
        """Print the 群众档案册 of a group (or of a whole village), in volumes of at most ``volume_limit``
        households (default: the setting; 0: a single volume whatever its size).

        Raises UnprintableText before writing anything when a character has no font on this machine,
        unless ``allow_unprintable``; the check reads every household once more (about 5% of the time
        a book takes to lay out)."""
        self._check(village_id, group_id)
        path = Path(path)
        terms = export_terms(self.actor, masked, reason, password)
        today = self._today(today)
        if group_id and not village_id:
            village_id = self.village_of_group(group_id)
        if not village_id:
            raise DomainError("请选择要打印档案册的村或村民小组")
        job = Job(progress, cancelled, ExportCancelled)
        scope = Scope(village_id=village_id, group_id=group_id)
        with self.db.sessions() as session:
            names = queries.scope_names(session, village_id, group_id)
            rows = queries.book_rows(session, scope)
            station = queries.station_cadres(session, village_id)
        if not rows:
            where = f"{names.village}{names.group}"
            raise DomainError(f"{where}没有在册户，无法打印档案册")
        info = VillageService(self.db, self.actor).load(village_id)
        if terms.masked:
            info = masked_village(info)
        ranges = split_volumes(len(rows), self.volume_limit() if volume_limit is None else volume_limit)
        targets = volume_paths(path, len(ranges))
        total, pages = len(rows), 0
        done = [0]

        def counted(ids: list[str]) -> Iterator[SheetInput]:
            for sheet in self._sheets(ids, terms):
                yield sheet
                done[0] += 1
                job.step(done[0], total)

        job.step(0, total)
        covers = []
        for number, (start, end) in enumerate(ranges, 1):
            chunk = rows[start:end]
            with self.db.sessions() as session:
                first_visit, last_visit = queries.visit_span(session, [r.id for r in chunk])
            cadres = list(dict.fromkeys(r.cadre_name for r in chunk if r.cadre_name)) or station
            covers.append(
                BookCover(
                    town=names.town,
                    village=names.village,
                    group=names.group,
                    cadres="、".join(cadres),
                    first_visit=first_visit,
                    last_visit=last_visit,
                    households=len(chunk),
                    first_number=chunk[0].number,
                    last_number=chunk[-1].number,
                    volume=number,
                    volumes=len(ranges),
                )
            )
        if not allow_unprintable:
            texts = dict.fromkeys(t for cover in covers for t in pdf_book.book_texts(cover, info))
            for sheet in self._sheets([r.id for r in rows], terms):
                job.check()  # 取消 stops the check too
                texts.update(dict.fromkeys(pdf_household.sheet_texts(sheet)))
            _refuse_unprintable(texts)
        with atomic_outputs(targets) as temps:
            for (start, end), temp, cover in zip(ranges, temps, covers, strict=True):
                chunk = rows[start:end]
                ids = [r.id for r in chunk]
                entries = [
                    TocEntry(
                        r.id, r.number, r.head_name, r.member_count, r.economic_types, r.focus_tags, r.group
                    )
                    for r in chunk
                ]
                pages += pdf_book.write_book(
                    temp,
                    cover,
                    info,
                    entries,
                    counted(ids),
                    today=today,
                    author=self.operator,
                    password=terms.password,
                )
        scope_text = f"{names.village}{names.group or '（全村）'}"
        volumes = f"，分{len(ranges)}册" if len(ranges) > 1 else ""
        self._record(
            "档案册",
            group_id or village_id,
            f"打印{scope_text}群众档案册（PDF）{total}户{pages}页{volumes}，{terms.note()}，文件“{path.name}”",
            village_id=village_id,
        )
        return ExportResult(targets, total, pages, masked=terms.masked)

    def blank_form(
        self,
        path: Path | str,
        *,
        copies: int = 1,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        today: date | None = None,
    ) -> ExportResult:
        """Print empty 户表 for collecting a household's information on paper."""
        self.guard.need(Capability.EXPORT)
        path = Path(path)
        if copies < 1 or copies > 500:
            raise DomainError("份数须在1到500之间")
        job = Job(progress, cancelled, ExportCancelled)
        job.step(0, 1)
        with atomic_outputs([path]) as (temp,):
            pages = pdf_household.write_blank(
                temp, today=self._today(today), author=self.operator, copies=copies
            )
            job.step(1, 1)
        self._record("空白户表", "", f"打印空白户表（PDF）{copies}份{pages}页，文件“{path.name}”")
        return ExportResult([path], copies, pages)

    # ---- helpers ----------------------------------------------------------------------------
    def _sheets(self, ids: Sequence[str], terms: ExportTerms | None = None) -> Iterator[SheetInput]:
        """Household files in ``ids`` order, loaded a batch at a time; numbers masked unless ``terms`` say not."""
        masked = terms is None or terms.masked
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            with self.db.sessions() as session:
                households, sections, codes = queries.household_batch(
                    session, chunk, _HOUSEHOLD_FIELDS, _SECTION_FIELDS
                )
                context = queries.group_context(session, {h["group_id"] for h in households.values()})
            for hid in chunk:
                values = households.get(hid)
                if values is None:
                    continue
                where = context[values["group_id"]]
                kinds = codes[hid]
                file = HouseholdFile(
                    id=hid,
                    **{k: v for k, v in values.items() if k != "cadre_name"},
                    economic_types=[label for kind, label in kinds if kind == "economic_type"],
                    focus_tags=[label for kind, label in kinds if kind == "focus_tag"],
                    town_name=where.town,
                    village_name=where.village,
                    group_name=where.group,
                )
                for section, cls in _SECTION_CLASSES.items():
                    setattr(file, section, [cls(**row) for row in sections[hid][section]])
                yield SheetInput(masked_file(file) if masked else file, values["cadre_name"])

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


def _refuse_unprintable(texts: Iterable[tuple[str, str]]) -> None:
    """Raise UnprintableText naming every character of ``texts`` that no font on this machine has."""
    problems = unprintable(texts, fonts.has_glyph)
    if problems:
        raise UnprintableText(problems)


def _listing(title: str, names: list[str], limit: int = 30) -> str:
    """"档案中的村：甲村、乙村…" for a refusal that should say what would have been accepted."""
    if not names:
        return f"{title}：（还没有）"
    more = f"等{len(names)}个" if len(names) > limit else ""
    return f"{title}：{'、'.join(names[:limit])}{more}"


def _member_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for r in rows:
        # (village, group, number, head, name, relation, sex, id, birth, education, political, health,
        #  disability, phone, migrant place): the disability grade goes with the health state.
        health = f"{r[11]}（{r[12]}）" if r[12] else r[11]
        yield (*r[:11], health, r[13], r[14])


def _focus_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for r in rows:
        # HOUSEHOLD_ROSTER_FIELDS order; see export_queries.
        income = r[12] or 0.0
        per_head = per_capita_income([income], r[6]) if r[6] else None
        yield (r[0], r[1], r[2], r[3], r[4], r[6], income, per_head, r[5], r[7], r[9], r[10])
