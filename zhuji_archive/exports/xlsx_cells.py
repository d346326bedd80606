"""The one way the application puts a value into a workbook cell (rosters, ledger, summary,
assessment table, import template and error workbook).

Text stays text: a name, a note or a code label such as ``=HYPERLINK(…)`` or ``=1+1`` is stored
as a string cell (never a formula), with Excel's quote prefix on text that starts like a formula
(= + - @) so that editing it in Excel keeps it text too. Characters a workbook cannot hold
(control characters) are dropped instead of making openpyxl raise halfway through a write-only
sheet. Numbers, dates and booleans are written as they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill

FORMULA_STARTS = ("=", "+", "-", "@")


def needs_care(text: str) -> bool:
    """Would openpyxl or Excel not take this string as plain text?"""
    return text.startswith(FORMULA_STARTS) or ILLEGAL_CHARACTERS_RE.search(text) is not None


def assign(cell: Cell, value: Any) -> Cell:
    """Set ``cell``'s value: strings as text cells, everything else as it is."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = text
        if text:
            cell.data_type = "s"  # openpyxl makes "=…" a formula; this undoes it
        quoted = text.startswith(FORMULA_STARTS)
    else:
        cell.value = value
        quoted = False
    if cell.quotePrefix != quoted:  # a reused template cell may carry the last value's prefix
        cell.quotePrefix = quoted
    return cell


def cell(
    ws: Any,
    value: Any,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    border: Border | None = None,
    alignment: Alignment | None = None,
    number_format: str | None = None,
) -> Any:
    """A value for ``ws.append`` (plain or write-only sheet): the value itself when openpyxl writes
    it faithfully and no style is asked for (the fast path for big rosters), else a styled cell."""
    styled = font or fill or border or alignment or number_format
    if not styled and not (isinstance(value, str) and needs_care(value)):
        return value
    result = assign(Cell(ws, row=1, column=1), value)
    if font is not None:
        result.font = font
    if fill is not None:
        result.fill = fill
    if border is not None:
        result.border = border
    if alignment is not None:
        result.alignment = alignment
    if number_format is not None:
        result.number_format = number_format
    return result


def row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """A whole row for ``ws.append``."""
    return separate(ws, [cell(ws, v) for v in values])


def separate(ws: Any, values: list[Any]) -> list[Any]:
    """In write-only mode openpyxl writes the plain values after a cell object *into that object*,
    so they would inherit its quote prefix: give those their own cell. (Only after a quoted cell:
    the number formats of the rosters' reused ID cells never carried meaning for what follows.)"""
    quoted = False
    for index, value in enumerate(values):
        if isinstance(value, Cell):
            quoted = bool(value.quotePrefix)
        elif quoted and value is not None:
            values[index] = assign(Cell(ws, row=1, column=1), value)
            quoted = False
    return values


def put(ws: Any, row_index: int, column: int, value: Any) -> Cell:
    """Write one cell of a random-access sheet (``ws.cell(row, column, value)`` made safe)."""
    return assign(ws.cell(row_index, column), value)
