"""The fonts of every PDF: the bundled CJK font, then system fonts that have the characters it lacks,
chosen character by character; and the paragraph styles every PDF uses.

reportlab embeds a subset of the TrueType outlines, so the PDF prints the same on any machine and
its text can be searched and copied. reportlab has no font fallback of its own: a character the
font lacks simply vanishes. So every text is split into runs, each set in the first font of the
chain that has its characters — Paragraph text as ``<font name=…>`` runs (``markup``), canvas text
as one drawString per run (``draw``). Characters no font has are reported before printing
(``has_glyph``, used by domain.glyphs); the fallback fonts are loaded only when a text needs them,
since they are large (20–50 MB each)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from zhuji_archive.paths import fallback_font_files, resource_dir

FONT = "ZhujiSans"
BUNDLED_FONT_FILE = "wqy-microhei.ttc"

_lock = threading.RLock()


@dataclass
class _Fallback:
    """A system font of the chain, loaded (and registered with reportlab) the first time it is asked."""

    path: Path
    name: str
    covered: frozenset[int] | None = None  # None: not loaded yet

    def has(self, code: int) -> bool:
        if self.covered is None:
            try:
                font = TTFont(self.name, str(self.path), subfontIndex=0)
            except Exception:  # noqa: BLE001 - a broken or CFF system font must not stop printing
                self.covered = frozenset()
            else:
                pdfmetrics.registerFont(font)
                self.covered = frozenset(font.face.charToGlyph)
        return code in self.covered


@dataclass
class _Chain:
    """The bundled font's characters, the fallbacks in order, and which font each character got."""

    covered: frozenset[int]
    fallbacks: list[_Fallback]
    chosen: dict[int, str | None] = field(default_factory=dict)


_chain: _Chain | None = None


def font_file() -> Path:
    return resource_dir() / "fonts" / BUNDLED_FONT_FILE


def register() -> None:
    """Register the bundled font with reportlab and look for the fallbacks; safe to call often."""
    global _chain
    if _chain is not None:
        return
    with _lock:
        if _chain is not None:
            return
        main = TTFont(FONT, str(font_file()), subfontIndex=0)
        pdfmetrics.registerFont(main)
        fallbacks = [_Fallback(path, _font_name(path)) for path in fallback_font_files()]
        _chain = _Chain(frozenset(main.face.charToGlyph), fallbacks)
        _forbid_line_start_punctuation()
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def _utf16_hex(code: int) -> str:
    return chr(code).encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond the BMP written as UTF-16 surrogate pairs.

    reportlab 4 writes U+2A6D6 as <2A6D6>, an odd-length code that PDF readers reject, so Extension B
    names would vanish from the text a reader extracts, searches and copies; PDF wants <D869DED6>."""
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def reset() -> None:
    """Look for the fallback fonts again on next use (after the search list changed)."""
    global _chain
    with _lock:
        _chain = None


def fallback_names() -> list[str]:
    """The reportlab names of the fallback fonts found on this machine, in the order they are tried."""
    return [f.name for f in _get().fallbacks]


def _font_name(path: Path) -> str:
    return "ZhujiFallback-" + "".join(c for c in path.stem if c.isalnum())


def _get() -> _Chain:
    register()
    assert _chain is not None
    return _chain


def font_for(char: str) -> str | None:
    """The font that draws ``char``: the bundled one if it can, else the first fallback that has it."""
    chain = _get()
    code = ord(char)
    if code in chain.covered:
        return FONT
    try:
        return chain.chosen[code]
    except KeyError:
        pass
    with _lock:
        name = next((f.name for f in chain.fallbacks if f.has(code)), None)
        chain.chosen[code] = name
    return name


def has_glyph(char: str) -> bool:
    """True when some font of the chain can draw ``char``."""
    return font_for(char) is not None


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, piece) runs; a character no font has stays in the bundled font."""
    chain = _get()
    covered = chain.covered
    if all(ord(c) in covered for c in text):
        return [(FONT, text)] if text else []
    out: list[tuple[str, str]] = []
    for char in text:
        name = FONT if ord(char) in covered or char == "\n" else (font_for(char) or FONT)
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + char)
        else:
            out.append((name, char))
    return out


def markup(text: str) -> str:
    """``text`` escaped for a Paragraph, runs the bundled font lacks switched to their fallback font."""
    parts = []
    for name, piece in runs(text):
        escaped = escape(piece).replace("\n", "<br/>")
        parts.append(escaped if name == FONT else f'<font name="{name}">{escaped}</font>')
    return "".join(parts)


def plain_ok(text: str) -> bool:
    """True when ``text`` can be drawn as a plain string (one line, bundled font only)."""
    covered = _get().covered
    return "\n" not in text and all(ord(c) in covered for c in text)


def width(text: str, size: float) -> float:
    """Width of ``text`` set as its runs."""
    return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in runs(text))


def draw(
    canv: Canvas, x: float, y: float, text: str, size: float, align: Literal["left", "right", "centre"] = "left"
) -> None:
    """drawString / drawRightString / drawCentredString of ``text`` with per-character fallback;
    leaves the canvas in the bundled font at ``size``."""
    pieces = runs(text)
    if align != "left":
        total = sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in pieces)
        x -= total if align == "right" else total / 2
    # One text object for all runs, so a reader extracts the name as one word, not a word per font.
    text_object = canv.beginText(x, y)
    for name, piece in pieces:
        text_object.setFont(name, size)
        text_object.textOut(piece)
    canv.drawText(text_object)
    canv.setFont(FONT, size)


def strings(
    x: float, y: float, text: str, size: float, anchor: Literal["start", "middle", "end"] = "start"
) -> list[String]:
    """``text`` as reportlab.graphics Strings, one per run, placed like one String with ``anchor``."""
    pieces = runs(text)
    total = sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in pieces)
    x -= {"start": 0.0, "middle": total / 2, "end": total}[anchor]
    out = []
    for name, piece in pieces:
        out.append(String(x, y, piece, fontName=name, fontSize=size, textAnchor="start"))
        x += pdfmetrics.stringWidth(piece, name, size)
    return out


def single_font(text: str) -> str:
    """One font for all of ``text``, where a drawing allows only one (chart labels): the bundled font
    if it has every character, else the first fallback that has them all."""
    chain = _get()
    codes = {ord(c) for c in text if ord(c) not in chain.covered and font_for(c) is not None}
    if not codes:
        return FONT
    with _lock:
        for fallback in chain.fallbacks:
            if all(fallback.has(code) for code in codes):
                return fallback.name
    return FONT


# Full-width punctuation that Chinese typesetting never puts at the start of a line; reportlab's
# CJK wrapping only knows the half-width and a few CJK ones.
_NO_LINE_START = "，。、；：？！）》」』】〕…—"


def _forbid_line_start_punctuation() -> None:
    """Let such punctuation hang at the end of the line instead (both of reportlab's CJK wrappers)."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        extra = "".join(c for c in _NO_LINE_START if c not in module.ALL_CANNOT_START)
        if extra:
            module.ALL_CANNOT_START += extra


def _style(name: str, size: float, leading: float | None = None, **extra: object) -> ParagraphStyle:
    options: dict[str, object] = {"textColor": colors.black, **extra}
    return ParagraphStyle(
        name,
        fontName=FONT,
        fontSize=size,
        leading=leading or round(size * 1.35, 1),
        wordWrap="CJK",
        **options,  # type: ignore[arg-type]
    )


class Styles:
    """Paragraph styles of the printed forms (sizes in points)."""

    def __init__(self) -> None:
        register()
        self.title = _style("title", 20, 26, alignment=TA_CENTER, spaceAfter=2)
        self.subtitle = _style("subtitle", 10, alignment=TA_CENTER, textColor=colors.HexColor("#333333"))
        self.cover_title = _style("cover_title", 40, 52, alignment=TA_CENTER)
        self.cover_line = _style("cover_line", 16, 24, alignment=TA_CENTER)
        self.section = _style("section", 11, 15, spaceBefore=7, spaceAfter=3)
        self.body = _style("body", 9, 12.5)
        self.cell = _style("cell", 8, 10.5)
        self.cell_center = _style("cell_center", 8, 10.5, alignment=TA_CENTER)
        self.cell_right = _style("cell_right", 8, 10.5, alignment=TA_RIGHT)
        self.label = _style("label", 9, 12, alignment=TA_CENTER)
        self.value = _style("value", 9, 12, alignment=TA_LEFT)
        self.small = _style("small", 7, 9)
        self.caption = _style("caption", 7, 10, alignment=TA_CENTER, textColor=colors.HexColor("#333333"))
        self.note = _style("note", 8, 11, textColor=colors.HexColor("#333333"))


_styles: Styles | None = None


def styles() -> Styles:
    global _styles
    if _styles is None:
        _styles = Styles()
    return _styles


def join(values: Iterable[str], sep: str = "、") -> str:
    return sep.join(v for v in values if v)
