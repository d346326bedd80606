"""The command line: `zhuji-archive` opens the window; subcommands do the same work without one.

Every command module adds its parsers and sets ``run`` on them; a command that opens an archive logs
in (--user, and the password from standard input or a prompt: common.open_archive). ``main`` parses (in Chinese, see
parser.py) and runs the command inside ``common.run_guarded``, so every failure reaches the user as a
Chinese message and an exit code (listed in ``zhuji-archive --help``), never as a traceback."""

from __future__ import annotations

from zhuji_archive import __version__
from zhuji_archive.cli import (
    accounts,
    audit,
    backups,
    common,
    demo,
    hub,
    importing,
    output,
    query,
    request_output,
    sync,
)
from zhuji_archive.cli.parser import ChineseArgumentParser
from zhuji_archive.instance import hold_running_mutex
from zhuji_archive.paths import default_database


def build_parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog="zhuji-archive",
        description="群众档案：村户档案与群众诉求办理。不带命令时打开程序窗口。",
        epilog=common.EXIT_CODES,
    )
    parser.add_argument(
        "--db",
        type=common.location,
        metavar="文件或地址",
        help="档案数据库文件（默认在用户数据目录），或镇里数据库的地址 postgresql://用户名:密码@服务器:端口/数据库名",
    )
    common.add_login_options(parser, on_subcommand=False)
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="显示程序版本并退出"
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="启动检查：在临时档案库上打开主窗口，待窗口显示后立即退出（安装后检查用，不需要登录；给出 --db 时只检查该文件能否登录打开）",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", help="要做的事（不给命令则打开窗口）：")
    demo.add_command(sub)
    accounts.add_commands(sub)
    export = sub.add_parser(
        "export", help="导出 Excel 名册、诉求台账、周报月报", description="导出 Excel 文件。"
    )
    export_what = export.add_subparsers(dest="what", required=True, metavar="内容", help="导出什么：")
    printing = sub.add_parser(
        "print",
        help="打印 PDF：户表、档案册、空白户表、意见单、交办单、周报月报",
        description="打印 PDF 文件。",
    )
    print_what = printing.add_subparsers(dest="what", required=True, metavar="内容", help="打印什么：")
    output.add_commands(export_what, print_what)
    request_output.add_commands(export_what, print_what)
    importing.add_command(sub)
    query.add_commands(sub)
    backups.add_commands(sub)
    audit.add_commands(sub)
    hub.add_commands(sub)
    sync.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version, or a wrong argument (argparse has said why)
        return done.code if isinstance(done.code, int) else common.REFUSED
    hold_running_mutex()  # the Windows installer refuses to run while any instance holds it
    if args.command is None and args.smoke_test:
        from zhuji_archive.gui.smoke import smoke_test

        return smoke_test(args.db)
    if args.command is None:
        from zhuji_archive.gui.app import run

        return run(args.db or default_database())
    return common.run_guarded(args.run, args)
