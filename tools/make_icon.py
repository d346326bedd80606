"""Draws the application icon once, for committing: an SVG and PNGs in resources/icons/ and a Windows .ico.

A red archive folder with a white 档, the character's outline taken from the bundled font and written into
the SVG as a path, so no file renders text at run time or depends on the fonts of the machine showing it.
Run: `.venv/bin/python tools/make_icon.py` (offscreen Qt; the output is deterministic).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import (  # noqa: E402
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
NAME = "zhuji-archive"
SIZE = 256.0
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
BACK = "#8e1b1b"  # the folder's back and tab, a deep red
FRONT = "#c62828"  # the folder's front, 中国红 toned down for a government office
PAPER = "#f4ecd8"  # the edge of the files showing between back and front
WHITE = "#ffffff"


def rounded(rect: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    return path


def glyph(char: str, family: str, box: QRectF) -> QPainterPath:
    """The character's outline, scaled and centred into ``box``; overlaps removed so even-odd fill is right."""
    font = QFont(family)
    font.setPixelSize(200)
    path = QPainterPath()
    path.addText(QPointF(0, 0), font, char)
    stroker = QPainterPathStroker()
    stroker.setWidth(9)  # the font has one light weight; thicken it so the mark holds at 32 pixels
    stroker.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    path = path.united(stroker.createStroke(path)).simplified()
    bounds = path.boundingRect()
    scale = min(box.width() / bounds.width(), box.height() / bounds.height())
    out = QPainterPath()
    for polygon in path.toFillPolygons():
        points = [
            QPointF(box.center().x() + (p.x() - bounds.center().x()) * scale,
                    box.center().y() + (p.y() - bounds.center().y()) * scale)
            for p in polygon
        ]
        out.moveTo(points[0])
        for point in points[1:]:
            out.lineTo(point)
        out.closeSubpath()
    return out


def layers(family: str) -> list[tuple[str, QPainterPath]]:
    tab = rounded(QRectF(28, 36, 92, 48), 12)
    back = rounded(QRectF(28, 56, 200, 168), 16)
    paper = rounded(QRectF(40, 68, 176, 120), 6)
    front = rounded(QRectF(20, 88, 216, 140), 18)
    mark = glyph("档", family, QRectF(78, 102, 100, 112))
    return [(BACK, tab.united(back)), (PAPER, paper), (FRONT, front), (WHITE, mark)]


def svg_path(path: QPainterPath) -> str:
    parts = []
    i = 0
    while i < path.elementCount():
        e = path.elementAt(i)
        if e.isMoveTo():
            parts.append(f"M{e.x:.2f} {e.y:.2f}")
        elif e.isLineTo():
            parts.append(f"L{e.x:.2f} {e.y:.2f}")
        else:  # a cubic: this element and the two CurveToData after it
            c1, c2 = path.elementAt(i + 1), path.elementAt(i + 2)
            parts.append(f"C{e.x:.2f} {e.y:.2f} {c1.x:.2f} {c1.y:.2f} {c2.x:.2f} {c2.y:.2f}")
            i += 2
        i += 1
    return " ".join(parts) + " Z"


def write_svg(shapes: list[tuple[str, QPainterPath]]) -> None:
    body = "\n".join(
        f'  <path fill="{colour}" fill-rule="evenodd" d="{svg_path(path)}"/>' for colour, path in shapes
    )
    (OUT / f"{NAME}.svg").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">\n'
        f"  <title>群众档案</title>\n{body}\n</svg>\n",
        encoding="utf-8",
    )


def render(shapes: list[tuple[str, QPainterPath]], size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / SIZE, size / SIZE)
    painter.setPen(Qt.PenStyle.NoPen)
    for colour, path in shapes:
        painter.fillPath(path, QColor(colour))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def write_ico(images: dict[int, bytes]) -> None:
    """An .ico holding PNG images (Windows Vista and later read these), one per size."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in images.items():
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    (OUT / f"{NAME}.ico").write_bytes(header + entries + blobs)


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841 - fonts and painting need it
    sys.path.insert(0, str(ROOT))
    from PySide6.QtGui import QFontDatabase

    font_id = QFontDatabase.addApplicationFont(str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc"))
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    shapes = layers(family)
    OUT.mkdir(parents=True, exist_ok=True)
    write_svg(shapes)
    pngs = {}
    for size in PNG_SIZES:
        pngs[size] = png_bytes(render(shapes, size))
        (OUT / f"{NAME}-{size}.png").write_bytes(pngs[size])
    write_ico({size: pngs[size] for size in (16, 24, 32, 48, 64, 256)})
    print(f"图标已写入 {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
