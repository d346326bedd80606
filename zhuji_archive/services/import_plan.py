"""Planning an Excel import: turn mapped sheet rows into households and members as they will be
created, list every problem by sheet, row and column, and match people already in the archive by
ID number with a field-by-field diff. Nothing here writes to the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from zhuji_archive.domain.codes import HEAD_RELATION
from zhuji_archive.services.import_files import ErrorRow, SheetSource
from zhuji_archive.services.progress import OperationCancelled
from zhuji_archive.storage.import_queries import ExistingHousehold
from zhuji_archive.views.household_file import MemberData

ERROR = "错误"
NOTE = "提示"
UNCACHED_FORMULA = (
    "单元格是公式，但文件中没有公式的计算结果（常见于其他软件生成的表格）："
    "请在Excel中打开、保存后再导入，或把公式改为数值"
)
CHOICES = {"update": "更新", "keep": "保留原有", "skip": "跳过"}
MEMBER_DIFF_FIELDS = (
    "name",
    "relation",
    "sex",
    "birth_date",
    "education",
    "political_status",
    "health",
    "disability_grade",
    "phone",
    "migrant_worker",
    "migrant_place",
    "notes",
)
HOUSEHOLD_DIFF_LABELS = {
    "address": "住址",
    "economic_types": "经济类型",
    "focus_tags": "重点关注",
    "land_mu": "承包土地(亩)",
}



class ImportCancelled(OperationCancelled):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True)
class Problem:
    """One finding of the validation report, located in the workbook."""

    file: str
    sheet: str
    row: int | None  # Excel row number (1-based)
    column: str  # column letter, "" when the problem is about the row or household
    header: str
    value: str
    reason: str
    severity: str = ERROR
    code: tuple[str, str] | None = None  # (code kind, value) not in the code list: adding it fixes this

    @property
    def blocking(self) -> bool:
        return self.severity == ERROR

    def where(self) -> str:
        place = f"{self.file}／{self.sheet}"
        if self.row is not None:
            place += f"／第{self.row}行"
        if self.column:
            place += f"／{self.column}列（{self.header}）" if self.header else f"／{self.column}列"
        return place


@dataclass
class PlannedMember:
    """A member as the import will write it, and the sheet row it came from (0-based)."""

    data: MemberData
    row: int
    given: frozenset[str] = frozenset()  # fields with a value in the sheet
    existing_id: str | None = None


@dataclass
class FieldChange:
    """One field of a matched household or member that the sheet would change."""

    member: int | None  # index into PlannedHousehold.members; None for the household itself
    field: str
    title: str
    old: str
    new: str
    value: Any
    selected: bool = True

    @property
    def fills_blank(self) -> bool:
        return self.old == ""


@dataclass
class PlannedHousehold:
    """A household as it will be created, or the existing household it matches and what changes."""

    source: SheetSource
    rows: list[int]
    group_id: str
    number: int | None = None
    address: str = ""
    economic_types: list[str] = field(default_factory=list)
    focus_tags: list[str] = field(default_factory=list)
    land_mu: float | None = None
    members: list[PlannedMember] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    existing: ExistingHousehold | None = None
    matched_by: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    choice: str = "keep"

    @property
    def head(self) -> MemberData | None:
        return next((m.data for m in self.members if m.data.relation == HEAD_RELATION), None)

    @property
    def head_name(self) -> str:
        head = self.head
        return head.name if head else (self.members[0].data.name if self.members else "")

    @property
    def phone(self) -> str:
        head = self.head
        return head.phone if head else ""

    def blocked(self, add_codes: bool) -> bool:
        return any(p.blocking and not (add_codes and p.code) for p in self.problems)

    @property
    def new_members(self) -> list[PlannedMember]:
        return [m for m in self.members if m.existing_id is None]

    def pending_changes(self) -> list[FieldChange]:
        """What the current choice would write to the matched household."""
        if self.choice == "update":
            return [c for c in self.changes if c.selected]
        if self.choice == "keep":
            return [c for c in self.changes if c.fills_blank]
        return []

    def action(self, add_codes: bool) -> str:
        if self.blocked(add_codes):
            return "有错误"
        if self.existing is None:
            return "新建"
        if self.choice == "skip":
            return "跳过"
        if self.pending_changes() or self.new_members:
            return "更新"
        return "无变化"

    def rows_text(self) -> str:
        first, last = min(self.rows) + 1, max(self.rows) + 1
        return f"第{first}行" if first == last else f"第{first}–{last}行"

    def source_note(self, row: int | None = None) -> str:
        where = f"第{row + 1}行" if row is not None else self.rows_text()
        return f"从Excel导入：{self.source.file_name}／{self.source.sheet}／{where}"


@dataclass(frozen=True)
class PlanCounts:
    """The numbers a preview shows before anything is written."""

    households_new: int
    members_new: int
    households_matched: int
    households_changed: int
    households_rejected: int
    rows_rejected: int
    errors: int
    notes: int


@dataclass
class ImportPlan:
    """Everything the import would do, and every problem found; the user's choices live here too."""

    sources: list[SheetSource]
    households: list[PlannedHousehold]
    problems: list[Problem]
    unknown_codes: dict[tuple[str, str], int]
    add_codes: bool = False
    skip_errors: bool = True
    # Groups the import creates (in its own transaction): planned group id -> (village id, name).
    new_groups: dict[str, tuple[str, str]] = field(default_factory=dict)

    def groups_to_create(self) -> list[str]:
        """Names of the new groups that accepted households go to."""
        used = {h.group_id for h in self.accepted()}
        return [name for gid, (_, name) in self.new_groups.items() if gid in used]

    def blocking_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking and not (self.add_codes and p.code)]

    def accepted(self) -> list[PlannedHousehold]:
        return [h for h in self.households if not h.blocked(self.add_codes)]

    def rejected(self) -> list[PlannedHousehold]:
        return [h for h in self.households if h.blocked(self.add_codes)]

    def set_choice_all(self, choice: str) -> None:
        if choice not in CHOICES:
            raise ValueError(choice)
        for h in self.households:
            if h.existing is not None:
                h.choice = choice

    def counts(self) -> PlanCounts:
        accepted = self.accepted()
        new = [h for h in accepted if h.existing is None]
        matched = [h for h in accepted if h.existing is not None]
        changed = [h for h in matched if h.action(self.add_codes) == "更新"]
        rejected = self.rejected()
        return PlanCounts(
            households_new=len(new),
            members_new=sum(len(h.members) for h in new),
            households_matched=len(matched),
            households_changed=len(changed),
            households_rejected=len(rejected),
            rows_rejected=sum(len(h.rows) for h in rejected),
            errors=len(self.blocking_problems()),
            notes=sum(1 for p in self.problems if not p.blocking),
        )

    def error_rows(self) -> list[ErrorRow]:
        """Each row of a household that will not be imported, with its reasons."""
        result = []
        for h in self.rejected():
            reasons: dict[int, list[str]] = defaultdict(list)
            for p in h.problems:
                if p.blocking and not (self.add_codes and p.code) and p.row is not None:
                    reasons[p.row - 1].append(
                        f"{p.column}列（{p.header}）：{p.reason}" if p.column else p.reason
                    )
            own = [r for r in h.rows if reasons.get(r)]
            for row in h.rows:
                text = "；".join(reasons.get(row, []))
                if not text:
                    others = "、".join(f"第{r + 1}行" for r in own)
                    text = f"同户的{others}有错误，整户未导入（改正后整户重新导入）"
                result.append(ErrorRow(h.source, row, text))
        return result
