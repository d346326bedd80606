#!/usr/bin/env python3
"""Render the README screenshots offscreen from a fresh demo archive into resources/screenshots/, logged in
as the demo's 党政办 account."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402

from zhuji_archive.gui.app import make_application  # noqa: E402
from zhuji_archive.gui.main_window import MainWindow  # noqa: E402
from zhuji_archive.services import access, demo_accounts  # noqa: E402

OUT = ROOT / "resources" / "screenshots"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_application([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "安华镇演示.sqlite3"
        day = date(2026, 11, 20)
        demo_accounts.create_demo(path, households=600, seed=2008, today=day)
        # The demo's 党政办 account: the whole town, as the screenshots show it.
        archive = access.unlock(path, "dangzhengban", demo_accounts.DEMO_PASSWORD, today=day)
        window = MainWindow(archive, QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
        window.resize(1280, 780)
        window.show()
        tree = window.tree
        group = tree.tree_model.item(0).child(0).child(1).child(0)  # 驻村一分中心 / 杜黄村 / 一组
        tree.setCurrentIndex(group.index())
        app.processEvents()
        window.grab().save(str(OUT / "main-window.png"))
        household_id = window.households.model.rows[2].id
        dialog = window.open_household(household_id)
        dialog.resize(1150, 700)
        app.processEvents()
        dialog.grab().save(str(OUT / "household.png"))
        dialog.close()
        window.tabs.setCurrentWidget(window.village)
        app.processEvents()
        window.grab().save(str(OUT / "village.png"))
        for name, page in (
            ("todo.png", window.todo),
            ("requests.png", window.requests),
            ("dashboard.png", window.dashboard),
        ):
            window.tabs.setCurrentWidget(page)
            app.processEvents()
            window.grab().save(str(OUT / name))
        request_id = next(r.id for r in archive.requests.list() if r.supervising_body)
        detail = window.open_request(request_id)
        detail.resize(1000, 680)
        app.processEvents()
        detail.grab().save(str(OUT / "request.png"))
        detail.close()
        window.close()
        archive.close()
    for name in sorted(p.name for p in OUT.glob("*.png")):
        print(f"已生成 resources/screenshots/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
