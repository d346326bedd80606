"""Excel rosters (花名册, 重点户名册) streamed with openpyxl's write-only mode, so memory stays flat.

Each sheet: a merged title row, a subtitle row (unit, date, count, masking), a bold frozen header,
column widths, A4 landscape fitted to the page width with the three top rows repeated on every
printed page, a totals row and signature line. ID and phone numbers are always text cells (format
"@"), never numbers: Excel would turn 18 digits into 3.30681E+17 and lose the last three."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from zhuji_archive.domain.masking import mask_id_number, mask_phone
from zhuji_archive.exports import xlsx_cells
from zhuji_archive.exports.xlsx_files import save_workbook

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0"  # whole yuan, as the screens and printed sheets show amounts
PROGRESS_EVERY = 500
KINDS = ("text", "int", "money", "date", "id", "phone")

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E2E2E2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Column:
    """One roster column: header text, width in Excel characters, kind of value, summed in the totals row."""

    title: str
    width: float
    kind: str = "text"
    total: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class RosterSheet:
    """A sheet to write: ``rows`` yield one value per column (the 序号 column is added in front)."""

    name: str
    title: str
    unit: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    expected: int
    unit_word: str = "户"  # what a row counts: 户 or 人
    masked: bool = False


def mask_id(number: str) -> str:
    """Keep the first 6 and last 4 characters of an ID number (330681********1234), less of odd ones."""
    return mask_id_number(number)


def sheet_name(text: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in text).strip("'") or "Sheet"
    return cleaned[:31]


class _RowWriter:
    """Turns source rows into openpyxl rows: one reusable styled cell per styled column.

    In write-only mode a row is serialised as soon as it is appended, so a styled cell can be reused
    for the next row with a new value; the style is looked up once, not once per row."""

    def __init__(self, ws: WriteOnlyWorksheet, columns: Sequence[Column], masked: bool) -> None:
        self.ws = ws
        self.columns = columns
        self.masked = masked
        self.totals = [0.0 for _ in columns]
        self.plan: list[Callable[[Any], Any]] = [self._converter(c) for c in columns]
        self.summed = [i for i, c in enumerate(columns) if c.total]

    def _template(self, number_format: str, align: Alignment | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws)
        cell.number_format = number_format
        if align is not None:
            cell.alignment = align
        return cell

    def _converter(self, column: Column) -> Callable[[Any], Any]:
        kind = column.kind
        if kind in ("id", "phone"):
            template = self._template(TEXT_FORMAT)
            mask = (mask_id if kind == "id" else mask_phone) if self.masked else None

            def text(value: Any) -> Any:
                if not value:
                    return None
                return xlsx_cells.assign(template, mask(str(value)) if mask else str(value))

            return text
        if kind == "date":
            template = self._template(DATE_FORMAT, Alignment(horizontal="center"))

            def day(value: Any) -> Any:
                if value is None:
                    return None
                return xlsx_cells.assign(template, value)

            return day
        if kind == "money":
            template = self._template(MONEY_FORMAT)

            def amount(value: Any) -> Any:
                if value is None:
                    return None
                return xlsx_cells.assign(template, value)

            return amount
        if kind == "text":

            def plain(value: Any) -> Any:
                return xlsx_cells.cell(self.ws, value) if value else None

            return plain
        return lambda value: xlsx_cells.cell(self.ws, value)

    def write(self, sequence: int, row: Sequence[Any]) -> None:
        for index in self.summed:
            value = row[index]
            if value:
                self.totals[index] += value
        values = [sequence]
        for convert, value in zip(self.plan, row, strict=True):
            values.append(convert(value))
        self.ws.append(xlsx_cells.separate(self.ws, values))


def _merged_row(
    ws: WriteOnlyWorksheet, row: int, width: int, text: str, font: Font, align: Alignment
) -> None:
    ws.append([xlsx_cells.cell(ws, text, font=font, alignment=align)])
    ws.merged_cells.add(f"A{row}:{get_column_letter(width)}{row}")


def _setup_sheet(ws: WriteOnlyWorksheet, sheet: RosterSheet, width: int) -> None:
    widths = [6.0, *[c.width for c in sheet.columns]]
    for index, value in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = value
    ws.freeze_panes = "B4"
    ws.print_title_rows = "1:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[2].height = 20
    ws.row_dimensions[3].height = 30


def write_roster(
    path: Path,
    sheets: Sequence[RosterSheet],
    *,
    today: date,
    tick: Callable[[int], None] | None = None,
) -> list[int]:
    """Write the sheets to ``path``; ``tick(rows_done)`` is called every few hundred rows (it may raise
    to stop). Returns the number of data rows written per sheet."""
    workbook = Workbook(write_only=True)
    try:
        written = _write_sheets(workbook, sheets, today, tick)
        save_workbook(workbook, path)
    except BaseException:
        _discard(workbook)
        raise
    return written


def _write_sheets(
    workbook: Workbook, sheets: Sequence[RosterSheet], today: date, tick: Callable[[int], None] | None
) -> list[int]:
    written: list[int] = []
    done_before = 0
    for sheet in sheets:
        ws: WriteOnlyWorksheet = workbook.create_sheet(sheet_name(sheet.name))
        width = len(sheet.columns) + 1
        _setup_sheet(ws, sheet, width)
        centred = Alignment(horizontal="center", vertical="center")
        _merged_row(ws, 1, width, sheet.title, Font(size=16, bold=True), centred)
        subtitle = (
            f"填报单位：{sheet.unit}　　　制表日期：{today.year}年{today.month}月{today.day}日"
            f"　　　共 {sheet.expected} {sheet.unit_word}"
        )
        if sheet.masked:
            subtitle += "　　　（身份证号、联系电话已部分隐藏）"
        _merged_row(ws, 2, width, subtitle, Font(size=10), Alignment(horizontal="left", vertical="center"))
        header = []
        for title in ("序号", *[c.title for c in sheet.columns]):
            header.append(
                xlsx_cells.cell(ws, title, font=Font(bold=True), fill=_HEADER_FILL, border=_BOX, alignment=_CENTER)
            )
        ws.append(header)
        rows = _RowWriter(ws, sheet.columns, sheet.masked)
        count = 0
        for row in sheet.rows:
            count += 1
            rows.write(count, row)
            if tick is not None and count % PROGRESS_EVERY == 0:
                tick(done_before + count)
        _totals(ws, sheet, rows, count)
        written.append(count)
        done_before += count
        if tick is not None:
            tick(done_before)
    return written


def _discard(workbook: Workbook) -> None:
    """Close and delete the temporary files of an abandoned write-only workbook."""
    for ws in workbook.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        try:
            if ws._rows is not None:
                ws._rows.close()
            writer.close()
        except Exception:  # noqa: BLE001 - best effort while another error is on its way up
            pass
        try:
            writer.cleanup()
        except (OSError, ValueError):
            pass


def _totals(ws: WriteOnlyWorksheet, sheet: RosterSheet, rows: _RowWriter, count: int) -> None:
    bold = Font(bold=True)
    top = Border(top=_THIN, bottom=_THIN)
    values: list[Any] = []
    for index, content in enumerate(
        ["合计", f"共 {count} {sheet.unit_word}", *[None] * (len(sheet.columns) - 1)]
    ):
        column = sheet.columns[index - 1] if index else None
        if column is not None and column.total:
            total = rows.totals[index - 1]
            content = round(total, 2) if column.kind == "money" else int(total)
        money = column is not None and column.kind == "money"
        values.append(
            xlsx_cells.cell(ws, content, font=bold, border=top, number_format=MONEY_FORMAT if money else None)
        )
    ws.append(values)
    ws.append([])
    signatures = [None, "制表人：", None, None, "审核人：", None, None, "（盖章）"][: len(sheet.columns) + 1]
    ws.append(xlsx_cells.row(ws, signatures))
    if sheet.masked:
        note = "注：身份证号仅显示前6位和后4位，联系电话隐藏中间4位。"
        ws.append([None, xlsx_cells.cell(ws, note, font=Font(size=9, color="555555"))])
