"""The PyInstaller spec leaves out only what the application never uses, and ships what it loads as files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "installer" / "zhuji-archive.spec").read_text(encoding="utf-8")


def excluded_qt_modules() -> set[str]:
    listing = re.search(r"QT_UNUSED = (\[.*?\])", SPEC, re.DOTALL)
    assert listing is not None
    return set(ast.literal_eval(listing.group(1)))


def imported_qt_modules() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "zhuji_archive").rglob("*.py"):
        found.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    return found


def test_no_qt_module_the_code_imports_is_excluded() -> None:
    used = imported_qt_modules()
    assert {"QtCharts", "QtPdf", "QtPdfWidgets", "QtWidgets"} <= used
    assert not used & excluded_qt_modules()


def test_spec_bundles_resources_migrations_and_chinese_qt_translations() -> None:
    assert 'tree(ROOT / "resources", "zhuji_archive/resources")' in SPEC
    assert 'tree(ROOT / "zhuji_archive" / "storage" / "migrations", "zhuji_archive/storage/migrations")' in SPEC
    assert '"_zh_CN" in name' in SPEC
    assert 'copy_metadata(NAME)' in SPEC  # zhuji_archive.__version__ reads it inside the bundle
