#!/usr/bin/env python3
"""The hub bench: the archive bench's steps on a PostgreSQL hub, beside bare psycopg.

At 100,000 and 400,000 households (``--scales``) it builds the demo town on a hub database the way
``zhuji-archive demo --db`` does (services/access.create makes the hub and its administrator, a 党政办
account ``bench`` is added, services/demo.generate fills it through SQLAlchemy), runs ``ANALYZE`` once
the bulk build is done (autovacuum would do it within a minute or two; the bench does not wait), then
logs in as the 党政办 account and times the same steps as bench_archive.py: the household list (first
page, sorts, searches, scrolling), opening and saving a file, and every page's load through the
services it calls. Each step's SELECT statements, caught as SQLAlchemy sends them, are replayed in the
same run through a bare psycopg connection with the same parameters ("bare psycopg"). The printed
table gives both at each scale, the target (every page < 300 ms, interactive steps < 100 ms) and
whether the hub met it at the largest scale, then PostgreSQL's plan of each step's slowest statements.

The server is tests/pg_cluster.py's throwaway cluster (Debian's PostgreSQL binaries, defaults from
initdb: shared_buffers 128 MB, work_mem 4 MB, effective_cache_size 4 GB) with fsync,
synchronous_commit and full_page_writes off, as the tests run it: the build is then not bound by the
disk, and a save's commit costs no WAL flush (on a real hub it costs one). ``ZHUJI_TEST_PG`` names a
server to use instead; the databases built there (``bench_<households>_<code hash>``) are kept and
reused by the next run."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "tests"))

from bench_archive import (  # noqa: E402
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    BENCH_LOGIN,
    BENCH_NAME,
    BENCH_PASSWORD,
    OUT,
    PAGE_TARGET,
    STEP_TARGET,
    Recorder,
    fmt,
    measure_interactive_steps,
    median_ms,
    page_steps,
    peak_rss_mb,
)

SCALES = (100_000, 400_000)
SETTINGS = (
    "server_version",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "max_parallel_workers_per_gather",
    "fsync",
    "synchronous_commit",
    "full_page_writes",
)


def demo_version() -> str:
    """A hash of the demo generator: what the hub's rows are. The schema is brought to the current
    version when the bench logs in (open_hub upgrades), so a new migration does not rebuild the town."""
    import hashlib

    digest = hashlib.sha1()
    for path in sorted((ROOT / "zhuji_archive" / "services").glob("demo*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def settle(url: str) -> None:
    """The tally tables rewritten and the statistics refreshed after the bulk build (storage/hub.py)."""
    from zhuji_archive.storage import hub
    from zhuji_archive.storage.database import settle_after_bulk_load

    engine = hub.make_engine(url)
    try:
        settle_after_bulk_load(engine)
    finally:
        engine.dispose()


def server() -> Any:
    import pg_cluster

    return pg_cluster.cluster()


def hub_database(households: int) -> tuple[str, dict[str, Any]]:
    """The hub database of this size on the bench server (built when missing) and how long building took."""
    from zhuji_archive.domain.accounts import Role
    from zhuji_archive.services import access
    from zhuji_archive.services.demo import generate

    cluster = server()
    name = f"bench_{households}_{demo_version()}"
    OUT.mkdir(exist_ok=True)
    sidecar = OUT / f"hub-{households}-{demo_version()}.json"
    if cluster.exists(name) and sidecar.exists():
        return cluster.url(name), {**json.loads(sidecar.read_text()), "cached": True}
    url = cluster.create(name)
    print(f"在 PostgreSQL 上生成 {households:,} 户演示数据 …", file=sys.stderr, flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    archive = access.create(url, ADMIN_LOGIN, "系统管理员", ADMIN_PASSWORD)
    archive.accounts.create(BENCH_LOGIN, BENCH_NAME, Role.OFFICE, [], BENCH_PASSWORD, must_change_password=False)
    generate(archive.db, households=households, seed=1)
    archive.close()
    generated = time.perf_counter() - started
    analyze_started = time.perf_counter()
    settle(url)
    analyze_s = time.perf_counter() - analyze_started
    info = {
        "generate_s": generated,
        "generate_cpu_s": time.process_time() - cpu,  # this process's CPU; the server's is on top
        "vacuum_analyze_s": analyze_s,
        "households": households,
    }
    sidecar.write_text(json.dumps(info))
    return url, {**info, "cached": False}


class BareRecorder(Recorder):
    """The statements a step sends, as the psycopg dialect sends them: ``%(name)s`` with a dict."""

    def _seen(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if self.active and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append((statement, parameters))


def plan_summary(node: dict[str, Any]) -> list[str]:
    """A plan tree, one node a line: the kind of node, its table and index."""
    lines = []

    def walk(n: dict[str, Any], depth: int) -> None:
        text = n["Node Type"]
        if "Relation Name" in n:
            text += f" on {n['Relation Name']}"
        if "Index Name" in n:
            text += f" using {n['Index Name']}"
        lines.append("  " * depth + text)
        for child in n.get("Plans", []):
            walk(child, depth + 1)

    walk(node, 0)
    return lines


def one_scale(app: Any, households: int, repeat_scale: float) -> dict[str, Any]:
    """Every step at one scale: timed through the application, replayed bare, explained."""
    import psycopg
    from PySide6.QtCore import QSettings
    from sqlalchemy import func, select

    from zhuji_archive.gui.main_window import MainWindow
    from zhuji_archive.services import access
    from zhuji_archive.storage import hub
    from zhuji_archive.storage.models import Household, Member, Town

    url, generation = hub_database(households)
    archive = access.unlock(url, BENCH_LOGIN, BENCH_PASSWORD)
    recorder = BareRecorder(archive.db.engine)
    # The bare connection gets the session options the application's engine sets (plan_cache_mode).
    bare = psycopg.connect(url, autocommit=True, options=hub.SESSION_OPTIONS)
    settings = {key: bare.execute(f"SHOW {key}").fetchone()[0] for key in SETTINGS}
    size_mb = bare.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e6
    load_before = os.getloadavg()[0]
    window = MainWindow(archive, QSettings(str(OUT / "bench.ini"), QSettings.Format.IniFormat))
    window.show()
    app.processEvents()
    model = window.households.model
    with archive.db.sessions() as session:
        counted = session.scalar(select(func.count()).select_from(Household))
        members = session.scalar(select(func.count()).select_from(Member))
        town_id = session.scalar(select(Town.id))
        sample = session.execute(
            select(Member.name, Member.name_initials, Member.id_number, Member.household_id)
            .where(Member.id_number != "")
            .order_by(Member.id)
            .limit(1)
            .offset(members // 2)
        ).one()

    def replay(statements: list[tuple[str, Any]]) -> tuple[float, list[dict[str, Any]]]:
        detail = []
        for statement, parameters in statements:
            ms = median_ms(lambda s=statement, p=parameters: bare.execute(s, p).fetchall(), 3)
            detail.append({"sql": statement, "params": parameters, "ms": ms})
        return sum(d["ms"] for d in detail), detail

    def explain(statement: str, parameters: Any) -> dict[str, Any]:
        rows = bare.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters).fetchone()
        text = bare.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()
        return {"summary": plan_summary(rows[0][0]["Plan"]), "text": [r[0] for r in text]}

    steps: list[dict[str, Any]] = []

    def measure(title: str, kind: str, action: Callable[[], object], repeat: int) -> None:
        statements = recorder.capture(action)  # also the warm-up run
        app_ms = median_ms(action, max(3, round(repeat * repeat_scale)))
        bare_ms, detail = replay(statements)
        main = sorted(detail, key=lambda d: -d["ms"])[:3]
        steps.append(
            {
                "title": title,
                "kind": kind,
                "ms": app_ms,
                "bare_ms": bare_ms,
                "queries": len(statements),
                "main": [
                    {"sql": d["sql"], "ms": d["ms"], "plan": explain(d["sql"], d["params"])} for d in main
                ],
            }
        )
        print(f"  {households // 1000}k {title}: {fmt(app_ms)} ms（裸 {fmt(bare_ms)}）", file=sys.stderr, flush=True)

    measure_interactive_steps(measure, archive, model, app, town_id, sample)
    for title, action, repeat in page_steps(archive):
        measure(title, "page", action, repeat)
    window.close()
    archive.close()
    # One round trip to the server, as the machine was meanwhile: on a shared 2-core machine most are
    # tens of microseconds, and some wait milliseconds for the server process to be scheduled.
    trips = []
    for _ in range(300):
        started = time.perf_counter()
        bare.execute("SELECT 1").fetchall()
        trips.append((time.perf_counter() - started) * 1000)
    trips.sort()
    bare.close()
    return {
        "round_trip_ms": {"median": trips[len(trips) // 2], "p90": trips[len(trips) * 9 // 10]},
        "load": [load_before, os.getloadavg()[0]],
        "households": counted,
        "members": members,
        "database_mb": size_mb,
        "settings": settings,
        "generation": generation,
        "peak_rss_mb": peak_rss_mb(),
        "steps": steps,
    }


def worker(scales: list[int], repeat_scale: float) -> dict[int, dict[str, Any]]:
    from PySide6.QtWidgets import QApplication

    from zhuji_archive.gui.app import make_application

    app = QApplication.instance() or make_application([])
    return {households: one_scale(app, households, repeat_scale) for households in scales}


def fastest(runs: list[dict[int, dict[str, Any]]]) -> dict[int, dict[str, Any]]:
    """Several rounds as one: each step's fastest median (the machine is shared; a burst of someone
    else's work slows one round)."""
    merged = json.loads(json.dumps(runs[0]))
    merged = {int(k): v for k, v in merged.items()}
    for n, result in merged.items():
        for index, step in enumerate(result["steps"]):
            step["ms"] = min(run[n]["steps"][index]["ms"] for run in runs)
            step["bare_ms"] = min(run[n]["steps"][index]["bare_ms"] for run in runs)
    return merged


def report(results: dict[int, dict[str, Any]], rounds: int) -> None:
    scales = sorted(results)
    top = scales[-1]
    names = [f"{n // 1000}k" for n in scales]
    settings = results[top]["settings"]
    print("\n## 镇级数据库基准 (hub bench, PostgreSQL)\n")
    print(
        f"数值为中位数（{rounds} 轮，每项取较快一轮），单位 ms；机器为与其他任务共用的2核，结果有噪声。"
        "“裸psycopg”为该步骤发出的全部 SELECT 语句经一个 psycopg 连接直接执行（同一次运行、同样的参数）的时间。\n"
    )
    print("服务器：" + "，".join(f"{k} = {v}" for k, v in settings.items()) + "\n")
    head = " | ".join(f"{n} 程序 | {n} 裸psycopg" for n in names)
    print(f"| 步骤 (step) | {head} | 语句数 | 目标 | {names[-1]} 达标 |")
    print("|---|" + "---:|" * (2 * len(scales) + 2) + ":---:|")
    for index, step in enumerate(results[top]["steps"]):
        target = PAGE_TARGET if step["kind"] == "page" else STEP_TARGET
        cells = " | ".join(
            f"{fmt(results[n]['steps'][index]['ms'])} | {fmt(results[n]['steps'][index]['bare_ms'])}" for n in scales
        )
        met = "是" if step["ms"] < target else "**否**"
        print(f"| {step['title']} | {cells} | {step['queries']} | < {target} | {met} |")
    print()
    print(f"| 其他 | {' | '.join(names)} |")
    print("|---|" + "---:|" * len(scales))
    counts = " | ".join(f"{results[n]['households']:,} / {results[n]['members']:,}" for n in scales)
    print(f"| 户数 / 人数 | {counts} |")
    print(f"| 数据库大小 MB | {' | '.join(format(results[n]['database_mb'], ',.0f') for n in scales)} |")
    trips = " | ".join(
        f"{results[n]['round_trip_ms']['median']:.2f} / {results[n]['round_trip_ms']['p90']:.2f}" for n in scales
    )
    print(f"| 一次往返 SELECT 1 ms（中位数 / 90%） | {trips} |")
    load = " | ".join(f"{results[n]['load'][0]:.1f} → {results[n]['load'][1]:.1f}" for n in scales)
    print(f"| 机器负载 loadavg（开始 → 结束） | {load} |")
    print(f"| 基准进程峰值 RSS MB | {' | '.join(format(results[n]['peak_rss_mb'], ',.0f') for n in scales)} |")

    def generation(n: int) -> str:
        g = results[n]["generation"]
        cached = "（已建好，复用）" if g.get("cached") else ""
        return (
            f"{g['generate_s']:,.0f} s（本进程 CPU {g['generate_cpu_s']:,.0f} s），"
            f"{g['households'] / g['generate_s']:,.0f} 户/s；整理统计表并 ANALYZE {g['vacuum_analyze_s']:,.0f} s{cached}"
        )

    print(f"| 生成演示数据 (demo.generate on the hub) | {' | '.join(generation(n) for n in scales)} |")
    print("\n## 各步骤最慢语句的执行计划 (PostgreSQL plans of each step's slowest statements)\n")
    for step in results[top]["steps"]:
        print(f"### {step['title']}\n")
        for query in step["main"][:2]:
            short = " ".join(query["sql"].split())[:160]
            print(f"- `{short}…` {fmt(query['ms'])} ms（{names[-1]}）")
            print("  - " + " / ".join(p.strip() for p in query["plan"]["summary"]))
        print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default=",".join(str(n) for n in SCALES), help="households, comma-separated")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of all steps; each step's fastest is kept")
    parser.add_argument("--repeat-scale", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()
    scales = [int(n) for n in args.scales.split(",")]
    for households in scales:
        hub_database(households)  # built first, so the rounds time the same databases
    runs = [worker(scales, args.repeat_scale) for _ in range(args.rounds)]
    results = fastest(runs)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    report(results, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
