"""What every printed form shares: A4 page with a binding margin, running header and footer with
"第 X 页 共 Y 页" in one pass, page references filled in at the end, table helpers.

The page total and the page numbers of a table of contents are not known while the pages are laid
out. Instead of laying the document out twice, each page draws a PDF form (an XObject) by name, and
the forms are defined when the document is saved, once every page exists."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame

from zhuji_archive import APP_NAME, __version__
from zhuji_archive.domain.household import yuan
from zhuji_archive.exports import fonts
from zhuji_archive.exports.protection import pdf_encryption

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT_MARGIN = 22 * mm  # binding edge
RIGHT_MARGIN = 14 * mm
TOP_MARGIN = 18 * mm
BOTTOM_MARGIN = 17 * mm
CONTENT_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN
LINE = colors.black
LABEL_FILL = colors.HexColor("#EDEDED")
HEADER_FILL = colors.HexColor("#E2E2E2")
TOTAL_FORM = "zjPageTotal"
CELL_PADDING = 2.5


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def money(value: float | None) -> str:
    return yuan(value)


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return str(int(value))


class DeferredCanvas(Canvas):
    """A canvas that runs ``at_save`` callbacks (defining forms) just before it writes the file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.at_save: list[Callable[[Canvas], None]] = []

    def save(self) -> None:
        for callback in self.at_save:
            callback(self)
        super().save()


class Anchor(Flowable):
    """Zero-size marker: records the page it lands on under ``key`` and sets the running header."""

    def __init__(self, key: str, header: str, outline: str | None = None, level: int = 0) -> None:
        super().__init__()
        self.key, self.header, self.outline, self.level = key, header, outline, level
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        doc: ArchiveDoc = self.canv._doctemplate  # type: ignore[attr-defined]
        doc.mark(self.key, self.header)
        if self.outline:
            self.canv.bookmarkPage(self.key)
            self.canv.addOutlineEntry(self.outline, self.key, level=self.level, closed=self.level == 0)


class PageRef(Flowable):
    """The page number of an Anchor, drawn right-aligned; filled in when the document is saved."""

    def __init__(self, key: str, width: float = 12 * mm, size: float = 8) -> None:
        super().__init__()
        self.key, self.width, self.size = key, width, size
        self.height = size * 1.2

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        doc: ArchiveDoc = self.canv._doctemplate  # type: ignore[attr-defined]
        doc.refs_used[self.key] = (self.width, self.size)
        self.canv.doForm(_ref_form(self.key))


def _ref_form(key: str) -> str:
    return "zjRef" + "".join(c if c.isalnum() else "_" for c in key)


class ArchiveDoc(BaseDocTemplate):
    """An A4 document with a running header (left: what the document is, right: whose page) and a
    footer (print date, 第 X 页 共 Y 页, application); asks for ``password`` to open when one is given."""

    def __init__(
        self,
        path: Path | str,
        *,
        title: str,
        header_left: str,
        printed_on: date,
        author: str,
        password: str | None = None,
    ) -> None:
        fonts.register()
        super().__init__(
            str(path),
            encrypt=pdf_encryption(password),
            pagesize=A4,
            leftMargin=LEFT_MARGIN,
            rightMargin=RIGHT_MARGIN,
            topMargin=TOP_MARGIN,
            bottomMargin=BOTTOM_MARGIN,
            title=title,
            author=author,
            subject=title,
            creator=f"{APP_NAME} {__version__}",
            lang="zh-CN",
            invariant=False,
            # The canvas' initial font is ours too, so no page refers to a non-embedded Helvetica.
            initialFontName=fonts.FONT,
            initialFontSize=9,
            initialLeading=12,
        )
        self.header_left = header_left
        self.printed_on = printed_on
        self.pages: dict[str, int] = {}
        self.refs_used: dict[str, tuple[float, float]] = {}
        self._carried = ""  # header of the section running over from the previous page
        self._first_on_page: str | None = None
        self.plain_pages: set[int] = set()  # pages without running header and footer (a cover)
        frame = Frame(
            LEFT_MARGIN,
            BOTTOM_MARGIN,
            CONTENT_WIDTH,
            PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [PageTemplate(id="page", frames=[frame], onPage=self._page_begins, onPageEnd=self._page_ends)]
        )

    # ---- running header and footer ----------------------------------------------------------
    def mark(self, key: str, header: str) -> None:
        self.pages[key] = self.page
        if header:
            if self._first_on_page is None:
                self._first_on_page = header
            self._carried = header

    def _page_begins(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        self._first_on_page = None
        self._carried_at_start = self._carried

    def _page_ends(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        if self._first_on_page is not None:
            right = self._first_on_page
        elif self._carried_at_start:
            right = f"{self._carried_at_start}（续）"
        else:
            right = ""
        if self.page in self.plain_pages:
            return
        canv.saveState()
        canv.setStrokeColor(LINE)
        canv.setLineWidth(0.6)
        top = PAGE_HEIGHT - TOP_MARGIN + 5 * mm
        # Names of villages and people: drawn with per-character font fallback.
        fonts.draw(canv, LEFT_MARGIN, top + 1.5 * mm, self.header_left, 8)
        fonts.draw(canv, PAGE_WIDTH - RIGHT_MARGIN, top + 1.5 * mm, right, 8, align="right")
        canv.line(LEFT_MARGIN, top, PAGE_WIDTH - RIGHT_MARGIN, top)
        bottom = BOTTOM_MARGIN - 6 * mm
        canv.line(LEFT_MARGIN, bottom + 4 * mm, PAGE_WIDTH - RIGHT_MARGIN, bottom + 4 * mm)
        canv.drawString(LEFT_MARGIN, bottom, f"打印日期：{chinese_date(self.printed_on)}")
        canv.drawRightString(PAGE_WIDTH - RIGHT_MARGIN, bottom, f"{APP_NAME}系统打印")
        # "第 X 页 共 Y 页" centred; Y is a form defined at save time, in a box wide enough for 4 digits.
        before = f"第 {self.page} 页　共"
        box = fonts.width("0000", 8)
        after = "页"
        total_width = fonts.width(before, 8) + box + fonts.width(after, 8)
        x = LEFT_MARGIN + (CONTENT_WIDTH - total_width) / 2
        canv.drawString(x, bottom, before)
        canv.saveState()
        canv.translate(x + fonts.width(before, 8), bottom)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()
        canv.drawString(x + fonts.width(before, 8) + box, bottom, after)
        canv.restoreState()
        self._box_width = box

    # ---- forms defined at save time -----------------------------------------------------------
    def _define_forms(self, canv: Canvas) -> None:
        total = self.page
        canv.beginForm(TOTAL_FORM, 0, -2, self._box_width, 10)
        canv.setFont(fonts.FONT, 8)
        canv.drawCentredString(self._box_width / 2, 0, str(total))
        canv.endForm()
        for key, (width, size) in self.refs_used.items():
            canv.beginForm(_ref_form(key), 0, -2, width, size * 1.2 + 2)
            canv.setFont(fonts.FONT, size)
            canv.drawRightString(width, size * 0.25, str(self.pages.get(key, "")))
            canv.endForm()

    def build_stream(self, flowables: Iterable[Flowable]) -> int:
        """Lay out ``flowables`` (consumed lazily, so a book never holds every page in memory); return pages."""
        doc = self

        class _Maker(DeferredCanvas):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.at_save.append(doc._define_forms)

        self._box_width = fonts.width("0000", 8)
        self.build(_Stream(flowables), canvasmaker=_Maker)
        return self.page


class _Stream(list):  # type: ignore[type-arg]
    """A list that refills itself from an iterator of flowable batches as reportlab consumes it.

    reportlab's build loop only asks for len(), reads and deletes at the front and inserts split
    parts back at the front, so a short buffer in front of a generator behaves like the whole list."""

    def __init__(self, source: Iterable[Flowable | list[Flowable]]) -> None:
        super().__init__()
        self._source: Iterator[Flowable | list[Flowable]] | None = iter(source)

    def _fill(self) -> None:
        while self._source is not None and list.__len__(self) < 8:
            try:
                item = next(self._source)
            except StopIteration:
                self._source = None
                return
            if isinstance(item, list):
                self.extend(item)
            else:
                self.append(item)

    def __len__(self) -> int:
        self._fill()
        return list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        self._fill()
        return list.__getitem__(self, index)


# ---- tables -------------------------------------------------------------------------------------


def cell(text: str, width: float, style_name: str = "cell") -> str | Paragraph:
    """A table cell: a plain string when it fits on one line in the bundled font, else a wrapping Paragraph."""
    style = getattr(fonts.styles(), style_name)
    text = text or ""
    if fonts.plain_ok(text) and fonts.width(text, style.fontSize) <= width - 2 * CELL_PADDING - 0.5:
        return text
    return Paragraph(fonts.markup(text), style)


def heading(text: str) -> list[Flowable]:
    """A section heading kept with the start of its table: a new page when less than 30 mm is left.

    (reportlab's keepWithNext would move a heading and a whole page-long table to the next page.)"""
    return [CondPageBreak(30 * mm), Paragraph(fonts.markup(text), fonts.styles().section)]


def grid_table(
    header: list[str],
    rows: list[list[Any]],
    widths: list[float],
    *,
    align: dict[int, str] | None = None,
    min_height: float | None = None,
    total_row: bool = False,
    total_span: tuple[int, int] | None = None,
    empty_text: str = "（无）",
) -> Table:
    """A bordered table with a shaded header row repeated on every page it runs onto."""
    s = fonts.styles()
    head = [
        h if fonts.plain_ok(h) and fonts.width(h, 8) <= w - 2 * CELL_PADDING else Paragraph(fonts.markup(h), s.cell_center)
        for h, w in zip(header, widths, strict=True)
    ]
    body = [
        [cell(v, w) if isinstance(v, str) else v for v, w in zip(row, widths, strict=True)] for row in rows
    ]
    empty = not body
    if empty:
        body = [[empty_text] + [""] * (len(header) - 1)]
    heights = [None] + [min_height] * len(body) if min_height else None
    table = Table([head, *body], colWidths=widths, rowHeights=heights, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.FONT, 8, 10.5),
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BOX", (0, 0), (-1, -1), 0.9, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for column, where in (align or {}).items():
        commands.append(("ALIGN", (column, 1), (column, -1), where))
    if empty:
        commands += [
            ("SPAN", (0, 1), (-1, 1)),
            ("ALIGN", (0, 1), (-1, 1), "CENTER"),
            ("TEXTCOLOR", (0, 1), (-1, 1), colors.HexColor("#555555")),
        ]
    elif total_row:
        commands += [("BACKGROUND", (0, -1), (-1, -1), LABEL_FILL), ("ALIGN", (0, -1), (0, -1), "CENTER")]
        if total_span:
            commands.append(("SPAN", (total_span[0], -1), (total_span[1], -1)))
    table.setStyle(TableStyle(commands))
    return table


def form_table(
    rows: list[list[Any]],
    widths: list[float],
    label_columns: Iterable[int],
    spans: Iterable[tuple[tuple[int, int], tuple[int, int]]] = (),
    row_height: float | None = None,
    size: float = 9,
) -> Table:
    """A label/value grid as on a paper form: shaded, centred labels and left-aligned values."""
    s = fonts.styles()
    label_style = (
        s.label
        if size == 9
        else ParagraphStyle(f"label{size:g}", parent=s.label, fontSize=size, leading=size * 1.35)
    )
    value_style = (
        s.value
        if size == 9
        else ParagraphStyle(f"value{size:g}", parent=s.value, fontSize=size, leading=size * 1.35)
    )
    body = []
    labels = set(label_columns)
    spans = list(spans)
    for row in rows:
        out = []
        for column, value in enumerate(row):
            if isinstance(value, str):
                if column in labels:
                    value = Paragraph(fonts.markup(value), label_style)
                elif not (fonts.plain_ok(value) and fonts.width(value, size) <= widths[column] - 6.5):
                    value = Paragraph(fonts.markup(value), value_style)
            out.append(value)
        body.append(out)
    table = Table(body, colWidths=widths, rowHeights=row_height)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.FONT, size, size * 1.35),
        ("GRID", (0, 0), (-1, -1), 0.5, LINE),
        ("BOX", (0, 0), (-1, -1), 0.9, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    covered = {
        (c, r)
        for (c0, r0), (c1, r1) in spans
        for c in range(c0, c1 + 1)
        for r in range(r0, r1 + 1)
        if (c, r) != (c0, r0)
    }
    for r in range(len(rows)):
        for column in labels:
            if (column, r) not in covered:
                commands.append(("BACKGROUND", (column, r), (column, r), LABEL_FILL))
    for start, end in spans:
        commands.append(("SPAN", start, end))
    table.setStyle(TableStyle(commands))
    return table


class QrCode(Flowable):
    """A QR code (error correction M) of ``payload``, ``size`` points square.

    Drawn as one filled path of horizontal runs: reportlab's QR widget makes a shape per module and
    tries all eight masks, which costs more than the rest of a household sheet. Any mask is valid
    QR, so a fixed one is used."""

    MASK = 2

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        self.payload = payload
        self.width = self.height = size
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(payload)
        code.version = code.calculate_version()
        code.makeImpl(False, self.MASK)
        self.modules: list[list[bool]] = code.modules

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        count = len(self.modules)
        unit = self.width / count
        path = self.canv.beginPath()
        for row, cells in enumerate(self.modules):
            y = self.height - (row + 1) * unit
            col = 0
            while col < count:
                if cells[col]:
                    start = col
                    while col < count and cells[col]:
                        col += 1
                    path.rect(start * unit, y, (col - start) * unit, unit)
                else:
                    col += 1
        self.canv.drawPath(path, stroke=0, fill=1)


TICK = "√"  # in the bundled font; a PDF reader (and a test) reads it as the box's answer


class TickBoxes(Flowable):
    """Squares to tick by hand, each followed by its label, on one line (wrapping if need be)."""

    def __init__(
        self,
        options: Sequence[str],
        size: float = 10.5,
        ticked: str = "",
        box: float = 3.6 * mm,
        gap: float = 9 * mm,
        leading: float = 1.7,
    ) -> None:
        super().__init__()
        self.options, self.size, self.ticked = tuple(options), size, ticked
        self.BOX, self.GAP, self.leading = box, gap, leading
        self._lines: list[list[tuple[float, str]]] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._lines, line, x = [], [], 0.0
        for option in self.options:
            item = self.BOX + 1.5 * mm + fonts.width(option, self.size)
            if line and x + item > available_width:
                self._lines.append(line)
                line, x = [], 0.0
            line.append((x, option))
            x += item + self.GAP
        self._lines.append(line)
        self.width = available_width
        self.height = len(self._lines) * self.size * self.leading
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.setLineWidth(0.7)
        for row, line in enumerate(self._lines):
            y = self.height - (row + 1) * self.size * self.leading + self.size * 0.45
            for x, option in line:
                canv.rect(x, y - 0.6, self.BOX, self.BOX, stroke=1, fill=0)
                if option == self.ticked:  # a recorded answer: a tick glyph, so it is in the text too
                    canv.setFont(fonts.FONT, self.BOX * 1.25)
                    canv.drawCentredString(x + self.BOX / 2, y - 0.2 * mm, TICK)
                    canv.setFont(fonts.FONT, self.size)
                fonts.draw(canv, x + self.BOX + 1.5 * mm, y, option, self.size)
