"""The bundled CJK font for reportlab, registered once, and the paragraph styles every PDF uses.

reportlab embeds a subset of the TrueType outlines, so the PDF prints the same on any machine and
its text can be searched and copied. Characters the bundled font lacks (rare characters in names,
CJK Extension B …) are drawn with a system TrueType font that has them, when one is installed."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from zhuji_archive.paths import resource_dir

FONT = "ZhujiSans"
FALLBACK_FONT = "ZhujiFallback"
BUNDLED_FONT_FILE = "wqy-microhei.ttc"

# TrueType (not CFF) CJK fonts that may be installed: SimSun-ExtB covers Extension B on Windows.
_FALLBACK_CANDIDATES = (
    Path("C:/Windows/Fonts/simsunb.ttf"),
    Path("C:/Windows/Fonts/simsun.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),
    Path("/System/Library/Fonts/Supplemental/Songti.ttc"),
)

_lock = threading.Lock()


@dataclass(frozen=True)
class _Registered:
    covered: frozenset[int]
    fallback: frozenset[int]


_state: _Registered | None = None


def font_file() -> Path:
    return resource_dir() / "fonts" / BUNDLED_FONT_FILE


def register() -> None:
    """Register the bundled font (and a fallback if one is found) with reportlab; safe to call often."""
    global _state
    if _state is not None:
        return
    with _lock:
        if _state is not None:
            return
        main = TTFont(FONT, str(font_file()), subfontIndex=0)
        pdfmetrics.registerFont(main)
        covered = frozenset(main.face.charToGlyph)
        fallback: frozenset[int] = frozenset()
        for candidate in _FALLBACK_CANDIDATES:
            if not candidate.exists():
                continue
            try:
                extra = TTFont(FALLBACK_FONT, str(candidate), subfontIndex=0)
            except Exception:  # noqa: BLE001 - a broken system font must not stop printing
                continue
            pdfmetrics.registerFont(extra)
            fallback = frozenset(extra.face.charToGlyph) - covered
            break
        _state = _Registered(covered, fallback)
        _forbid_line_start_punctuation()


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


def missing(text: str) -> set[str]:
    """Characters of ``text`` that no registered font can draw."""
    register()
    assert _state is not None
    return {
        c for c in text if ord(c) not in _state.covered and ord(c) not in _state.fallback and c.isprintable()
    }


def markup(text: str) -> str:
    """``text`` escaped for a Paragraph, characters the bundled font lacks switched to the fallback font."""
    register()
    assert _state is not None
    covered, fallback = _state.covered, _state.fallback
    if not fallback or all(ord(c) in covered for c in text):
        return escape(text).replace("\n", "<br/>")
    parts: list[str] = []
    for char in text:
        code = ord(char)
        piece = escape(char) if char != "\n" else "<br/>"
        if code not in covered and code in fallback:
            piece = f'<font name="{FALLBACK_FONT}">{piece}</font>'
        parts.append(piece)
    return "".join(parts)


def plain_ok(text: str) -> bool:
    """True when ``text`` can be drawn as a plain string (one line, bundled font only)."""
    register()
    assert _state is not None
    covered = _state.covered
    return "\n" not in text and all(ord(c) in covered for c in text)


def width(text: str, size: float) -> float:
    register()
    return pdfmetrics.stringWidth(text, FONT, size)


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
