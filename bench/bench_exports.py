#!/usr/bin/env python3
"""Export benchmark: group and village books (PDF) and county-scale Excel rosters.

Each export runs through the application's export service, and beside it, in the same run, the
bare library does the same work: a bare query of the same SQL (the same SQLCipher library, keyed) fed to a plain openpyxl
write-only loop, and a plain reportlab document of the same tables. Memory is measured in fresh
processes for a 10,000- and a 100,000-household archive (peak RSS, and Python's own peak through
tracemalloc), to show it stays flat as rows grow.

    .venv/bin/python bench/bench_exports.py            # builds its databases under bench/out/ once
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive import archive_key, new_bench_archive, open_bench  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

from zhuji_archive.exports import fonts  # noqa: E402
from zhuji_archive.services.demo import generate  # noqa: E402
from zhuji_archive.storage import cipher, export_queries, keyring  # noqa: E402
from zhuji_archive.storage.export_queries import Scope  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


# ---- databases -----------------------------------------------------------------------------------


def bare(db: Path, detect_types: int = 0):  # type: ignore[no-untyped-def]
    """The bare side's connection: the archive file through the same SQLite library as the program's
    (SQLCipher's, keyed; Python's sqlite3 cannot read it, and two SQLite copies in one process do not
    see each other's locks)."""
    connection = cipher.dbapi.connect(str(db), detect_types=detect_types, check_same_thread=False)
    cipher.apply_key(connection, archive_key(db))
    return connection


def database(households: int) -> Path:
    """A demo archive of ``households`` households (seed 1), built once under bench/out/."""
    path = OUT / f"exports-{households}.sqlite3"
    if path.exists() and keyring.keyring_path(path).exists():
        try:
            conn = bare(path)
            try:
                if conn.execute("SELECT count(*) FROM household").fetchone()[0] == households:
                    return path
            finally:
                conn.close()
        except (cipher.dbapi.DatabaseError, keyring.KeyringError, keyring.WrongPassword):
            pass
    for suffix in ("", "-wal", "-shm", keyring.SUFFIX):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"正在生成 {households:,} 户的基准数据库 …", file=sys.stderr, flush=True)
    archive = new_bench_archive(path)
    generate(archive.db, households=households, seed=1)
    archive.close()
    return path


def sql_of(query) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy.dialects import sqlite

    return str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def warm(db: Path) -> None:
    """Read the tables once so neither side pays for a cold file cache."""
    with bare(db) as conn:
        for table in ("household", "member", "village", "village_group"):
            conn.execute(f"SELECT * FROM {table}").fetchall()


class Timing:
    """Best-of-N wall-clock and CPU seconds of an action (the machine may be shared: the minimum is
    the least disturbed run, and CPU time does not count time spent waiting for other processes)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.result: object = None

    def run(self, action: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.result = action()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu)


# ---- Excel ---------------------------------------------------------------------------------------


def bare_roster(db: Path, sql: str, target: Path) -> int:
    """The bare libraries: sqlite3 rows (dates parsed) appended to an openpyxl write-only sheet."""
    conn = bare(db, detect_types=cipher.dbapi.PARSE_DECLTYPES)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("roster")
    rows = 0
    for row in conn.execute(sql):
        ws.append(row)
        rows += 1
    workbook.save(target)
    conn.close()
    return rows


# ---- PDF -----------------------------------------------------------------------------------------

SECTIONS = {
    "member": (
        "name, relation, sex, id_number, birth_date, education, political_status, health, phone, "
        "migrant_place",
        "removed = 0",
        "sort",
    ),
    "income_source": ("kind, description, land_mu, scale, months, annual_income", "deleted = 0", "kind"),
    "assistance": ("date, provider, provider_type, kind, content, amount", "deleted = 0", "date"),
    "request": ("recorded_on, category, description, status, resolution", "deleted = 0", "recorded_on DESC"),
    "visit": ("date, kind, cadres, notes, policies", "deleted = 0", "date DESC"),
}
WRAPPED = {"description", "content", "resolution", "notes", "policies", "migrant_place"}


def bare_book(db: Path, household_ids: list[str], target: Path) -> int:
    """The bare library: a plain reportlab document with each household's title and the same five
    tables (same font, grid, repeated header rows, wrapping text cells), one household per page."""
    fonts.register()
    style = fonts.styles().cell
    title = fonts.styles().title
    conn = bare(db)
    flowables: list = []
    width = A4[0] - 36 * mm
    for start in range(0, len(household_ids), 500):
        chunk = household_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        heads = {
            hid: (number, head)
            for hid, number, head in conn.execute(
                f"SELECT id, number, head_name FROM household WHERE id IN ({marks})", chunk
            )
        }
        rows: dict[str, dict[str, list]] = {hid: {t: [] for t in SECTIONS} for hid in chunk}
        names: dict[str, list[str]] = {}
        for table, (columns, alive, order) in SECTIONS.items():
            names[table] = [c.strip() for c in columns.split(",")]
            query = (
                f"SELECT household_id, {columns} FROM {table} WHERE household_id IN ({marks}) AND {alive} "
                f"ORDER BY household_id, {order}"
            )
            for row in conn.execute(query, chunk):
                rows[row[0]][table].append(row[1:])
        for hid in chunk:
            number, head = heads[hid]
            flowables += [Paragraph(f"第{number}户 {head}", title), Spacer(1, 4 * mm)]
            for table, cols in names.items():
                header = cols
                body = [
                    [
                        Paragraph(str(v), style) if c in WRAPPED and v else ("" if v is None else str(v))
                        for c, v in zip(cols, r, strict=True)
                    ]
                    for r in rows[hid][table]
                ]
                t = Table([header, *body], colWidths=[width / len(cols)] * len(cols), repeatRows=1)
                t.setStyle(
                    TableStyle(
                        [("FONT", (0, 0), (-1, -1), fonts.FONT, 8), ("GRID", (0, 0), (-1, -1), 0.5, "black")]
                    )
                )
                flowables += [t, Spacer(1, 3 * mm)]
            flowables.append(PageBreak())
    doc = SimpleDocTemplate(str(target), pagesize=A4, leftMargin=22 * mm, rightMargin=14 * mm)
    doc.build(flowables)
    conn.close()
    return doc.page


# ---- memory in a fresh process --------------------------------------------------------------------

MEMORY_CODE = """
import json, sys, time, tracemalloc
sys.path.insert(0, {root!r})
sys.path.insert(0, {root!r} + '/bench')
from pathlib import Path
from bench_archive import open_bench


def peak_rss_mb():
    # VmHWM belongs to this process image; ru_maxrss can report the parent's size after fork+exec.
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


archive = open_bench(Path({db!r}), False)
before = peak_rss_mb()
if {traced!r}:
    tracemalloc.start()
started = time.perf_counter()
result = archive.exports.roster({target!r}, {kind!r})
seconds = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] if {traced!r} else 0
print(json.dumps({{'rows': result.rows, 'seconds': seconds, 'traced_peak_mb': peak / 2**20,
                  'rss_before_mb': before, 'rss_peak_mb': peak_rss_mb()}}))
"""


def memory(db: Path, kind: str, traced: bool) -> dict:
    target = OUT / f"memory-{kind}.xlsx"
    code = MEMORY_CODE.format(root=str(ROOT), db=str(db), target=str(target), kind=kind, traced=traced)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    target.unlink(missing_ok=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---- the run --------------------------------------------------------------------------------------


def biggest_group(db: Path) -> tuple[str, int]:
    with bare(db) as conn:
        return conn.execute(
            "SELECT group_id, count(*) c FROM household WHERE status = '在册' GROUP BY group_id "
            "ORDER BY abs(c - 150), group_id LIMIT 1"
        ).fetchone()


def village_near(db: Path, size: int) -> tuple[str, str, int]:
    with bare(db) as conn:
        return conn.execute(
            "SELECT v.id, v.name, count(*) c FROM household h JOIN village v ON v.id = h.village_id "
            "WHERE h.status = '在册' GROUP BY v.id ORDER BY abs(c - ?), v.id LIMIT 1",
            (size,),
        ).fetchone()


def household_ids(db: Path, scope: Scope) -> list[str]:
    with bare(db) as conn:
        if scope.group_id:
            where, value = "group_id = ?", scope.group_id
        else:
            where, value = "village_id = ?", scope.village_id
        return [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM household WHERE status = '在册' AND {where} ORDER BY group_sort, number, id",
                (value,),
            )
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of the group book (best of)")
    parser.add_argument("--roster-repeat", type=int, default=2, help="runs of each large roster (best of)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--only-memory", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    big = database(100_000)
    village_db = database(16_000)  # eight villages of about 2,000 households
    small = database(10_000)
    rows: list[tuple[str, Timing, Timing, str]] = []
    if args.only_memory:
        run_memory(small, big)
        return 0

    archive = open_bench(big, plain=False)
    group_id, group_size = biggest_group(big)
    ids = household_ids(big, Scope(group_id=group_id))
    app, bare = Timing(), Timing()
    for _ in range(args.repeat):
        app.run(lambda: archive.exports.book(OUT / "group-book.pdf", group_id=group_id, volume_limit=0))
        bare.run(lambda: bare_book(big, ids, OUT / "group-book-bare.pdf"))
    pages = app.result.pages  # type: ignore[attr-defined]
    rows.append(
        (f"村民小组档案册 group book, {group_size} 户", app, bare, f"{pages} 页 (bare {bare.result})")
    )

    for kind, label in (
        ("households", "户花名册 households roster"),
        ("members", "成员花名册 members roster"),
    ):
        query = (
            export_queries.household_roster_query(Scope())
            if kind == "households"
            else export_queries.member_roster_query(Scope())
        )
        sql = sql_of(query)
        warm(big)
        app, bare = Timing(), Timing()
        for _ in range(args.roster_repeat):
            app.run(lambda: archive.exports.roster(OUT / f"{kind}.xlsx", kind))  # noqa: B023
            bare.run(lambda: bare_roster(big, sql, OUT / f"{kind}-bare.xlsx"))  # noqa: B023
        written = app.result.rows  # type: ignore[attr-defined]
        assert bare.result == written, (bare.result, written)
        rows.append((label, app, bare, f"{written:,} 行"))
    archive.close()

    archive = open_bench(village_db, plain=False)
    village_id, village_name, village_size = village_near(village_db, 2000)
    ids = household_ids(village_db, Scope(village_id=village_id))
    app, bare = Timing(), Timing()
    app.run(lambda: archive.exports.book(OUT / "village-book.pdf", village_id=village_id, volume_limit=0))
    bare.run(lambda: bare_book(village_db, ids, OUT / "village-book-bare.pdf"))
    pages = app.result.pages  # type: ignore[attr-defined]
    rows.append(
        (
            f"全村档案册 village book ({village_name}), {village_size:,} 户",
            app,
            bare,
            f"{pages:,} 页 (bare {bare.result:,})",
        )
    )
    archive.close()

    print(
        "| 导出 (export) | 程序 (app) s | 裸库 (bare library) s | 倍数 (ratio) | CPU 倍数 (CPU ratio) | 规模 |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, app, bare, size in rows:
        print(
            f"| {label} | {app.best:.2f} | {bare.best:.2f} | {app.best / bare.best:.2f}× "
            f"| {app.best_cpu / bare.best_cpu:.2f}× | {size} |"
        )

    if not args.skip_memory:
        run_memory(small, big)
    return 0


def run_memory(small: Path, big: Path) -> None:
    """Peak memory of a roster export in a fresh process, for 10,000 and 100,000 households."""
    print()
    print(
        "| 内存 (memory, fresh process) | 行数 rows | 打开档案后 RSS MB | 导出峰值 RSS MB | Python 峰值 (tracemalloc) MB |"
    )
    print("|---|---:|---:|---:|---:|")
    for kind, label in (("households", "户花名册"), ("members", "成员花名册")):
        for db, size in ((small, "1万户"), (big, "10万户")):
            rss = memory(db, kind, traced=False)  # tracemalloc's own bookkeeping would inflate RSS
            traced = memory(db, kind, traced=True)
            print(
                f"| {label}，{size} | {rss['rows']:,} | {rss['rss_before_mb']:.0f} | {rss['rss_peak_mb']:.0f} "
                f"| {traced['traced_peak_mb']:.1f} |"
            )


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.exit(main())
