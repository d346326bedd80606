"""The command line's export options: masked by default, ``--unmasked --reason 理由`` for full numbers,
and an opening password typed twice on the terminal (``--protect``) or read from standard input
(``--export-password-stdin``, for scripts). With the login's ``--password-stdin`` too, standard input
holds two lines: the login password first, then the export's opening password."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.masking import check_export_password, export_password_problems


@dataclass(frozen=True)
class CliExportTerms:
    """What the options ask of the export service."""

    masked: bool = True
    reason: str | None = None
    password: str | None = None


def add_masking(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--unmasked",
        action="store_true",
        help="导出完整身份证号和电话（默认脱敏：身份证号只留前6后4位、电话隐藏中间4位）；"
        "须有“导出完整号码”权限，并用 --reason 说明理由，理由记入变更记录",
    )
    command.add_argument("--reason", metavar="理由", help="导出完整号码的理由，如“报送民政办低保复核”")
    command.add_argument(
        "--mask",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="（旧写法）--mask 即默认的脱敏；--no-mask 同 --unmasked",
    )


def add_password(command: argparse.ArgumentParser) -> None:
    how = command.add_mutually_exclusive_group()
    how.add_argument(
        "--protect", action="store_true", help="为导出文件设置打开密码（至少6个字符），在终端中输入两次"
    )
    how.add_argument(
        "--export-password-stdin",
        action="store_true",
        help="从标准输入读取导出文件的打开密码（脚本用）；与 --password-stdin 同用时，第一行是登录密码，第二行是打开密码",
    )


def terms(args: argparse.Namespace) -> CliExportTerms:
    """The export's terms from the options; the service checks permission, reason and password again."""
    unmasked = bool(getattr(args, "unmasked", False)) or getattr(args, "mask", None) is False
    reason = getattr(args, "reason", None)
    if reason and not unmasked:
        raise DomainError("--reason 只与 --unmasked 同用（默认导出已脱敏，无需理由）")
    return CliExportTerms(not unmasked, reason if unmasked else None, _password(args))


def _password(args: argparse.Namespace) -> str | None:
    if getattr(args, "export_password_stdin", False):
        if getattr(args, "password_stdin", False) or getattr(args, "sub_password_stdin", False):
            # Both read standard input: the login password is its first line, kept for the login.
            args.login_password_line = sys.stdin.readline().rstrip("\r\n")
        line = sys.stdin.readline().rstrip("\r\n")
        return check_export_password(line)
    if getattr(args, "protect", False):
        if not sys.stdin.isatty():
            raise DomainError("--protect 须在终端中输入密码；脚本中请改用 --export-password-stdin")
        first = getpass.getpass("导出文件的打开密码：")
        again = getpass.getpass("再输入一次：")
        problems = export_password_problems(first, again)
        if problems:
            raise DomainError("；".join(problems), "password")
        return first
    return None


def described(result_masked: bool | None, password: str | None) -> str:
    """ "，身份证号和电话已脱敏，设有打开密码" for the line the command prints."""
    text = "，身份证号和电话已脱敏" if result_masked else "，未脱敏" if result_masked is False else ""
    return text + ("，设有打开密码" if password else "")
