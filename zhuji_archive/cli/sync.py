"""device and sync: enrolling a laptop at the hub and carrying changes between them (issue 14).

``zhuji-archive device enrol --db 镇里数据库 --user 党政办 --name 设备名 --account 干部登录名 --out 文件``
writes the sealed enrolment file and prints its one-time code (read it out; never keep it beside the
file). ``zhuji-archive device join 文件 --db 笔记本档案.sqlite3 --password-stdin`` makes the laptop's
archive: standard input holds the account's password, then the code. ``zhuji-archive sync export --db
笔记本档案 --to 文件夹`` writes a sync file; ``zhuji-archive sync apply 文件`` applies it at the hub (the
receipt goes beside it, or to --out) or, given a receipt, on the laptop. ``zhuji-archive sync now --db
笔记本档案 --hub 服务器:端口`` does both over the network with the hub's ``hub serve`` (cli/hub.py).
Messages name no person."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from zhuji_archive.cli import common
from zhuji_archive.cli.parser import input_file, text
from zhuji_archive.domain.errors import DomainError


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    device = sub.add_parser("device", help="笔记本登记：在镇里登记设备，在笔记本上领取档案",
                            description="在镇里为驻村干部的笔记本登记设备，并在笔记本上用登记文件建立档案。")
    what = device.add_subparsers(dest="what", required=True, metavar="操作", help="做什么：")
    enrol = what.add_parser("enrol", help="在镇里登记一台笔记本，写出登记文件（党政办）",
                            description="在镇里的数据库登记一台笔记本，写出登记文件并显示一次性登记码。")
    common.add_archive_options(enrol, "镇里的数据库")
    enrol.add_argument("--name", required=True, type=text("设备名称", 40), metavar="名称", help="设备名称，如 某村笔记本")
    enrol.add_argument("--account", required=True, type=text("登录名", 32), metavar="登录名", help="使用这台笔记本的账号")
    enrol.add_argument("--out", required=True, type=Path, metavar="文件", help="登记文件写到哪里（如U盘）")
    enrol.set_defaults(run=run_enrol)

    join = what.add_parser("join", help="在笔记本上用登记文件建立档案（从镇里领取档案）",
                           description="用镇里写出的登记文件在笔记本上建立加密的档案。"
                           "加 --password-stdin 时，标准输入第一行是账号的密码，第二行是登记码。")
    join.add_argument("file", type=input_file(), metavar="登记文件", help="镇里写出的登记文件")
    common.add_db_option(join, "要建立的笔记本档案文件")
    join.add_argument("--password-stdin", dest="sub_password_stdin", action="store_true",
                      help="从标准输入读取密码和登记码（各一行）")
    join.set_defaults(run=run_join)

    sync = sub.add_parser("sync", help="同步：生成同步文件，导入同步文件或回执",
                          description="笔记本与镇里之间用同步文件（U盘）交换更改。")
    step = sync.add_subparsers(dest="what", required=True, metavar="操作", help="做什么：")
    export = step.add_parser("export", help="在笔记本上生成同步文件", description="把镇里还没有确认的更改写成同步文件。")
    common.add_archive_options(export, "笔记本上的档案文件")
    export.add_argument("--to", type=Path, default=Path("."), metavar="文件夹", help="同步文件写到哪个文件夹（如U盘）")
    export.add_argument(
        "--all", action="store_true", help="写入本机的全部更改（镇里的数据库从备份恢复后，镇里说缺少更早的更改时用）"
    )
    export.set_defaults(run=run_export)
    apply = step.add_parser("apply", help="导入同步文件（镇里）或回执（笔记本）",
                            description="在镇里导入笔记本的同步文件并写出回执；在笔记本上导入镇里的回执。")
    apply.add_argument("file", type=input_file(), metavar="文件", help="同步文件或回执")
    common.add_archive_options(apply)
    apply.add_argument("--out", type=Path, metavar="文件", help="回执写到哪里（默认在同步文件旁边）")
    apply.set_defaults(run=run_apply)
    receipt = step.add_parser(
        "receipt", help="不等同步文件，为一台设备生成回执（镇里）",
        description="把镇里在这台设备负责的村里的更改（如月度专题会议的交办）写成回执，用U盘带给笔记本导入。",
    )
    common.add_archive_options(receipt)
    receipt.add_argument("--device", required=True, type=text("设备名称", 40), metavar="设备",
                         help="设备名称（登记时起的名字）")
    receipt.add_argument("--to", type=Path, default=Path("."), metavar="文件夹", help="回执写到哪个文件夹（如U盘）")
    receipt.set_defaults(run=run_receipt)
    now = step.add_parser(
        "now", help="联网时立即同步：生成同步文件发给镇里，取回回执并导入（笔记本）",
        description="笔记本能连上镇里的同步服务（hub serve）时，一步完成生成同步文件、发给镇里、导入回执。"
        "连不上或被拒收时，本机的更改一条也不会丢，下次同步或用U盘同步时照常发出。",
    )
    common.add_archive_options(now, "笔记本上的档案文件")
    now.add_argument("--hub", required=True, type=text("同步服务的地址", 200), metavar="地址",
                     help="镇里同步服务的地址：服务器:端口，如 192.168.1.10:8765")
    now.set_defaults(run=run_now)


def run_enrol(args: argparse.Namespace) -> int:
    with common.login(args) as archive:
        enrolment = archive.sync.enrol_device(args.name, args.account)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(enrolment.data)
    common.say(f"已登记设备“{args.name}”，登记文件已写到“{args.out}”。")
    common.say("请把登记码当面或电话告诉使用者，不要和登记文件放在一起：")
    print(enrolment.code)
    return common.OK


def _line(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "sub_password_stdin", False):
        value = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not value:
            raise DomainError("标准输入中缺少一行：第一行是账号的密码，第二行是登记码。")
        return value
    if not sys.stdin.isatty():
        raise DomainError("没有终端可以输入：请加 --password-stdin，并从标准输入给出密码和登记码（各一行）。")
    return getpass.getpass(prompt)


def run_join(args: argparse.Namespace) -> int:
    from zhuji_archive.services.sync import join

    path = common.database_path(args)
    if common.on_hub_location(path):
        raise DomainError("笔记本档案须是一个文件，不能是镇里的数据库地址。")
    password = _line(args, "账号的密码：")
    code = _line(args, "登记码：")
    with join(args.file, Path(path), password, code) as archive:
        common.say(f"已在“{path}”建立笔记本档案，账号“{archive.actor.login}”可以登录。")
    return common.OK


def run_export(args: argparse.Namespace) -> int:
    with common.login(args) as archive:
        waiting = archive.sync.waiting()
        path = archive.sync.export(args.to, complete=args.all)
    common.say(f"已生成同步文件（{waiting}条更改待镇里确认）：")
    print(path)
    return common.OK


def run_now(args: argparse.Namespace) -> int:
    from zhuji_archive.services.sync_client import HubUnreachable, endpoint, sync_now

    endpoint(args.hub)  # a wrong address is refused before asking for the password
    with common.login(args) as archive:
        try:
            result = sync_now(archive, args.hub)
        except HubUnreachable as error:
            common.say(f"错误：{error.message}")
            return common.ENVIRONMENT
    receipt = result.receipt
    if result.duplicate or not result.sent:
        sent = "没有新的更改要发送"
    else:
        sent = f"镇里已导入{result.hub_applied}条更改" + (
            f"（{result.hub_conflicts}处两边都改过，已放入镇里的冲突待办）" if result.hub_conflicts else "")
    common.say(
        f"同步完成：{sent}，已确认到第{receipt.acknowledged_to}号；从镇里更新{receipt.applied}条记录"
        + (f"，{receipt.conflicts}处与本机未发送的修改不同，已放入冲突待办" if receipt.conflicts else "")
        + "。"
    )
    return common.OK


def run_receipt(args: argparse.Namespace) -> int:
    with common.login(args) as archive:
        named = [d for d in archive.sync.devices() if d.name == args.device.strip()]
        if not named:
            common.say(f"错误：没有名为“{args.device}”的设备")
            return common.REFUSED
        path = archive.sync.receipt_for(named[-1].id, args.to)
    common.say("回执已生成，交给干部在笔记本上导入（sync apply）：")
    print(path)
    return common.OK


def run_apply(args: argparse.Namespace) -> int:
    from zhuji_archive.services.sync import file_kind

    kind = file_kind(args.file)
    with common.login(args) as archive:
        if kind == "receipt":
            result = archive.sync.apply_receipt(args.file)
            common.say(
                f"回执已导入：镇里已确认到第{result.acknowledged_to}号更改，更新{result.applied}条记录"
                + (f"，{result.conflicts}处与本机未发送的修改不同，已放入冲突待办" if result.conflicts else "")
                + "。"
            )
            return common.OK
        result = archive.sync.apply(args.file, args.out)
    common.say(result.summary() + "。回执：")
    print(result.receipt_path)
    return common.OK
