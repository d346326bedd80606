"""Workbook files of the Excel import: reading ledgers (python-calamine for speed, openpyxl only
for number formats), and writing the template and the error workbook (openpyxl)."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from python_calamine import CalamineError

from zhuji_archive.domain import idcard, ledger
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.ledger import ERROR_COLUMN, FIELDS_BY_KEY, IGNORE, NOTES, SOURCE_COLUMN, HeaderGuess
from zhuji_archive.exports import xlsx_cells
from zhuji_archive.exports.xlsx_files import save_workbook
from zhuji_archive.services.xlsx_formulas import uncached_formulas

READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
EXAMPLE_NOTE = "示例行（导入时自动跳过，可删除）"


# What python-calamine and openpyxl raise on a damaged, truncated or foreign file, at the header
# read and at each sheet read: their own errors (calamine's ZipError, XmlError, PasswordError … are
# all CalamineError), the zip and inflate errors underneath, XML parse errors (SyntaxError),
# decoding errors (ValueError) and the lookups a damaged package breaks (KeyError, IndexError …).
READ_ERRORS: tuple[type[BaseException], ...] = (
    CalamineError,
    InvalidFileException,
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    SyntaxError,
    RuntimeError,
)


def damaged(path: Path) -> DomainError:
    """The one message for a workbook that cannot be read (no library text: it may quote cells)."""
    return DomainError(f"无法读取“{path.name}”：文件已损坏、加密或正被其他程序占用。请在Excel中打开并另存一份后再导入")


def column_letter(index: int) -> str:
    return get_column_letter(index + 1)


@dataclass
class SheetSource:
    """One sheet of a ledger workbook: its cells (row 0 is Excel row 1), the header found in it,
    the column mapping (editable) and the village group it goes to."""

    path: Path
    sheet: str
    rows: list[list[object]]
    header_rows: tuple[int, ...] = ()
    headers: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    group_id: str | None = None
    hidden: bool = False
    formula_cells: set[tuple[int, int]] = field(default_factory=set)  # formulas without a result
    _formats: dict[tuple[int, int], str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def found_header(self) -> bool:
        return bool(self.header_rows)

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1 if self.header_rows else len(self.rows)

    @property
    def title(self) -> str:
        """The text above the header (a merged title such as “杜黄村一组农户花名册”)."""
        above = self.header_rows[0] if self.header_rows else min(len(self.rows), 3)
        texts = [ledger.clean_text(v) for row in self.rows[:above] for v in row]
        return " ".join(t for t in texts if t)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def apply_guess(self, guess: HeaderGuess | None) -> None:
        if guess is None:
            self.header_rows, self.headers, self.fields = (), [], []
            return
        self.header_rows = guess.rows
        width = self.width
        self.headers = list(guess.headers) + [""] * (width - len(guess.headers))
        self.fields = list(guess.fields) + [IGNORE] * (width - len(guess.fields))

    def set_header_row(self, row: int) -> None:
        """Take the 1-based ``row`` as the (single) header row and map its columns afresh."""
        if not 1 <= row <= len(self.rows):
            raise DomainError(f"表头行须在第1至{len(self.rows)}行之间")
        headers = [ledger.clean_text(v) for v in self.rows[row - 1]]
        self.apply_guess(HeaderGuess((row - 1,), tuple(headers), tuple(ledger.map_columns(headers))))

    def set_field(self, column: int, key: str) -> None:
        """Map a column to a field (or NOTES / IGNORE); a field mapped elsewhere is moved here."""
        if key not in FIELDS_BY_KEY and key not in (NOTES, IGNORE):
            raise ValueError(key)
        if key in FIELDS_BY_KEY:
            for other, current in enumerate(self.fields):
                if current == key and other != column:
                    self.fields[other] = NOTES if self.headers[other] else IGNORE
        self.fields[column] = key

    def column_of(self, key: str) -> int | None:
        try:
            return self.fields.index(key)
        except ValueError:
            return None

    def samples(self, column: int, count: int = 3) -> list[str]:
        values = []
        for row in self.rows[self.data_start :]:
            if column < len(row):
                text = ledger.clean_text(row[column])
                if text:
                    values.append(text)
                    if len(values) == count:
                        break
        return values

    def shows_two_decimals(self, row: int, column: int) -> bool:
        """Does the cell's number format show two decimals (so 1965.1 was typed 1965.10)?"""
        key = (row, column)
        if key not in self._formats:
            try:
                self._formats.update(_number_formats(self.path, self.sheet, column))
            except READ_ERRORS as error:
                raise damaged(self.path) from error
        return self._formats.get(key, "").endswith(".00")


def _number_formats(path: Path, sheet: str, column: int) -> dict[tuple[int, int], str]:
    """Number formats of one column, read with openpyxl (calamine does not report formats)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    workbook = load_workbook(path, read_only=True)
    try:
        ws = workbook[sheet]
        result = {}
        for index, cells in enumerate(ws.iter_rows(min_col=column + 1, max_col=column + 1)):
            for cell in cells:
                fmt = getattr(cell, "number_format", "") or ""
                result[(index, column)] = fmt
        return result
    finally:
        workbook.close()


def read_workbook(path: Path) -> list[SheetSource]:
    """Every non-empty sheet of a workbook with its detected header (python-calamine)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    path = Path(path)
    if not path.is_file():
        raise DomainError(f"文件“{path}”不存在")
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise DomainError(f"“{path.name}”不是Excel工作簿（支持 .xlsx、.xls、.xlsm、.ods）")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except READ_ERRORS as error:
        raise damaged(path) from error
    sources = []
    try:
        formulas = uncached_formulas(path)
    except READ_ERRORS as error:
        workbook.close()
        raise damaged(path) from error
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            try:
                rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            except READ_ERRORS as error:
                raise damaged(path) from error
            cells = formulas.get(meta.name, set())
            formula_rows = {row for row, _ in cells}
            while rows and not any(v not in ("", None) for v in rows[-1]) and len(rows) - 1 not in formula_rows:
                rows.pop()
            # Cells whose formula has no result are blank to calamine, which may cut them off the end.
            width = max((len(r) for r in rows), default=0)
            while len(rows) <= max(formula_rows, default=-1):
                rows.append([""] * width)
            if not rows:
                continue
            source = SheetSource(path, meta.name, rows, hidden=meta.visible != SheetVisibleEnum.Visible)
            source.formula_cells = cells
            source.apply_guess(ledger.detect_header(rows))
            sources.append(source)
    finally:
        workbook.close()
    return sources


# ---- writing ----------------------------------------------------------------------------------

_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_ERROR_FILL = PatternFill("solid", fgColor="FCE4D6")


def _sheet_title(name: str, taken: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "Sheet"
    title, n = base, 2
    while title in taken:
        title, n = f"{base[:25]}({n})", n + 1
    taken.add(title)
    return title


def write_template(path: Path, code_values: dict[str, list[str]]) -> None:
    """A ledger template: title row, canonical headers, a filled example household, and a sheet
    explaining each column with the values of its code list."""
    wb = Workbook()
    ws = wb.active
    ws.title = "户成员台账"
    keys = list(ledger.TEMPLATE_FIELDS)
    ws.append(xlsx_cells.row(ws, ["××村××组 农户家庭成员台账（每人一行；户主行填写户的信息，同户成员紧随其后）"]))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(keys))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(xlsx_cells.row(ws, [FIELDS_BY_KEY[k].title for k in keys]))
    for cell in ws[2]:
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    example = [
        {k: FIELDS_BY_KEY[k].example for k in keys},
        {"name": "李秀英", "relation": "配偶", "id_number": idcard.make("330681", date(1967, 8, 1), 2)},
        {"name": "张伟", "relation": "子", "id_number": idcard.make("330681", date(1990, 5, 20), 11)},
    ]
    example[0]["id_number"] = idcard.make("330681", date(1965, 3, 12), 1)
    for values in example:
        values.setdefault("household_no", "")
        values["notes"] = EXAMPLE_NOTE
        ws.append(xlsx_cells.row(ws, [values.get(k, "") for k in keys]))
    id_column = get_column_letter(keys.index("id_number") + 1)
    phone_column = get_column_letter(keys.index("phone") + 1)
    for letter in (id_column, phone_column):
        for row in range(3, 1003):
            ws[f"{letter}{row}"].number_format = "@"
    for index, key in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(index)].width = 21 if key == "id_number" else 12
    ws.freeze_panes = "A3"
    notes = wb.create_sheet("填写说明")
    notes.append(xlsx_cells.row(notes, ["列名", "说明", "可选值"]))
    for cell in notes[1]:
        cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
    explain = {
        "household_no": "同一户的成员填同一户号（或只在户主行填写）；不填时按“与户主关系”分户",
        "name": "必填",
        "relation": "必填；每户一名户主，户主行写在同户成员之前",
        "id_number": "18位，末位X大写小写均可；请把本列设为“文本”格式，否则Excel会把号码变成3.30681E+17",
        "birth_date": "有身份证号时可不填；可写 1965-03-12、1965.03、1965年3月",
        "phone": "手机11位，或座机如 0575-87654321；请设为“文本”格式",
        "migrant_worker": "是/否",
        "economic_types": "户主行填写；可填多个，用顿号分隔",
        "focus_tags": "户主行填写；可填多个，用顿号分隔",
        "address": "户主行填写",
        "land_mu": "户主行填写，单位：亩",
        "notes": "其他无法归入各列的内容；本表之外的列也会记入备注",
    }
    for key in keys:
        kind = ledger.CODE_FIELDS.get(key, (None, False))[0]
        allowed = "、".join(code_values.get(kind, [])) if kind else ""
        if key == "sex":
            allowed = "男、女"
        if key == "disability_grade":
            allowed = "一级、二级、三级、四级"
        notes.append(xlsx_cells.row(notes, [FIELDS_BY_KEY[key].title, explain.get(key, ""), allowed]))
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 70
    notes.column_dimensions["C"].width = 60
    save_workbook(wb, path)


@dataclass(frozen=True)
class ErrorRow:
    """A source row that was not imported, with why."""

    source: SheetSource
    row: int  # 0-based index into source.rows
    reason: str


def write_error_workbook(path: Path, rows: Sequence[ErrorRow]) -> None:
    """One sheet per source sheet: its header, then each rejected row as it was plus the reason,
    so the village can correct the rows and import this very file again."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    by_source: dict[int, list[ErrorRow]] = {}
    order: list[SheetSource] = []
    for row in rows:
        if id(row.source) not in by_source:
            by_source[id(row.source)] = []
            order.append(row.source)
        by_source[id(row.source)].append(row)
    if not order:
        ws = wb.create_sheet("错误清单")
        ws.append(xlsx_cells.row(ws, ["没有错误行"]))
    for source in order:
        ws = wb.create_sheet(_sheet_title(source.sheet, taken))
        width = source.width
        headers = [source.headers[i] if i < len(source.headers) else "" for i in range(width)]
        ws.append(xlsx_cells.row(ws, [*headers, ERROR_COLUMN, SOURCE_COLUMN]))
        for cell in ws[1]:
            cell.font, cell.fill = _HEAD_FONT, _HEAD_FILL
        text_columns = {source.column_of("id_number"), source.column_of("phone")} - {None}
        for entry in sorted(by_source[id(source)], key=lambda e: e.row):
            values = list(source.rows[entry.row]) + [""] * (width - len(source.rows[entry.row]))
            cells = [None if v == "" else v for v in values[:width]]
            where = f"{source.file_name}／{source.sheet}／第{entry.row + 1}行"
            ws.append(xlsx_cells.row(ws, [*cells, entry.reason, where]))
            ws.cell(ws.max_row, width + 1).fill = _ERROR_FILL
        for column in text_columns:
            assert column is not None
            letter = get_column_letter(column + 1)
            ws.column_dimensions[letter].width = 21
            for row_index in range(2, ws.max_row + 200):
                ws[f"{letter}{row_index}"].number_format = "@"
        ws.column_dimensions[get_column_letter(width + 1)].width = 60
        ws.freeze_panes = "A2"
    save_workbook(wb, path)
