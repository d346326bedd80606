"""The command line: `zhuji-archive` opens the window; subcommands do the same work without one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zhuji_archive import __version__
from zhuji_archive.paths import default_database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhuji-archive", description="群众档案：村户档案与群众诉求办理")
    parser.add_argument("--db", type=Path, help="档案数据库文件（默认在用户数据目录）")
    parser.add_argument("--operator", help="操作人姓名（不填则启动时询问）")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="生成演示数据库（安华镇）")
    demo.add_argument("--households", type=int, default=600, help="户数（默认600）")
    demo.add_argument("--seed", type=int, default=2008, help="随机种子（相同种子生成相同数据）")
    demo.add_argument("--db", dest="sub_db", type=Path, help="写入的数据库文件")
    demo.add_argument("--force", action="store_true", help="目标文件已存在时覆盖")
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from zhuji_archive.services.archive import Archive
    from zhuji_archive.services.demo import generate

    path: Path = args.sub_db or args.db or default_database()
    if path.exists():
        if not args.force:
            print(f"错误：文件“{path}”已存在。如需覆盖请加 --force。", file=sys.stderr)
            return 2
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.households < 1:
        print("错误：户数须为正整数", file=sys.stderr)
        return 2
    archive = Archive.open(path, "演示数据")
    try:
        summary = generate(
            archive.db,
            households=args.households,
            seed=args.seed,
            progress=lambda done, total: print(f"\r已生成 {done}/{total} 户", end="", flush=True),
        )
    finally:
        archive.close()
    print(
        f"\n演示数据库已写入 {path}：{summary.villages} 个村、{summary.groups} 个村民小组、"
        f"{summary.households} 户、{summary.members} 人"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        return _run_demo(args)
    from zhuji_archive.gui.app import run

    return run(args.db or default_database(), operator=args.operator)
