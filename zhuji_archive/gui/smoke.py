"""`zhuji-archive --smoke-test`: start the real window on an archive, wait until it is on screen, quit.

Installers and CI use it to prove that an installed copy starts (Qt, its plugins, fonts, encryption,
migrations, the archive) without anyone clicking: it prints one line in Chinese and exits 0 once the window
is exposed, or 1 if it never shows. It never asks for a password and never shows a message box.

It cannot log in to anyone's archive, so it makes a throwaway encrypted archive with a throwaway
administrator in a temporary folder and removes both afterwards. With ``--db`` it also checks that the file
named can be opened by logging in (it is an archive, not a folder, and its keyring is beside it); it never
creates, changes or logs in to that file. ``--db postgresql://…`` checks that the township's hub answers and
holds an archive, without logging in.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer

from zhuji_archive.gui.app import make_application
from zhuji_archive.logs import failure_message
from zhuji_archive.services import access
from zhuji_archive.storage.database import DatabaseError

SMOKE_LOGIN = "smoke-check"
SMOKE_NAME = "启动检查"
POLL_MS = 10


def seconds_since_process_start() -> float | None:
    """How long this process has existed (Linux, from /proc; 10 ms resolution), so the start time counts
    loading Python and Qt too; None where /proc is not available."""
    try:
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, "starttime", in clock ticks
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def check_archive_file(db_path: Path | str) -> str | None:
    """Why ``db_path`` could not be opened by logging in, in Chinese; None when it could. A hub (a
    ``postgresql://`` address) is asked whether it answers and holds an archive."""
    if access.is_hub(db_path):
        try:
            current = access.state(db_path)
        except DatabaseError as error:  # names the server, never the password
            return str(error)
        return None if current is access.ArchiveState.LOCKED else f"镇里的数据库“{access.shown(db_path)}”里还没有群众档案"
    db_path = Path(db_path)
    if db_path.is_dir():
        return f"“{db_path}”是一个文件夹，不是档案文件"
    try:
        current = access.state(db_path)
    except OSError:
        return f"无法读取“{db_path}”"
    if current is access.ArchiveState.NO_KEYRING:
        return access.keyring_missing_message(db_path)
    return None


STATE_TEXT = {
    access.ArchiveState.NEW: "尚未建立",
    access.ArchiveState.PLAIN: "旧版未加密，首次登录时加密",
    access.ArchiveState.LOCKED: "已加密，可登录",
}


def smoke_test(db_path: Path | str | None = None, timeout_s: float = 60.0) -> int:
    started = time.perf_counter()
    app = make_application()
    checked = ""
    if db_path is not None:
        problem = check_archive_file(db_path)
        if problem is not None:
            print(f"启动检查失败：无法打开档案库：{problem}", file=sys.stderr)
            return 2
        checked = (
            f"，镇里的数据库 {access.shown(db_path)}（可登录）"
            if access.is_hub(db_path)
            else f"，档案库 {db_path}（{STATE_TEXT[access.state(db_path)]}）"
        )
    with tempfile.TemporaryDirectory(prefix="zhuji-smoke-") as folder:
        try:
            archive = access.create(
                Path(folder) / "启动检查.sqlite3", SMOKE_LOGIN, SMOKE_NAME, secrets.token_urlsafe(16) + "-Aa1"
            )
        except DatabaseError as error:  # its text is the storage layer's Chinese message
            print(f"启动检查失败：无法建立临时档案库：{error}", file=sys.stderr)
            return 2
        except Exception as error:  # noqa: BLE001 — a start-up check reports every failure, in Chinese
            print(f"启动检查失败：无法建立临时档案库：{failure_message('启动检查', error)}", file=sys.stderr)
            return 2
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        return _show_window(app, archive, settings, started, timeout_s, checked)


def _show_window(app, archive, settings, started: float, timeout_s: float, checked: str) -> int:  # type: ignore[no-untyped-def]
    from zhuji_archive.gui.main_window import MainWindow

    window = MainWindow(archive, settings)
    window.show()
    outcome: dict[str, float] = {}
    # A local loop, not app.exec(): once the application's own loop has run and returned, Qt treats the
    # application as closing, which would stop background work of anything that runs after this in-process.
    loop = QEventLoop()

    def poll() -> None:
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            outcome["shown"] = time.perf_counter() - started
            since_start = seconds_since_process_start()
            if since_start is not None:
                outcome["since_start"] = since_start
            loop.quit()
        elif time.perf_counter() - started > timeout_s:
            loop.quit()
        else:
            QTimer.singleShot(POLL_MS, poll)

    QTimer.singleShot(0, poll)
    loop.exec()
    title, icon_ok = window.windowTitle(), not window.windowIcon().isNull()
    window.close()
    archive.close()
    if "shown" not in outcome:
        print(f"启动检查失败：{timeout_s:.0f} 秒内窗口没有显示", file=sys.stderr)
        return 1
    timing = f"进程启动后 {outcome['since_start'] * 1000:.0f} 毫秒" if "since_start" in outcome else ""
    timing = timing or f"{outcome['shown'] * 1000:.0f} 毫秒"
    print(
        f"启动检查通过：窗口“{title}”已显示（{timing}），"
        f"图标{'已设置' if icon_ok else '缺失'}，界面平台 {app.platformName()}{checked}"
    )
    return 0 if icon_ok else 1
