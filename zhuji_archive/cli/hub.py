"""hub init and hub import-archive: setting up the township's hub database (PostgreSQL).

``zhuji-archive hub init --db postgresql://… --user admin --name 姓名 [--town 安华镇 --county 诸暨市
--code 330681]`` creates the hub's tables, its first 系统管理员 and the towns it starts with (a county's
hub: --town once per town). ``zhuji-archive hub import-archive 档案.sqlite3 --db postgresql://… --user
档案的管理员 --hub-user 镇里的管理员 --password-stdin`` brings a laptop's whole archive into a hub that
holds no records yet; standard input then holds two lines: the archive file's password, then the
hub's. The use cases are services/hub_setup.py; this module parses and prints."""

from __future__ import annotations

import argparse
import getpass
import sys

from zhuji_archive.cli import common
from zhuji_archive.cli.parser import input_file, text
from zhuji_archive.domain.errors import DomainError

HUB_ADDRESS = "镇里数据库的地址：postgresql://用户名:密码@服务器:端口/数据库名"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    hub = sub.add_parser(
        "hub",
        help="镇里的数据库（PostgreSQL）：初始化，导入笔记本上的整份档案",
        description="镇级数据库（PostgreSQL）的建立。建好后，窗口和其他命令都用 --db postgresql://… 打开它。",
    )
    what = hub.add_subparsers(dest="what", required=True, metavar="操作", help="做什么：")

    init = what.add_parser(
        "init",
        help="初始化镇里的数据库：建表、第一个系统管理员，可同时建立镇（县级数据库可建多个镇）",
        description=(
            "在 PostgreSQL 的空数据库中建立群众档案：数据表、第一个系统管理员账号，以及（给出 --town 时）镇。"
            "已经初始化过的数据库不能再初始化。要导入笔记本上的整份档案时，可以不建镇（镇随档案导入）。"
        ),
    )
    init.add_argument("--db", dest="sub_db", type=common.location, required=True, metavar="地址", help=HUB_ADDRESS)
    common.add_login_options(init)
    init.add_argument(
        "--name", type=text("姓名", 20), metavar="姓名", help="系统管理员的姓名（默认“系统管理员”）"
    )
    init.add_argument(
        "--town",
        action="append",
        default=[],
        type=text("镇名", 40),
        metavar="镇名",
        help="同时建立的镇（可重复：一个县的数据库建立多个镇）",
    )
    init.add_argument("--county", type=text("县（市、区）名", 40), metavar="县名", help="镇所属的县（市、区），如 诸暨市")
    init.add_argument(
        "--code", type=text("行政区划代码", 12), metavar="代码", help="县（市、区）的行政区划代码，如 330681"
    )
    init.set_defaults(run=run_init)

    imports = what.add_parser(
        "import-archive",
        help="把笔记本上的整份档案导入刚初始化的镇里数据库（首次上线时用一次）",
        description=(
            "把一份档案文件的全部内容（户、成员、诉求、会议、账号及其密码、操作日志）原样导入镇里的数据库，"
            "要么全部导入，要么一条也不导入。镇里的数据库须是刚初始化、还没有档案的；已有档案时拒绝，不作改动。"
            "登录：--user 是档案文件的系统管理员，--hub-user 是镇里数据库的系统管理员；加 --password-stdin 时，"
            "标准输入第一行是档案文件账号的密码，第二行是镇里数据库账号的密码。"
        ),
    )
    imports.add_argument("file", type=input_file(), metavar="档案文件", help="笔记本上的档案文件（连同它旁边的钥匙文件）")
    imports.add_argument("--db", dest="sub_db", type=common.location, required=True, metavar="地址", help=HUB_ADDRESS)
    common.add_login_options(imports)
    imports.add_argument(
        "--hub-user",
        required=True,
        type=text("登录名", 32),
        metavar="登录名",
        help="镇里数据库的系统管理员账号（hub init 建立的）",
    )
    imports.set_defaults(run=run_import)
    _add_upgrade(what)
    _add_serve(what)


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"端口须是1至65535之间的数：{value}")
    return int(value)


def _add_serve(what) -> None:  # type: ignore[no-untyped-def]
    serve = what.add_parser(
        "serve",
        help="运行镇里的同步服务：笔记本联网时用 sync now 直接同步（与U盘上的同步文件相同）",
        description=(
            "在镇里的服务器上运行同步服务，笔记本用 sync now 把同步文件发来、取回回执，与U盘同步完全相同。"
            "服务用党政办的账号登录（导入同步文件须有的权限），每条更改仍按发来的设备的账号和范围核对。"
            "同步文件和回执本身已加密、签名，网上传的没有明文；也可在前面加一个带证书的加密反向代理（可选）。"
            "在终端中按中断键停止，或作为系统服务运行（见说明书）。"
        ),
    )
    serve.add_argument("--db", dest="sub_db", type=common.location, required=True, metavar="地址", help=HUB_ADDRESS)
    common.add_login_options(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", metavar="地址",
        help="在哪个网络地址上等候笔记本（默认 127.0.0.1 只有本机能连；填服务器的局域网地址或 0.0.0.0 让笔记本连进来）",
    )
    serve.add_argument("--port", type=_port, default=8765, metavar="端口", help="端口（默认 8765）")
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    import logging

    from zhuji_archive.services import sync_endpoint

    with common.login(args) as archive:
        sync_endpoint.check_server_account(archive)
        sock = sync_endpoint.listen(args.host, args.port)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        logger = logging.getLogger(sync_endpoint.__name__)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        common.say(
            f"同步服务已启动：镇里的数据库“{common.shown(common.database_path(args))}”，"
            f"笔记本用 sync now --hub {args.host}:{args.port} 同步。按中断键停止。"
        )
        sync_endpoint.serve(archive, sock)
    common.say("同步服务已停止。")
    return common.OK


def _add_upgrade(what) -> None:  # type: ignore[no-untyped-def]
    upgrade = what.add_parser(
        "upgrade",
        help="把镇里的数据库升级到本程序的版本（由系统管理员在大家关闭程序后运行）",
        description=(
            "新版本的程序不会自动改动镇里数据库的结构（别人的窗口还在用旧版本）。换新版本时，请先备份（做法见说明书“镇级数据库”一节），"
            "请大家关闭程序，再由系统管理员运行本命令；之后各台电脑都换用新版本。"
        ),
    )
    upgrade.add_argument("--db", dest="sub_db", type=common.location, required=True, metavar="地址", help=HUB_ADDRESS)
    common.add_login_options(upgrade)
    upgrade.set_defaults(run=run_upgrade)


def run_upgrade(args: argparse.Namespace) -> int:
    from zhuji_archive.services import access

    url = _hub_url(args)
    login = common.login_name(args)
    password = common.read_password(args, "系统管理员密码：")
    before, after = access.upgrade_hub(url, login, password)
    if before == after:
        common.say(f"镇里的数据库“{common.shown(url)}”已是本程序的版本（{after}），不需要升级。")
    else:
        common.say(f"镇里的数据库“{common.shown(url)}”已从版本 {before} 升级到 {after}。")
    return common.OK


def _hub_url(args: argparse.Namespace) -> str:
    location = common.database_path(args)
    if not common.on_hub(args):
        raise DomainError(f"--db 须是{HUB_ADDRESS}（“{location}”是文件）。")
    return str(location)


def _stdin(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "sub_password_stdin", False) or getattr(args, "password_stdin", False))


def run_init(args: argparse.Namespace) -> int:
    from zhuji_archive.services import hub_setup

    url = _hub_url(args)
    if (args.county or args.code) and not args.town:
        raise DomainError("--county 和 --code 是给 --town 建立的镇用的，请同时给出 --town 镇名。")
    login = common.login_name(args)
    password = common.read_password(args, "系统管理员密码：")
    if not _stdin(args):
        if common.read_password(args, "再输入一遍：") != password:
            raise DomainError("两次输入的密码不一致，未建立账号。")
    towns = [hub_setup.TownPlan(name, args.county or "", args.code or "") for name in args.town]
    archive = hub_setup.init_hub(url, login, args.name or "系统管理员", password, towns)
    archive.close()
    made = f"，镇：{'、'.join(args.town)}" if args.town else ""
    common.say(
        f"镇里的数据库“{common.shown(url)}”已初始化：系统管理员账号“{archive.actor.login}”"
        f"（{archive.actor.display_name}）{made}。"
    )
    return common.OK


def _second_password(args: argparse.Namespace, login: str) -> str:
    if _stdin(args):
        line = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not line:
            raise DomainError(
                "标准输入中没有第二行密码：--password-stdin 时，第一行是档案文件账号的密码，第二行是镇里数据库账号的密码。"
            )
        return line
    if not sys.stdin.isatty():
        raise DomainError("没有终端可以输入密码：请加 --password-stdin，并从标准输入给出两行密码。")
    return getpass.getpass(f"镇里数据库账号“{login}”的密码：")


def run_import(args: argparse.Namespace) -> int:
    from zhuji_archive.services import access, hub_setup

    url = _hub_url(args)
    common.check_archive_file(args.file)
    state = access.state(args.file)
    if state is not access.ArchiveState.LOCKED:
        raise DomainError(f"档案文件“{args.file.name}”还没有账号或缺少钥匙文件，无法导入：请先在笔记本上用程序打开它一次。")
    if access.state(url) is not access.ArchiveState.LOCKED:
        raise DomainError(
            f"镇里的数据库“{common.shown(url)}”还没有初始化：请先运行 zhuji-archive hub init --db 地址 --user 登录名，"
            "再导入档案。"
        )
    login = common.login_name(args)
    password = common.read_password(args, f"档案文件账号“{login}”的密码：")
    hub_password = _second_password(args, args.hub_user)
    source = access.unlock(args.file, login, password)
    try:
        target = access.unlock(url, args.hub_user, hub_password)
        try:
            report = hub_setup.import_archive(source, target, common.progress_printer("已导入记录"))
        finally:
            target.close()
    finally:
        source.close()
    common.say(common.end_progress_line() + f"已把档案“{args.file.name}”导入镇里的数据库“{common.shown(url)}”（用时 {report.seconds:.1f} 秒）：")
    print(f"户\t{report.households}")
    print(f"诉求\t{report.requests}")
    print(f"账号\t{report.accounts}")
    print(f"操作日志\t{report.log_entries}")
    for old, new in report.renamed:
        common.say(f"档案中的账号“{old}”与镇里数据库已有的账号重名，导入后登录名改为“{new}”（密码不变）。")
    if report.towns_merged:
        common.say(f"初始化时建立的镇（{'、'.join(report.towns_merged)}）由档案中的同名镇代替。")
    common.say("操作日志校验通过。档案文件本身没有改动；此后请在镇里的数据库上办理，不要再在这份文件上录入。")
    sys.stdout.flush()
    return common.OK
