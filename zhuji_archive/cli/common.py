"""What every command shares: the archive named by --db, logging in with --user and a password (from
standard input with --password-stdin, else a prompt on a terminal), progress on the terminal, and the
last line of defence that turns any failure into a Chinese message and an exit code."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from zhuji_archive import __version__
from zhuji_archive.cli.parser import text
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.logs import PrivateRotatingFileHandler
from zhuji_archive.paths import APP_DIR_NAME, default_database, private_folder

if TYPE_CHECKING:
    from zhuji_archive.services.archive import Archive

# Exit codes, also listed in `zhuji-archive --help` for scripts.
OK = 0
NOTHING_FOUND = 1  # search found nothing; import stopped on errors in the workbook
REFUSED = 2  # a wrong argument, or the archive's rules refused it
ENVIRONMENT = 3  # disk full, file locked, read-only, no permission
TAMPERED = 4  # audit verify: the change log's chain is broken
BUG = 70  # a defect of the program (EX_SOFTWARE)
CANCELLED = 130
EXIT_CODES = (
    "退出码：0 成功；1 没有找到（search）或台账有错误未导入（import）；2 参数有误或不符合档案规则；"
    "3 磁盘、文件权限或文件占用问题；4 操作日志校验未通过（audit verify）；70 程序错误；130 已取消"
)

Command = Callable[[argparse.Namespace], int]


def say(message: str) -> None:
    """A message for the user on stderr (standard output is kept for results scripts read)."""
    print(message, file=sys.stderr, flush=True)


Location = Path | str  # an archive file, or a hub's postgresql:// URL


def location(value: str) -> Location:
    """--db: a hub's ``postgresql://`` URL kept as text (a Path would fold its "//"), else a file."""
    from zhuji_archive.services import access

    return value.strip() if access.is_hub(value.strip()) else Path(value)


def database_path(args: argparse.Namespace) -> Location:
    """The archive: the subcommand's --db, else the global --db, else the default archive file."""
    path: Location | None = getattr(args, "sub_db", None) or args.db
    return path or default_database()


def on_hub_location(where: Location) -> bool:
    from zhuji_archive.services import access

    return access.is_hub(where)


def on_hub(args: argparse.Namespace) -> bool:
    from zhuji_archive.services import access

    return access.is_hub(database_path(args))


def shown(where: Location) -> str:
    """The archive as messages name it: a file's path, a hub's server and database (never its password)."""
    from zhuji_archive.services import access

    return access.shown(where)


HUB_BACKUPS = (
    "镇里的数据库由服务器的 pg_dump 定时备份、用 pg_restore 恢复（见 README“镇级数据库（PostgreSQL）”一节），"
    "程序的备份和恢复命令只用于笔记本上的档案文件。"
)


def refuse_on_hub(args: argparse.Namespace, why: str) -> None:
    """Commands that only make sense for a file (backups, keyrings, the setup of a file) stop here."""
    if on_hub(args):
        raise DomainError(f"“{shown(database_path(args))}”是镇里的数据库：{why}")


def add_db_option(parser: argparse.ArgumentParser, db_help: str = "档案数据库文件") -> None:
    """A subcommand's --db: an archive file, or a hub's address."""
    parser.add_argument(
        "--db",
        dest="sub_db",
        type=location,
        metavar="文件或地址",
        help=db_help + "，或镇里数据库的地址 postgresql://用户名:密码@服务器:端口/数据库名",
    )


def add_archive_options(parser: argparse.ArgumentParser, db_help: str = "档案数据库文件") -> None:
    """--db and the login options of a command that opens an existing archive."""
    add_db_option(parser, db_help)
    add_login_options(parser)


def add_login_options(parser: argparse.ArgumentParser, *, on_subcommand: bool = True) -> None:
    """--user and --password-stdin, accepted before the command (global) and after it (dest sub_…)."""
    prefix = "sub_" if on_subcommand else ""
    parser.add_argument(
        "--user",
        dest=prefix + "user",
        type=text("登录名", 32),
        metavar="登录名",
        help="用哪个账号登录（命令行操作记在这个账号名下）",
    )
    parser.add_argument(
        "--password-stdin",
        dest=prefix + "password_stdin",
        action="store_true",
        help="从标准输入读取密码（一行）；不加时在终端中询问密码",
    )


def login_name(args: argparse.Namespace) -> str:
    """The --user given before or after the command; refused in Chinese when there is none."""
    user: str | None = getattr(args, "sub_user", None) or getattr(args, "user", None)
    if not user:
        raise DomainError(
            "请用 --user 登录名 指定账号（密码用 --password-stdin 从标准输入给出，或在终端中输入）。"
            "命令行的操作和窗口中一样，都记在登录的账号名下。"
        )
    return user


def read_password(args: argparse.Namespace, prompt: str = "密码：") -> str:
    """The password: one line of standard input with --password-stdin, else asked on the terminal
    (never echoed). Without a terminal and without --password-stdin the command is refused."""
    kept = getattr(args, "login_password_line", None)  # read with an export password (cli/export_options)
    if kept is not None:
        if not kept:
            raise DomainError("标准输入中没有密码（--password-stdin 须从标准输入读到一行密码）。")
        return kept
    if getattr(args, "sub_password_stdin", False) or getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            raise DomainError("标准输入中没有密码（--password-stdin 须从标准输入读到一行密码）。")
        return password
    if not sys.stdin.isatty():
        raise DomainError("没有终端可以输入密码：请加 --password-stdin，并从标准输入给出密码（一行）。")
    return getpass.getpass(prompt)


def check_archive_file(path: Location) -> None:
    """Refuse, in Chinese and before SQLite sees it, a path that cannot be an archive."""
    from zhuji_archive.services import access

    if access.is_hub(path):
        return
    path = Path(path)
    if not path.exists():
        raise DomainError(f"数据库文件“{path}”不存在。请用 --db 指定档案数据库。")
    if path.is_dir():
        raise DomainError(f"“{path}”是一个文件夹，不是档案数据库文件。")
    if access.is_foreign_file(path):
        raise DomainError(
            f"“{path}”不是群众档案的数据库文件，未打开。请用 --db 指定档案数据库（.sqlite3 文件）。"
        )


def open_archive(args: argparse.Namespace) -> Archive:
    """The existing archive the arguments name (a file or a hub), logged in as --user with the password
    given."""
    from zhuji_archive.services import access
    from zhuji_archive.services.failures import DatabaseError

    path = database_path(args)
    check_archive_file(path)
    state = access.state(path)
    if access.is_hub(path) and state is access.ArchiveState.NEW:
        raise DomainError(
            f"镇里的数据库“{access.shown(path)}”还没有初始化（没有账号）。"
            "请先用 zhuji-archive hub init --db 地址 --user 登录名 --name 姓名 建立系统管理员。"
        )
    if state in (access.ArchiveState.NEW, access.ArchiveState.PLAIN):
        assert isinstance(path, Path)
        raise DomainError(
            f"档案“{path.name}”还没有账号（新档案，或旧版本的未加密档案）。请先启动一次程序，建立系统管理员账号"
            f"（旧档案随即加密）；或用命令 zhuji-archive setup --db 文件 --user 登录名 --name 姓名 --password-stdin 建立。"
        )
    if state is access.ArchiveState.NO_KEYRING:
        assert isinstance(path, Path)
        raise DatabaseError(access.keyring_missing_message(path))
    login = login_name(args)
    return access.unlock(path, login, read_password(args))


def add_login_arguments(command: argparse.ArgumentParser) -> None:
    """--user and --password-stdin after a command (the same options as before it)."""
    add_login_options(command)


def login(args: argparse.Namespace) -> Archive:
    """The existing archive the arguments name, logged in (the same as open_archive)."""
    return open_archive(args)


def progress_printer(word: str) -> Callable[[int, int], None]:
    """A progress callback that rewrites one line on a terminal and stays silent when piped."""
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            print(f"\r{word} {done}/{total}", end="", file=sys.stderr, flush=True)

    return progress


def end_progress_line() -> str:
    """The newline that ends a progress line, when one was drawn."""
    return "\n" if sys.stderr.isatty() else ""


# ---- failures --------------------------------------------------------------------------------------


def bug_log_path() -> Path:
    """Where defects are recorded, beside the default archive in the user's data folder."""
    from platformdirs import user_log_path

    return user_log_path(APP_DIR_NAME, appauthor=False) / "zhuji-archive.log"


def log_bug(error: BaseException, args: argparse.Namespace | None) -> Path | None:
    """Record a defect for the technician: where it happened (files, lines, functions) and the kinds of
    error, but no error text and no argument values, since either may hold names or ID numbers."""
    path = bug_log_path()
    lines = [f"{datetime.now().isoformat(timespec='seconds')} 群众档案 {__version__} 命令行出错"]
    if args is not None:
        lines.append("命令：" + " ".join(str(getattr(args, key, "") or "") for key in ("command", "what")))
    chain: BaseException | None = error
    while chain is not None:
        lines.append(f"{type(chain).__module__}.{type(chain).__qualname__}")
        for frame in traceback.extract_tb(chain.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} {frame.name}")
        chain = chain.__cause__ or chain.__context__
    logger = logging.getLogger("zhuji_archive.cli.bugs")
    logger.propagate = False
    try:
        private_folder(path.parent)
        handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    logger.addHandler(handler)
    try:
        logger.error("\n".join(lines))
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


def database_message(error: Exception, path: Location) -> str:
    """The refusal to open an archive, without the database driver's own text: that is English and may
    quote what the file holds."""
    from zhuji_archive.services.failures import describe_environment_error
    cause = error.__cause__
    if cause is None or str(cause) not in str(error):
        return str(error)
    if on_hub_location(path):
        return describe_environment_error(cause) or f"无法打开镇里的数据库“{shown(path)}”：服务器拒绝了这个操作。"
    return describe_environment_error(cause) or (
        f"无法打开“{shown(path)}”：文件已损坏，或不是群众档案的数据库文件。如有备份副本（.bak 文件），请用备份恢复。"
    )


def run_guarded(command: Command, args: argparse.Namespace) -> int:
    """Run a command; whatever goes wrong reaches the user as a Chinese message and an exit code."""
    from zhuji_archive.services.failures import DatabaseError, KeyringError, describe_environment_error

    try:
        return command(args)
    except DomainError as error:
        say(end_progress_line() + f"错误：{error.message}")
        return REFUSED
    except DatabaseError as error:
        say(end_progress_line() + f"错误：{database_message(error, database_path(args))}")
        return REFUSED
    except KeyringError as error:  # the key file beside the archive is missing, damaged or foreign
        say(end_progress_line() + f"错误：{error}")
        return REFUSED
    except KeyboardInterrupt:
        say(end_progress_line() + "已取消。")
        return CANCELLED
    except Exception as error:  # noqa: BLE001 - the user gets a message, never a traceback
        environment = describe_environment_error(error)
        if environment is not None:
            say(end_progress_line() + f"错误：{environment}")
            return ENVIRONMENT
        log = log_bug(error, args)
        where = f"详细情况（不含个人信息）已记入日志文件“{log}”，" if log else ""
        say(end_progress_line() + f"很抱歉，程序出错了，操作没有完成。{where}请把它发给技术支持人员。")
        return BUG
