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


def load_build_module():  # installer/ is not a package; load the build script by path
    import importlib.util

    spec = importlib.util.spec_from_file_location("installer_build", ROOT / "installer" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_uninstall_list_removes_exactly_the_installed_files_then_empty_folders(tmp_path: Path) -> None:
    build = load_build_module()
    bundle = tmp_path / "zhuji-archive"
    for name in ("zhuji-archive.exe", "_internal/base_library.zip", "_internal/PySide6/Qt/plugins/platforms/qwindows.dll",
                 "_internal/zhuji_archive/resources/fonts/wqy-microhei.ttc"):
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(b"x")
    install, remove = build.write_nsis_lists(bundle, tmp_path / "nsis")
    installed = [line for line in install.read_text(encoding="utf-8-sig").splitlines() if line.startswith("File ")]
    lines = remove.read_text(encoding="utf-8-sig").splitlines()[1:]
    deleted = [line.removeprefix('Delete "$INSTDIR\\').removesuffix('"') for line in lines if line.startswith("Delete ")]
    folders = [line.removeprefix('RMDir "$INSTDIR\\').removesuffix('"') for line in lines if line.startswith("RMDir ")]
    assert len(installed) == 4
    assert sorted(deleted) == sorted([
        "zhuji-archive.exe", "_internal\\base_library.zip", "_internal\\PySide6\\Qt\\plugins\\platforms\\qwindows.dll",
        "_internal\\zhuji_archive\\resources\\fonts\\wqy-microhei.ttc",
    ])
    # Every line is a single-file Delete or a non-recursive RMDir, files first, then folders deepest first.
    assert all(line.startswith(("Delete ", "RMDir ")) and "/r" not in line for line in lines)
    assert lines.index(f'RMDir "$INSTDIR\\{folders[0]}"') > max(i for i, line in enumerate(lines) if line.startswith("Delete"))
    depths = [f.count("\\") for f in folders]
    assert depths == sorted(depths, reverse=True) and folders[-1] == "_internal"
    assert "_internal\\PySide6\\Qt\\plugins\\platforms" in folders and "" not in folders
