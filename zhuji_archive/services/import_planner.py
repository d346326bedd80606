"""Planning an Excel import, the work itself: sheet rows grouped into households, every value
checked and normalised, problems placed by sheet, row and column, people already on file matched
and diffed. The plan it builds (and the words it uses) are in import_plan."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhuji_archive.domain import idcard, ledger, ledger_rows, text_input
from zhuji_archive.domain.codes import DISABILITY_GRADES, HEAD_RELATION, KINDS_BY_KEY
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.ledger import FIELDS_BY_KEY, NOTES
from zhuji_archive.domain.ledger_rows import LedgerRow
from zhuji_archive.services.history import display
from zhuji_archive.services.households import MEMBER_LABELS
from zhuji_archive.services.import_files import EXAMPLE_NOTE, SheetSource, column_letter
from zhuji_archive.services.import_plan import (
    ERROR,
    HOUSEHOLD_DIFF_LABELS,
    MEMBER_DIFF_FIELDS,
    NOTE,
    UNCACHED_FORMULA,
    FieldChange,
    ImportCancelled,
    PlannedHousehold,
    PlannedMember,
    Problem,
)
from zhuji_archive.services.progress import Cancelled
from zhuji_archive.storage import import_queries as queries
from zhuji_archive.storage.import_queries import ExistingHousehold
from zhuji_archive.views.household_file import MemberData

_FOOTER_WORDS = ("合计", "小计", "总计", "制表", "填表", "审核", "负责人", "统计人", "联系人：")
_GRADE_ALIASES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}


class Planner:
    """Builds an ImportPlan from mapped sheets; one instance per planning run."""

    def __init__(self, today: date, known_codes: dict[str, set[str]]) -> None:
        self.today = today
        self.known = known_codes
        self.households: list[PlannedHousehold] = []
        self.sheet_problems: list[Problem] = []

    # ---- problems -------------------------------------------------------------------------
    def _problem(
        self,
        src: SheetSource,
        row: int | None,
        key: str | None,
        reason: str,
        severity: str = ERROR,
        code: tuple[str, str] | None = None,
    ) -> Problem:
        column = src.column_of(key) if key else None
        value = ""
        if row is not None and column is not None and column < len(src.rows[row]):
            raw = src.rows[row][column]
            value = (
                ledger.excel_display(raw)
                if key == "id_number" and isinstance(raw, float) and raw >= 1e15
                else ledger.clean_text(raw)
            )
        return Problem(
            src.file_name,
            src.sheet,
            None if row is None else row + 1,
            column_letter(column) if column is not None else "",
            src.headers[column]
            if column is not None
            else (FIELDS_BY_KEY[key].title if key in FIELDS_BY_KEY else ""),
            value,
            reason,
            severity,
            code,
        )

    # ---- reading sheets -------------------------------------------------------------------
    def read_sheet(self, src: SheetSource, cancelled: Cancelled | None = None) -> None:
        if src.group_id is None:
            raise DomainError(f"工作表“{src.sheet}”（{src.file_name}）还没有指定导入到哪个村民小组")
        columns = {key: i for i, key in enumerate(src.fields) if key in FIELDS_BY_KEY}
        if "name" not in columns:
            raise DomainError(f"工作表“{src.sheet}”没有对应到“姓名”的列：请在列对应中指定姓名列")
        key_field = self._key_field(src, columns)
        if key_field is None and "relation" not in columns:
            raise DomainError(
                f"工作表“{src.sheet}”无法分户：既没有“与户主关系”列，也没有“户号”列。请在列对应中指定其中之一"
            )
        notes_columns = [i for i, key in enumerate(src.fields) if key == NOTES]
        header_texts = {ledger.clean_text(h) for h in src.headers if h}
        rows: list[LedgerRow] = []
        for r in range(src.data_start, len(src.rows)):
            if cancelled is not None and r % 500 == 0 and cancelled():
                raise ImportCancelled
            cells = src.rows[r]
            texts = [ledger.clean_text(v) for v in cells]
            formulas = [key for key, i in columns.items() if (r, i) in src.formula_cells]
            if not any(texts):
                self.sheet_problems.extend(self._problem(src, r, key, UNCACHED_FORMULA) for key in formulas)
                continue
            values = {key: (cells[i] if i < len(cells) else "") for key, i in columns.items()}
            name = ledger.clean_text(values.get("name"))
            if not name and any(t.startswith(_FOOTER_WORDS) for t in texts if t) or name in _FOOTER_WORDS:
                self.sheet_problems.append(self._problem(src, r, None, "合计或签名行，已跳过", NOTE))
                continue
            if {t for t in texts if t} <= header_texts and len([t for t in texts if t]) >= 2:
                self.sheet_problems.append(self._problem(src, r, None, "重复的表头行，已跳过", NOTE))
                continue
            if ledger.clean_text(values.get("notes")).startswith(EXAMPLE_NOTE[:3]):
                self.sheet_problems.append(self._problem(src, r, None, "模板中的示例行，已跳过", NOTE))
                continue
            values["relation"] = ledger.code_value("relation", values.get("relation"))
            extra = [
                f"{src.headers[i]}：{texts[i]}"
                for i in notes_columns
                if i < len(texts) and texts[i] and src.headers[i]
            ]
            values["_extra"] = "；".join(extra)
            values["_formulas"] = formulas
            key = ledger.clean_text(values.get(key_field)) if key_field else ""
            if key_field == "head_name" and not values["relation"] and key and key == name:
                values["relation"] = HEAD_RELATION
            rows.append(LedgerRow(r, values, key))
        for group in ledger_rows.group_rows(rows, keyed=key_field is not None):
            self._household(src, group, key_field)

    @staticmethod
    def _key_field(src: SheetSource, columns: dict[str, int]) -> str | None:
        if "household_no" in columns:
            return "household_no"
        if "serial" in columns:
            column = columns["serial"]
            values = [
                row[column] if column < len(row) else ""
                for row in src.rows[src.data_start :]
                if any(ledger.clean_text(v) for v in row)
            ]
            if ledger_rows.serial_numbers_households(values):
                return "serial"
        if "head_name" in columns and "name" in columns:
            return "head_name"
        return None

    def _household(self, src: SheetSource, group: ledger_rows.RowGroup, key_field: str | None) -> None:
        assert src.group_id is not None
        h = PlannedHousehold(src, [r.row for r in group.rows], src.group_id)
        self.households.append(h)
        if key_field in ("household_no", "serial") and group.key:
            try:
                number = int(float(group.key))
            except ValueError:
                number = 0
            h.number = number if number > 0 else None
        for row in group.rows:
            h.members.append(self._member(src, h, row))
            formulas = row.values.get("_formulas")
            assert isinstance(formulas, list)
            h.problems.extend(self._problem(src, row.row, key, UNCACHED_FORMULA) for key in formulas)
        if group.problem:
            for row in group.rows:
                h.problems.append(self._problem(src, row.row, "relation", group.problem))
            return
        self._household_fields(src, h, group)
        heads = [m for m in h.members if m.data.relation == HEAD_RELATION]
        if not heads:
            h.problems.append(
                self._problem(
                    src, h.rows[0], "relation", "本户没有户主：请把一名成员的“与户主关系”填为“户主”"
                )
            )
        for extra in heads[1:]:
            h.problems.append(
                self._problem(
                    src, extra.row, "relation", f"一户只能有一名户主（本户第{heads[0].row + 1}行已是户主）"
                )
            )

    def _household_fields(self, src: SheetSource, h: PlannedHousehold, group: ledger_rows.RowGroup) -> None:
        first: dict[str, tuple[int, object]] = {}
        for row in group.rows:
            for key in ledger.HOUSEHOLD_FIELDS:
                value = row.values.get(key)
                if not ledger.clean_text(value):
                    continue
                if key not in first:
                    first[key] = (row.row, value)
                elif ledger.clean_text(value) != ledger.clean_text(first[key][1]):
                    h.problems.append(
                        self._problem(
                            src,
                            row.row,
                            key,
                            f"与本户第{first[key][0] + 1}行填写的不同，按第{first[key][0] + 1}行",
                            NOTE,
                        )
                    )
        if "address" in first:
            row, raw = first["address"]
            try:
                h.address = text_input.clean_text("household", "address", ledger.clean_text(raw))
            except DomainError as error:
                h.problems.append(self._problem(src, row, "address", error.message))
        for key, kind in (("economic_types", "economic_type"), ("focus_tags", "focus_tag")):
            if key in first:
                row, raw = first[key]
                labels = ledger.code_values(kind, raw)
                for label in labels:
                    self._code_known(src, h, row, key, kind, label)
                setattr(h, key, labels)
        if "land_mu" in first:
            row, raw = first["land_mu"]
            try:
                h.land_mu = ledger.clean_amount(raw, "承包土地面积")
            except DomainError as error:
                h.problems.append(self._problem(src, row, "land_mu", error.message))

    def _code_known(
        self, src: SheetSource, h: PlannedHousehold, row: int, key: str, kind: str, label: str
    ) -> bool:
        if label in self.known.get(kind, set()):
            return True
        title = KINDS_BY_KEY[kind].title
        if len(label) > 20:
            h.problems.append(self._problem(src, row, key, f"“{label}”太长，不能作为{title}（最多20个字）"))
        else:
            h.problems.append(
                self._problem(
                    src, row, key, f"“{label}”不在“{title}”代码表中（可选择加入代码表）", code=(kind, label)
                )
            )
        return False

    def _member(self, src: SheetSource, h: PlannedHousehold, row: LedgerRow) -> PlannedMember:
        values, r = row.values, row.row
        m = MemberData()
        given: set[str] = {k for k in ledger.MEMBER_FIELDS if ledger.clean_text(values.get(k))}
        notes: list[str] = []

        def problem(
            key: str | None, reason: str, severity: str = ERROR, code: tuple[str, str] | None = None
        ) -> None:
            h.problems.append(self._problem(src, r, key, reason, severity, code))

        m.name = ledger.clean_text(values.get("name")).replace(" ", "")
        if not m.name:
            problem("name", "缺少姓名")
        m.relation = str(values.get("relation") or "")
        if not m.relation:
            problem("relation", "缺少与户主关系")
            given.discard("relation")
        else:
            self._code_known(src, h, r, "relation", "relation", m.relation)
            given.add("relation")
        info = None
        try:
            m.id_number = ledger.clean_id_number(values.get("id_number"))
        except DomainError as error:
            problem("id_number", error.message)
        if m.id_number:
            info = idcard.parse(m.id_number, self.today)
            m.sex, m.birth_date = info.sex, info.birth_date
            given |= {"sex", "birth_date"}
        try:
            sex = ledger.clean_sex(values.get("sex"))
            if info is None:
                m.sex = sex
            elif sex and sex != info.sex:
                problem("sex", f"与身份证号（{info.sex}）不一致，已按身份证号", NOTE)
        except DomainError as error:
            problem(
                "sex",
                error.message if info is None else error.message + "，已按身份证号",
                ERROR if info is None else NOTE,
            )
        self._birth_date(src, r, values.get("birth_date"), m, info is not None, problem)
        for key in ("education", "political_status", "health"):
            label = ledger.code_value(key, values.get(key))
            if label and self._code_known(src, h, r, key, key, label):
                setattr(m, key, label)
            elif label:
                setattr(m, key, label)
        grade = ledger.clean_text(values.get("disability_grade")).replace("级", "").replace("残疾", "")
        if grade:
            grade = _GRADE_ALIASES.get(grade, grade + "级" if grade in "一二三四" else grade)
            if grade in DISABILITY_GRADES:
                m.disability_grade = grade
                if not m.health:
                    m.health = "残疾"
            else:
                notes.append(f"残疾等级：{ledger.clean_text(values.get('disability_grade'))}")
                problem("disability_grade", "残疾等级应为一级至四级，原文已记入备注", NOTE)
        try:
            m.phone, rest = ledger.clean_phone(values.get("phone"))
            if rest:
                notes.append(f"其他电话：{rest}")
        except DomainError as error:
            notes.append(f"电话：{ledger.clean_text(values.get('phone'))}")
            problem("phone", error.message + "；原文已记入备注", NOTE)
        try:
            flag = ledger.clean_bool(values.get("migrant_worker"))
        except DomainError as error:
            flag = None
            notes.append(f"外出务工：{ledger.clean_text(values.get('migrant_worker'))}")
            problem("migrant_worker", error.message + "；原文已记入备注", NOTE)
        m.migrant_place = ledger.clean_text(values.get("migrant_place"))
        m.migrant_worker = bool(flag) or (flag is None and bool(m.migrant_place))
        if m.migrant_place or flag is not None:
            given.add("migrant_worker")
        own = ledger.clean_text(values.get("notes"))
        m.notes = "；".join(t for t in (own, *notes, str(values.get("_extra") or "")) if t)
        if m.notes:
            given.add("notes")
        for error in text_input.clean_record("member", m):  # control characters, lengths
            problem(error.field if error.field in FIELDS_BY_KEY else None, error.message)
        return PlannedMember(m, r, frozenset(given))

    def _birth_date(
        self, src: SheetSource, r: int, raw: object, m: MemberData, from_id: bool, problem: Any
    ) -> None:
        column = src.column_of("birth_date")
        two = False
        if (
            isinstance(raw, float)
            and 1800 <= raw < 2200
            and f"{raw:.2f}".endswith("10")
            and column is not None
        ):
            two = src.shows_two_decimals(r, column)
        try:
            parsed = ledger.parse_date(raw, self.today, two_decimals=two)
        except DomainError as error:
            if from_id:
                problem("birth_date", error.message + "；已按身份证号", NOTE)
            else:
                problem("birth_date", error.message)
            return
        if parsed is None:
            return
        if from_id:
            assert m.birth_date is not None
            if not parsed.same_as(m.birth_date):
                problem("birth_date", f"与身份证号（{m.birth_date.isoformat()}）不一致，已按身份证号", NOTE)
            return
        m.birth_date = parsed.value
        if parsed.precision == "month":
            problem("birth_date", "只有年月，已记为当月1日", NOTE)

    # ---- across the workbook --------------------------------------------------------------
    def check_repeated_ids(self) -> None:
        seen: dict[str, tuple[PlannedHousehold, int]] = {}
        for h in self.households:
            for m in h.members:
                number = m.data.id_number
                if not number:
                    continue
                if number in seen:
                    other, row = seen[number]
                    where = "本户" if other is h else f"{other.source.file_name}／{other.source.sheet}"
                    h.problems.append(
                        self._problem(h.source, m.row, "id_number", f"身份证号与{where}第{row + 1}行重复")
                    )
                else:
                    seen[number] = (h, m.row)

    # ---- against the archive --------------------------------------------------------------
    def match(self, session: Session) -> None:
        ids = [m.data.id_number for h in self.households for m in h.members if m.data.id_number]
        holders = queries.id_holders(session, ids)
        by_head = queries.households_by_head(session, [h.group_id for h in self.households])
        wanted: dict[int, list[str]] = {}
        for index, h in enumerate(self.households):
            found = sorted({holders[m.data.id_number] for m in h.members if m.data.id_number in holders})
            if found:
                wanted[index] = found
            elif not any(m.data.id_number for m in h.members) and h.head is not None:
                same = by_head.get((h.group_id, h.head.name), [])
                if same:
                    wanted[index] = same
        existing = queries.load_existing(session, [i for ids_ in wanted.values() for i in ids_])
        claimed: dict[str, PlannedHousehold] = {}
        for index, found in wanted.items():
            h = self.households[index]
            by_id = any(m.data.id_number for m in h.members)
            if len(found) > 1:
                places = "；".join(existing[i].describe() for i in found)
                reason = (
                    f"本户成员在档案中分属{len(found)}户：{places}。请先在档案中处理后再导入"
                    if by_id
                    else f"本组档案中有{len(found)}户户主名为“{h.head_name}”：{places}。无法判断是哪一户，请补填身份证号"
                )
                h.problems.append(
                    self._problem(h.source, h.rows[0], "id_number" if by_id else "name", reason)
                )
                continue
            target = existing[found[0]]
            if target.id in claimed:
                other = claimed[target.id]
                h.problems.append(
                    self._problem(
                        h.source,
                        h.rows[0],
                        None,
                        f"与{other.source.sheet}{other.rows_text()}的户对应档案中的同一户{target.describe()}",
                    )
                )
                continue
            claimed[target.id] = h
            h.existing = target
            h.matched_by = "身份证号" if by_id else "户主姓名"
            self._diff(h, target)

    def _diff(self, h: PlannedHousehold, target: ExistingHousehold) -> None:
        by_number = {m.id_number: m for m in target.members if m.id_number}
        free = [m for m in target.members]
        for index, planned in enumerate(h.members):
            data = planned.data
            current = by_number.get(data.id_number) if data.id_number else None
            if current is None:
                current = next(
                    (m for m in free if m.name == data.name and (not m.id_number or not data.id_number)), None
                )
            if current is None or current not in free:
                continue
            free.remove(current)
            planned.existing_id = current.id
            for name in MEMBER_DIFF_FIELDS:
                if name not in planned.given:
                    continue
                new, old = getattr(data, name), getattr(current, name)
                if name == "notes":
                    if new in old:
                        continue
                    new = f"{old}；{new}" if old else new
                if display(new) != display(old):
                    h.changes.append(
                        FieldChange(index, name, MEMBER_LABELS[name], display(old), display(new), new)
                    )
        for name, title in HOUSEHOLD_DIFF_LABELS.items():
            new, old = getattr(h, name), getattr(target, name)
            if name in ("economic_types", "focus_tags"):
                if not set(new) - set(old):
                    continue
                new = sorted(set(old) | set(new))
            elif new in (None, "") or display(new) == display(old):
                continue
            h.changes.append(FieldChange(None, name, title, display(old), display(new), new))
        relations = [m.relation for m in free] + [p.data.relation for p in h.members]
        heads = Counter(relations)[HEAD_RELATION]
        if heads != 1:
            names = [m.name for m in free if m.relation == HEAD_RELATION]
            names += [p.data.name for p in h.members if p.data.relation == HEAD_RELATION]
            h.problems.append(
                self._problem(
                    h.source,
                    h.rows[0],
                    "relation",
                    f"导入后{target.describe()}将有{heads}名户主（{'、'.join(names)}）：请核对与户主关系",
                )
            )
