"""The application icon, from the PNGs drawn once by tools/make_icon.py and shipped in resources/icons/."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from zhuji_archive.paths import resource_dir

ICON_NAME = "zhuji-archive"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def app_icon() -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        path = resource_dir() / "icons" / f"{ICON_NAME}-{size}.png"
        if path.exists():
            icon.addFile(str(path))
    return icon
