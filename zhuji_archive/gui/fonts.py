"""Fonts on screen: the bundled CJK font, then system fonts with the CJK extensions as fallbacks.

The bundled font renders Chinese on machines with no Chinese fonts but lacks the rare characters of
some names (Extension A, B …). The fallback fonts (paths.fallback_font_files, the same list the PDFs
use) are loaded into Qt and put behind the bundled family — in the application font's family list
(QFont.setFamilies) and as substitutes of the bundled family, so widgets that name the family
themselves fall back too — instead of leaving it to the platform, which may not know them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase

from zhuji_archive.paths import fallback_font_files, resource_dir

BUNDLED_FONTS = ("wqy-microhei.ttc",)
_fallback_families: list[str] = []


def font_path(name: str) -> Path:
    return resource_dir() / "fonts" / name


def _load(path: Path) -> list[str]:
    font_id = QFontDatabase.addApplicationFont(str(path))
    return QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []


def register_fonts() -> str | None:
    """Load the bundled fonts and the fallbacks into Qt; return the family to use by default (None if
    loading failed). The bundled family is substituted by the fallbacks, in order."""
    family = None
    for name in BUNDLED_FONTS:
        families = _load(font_path(name))
        family = family or (families[0] if families else None)
    _fallback_families.clear()
    for path in fallback_font_files():
        for found in _load(path)[:1]:  # a collection's first face, as in the PDFs
            if found not in _fallback_families and found != family:
                _fallback_families.append(found)
    if family and _fallback_families:
        QFont.insertSubstitutions(family, _fallback_families)
    return family


def fallback_families() -> list[str]:
    """The fallback families loaded by register_fonts, in the order they are tried."""
    return list(_fallback_families)


def default_font(family: str | None, point_size: int = 11) -> QFont:
    font = QFont(family) if family else QFont()
    if family and _fallback_families:
        font.setFamilies([family, *_fallback_families])
    font.setPointSize(point_size)
    return font
