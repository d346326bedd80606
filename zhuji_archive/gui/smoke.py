"""`zhuji-archive --smoke-test`: start the real window on an archive, wait until it is on screen, quit.

Installers and CI use it to prove that an installed copy starts (Qt, its plugins, fonts, migrations, the
archive) without anyone clicking: it prints one line in Chinese and exits 0 once the window is exposed,
or 1 if it never shows. It never asks for an operator name and never shows a message box.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from zhuji_archive.gui.app import app_settings, make_application
from zhuji_archive.logs import failure_message
from zhuji_archive.services.archive import Archive
from zhuji_archive.storage.database import DatabaseError

SMOKE_OPERATOR = "启动检查"
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


def smoke_test(db_path: Path, operator: str | None = None, timeout_s: float = 60.0) -> int:
    started = time.perf_counter()
    app = make_application()
    try:
        archive = Archive.open(db_path, operator or SMOKE_OPERATOR)
    except DatabaseError as error:  # its text is the storage layer's Chinese message
        print(f"启动检查失败：无法打开档案库：{error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 — a start-up check reports every failure, in Chinese
        print(f"启动检查失败：无法打开档案库：{failure_message('启动检查', error)}", file=sys.stderr)
        return 2
    from zhuji_archive.gui.main_window import MainWindow

    window = MainWindow(archive, app_settings())
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
        f"图标{'已设置' if icon_ok else '缺失'}，界面平台 {app.platformName()}，档案库 {db_path}"
    )
    return 0 if icon_ok else 1
