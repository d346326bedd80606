"""Benchmark of the Excel import: a 10,000-person ledger (about 3,300 households) read, validated
and imported into a fresh archive, next to the bare libraries reading the same file in the same run.

    python bench/bench_import.py [--persons 10000] [--keep DIR]

Targets (issue 5): validate < 10 s, import < 20 s on the 2-core reference machine."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from bench_archive import new_bench_archive, open_bench  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from zhuji_archive.domain import idcard  # noqa: E402

SURNAMES = "张王李赵陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国秀英伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红"
RELATIONS = ("户主", "配偶", "长子", "女儿", "孙子", "母亲")


def ledger(path: Path, persons: int) -> tuple[int, int]:
    """A realistic ledger: title rows, one row per person, 户号 on head rows, mixed date forms,
    and about 1% bad rows (IDs Excel turned into 3.30681E+17). Returns (households, bad rows)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("一组")
    ws.append(["杜黄村一组农户家庭成员花名册"])
    ws.append(["填报日期：2024年3月"])
    ws.append(
        [
            "户号",
            "姓名",
            "与户主关系",
            "性别",
            "身份证号码",
            "出生年月",
            "联系电话",
            "户类别",
            "家庭住址",
            "备注",
        ]
    )
    seq = households = bad = 0
    while seq < persons:
        households += 1
        size = 1 + households % 5
        for k in range(min(size, persons - seq)):
            seq += 1
            birth = date(1940 + (seq * 7) % 70, 1 + seq % 12, 1 + seq % 28)
            number: Any = idcard.make("330681", birth, seq % 997 + 1)
            if seq % 100 == 37:
                number, bad = float(number[:15] + "000"), bad + 1
            born: Any = (birth.strftime("%Y.%m"), f"{birth.year}年{birth.month}月", birth, birth.isoformat())[
                seq % 4
            ]
            name = (
                SURNAMES[households % len(SURNAMES)] + GIVEN[seq % len(GIVEN)] + GIVEN[(seq * 3) % len(GIVEN)]
            )
            head = k == 0
            ws.append(
                [
                    households if head else None,
                    name,
                    RELATIONS[k],
                    "",
                    number,
                    born,
                    f"13{seq:09d}" if head else None,
                    ("种植户", "打工户", "养殖户、低保户")[households % 3] if head else None,
                    f"杜黄村{households}号" if head else None,
                    "",
                ]
            )
    wb.save(path)
    return households, bad


def timed(
    label: str, action: Callable[[], Any], results: list[tuple[str, float, str]], rows: str = ""
) -> Any:
    start = time.perf_counter()
    value = action()
    results.append((label, time.perf_counter() - start, rows))
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the workbook and database in this folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        book = folder / "台账.xlsx"
        households, bad = ledger(book, args.persons)
        new_bench_archive(folder / "bench.sqlite3").close()
        archive = open_bench(folder / "bench.sqlite3", plain=False)  # the 党政办 account imports
        town = archive.organisation.add_town("安华镇", "诸暨市", "330681")
        village = archive.organisation.add_village(town, "杜黄村")
        archive.organisation.add_group(village, "一组")
        importer = archive.importer
        results: list[tuple[str, float, str]] = []

        def bare_calamine() -> int:
            wb = CalamineWorkbook.from_path(str(book))
            return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)

        def bare_openpyxl() -> int:
            wb = openpyxl.load_workbook(book, read_only=True)
            count = sum(1 for ws in wb for _ in ws.iter_rows(values_only=True))
            wb.close()
            return count

        raw_rows = timed("对照：python-calamine 直接读取 (bare calamine)", bare_calamine, results)
        timed("对照：openpyxl 只读模式读取 (bare openpyxl, read-only)", bare_openpyxl, results)
        sources = timed("读取并识别表头 (read + detect header)", lambda: importer.read([book]), results)
        importer.assign_groups(sources, village)
        plan = timed("校验与预览 (validate + preview)", lambda: importer.plan(sources), results)
        counts = plan.counts()
        result = timed("导入，一个事务 (import, one transaction)", lambda: importer.run(plan), results)
        timed(
            "写错误清单 (error workbook)", lambda: importer.write_errors(plan, folder / "错误.xlsx"), results
        )

        def replan() -> Any:
            fresh = importer.read([book])
            importer.assign_groups(fresh, village)
            return importer.plan(fresh)

        again = timed("再次导入同一文件：读取+校验 (re-import: read + validate)", replan, results)
        again_result = timed(
            "再次导入同一文件：导入 (re-import: import)", lambda: importer.run(again), results
        )
        archive.close()
        validate = sum(t for label, t, _ in results if label.startswith(("读取", "校验")))
        print(
            f"\n工作簿：{args.persons:,} 人，{households:,} 户，{raw_rows:,} 行（含表头），其中故意写坏 {bad} 行\n"
        )
        print("| 步骤 (step) | 秒 (s) |")
        print("|---|---:|")
        for label, seconds, _ in results:
            print(f"| {label} | {seconds:.2f} |")
        print(
            f"\n校验合计（读取+校验）{validate:.2f} s（目标 < 10 s）；导入 {results[4][1]:.2f} s（目标 < 20 s）"
        )
        print(
            f"计划：新建 {counts.households_new} 户 {counts.members_new} 人，有错误 {counts.households_rejected} 户"
        )
        print(f"导入：{result.summary()}")
        print(f"再次导入：{again_result.summary()}")
        ok = validate < 10 and results[4][1] < 20 and again_result.households_created == 0
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for item in folder.iterdir():
                shutil.copy2(item, args.keep / item.name)
        return 0 if ok else 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
