"""setup and users: the first administrator of an archive, the list of its accounts, and a new account.

``setup`` does what the first start of the window does (services/access.create): a new archive, or one
written by version 0.1, gets its administrator and is encrypted. ``users`` lists the accounts for an
account that may manage them, and ``users add`` makes one (for scripted installs; the service refuses
anyone who may not manage accounts)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zhuji_archive.cli import common
from zhuji_archive.cli.parser import text
from zhuji_archive.domain.accounts import Role, ScopeUnit, UnitKind
from zhuji_archive.domain.errors import DomainError


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    setup = sub.add_parser(
        "setup",
        help="建立档案的系统管理员账号（新档案，或给旧版本的未加密档案加密）",
        description=(
            "与第一次启动程序相同：建立系统管理员账号；档案不存在时新建，是旧版本的未加密档案时随即加密。"
            "已有账号的档案不能再用本命令。用于脚本安装。"
        ),
    )
    common.add_db_option(setup)
    common.add_login_options(setup)
    setup.add_argument(
        "--name", type=text("姓名", 20), metavar="姓名", help="系统管理员的姓名（默认“系统管理员”）"
    )
    setup.set_defaults(run=run_setup)

    users = sub.add_parser(
        "users",
        help="列出档案的账号（须用系统管理员账号登录）",
        description="每个账号一行，以制表符分隔：登录名、角色、负责范围。默认只列出可以登录的账号。",
    )
    common.add_archive_options(users)
    users.add_argument("--disabled", action="store_true", help="改为列出已停用的账号")
    users.set_defaults(run=run_users)
    users_sub = users.add_subparsers(dest="users_action", metavar="操作")
    add = users_sub.add_parser(
        "add",
        help="新增账号（须用系统管理员账号登录）",
        description=(
            "新增一个账号。标准输入的第一行是登录账号（--user）的密码，第二行是新账号的密码"
            "（--password-stdin 时）；新账号第一次登录时不必改密码。"
        ),
    )
    common.add_archive_options(add)
    # Given before `add` (after `users`) they must survive: a subcommand's defaults would overwrite them.
    for action in add._actions:
        if action.dest in ("sub_db", "sub_user", "sub_password_stdin"):
            action.default = argparse.SUPPRESS
    add.add_argument(
        "--login", required=True, type=text("登录名", 32), metavar="登录名", help="新账号的登录名"
    )
    add.add_argument("--name", required=True, type=text("姓名", 20), metavar="姓名", help="新账号的姓名")
    add.add_argument(
        "--role",
        required=True,
        choices=[role.label for role in Role],
        metavar="角色",
        help="角色：" + "、".join(role.label for role in Role),
    )
    add.add_argument(
        "--village",
        action="append",
        default=[],
        metavar="村名",
        help="负责的村（驻村干部、村干部须给出；可重复）",
    )
    add.set_defaults(run=run_users_add)


def run_setup(args: argparse.Namespace) -> int:
    from zhuji_archive.services import access

    common.refuse_on_hub(
        args,
        "setup 只用于笔记本上的档案文件。建立镇里的数据库请用 zhuji-archive hub init --db 地址 --user 登录名 --name 姓名。",
    )
    path = Path(common.database_path(args))
    if path.is_dir():
        raise DomainError(f"“{path}”是一个文件夹，请给出档案数据库文件名。")
    if path.exists() and path.stat().st_size and access.is_foreign_file(path):
        raise DomainError(f"“{path}”不是群众档案的数据库文件，未改动。")
    if access.state(path) is access.ArchiveState.LOCKED:
        raise DomainError(
            f"档案“{path.name}”已经建立了账号，请用账号登录；新增账号请在程序的账号管理中办理。"
        )
    if (getattr(args, "sub_db", None) or args.db) and not path.parent.is_dir():
        raise DomainError(f"文件夹“{path.parent}”不存在。")
    login = common.login_name(args)
    password = common.read_password(args, "系统管理员密码：")
    if not (args.sub_password_stdin or args.password_stdin):
        if common.read_password(args, "再输入一遍：") != password:
            raise DomainError("两次输入的密码不一致，未建立账号。")
    was_plain = access.state(path) is access.ArchiveState.PLAIN
    archive = access.create(path, login, args.name or "系统管理员", password)
    archive.close()
    done = "旧档案已加密，" if was_plain else "档案已建立，"
    common.say(f"{done}系统管理员账号“{archive.actor.login}”（{archive.actor.display_name}）已建立：{path}")
    return common.OK


def run_users(args: argparse.Namespace) -> int:
    archive = common.open_archive(args)
    try:
        accounts = archive.accounts.list()
    finally:
        archive.close()
    for account in accounts:
        if account.disabled == args.disabled:
            print("\t".join((account.login, account.role.label, account.scope_text)))
    sys.stdout.flush()
    return common.OK


def run_users_add(args: argparse.Namespace) -> int:
    archive = common.open_archive(args)
    try:
        villages = dict(archive.organisation.villages()) if args.village else {}
        units = []
        for name in args.village:
            found = [village_id for village_id, village in villages.items() if village == name.strip()]
            if len(found) != 1:
                problem = "没有" if not found else f"有{len(found)}个"
                raise DomainError(f"{problem}名为“{name}”的村，未建立账号。")
            units.append(ScopeUnit(UnitKind.VILLAGE, found[0]))
        password = common.read_password(args, "新账号的密码：")
        if not (args.sub_password_stdin or args.password_stdin):
            if common.read_password(args, "再输入一遍：") != password:
                raise DomainError("两次输入的密码不一致，未建立账号。")
        archive.accounts.create(
            args.login, args.name, Role.from_label(args.role), units, password, must_change_password=False
        )
    finally:
        archive.close()
    common.say(f"账号“{args.login}”（{args.name}，{args.role}）已建立。")
    return common.OK
