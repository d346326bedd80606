"""Registers the bundled CJK font so Chinese renders on machines without Chinese fonts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase

from zhuji_archive.paths import resource_dir

BUNDLED_FONTS = ("wqy-microhei.ttc",)


def font_path(name: str) -> Path:
    return resource_dir() / "fonts" / name


def register_fonts() -> str | None:
    """Load the bundled fonts into Qt; return the family to use by default (None if loading failed)."""
    family = None
    for name in BUNDLED_FONTS:
        font_id = QFontDatabase.addApplicationFont(str(font_path(name)))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        family = family or (families[0] if families else None)
    return family


def default_font(family: str | None, point_size: int = 11) -> QFont:
    font = QFont(family) if family else QFont()
    font.setPointSize(point_size)
    return font
