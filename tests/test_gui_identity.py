"""What tells the installed program apart: its icon, its version in the title, and the start check
(`zhuji-archive --smoke-test`) that installers and CI run on an installed copy."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from accounts import open_archive

from zhuji_archive import __version__
from zhuji_archive.cli import main
from zhuji_archive.gui.icon import ICON_SIZES, app_icon
from zhuji_archive.instance import MUTEX_NAME

ROOT = Path(__file__).resolve().parent.parent


def test_version_comes_from_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {__version__}" in changelog, "CHANGELOG.md 须有当前版本的一节"


def test_icon_has_every_size(qapp) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)
    image = icon.pixmap(64, 64).toImage()
    centre = image.pixelColor(32, 46)  # the front of the folder is red
    assert centre.red() > 150 and centre.green() < 90


def test_main_window_shows_version_and_icon(qapp, qtbot, tmp_path: Path) -> None:
    from zhuji_archive.gui.app import app_settings, make_application
    from zhuji_archive.gui.main_window import MainWindow

    app = make_application()
    archive = open_archive(tmp_path / "a.sqlite3", "测试员")
    window = MainWindow(archive, app_settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == f"群众档案 {__version__} — a.sqlite3 — 测试员 · 党政办"
    assert not window.windowIcon().isNull()
    assert app.desktopFileName() == "zhuji-archive"
    window.close()
    archive.close()


def test_smoke_test_starts_the_window_and_exits(qapp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It logs in to a throwaway archive of its own; the file --db names is looked at, never created."""
    db = tmp_path / "fresh" / "archive.sqlite3"
    assert main(["--smoke-test", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    title = f"群众档案 {re.escape(__version__)} — 启动检查.sqlite3 — 启动检查 · 系统管理员"
    assert re.search(rf"启动检查通过：窗口“{title}”已显示（(进程启动后 )?\d+ 毫秒），图标已设置", out)
    assert f"档案库 {db}（尚未建立）" in out
    assert not db.parent.exists()
    archive = open_archive(tmp_path / "b.sqlite3", "检查")
    archive.close()
    assert main(["--smoke-test", "--db", str(tmp_path / "b.sqlite3")]) == 0
    assert "b.sqlite3（已加密，可登录）" in capsys.readouterr().out
    assert main(["--smoke-test"]) == 0


def test_smoke_test_reports_an_archive_it_cannot_open(qapp, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    assert main(["--smoke-test", "--db", str(folder)]) == 2
    assert "启动检查失败：无法打开档案库" in capsys.readouterr().err


def test_installer_checks_the_mutex_the_program_holds() -> None:
    script = (ROOT / "installer" / "zhuji-archive.nsi").read_text(encoding="utf-8-sig")
    assert f'!define MUTEX "{MUTEX_NAME}"' in script
    code = [line for line in script.splitlines() if not line.strip().startswith(";")]
    assert not [line for line in code if re.search(r"RMDir\s+/r", line, re.IGNORECASE)], "卸载只能逐个删除安装的文件"
    assert "RequestExecutionLevel user" in code and '!insertmacro MUI_LANGUAGE "SimpChinese"' in code
