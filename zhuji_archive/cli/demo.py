"""demo: a realistic, reproducible demo archive (安华镇)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zhuji_archive.cli import common
from zhuji_archive.cli.parser import integer
from zhuji_archive.domain.errors import DomainError


def add_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser("demo", help="生成演示数据库（安华镇）", description="生成演示数据库（安华镇）。")
    demo.add_argument(
        "--households",
        type=integer(1, 200_000),
        default=600,
        metavar="户数",
        help="户数（1到200000，默认600）",
    )
    demo.add_argument(
        "--seed",
        type=integer(0, 2**31 - 1),
        default=2008,
        metavar="种子",
        help="随机种子（相同种子生成相同数据）",
    )
    common.add_db_option(demo, "写入的数据库文件")
    demo.add_argument("--force", action="store_true", help="目标文件已存在时覆盖")
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from zhuji_archive.services import demo_accounts

    if common.on_hub(args):
        return _run_on_hub(args)
    path = Path(common.database_path(args))
    if path.is_dir():
        raise DomainError(f"“{path}”是一个文件夹，请给出数据库文件名。")
    if path.exists():
        if not args.force:
            raise DomainError(f"文件“{path}”已存在。如需覆盖请加 --force。")
        # --force replaces an archive, never some other file that --db happened to name.
        common.check_archive_file(path)
        for suffix in ("", "-wal", "-shm", ".keys", demo_accounts.MARKER_SUFFIX):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    summary, accounts = demo_accounts.create_demo(
        path,
        households=args.households,
        seed=args.seed,
        progress=lambda done, total: print(f"\r已生成 {done}/{total} 户", end="", flush=True),
    )
    print(
        f"\n演示数据库已写入 {path}：{summary.villages} 个村、{summary.groups} 个村民小组、"
        f"{summary.households} 户、{summary.members} 人"
    )
    _list_accounts(accounts)
    return common.OK


def _list_accounts(accounts) -> None:  # type: ignore[no-untyped-def]
    from zhuji_archive.services import demo_accounts

    print(f"演示账号（密码都是 {demo_accounts.DEMO_PASSWORD}）：")
    for account in accounts:
        print(f"  {account.login}\t{account.name}\t{account.role}\t{account.scope}")


def _run_on_hub(args: argparse.Namespace) -> int:
    """The demo town on a hub that has not been initialised (no accounts): its accounts are the demo's."""
    from zhuji_archive.services import access, demo_accounts

    url = str(common.database_path(args))
    if args.force:
        raise DomainError("镇里的数据库不能用 --force 覆盖：请让数据库管理员删除后重建一个空数据库（dropdb、createdb）。")
    if access.state(url) is not access.ArchiveState.NEW:
        raise DomainError(
            f"镇里的数据库“{common.shown(url)}”已经初始化（已有账号），演示数据只能建在空的数据库上。未作改动。"
        )
    summary, accounts = demo_accounts.create_demo(
        url,
        households=args.households,
        seed=args.seed,
        progress=lambda done, total: print(f"\r已生成 {done}/{total} 户", end="", flush=True),
    )
    print(
        f"\n演示数据库已写入镇里的数据库 {common.shown(url)}：{summary.villages} 个村、{summary.groups} 个村民小组、"
        f"{summary.households} 户、{summary.members} 人"
    )
    _list_accounts(accounts)
    return common.OK
