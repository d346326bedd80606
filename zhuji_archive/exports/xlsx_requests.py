"""Excel of the request workflow: the request ledger (诉求台账) with its 销号 column, written through the
rosters' streaming writer, and the 周报/月报 summary workbook with its figures, tables and a chart."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from zhuji_archive.domain.workflow import OPEN_STATUSES, Status, is_unsatisfied
from zhuji_archive.exports import xlsx_cells
from zhuji_archive.exports.pdf_requests import (
    new_by_category,
    status_counts,
    summary_figures,
    summary_title,
)
from zhuji_archive.exports.xlsx_files import save_workbook
from zhuji_archive.exports.xlsx_rosters import Column, RosterSheet
from zhuji_archive.views.requests import RequestRow
from zhuji_archive.views.summaries import Summary

CLOSED_OFF, NOT_CLOSED_OFF = "已销号", "未销号"
OPEN = frozenset(s.value for s in OPEN_STATUSES)
LEDGER_NAME = "诉求台账"

LEDGER_COLUMNS = (
    Column("诉求编号", 15),
    Column("村", 10),
    Column("村民小组", 9),
    Column("户号", 6, "int"),
    Column("户主", 9),
    Column("户主身份证号", 21, "id"),
    Column("联系电话", 14, "phone"),
    Column("登记日期", 12, "date"),
    Column("诉求类别", 12),
    Column("诉求内容", 36),
    Column("性质", 7),
    Column("难易程度", 14),
    Column("办理层级", 10),
    Column("责任单位", 16),
    Column("责任人", 9),
    Column("办结时限", 12, "date"),
    Column("时限状态", 9),
    Column("办理状态", 9),
    Column("解决情况（或不能解决的解释）", 40),
    Column("满意程度", 10),
    Column("销号", 8),
)


def closed_off(status: str, satisfaction: str) -> bool:
    """销号: the household has been given feedback (已反馈) and is satisfied (满意 or 基本满意)."""
    return status == Status.CLOSED.value and bool(satisfaction) and not is_unsatisfied(satisfaction)


@dataclass(frozen=True)
class LedgerLine:
    """A request with the household's ID and phone number, as one ledger row."""

    request: RequestRow
    id_number: str
    phone: str


def ledger_rows(lines: Iterable[LedgerLine]) -> Iterator[tuple[Any, ...]]:
    for line in lines:
        r = line.request
        # The light only means something while the request is open (临期/超期/正常).
        deadline_light = r.time_status.value if r.deadline and r.status in OPEN else ""
        yield (
            r.number,
            r.village_name,
            r.group_name,
            r.household_number,
            r.head_name,
            line.id_number,
            line.phone,
            r.recorded_on,
            r.category,
            r.description,
            r.scope,
            r.solvability,
            r.level,
            r.responsible_unit,
            r.responsible_person,
            r.deadline,
            deadline_light,
            r.status,
            r.resolution,
            r.satisfaction,
            CLOSED_OFF if closed_off(r.status, r.satisfaction) else NOT_CLOSED_OFF,
        )


def ledger_sheet(title: str, unit: str, lines: Sequence[LedgerLine], masked: bool) -> RosterSheet:
    return RosterSheet(
        name=LEDGER_NAME,
        title=title,
        unit=unit,
        columns=LEDGER_COLUMNS,
        rows=ledger_rows(lines),
        expected=len(lines),
        unit_word="件",
        masked=masked,
    )


# ---- the summary workbook ---------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="E2E2E2")
_LABEL_FILL = PatternFill("solid", fgColor="EDEDED")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
SUMMARY_SHEET = "诉求汇总"
WIDTH = 6  # columns A..F


def _merged(ws: Worksheet, row: int, text: str, font: Font, align: Alignment, height: float) -> None:
    cell = xlsx_cells.put(ws, row, 1, text)
    cell.font, cell.alignment = font, align
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
    ws.row_dimensions[row].height = height


def _table(
    ws: Worksheet, row: int, caption: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Write a captioned, bordered table from ``row``; totals row when the last row says 合计."""
    xlsx_cells.put(ws, row, 1, caption).font = Font(bold=True, size=11)
    row += 1
    for col, title in enumerate(header, 1):
        cell = xlsx_cells.put(ws, row, col, title)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), _HEAD_FILL, _BOX, _CENTER
    for values in rows:
        row += 1
        total = values and values[0] == "合计"
        for col, value in enumerate(values, 1):
            cell = xlsx_cells.put(ws, row, col, value)
            cell.border = _BOX
            if total:
                cell.font, cell.fill = Font(bold=True), _LABEL_FILL
            if isinstance(value, int):
                cell.alignment = Alignment(horizontal="right")
    return row + 2


def write_summary_workbook(path: Path, summary: Summary, *, unit: str, today: date) -> int:
    """Write the 周报/月报 to ``path`` as one printable sheet; return the number of table rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    for letter, width in zip("ABCDEF", (22, 16, 20, 12, 16, 12), strict=True):
        ws.column_dimensions[letter].width = width
    p = summary.period
    _merged(ws, 1, summary_title(summary), Font(size=16, bold=True), _CENTER, 30)
    _merged(
        ws,
        2,
        f"填报单位：{unit}　　统计期间：{p.start:%Y-%m-%d}至{p.end:%Y-%m-%d}"
        f"　　制表日期：{today.year}年{today.month}月{today.day}日",
        Font(size=10),
        Alignment(horizontal="left", vertical="center"),
        20,
    )
    row = 4
    figures = list(summary_figures(summary).items())
    xlsx_cells.put(ws, row, 1, "主要数字").font = Font(bold=True, size=11)
    for index, (name, value) in enumerate(figures):
        r, c = row + 1 + index // 3, 1 + (index % 3) * 2
        label = xlsx_cells.put(ws, r, c, name)
        label.fill, label.border, label.alignment = _LABEL_FILL, _BOX, _CENTER
        cell = xlsx_cells.put(ws, r, c + 1, int(value) if value.isdigit() else value)
        cell.border, cell.font = _BOX, Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    row += 2 + (len(figures) + 2) // 3
    counted = 0
    class_rows: list[list[Any]] = [list(r) for r in summary.new_by_class]
    if class_rows:
        class_rows.append(["合计", "", "", summary.new_total])
    counted += len(summary.new_by_class)
    row = _table(
        ws, row, "一、本期新增诉求分类", ("诉求类别", "性质（共性/个性）", "难易程度", "新增件数"), class_rows
    )
    categories = new_by_category(summary)
    chart_data_row = row
    row = _table(
        ws,
        row,
        "二、本期新增诉求（按类别）",
        ("诉求类别", "件数"),
        [*[list(c) for c in categories], ["合计", summary.new_total]],
    )
    _chart(ws, chart_data_row + 2, len(categories), "本期新增诉求（按类别）", "H4")
    statuses = status_counts(summary)
    status_row = row
    row = _table(
        ws,
        row,
        "三、诉求办理状态（截至期末）",
        ("办理状态", "件数"),
        [*[list(s) for s in statuses], ["合计", sum(n for _s, n in statuses)]],
    )
    _chart(ws, status_row + 2, len(statuses), "诉求办理状态（截至期末）", "H22")
    feedback = sorted(summary.feedback.items())
    rate = summary.satisfaction_rate
    feedback_rows: list[list[Any]] = [list(f) for f in feedback]
    if feedback_rows:
        feedback_rows.append(["合计", sum(n for _l, n in feedback)])
    row = _table(ws, row, "四、本期情况反馈", ("满意程度", "件数"), feedback_rows)
    xlsx_cells.put(ws, row - 1, 1, f"反馈满意率：{'—' if rate is None else f'{rate:.1%}'}")
    xlsx_cells.put(ws, row + 1, 1, "填报人：")
    xlsx_cells.put(ws, row + 1, 3, "审核人：")
    xlsx_cells.put(ws, row + 1, 5, "（盖章）")
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:F{row + 1}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    save_workbook(wb, path)
    return counted + len(statuses) + len(feedback)


def _chart(ws: Worksheet, first_row: int, count: int, title: str, anchor: str) -> None:
    if count == 0:
        return
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.legend = None
    chart.height, chart.width = 7.5, 14
    data = Reference(ws, min_col=2, min_row=first_row - 1, max_row=first_row + count - 1)
    labels = Reference(ws, min_col=1, min_row=first_row, max_row=first_row + count - 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    ws.add_chart(chart, anchor)
