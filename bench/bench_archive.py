#!/usr/bin/env python3
"""Scale benchmark for the household archive: 100,000 households through the real window.

Prints a table of each step (median of several runs) beside the bare sqlite3 module running the
same SQL, plus window start-up time and peak memory measured in a fresh process."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zhuji_archive.services.archive import Archive  # noqa: E402
from zhuji_archive.services.demo import generate  # noqa: E402
from zhuji_archive.storage import household_queries  # noqa: E402
from zhuji_archive.storage.household_queries import HouseholdFilter  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def build(path: Path, households: int) -> float:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    archive = Archive.open(path, "bench")
    generate(archive.db, households=households, seed=1)
    archive.close()
    return time.perf_counter() - started


def median_ms(action, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bare_sql(archive: Archive, flt: HouseholdFilter) -> str:
    """The page query exactly as the application sends it, with literal values, for sqlite3."""
    from sqlalchemy.dialects import sqlite

    query = household_queries._base(flt)
    keys = [*household_queries._sort_columns(flt.sort), household_queries.Household.id]
    query = query.add_columns(*keys).order_by(*keys).limit(200)
    return str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def startup(path: Path) -> dict:
    """Start a fresh interpreter, open the database and show the main window; report time and memory."""
    code = f"""
import time, os, json, resource
t0 = time.perf_counter()
os.environ['QT_QPA_PLATFORM'] = 'offscreen'
from PySide6.QtCore import QSettings
from zhuji_archive.gui.app import make_application
from zhuji_archive.gui.main_window import MainWindow
from zhuji_archive.services.archive import Archive
app = make_application([])
archive = Archive.open({str(path)!r}, 'bench')
window = MainWindow(archive, QSettings({str(OUT / "bench.ini")!r}, QSettings.Format.IniFormat))
window.show()
window.grab()  # paints the window now, as the first event-loop pass would
shown = time.perf_counter() - t0
from zhuji_archive.gui.operations import runner_for
runner = runner_for(archive)
app.processEvents()  # the to-do list starts loading on a worker once the window is up
while runner.busy:  # ... and is filled when its result has come back
    app.processEvents()
    time.sleep(0.002)
todo = time.perf_counter() - t0
print(json.dumps({{'shown_s': shown, 'todo_s': todo, 'rows': window.households.model.rowCount(),
                  'maxrss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="reuse bench/out/bench.sqlite3 if present")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / "bench.sqlite3"
    build_s = None
    if not (args.reuse and path.exists()):
        build_s = build(path, args.households)

    from PySide6.QtCore import QSettings

    from zhuji_archive.gui.app import make_application
    from zhuji_archive.gui.household_dialog import HouseholdDialog
    from zhuji_archive.gui.main_window import MainWindow

    start = startup(path)
    app = make_application([])
    archive = Archive.open(path, "bench")
    window = MainWindow(archive, QSettings(str(OUT / "bench.ini"), QSettings.Format.IniFormat))
    window.show()
    app.processEvents()
    page = window.households
    model = page.model
    bare = sqlite3.connect(path)
    with archive.db.sessions() as session:
        from sqlalchemy import func, select

        from zhuji_archive.storage.models import Household, Member, Town

        households = session.scalar(select(func.count()).select_from(Household))
        members = session.scalar(select(func.count()).select_from(Member))
        town_id = session.scalar(select(Town.id))
        sample = session.execute(
            select(Member.name, Member.name_initials, Member.id_number, Member.household_id)
            .where(Member.id_number != "")
            .order_by(Member.id)
            .limit(1)
            .offset(members // 2)
        ).one()

    town = HouseholdFilter(town_id=town_id)
    steps = [
        ("首屏：全镇户列表前200行 (first rows of the whole list)", town),
        ("按户主拼音倒序排序 (sort by head, descending)", HouseholdFilter(town_id=town_id, descending=True)),
        ("按最近走访排序 (sort by last visit)", HouseholdFilter(town_id=town_id, sort="last_visit")),
        (f"姓名搜索“{sample.name}” (name)", HouseholdFilter(town_id=town_id, text=sample.name)),
        (
            f"拼音首字母“{sample.name_initials}” (pinyin initials)",
            HouseholdFilter(town_id=town_id, text=sample.name_initials),
        ),
        ("身份证号搜索 (full ID number)", HouseholdFilter(town_id=town_id, text=sample.id_number)),
        ("身份证后6位 (last 6 digits of ID)", HouseholdFilter(town_id=town_id, text=sample.id_number[-6:])),
    ]
    rows = []
    for title, flt in steps:
        app_ms = median_ms(lambda flt=flt: (model.set_filter(flt), app.processEvents()))
        sql = bare_sql(archive, flt)
        bare_ms = median_ms(lambda sql=sql: bare.execute(sql).fetchall())
        rows.append((title, app_ms, bare_ms, model.total))
    model.set_filter(town)
    scroll_ms = median_ms(lambda: model.fetchMore(), repeat=5)
    rows.append(("滚动加载下一页200行 (fetch more while scrolling)", scroll_ms, None, len(model.rows)))

    def open_file() -> None:
        dialog = HouseholdDialog(archive, household_id=sample.household_id)
        dialog.show()
        app.processEvents()
        dialog.dirty = False
        dialog.close()
        dialog.deleteLater()

    rows.append(("打开一户档案 (open one household file)", median_ms(open_file), None, 1))
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"\n数据库：{households:,} 户，{members:,} 人；文件 {path.stat().st_size / 1e6:,.0f} MB")
    if build_s is not None:
        print(f"生成演示数据用时 {build_s:,.1f} s")
    print("\n| 步骤 (step) | 程序 (app) ms | 同一SQL直接用sqlite3 ms | 结果行数 |")
    print("|---|---:|---:|---:|")
    print(
        f"| 启动到主窗口显示 (start to shown window, fresh process) | {start['shown_s'] * 1000:,.0f} | — | "
        f"{start['rows']} |"
    )
    print(
        f"| 启动到今日待办填好（全部干部）(… and the to-do list filled) | {start['todo_s'] * 1000:,.0f} | — | — |"
    )
    for title, app_ms, bare_ms, count in rows:
        bare_text = f"{bare_ms:,.1f}" if bare_ms is not None else "—"
        print(f"| {title} | {app_ms:,.1f} | {bare_text} | {count:,} |")
    print(f"\n峰值内存 (peak RSS)：启动进程 {start['maxrss_mb']:,.0f} MB；完成以上全部步骤后 {peak:,.0f} MB")
    window.close()
    archive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
