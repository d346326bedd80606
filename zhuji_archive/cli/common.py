"""What every command shares: the archive named by --db, the operator, progress on the terminal, and
the last line of defence that turns any failure into a Chinese message and an exit code."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

from zhuji_archive import __version__
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.paths import APP_DIR_NAME, default_database

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

SQLITE_HEADER = b"SQLite format 3\x00"
Command = Callable[[argparse.Namespace], int]


def say(message: str) -> None:
    """A message for the user on stderr (standard output is kept for results scripts read)."""
    print(message, file=sys.stderr, flush=True)


def database_path(args: argparse.Namespace) -> Path:
    """The archive file: the subcommand's --db, else the global --db, else the default archive."""
    path: Path | None = getattr(args, "sub_db", None) or args.db
    return path or default_database()


def operator(args: argparse.Namespace) -> str:
    if args.operator:
        return str(args.operator)
    try:
        return getpass.getuser() or "命令行"
    except (OSError, KeyError):  # no user name in the environment (services, some Windows set-ups)
        return "命令行"


def check_archive_file(path: Path) -> None:
    """Refuse, in Chinese and before SQLite sees it, a path that cannot be an archive."""
    if not path.exists():
        raise DomainError(f"数据库文件“{path}”不存在。请用 --db 指定档案数据库。")
    if path.is_dir():
        raise DomainError(f"“{path}”是一个文件夹，不是档案数据库文件。")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise DomainError(f"“{path}”不是群众档案的数据库文件，未打开。请用 --db 指定档案数据库（.sqlite3 文件）。")


def open_archive(args: argparse.Namespace) -> Archive:
    """The existing archive the arguments name, opened for the operator."""
    from zhuji_archive.services.archive import Archive

    path = database_path(args)
    check_archive_file(path)
    return Archive.open(path, operator(args))


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
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    logger.addHandler(handler)
    try:
        logger.error("\n".join(lines))
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


def login(args: argparse.Namespace) -> Archive:
    """The archive the arguments name, opened by logging in as ``--user`` with the password from
    standard input (``--password-stdin``) or a prompt. (Minimal: the command-line accounts work
    replaces it.)"""
    from zhuji_archive.services import access

    path = database_path(args)
    if not path.exists():
        raise DomainError(f"数据库文件“{path}”不存在。请用 --db 指定档案数据库。")
    if path.is_dir():
        raise DomainError(f"“{path}”是一个文件夹，不是档案数据库文件。")
    user = getattr(args, "user", None)
    if not user:
        raise DomainError("请用 --user 指定登录名（密码用 --password-stdin 从标准输入读入，或按提示输入）。")
    if getattr(args, "password_stdin", False):
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("密码：")
        except EOFError:
            password = ""
    if not password:
        raise DomainError("没有读到密码。")
    return access.unlock(path, user, password)


def add_login_arguments(parser: argparse.ArgumentParser) -> None:
    """--user and --password-stdin on a command that logs in."""
    parser.add_argument("--user", metavar="登录名", help="登录名")
    parser.add_argument("--password-stdin", action="store_true", help="从标准输入读入密码（一行）")


def database_message(error: Exception, path: Path) -> str:
    """The refusal to open an archive, without the database driver's own text: that is English and may
    quote what the file holds."""
    from zhuji_archive.services.failures import describe_environment_error

    cause = error.__cause__
    if cause is None or str(cause) not in str(error):
        return str(error)
    return describe_environment_error(cause) or (
        f"无法打开“{path}”：文件已损坏，或不是群众档案的数据库文件。如有备份副本（.bak 文件），请用备份恢复。"
    )


def run_guarded(command: Command, args: argparse.Namespace) -> int:
    """Run a command; whatever goes wrong reaches the user as a Chinese message and an exit code."""
    from zhuji_archive.services.failures import DatabaseError, describe_environment_error

    try:
        return command(args)
    except DomainError as error:
        say(end_progress_line() + f"错误：{error.message}")
        return REFUSED
    except DatabaseError as error:
        say(end_progress_line() + f"错误：{database_message(error, database_path(args))}")
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
        say(
            end_progress_line() + f"很抱歉，程序出错了，操作没有完成。{where}请把它发给技术支持人员。"
        )
        return BUG
