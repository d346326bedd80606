"""demo: a realistic, reproducible demo archive (安华镇); with ``--sync 文件夹`` a township hub and two enrolled
village laptops made from it, and one sync round between them (services/demo_sync.py)."""

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
    demo.add_argument(
        "--sync",
        type=Path,
        metavar="文件夹",
        help="演示同步：在这个新的（或空的）文件夹里建立镇里的数据库和两台登记好的驻村干部笔记本，"
        "两边各改几处，再用同步文件同步一轮，并说明各文件在哪里、用什么账号打开",
    )
    demo.add_argument(
        "--hub",
        type=common.location,
        metavar="地址",
        help="与 --sync 一起用：镇里的数据库建在这个空的 PostgreSQL 数据库上（postgresql://…），不给时建在文件夹里的文件上",
    )
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from zhuji_archive.services import demo_accounts

    if args.sync is not None:
        return _run_sync(args)
    if args.hub is not None:
        raise DomainError("--hub 只和 --sync 一起用；把演示数据建在镇里的数据库上请用 --db postgresql://…")
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


def _run_sync(args: argparse.Namespace) -> int:
    """demo --sync 文件夹: build the hub and the laptops, run a round, say what happened and what to try."""
    from zhuji_archive.services import access, demo_sync

    if getattr(args, "sub_db", None) or args.force:
        raise DomainError("--sync 不和 --db、--force 一起用：演示同步的文件都放在 --sync 给出的文件夹里"
                          "（镇里的数据库可以用 --hub 建在 PostgreSQL 上）。")
    hub = args.hub
    if hub is not None and not access.is_hub(hub):
        raise DomainError("--hub 须是镇里数据库的地址 postgresql://用户名:密码@服务器:端口/数据库名")
    counting = [False]  # a progress line is open: the next message starts a new line

    def progress(done: int, total: int) -> None:
        counting[0] = True
        print(f"\r已生成 {done}/{total} 户", end="", flush=True)

    def step(text: str) -> None:
        print(("\n" if counting[0] else "") + text, flush=True)
        counting[0] = False

    report = demo_sync.build(
        args.sync, hub=str(hub) if hub is not None else None, households=args.households, seed=args.seed,
        progress=progress, step=step,
    )
    for line in sync_report(report):
        print(line)
    return common.OK


def sync_report(report) -> list[str]:  # type: ignore[no-untyped-def]
    """What the sync demo did, where its files are, which accounts open them, what to try next."""
    from zhuji_archive.services import access

    a, b = report.laptops
    hub = access.shown(report.hub) if access.is_hub(report.hub) else str(report.hub)
    lines = ["", "演示同步完成。这一轮做了什么："]
    for laptop in report.laptops:
        first = laptop.edits[0]
        lines.append(
            f"  笔记本{laptop.letter}（驻村干部{laptop.name}，{laptop.villages}）：改了{first.label}的{first.what}，"
            f"记了一次回访；生成同步文件，镇里导入{laptop.at_hub.applied}条更改；"
            f"导入回执后从镇里更新{laptop.receipt.applied}条记录。"
        )
    lines.append(
        f"  笔记本A还登记了一条诉求（{a.request_number}），梳理为镇级、上报镇：同步后它在镇里“镇级审核”的待上会诉求中，"
        "由月度专题会议交办；交办结果随下一次回执回到笔记本A。"
    )
    lines.append(
        f"  镇里（党政办）：改了{report.hub_edit.label}的{report.hub_edit.what}。它在笔记本A负责的村，"
        f"随回执到了笔记本A；笔记本B不负责这个村，没有收到。"
    )
    lines += [
        "",
        "文件在哪里：",
        f"  镇里的数据库：{hub}（演示安华镇，{report.households}户）",
        f"  笔记本A：{a.path}",
        f"  笔记本B：{b.path}",
        f"  同步文件和回执（相当于U盘）：{report.usb}",
        f"  登记文件：{a.enrolment.parent}",
        "",
        f"用什么账号打开（密码都是 {report.password}）：",
        f"  镇里的数据库：{report.office_login}（党政办），也可用演示的其他账号",
        f"  笔记本A：{a.login}（{a.name}）",
        f"  笔记本B：{b.login}（{b.name}）",
        "",
        "接下来可以试试：",
        f"  1. 打开程序窗口，用“打开档案文件…”选笔记本A，以 {a.login} 登录，看“同步”页："
        f"已确认到第几号、上次导入回执的时间；再打开{report.hub_edit.label}，备注已是镇里写的。",
        f"  2. 在笔记本A上改一户，到“同步”页点“生成同步文件…”存到 {report.usb}；"
        f"再打开镇里的数据库，以 {report.office_login} 登录，在“设备与同步”页“导入同步文件…”，"
        "回执存在同步文件旁边；回到笔记本A“导入回执…”。",
        f"  3. 在登录窗口点“从镇里领取档案…”，选登记文件 {report.spare.enrolment}，"
        f"登记码 {report.spare.code}，密码 {report.password}：这是为驻村干部{report.spare.name}"
        f"（{report.spare.villages}）登记的第三台笔记本。",
        "  命令行也一样：zhuji-archive sync export / sync apply / device join（见 docs/sync.md）。",
    ]
    return lines
