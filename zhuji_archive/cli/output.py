"""export roster and print household / book / blank: Excel rosters and PDF household sheets and books."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from zhuji_archive.cli import common, export_options
from zhuji_archive.cli.parser import aliased, integer, output_file
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.settings import SETTINGS_BY_KEY

if TYPE_CHECKING:
    from zhuji_archive.services.exports import ExportResult

# The roster kinds as the command line names them, and the service's names for them.
ROSTER_KINDS = {"户花名册": "households", "成员花名册": "members", "重点户名册": "focus"}
ROSTER_ALIASES = {english: chinese for chinese, english in ROSTER_KINDS.items()}
VOLUME_LIMIT = SETTINGS_BY_KEY["book.volume_limit"]
HEX = frozenset("0123456789abcdef")


def household_id(text: str) -> str:
    value = text.strip().lower()
    if len(value) != 32 or not set(value) <= HEX:
        raise argparse.ArgumentTypeError(f"户档案识别码是户表二维码下方的32位编号，“{text}”不是")
    return value


def add_commands(
    export: argparse._SubParsersAction,  # type: ignore[type-arg]
    printing: argparse._SubParsersAction,  # type: ignore[type-arg]
) -> None:
    roster = export.add_parser(
        "roster",
        help="导出户花名册、成员花名册或重点户名册",
        description="导出户花名册、成员花名册或某一类重点关注户的名册（Excel）。",
    )
    roster.add_argument(
        "--kind",
        type=aliased(ROSTER_ALIASES),
        choices=tuple(ROSTER_KINDS),
        metavar="名册",
        help="户花名册、成员花名册 或 重点户名册（给出 --tag 时默认为重点户名册，否则为户花名册）",
    )
    roster.add_argument("--tag", metavar="类别", help="重点关注类别（按代码表），如 低保户、五保户、特困户")
    roster.add_argument("--village", metavar="村名", help="只导出该村")
    roster.add_argument("--group", metavar="组名", help="只导出该村民小组（须同时给出 --village）")
    export_options.add_masking(roster)
    export_options.add_password(roster)
    common_output(roster, ".xlsx")

    household = printing.add_parser(
        "household",
        help="户表：一户，或一个村民小组、一个村的全部在册户",
        description=(
            "打印户表（PDF）。用 --id 或 --village/--group/--number 指定一户；只给 --village 和 --group "
            "则把该组全部在册户的户表按户号印在一个文件里，只给 --village 则印全村，每户从新的一页开始。"
        ),
    )
    which = household.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=household_id, metavar="识别码", help="户档案识别码（户表二维码下方的32位编号）")
    which.add_argument("--village", metavar="村名", help="村名")
    household.add_argument("--group", metavar="组名", help="村民小组名")
    household.add_argument("--number", type=integer(1, 99_999), metavar="户号", help="户号（须同时给出村和组）")
    export_options.add_masking(household)
    export_options.add_password(household)
    common_output(household, ".pdf")

    book = printing.add_parser("book", help="村民小组（或全村）的群众档案册", description="打印群众档案册（PDF）。")
    book.add_argument("--village", required=True, metavar="村名", help="村名")
    book.add_argument("--group", metavar="组名", help="村民小组名；不填则打印全村")
    book.add_argument(
        "--volume-limit",
        type=integer(VOLUME_LIMIT.minimum, VOLUME_LIMIT.maximum, also=(0,)),
        metavar="户数",
        help=f"每册最多户数（{VOLUME_LIMIT.minimum}到{VOLUME_LIMIT.maximum}，默认按设置；0 表示不分册）",
    )
    export_options.add_masking(book)
    export_options.add_password(book)
    common_output(book, ".pdf")

    blank = printing.add_parser("blank", help="空白户表（入户采集用）", description="打印空白户表（PDF）。")
    blank.add_argument("--copies", type=integer(1, 500), default=1, metavar="份数", help="份数（1到500，默认1）")
    common_output(blank, ".pdf")
    for command in (roster, household, book, blank):
        command.set_defaults(run=run)


def common_output(command: argparse.ArgumentParser, suffix: str) -> None:
    kind = "Excel 工作簿" if suffix == ".xlsx" else "PDF 文件"
    command.add_argument(
        "-o", "--output", type=output_file(suffix), required=True, metavar="文件", help=f"输出文件（{kind}，{suffix}）"
    )
    common.add_archive_options(command)


def roster_kind(args: argparse.Namespace, tags: list[str]) -> str:
    """The service's roster kind, after checking --kind and --tag against each other and the code list."""
    kind = args.kind or ("重点户名册" if args.tag else "户花名册")
    if kind != "重点户名册" and args.tag:
        raise DomainError(f"--tag 只用于重点户名册，{kind}不按类别筛选；请去掉 --tag 或改用 --kind 重点户名册")
    if kind == "重点户名册":
        listed = "、".join(tags) or "（代码表中还没有）"
        if not args.tag:
            raise DomainError(f"重点户名册须用 --tag 指定类别。可选：{listed}")
        if args.tag.strip() not in tags:
            raise DomainError(f"重点关注类别“{args.tag}”不在代码表中。可选：{listed}")
    return ROSTER_KINDS[kind]


def run(args: argparse.Namespace) -> int:
    from zhuji_archive.services.exports import ExportCancelled

    if args.what == "household":
        if args.id and (args.group or args.number):
            raise DomainError("用 --id 指定户时不能再给 --group 或 --number")
        if args.number and not args.group:
            raise DomainError("按户号打印须同时给出 --village 和 --group")
    elif args.what == "roster" and args.group and not args.village:
        raise DomainError("指定 --group 时须同时指定 --village")
    chosen = export_options.terms(args)  # before the archive opens: --protect asks on the terminal
    shown = {"masked": chosen.masked, "reason": chosen.reason, "password": chosen.password}
    progress = common.progress_printer("已完成")
    archive = common.open_archive(args)
    try:
        exports = archive.exports
        output = args.output
        if args.command == "export":
            kind = roster_kind(args, archive.codes.values("focus_tag", include_retired=True))
            village = exports.find_village(args.village) if args.village else None
            group = exports.find_group(village, args.group) if args.group and village else None
            result = exports.roster(
                output,
                kind,
                tag=args.tag.strip() if args.tag else None,
                village_id=village,
                group_id=group,
                progress=progress,
                **shown,
            )
            summary = f"已导出 {result.rows} 行{export_options.described(result.masked, chosen.password)}"
        elif args.what == "household":
            village = exports.find_village(args.village) if args.village else None
            group = exports.find_group(village, args.group) if village and args.group else None
            if args.id or args.number:
                hid = args.id or exports.find_household(str(group), args.number)
                result = despite_unprintable(
                    lambda allow: exports.household_sheet(
                        output, hid, progress=progress, allow_unprintable=allow, **shown
                    )
                )
                summary = f"已打印户表，共 {result.pages} 页"
            else:
                result = despite_unprintable(
                    lambda allow: exports.household_sheets(
                        output,
                        village_id=village,
                        group_id=group,
                        progress=progress,
                        allow_unprintable=allow,
                        **shown,
                    )
                )
                summary = f"已打印户表 {result.rows} 户，共 {result.pages} 页"
        elif args.what == "book":
            village = exports.find_village(args.village)
            group = exports.find_group(village, args.group) if args.group else None
            result = despite_unprintable(
                lambda allow: exports.book(
                    output,
                    village_id=village,
                    group_id=group,
                    volume_limit=args.volume_limit,
                    progress=progress,
                    allow_unprintable=allow,
                    **shown,
                )
            )
            volumes = f"，分 {len(result.paths)} 册" if len(result.paths) > 1 else ""
            summary = f"已打印档案册 {result.rows} 户，共 {result.pages} 页{volumes}"
        else:
            result = exports.blank_form(output, copies=args.copies, progress=progress)
            summary = f"已打印空白户表 {result.rows} 份，共 {result.pages} 页"
    except ExportCancelled:
        common.say(common.end_progress_line() + "已取消，未写入任何文件。")
        return common.CANCELLED
    finally:
        archive.close()
    print(common.end_progress_line() + summary + "：" + "、".join(str(p) for p in result.paths))
    return common.OK


def despite_unprintable(run: Callable[[bool], ExportResult]) -> ExportResult:
    """Print; if some characters have no font here, warn on stderr which and where, then print anyway."""
    from zhuji_archive.domain.glyphs import UnprintableText

    try:
        return run(False)
    except UnprintableText as error:
        print(common.end_progress_line() + "警告：以下文字在本机没有任何字体可以显示：", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem.message()}", file=sys.stderr)
        return run(True)
