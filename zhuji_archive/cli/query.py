"""search and info: read the archive from a script, without opening the window."""

from __future__ import annotations

import argparse

from zhuji_archive.cli import common
from zhuji_archive.cli.parser import integer, text
from zhuji_archive.domain.codes import HOUSEHOLD_STATUSES

ALL_STATUSES = "全部"


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    search = sub.add_parser(
        "search",
        help="查找群众：姓名、拼音、身份证号、电话",
        description=(
            "与窗口中的搜索框相同：姓名（或名字）、拼音首字母或全拼、身份证号（开头或末几位）、电话。"
            "每个找到的成员一行，以制表符分隔：村、村民小组、户号、户主、找到的成员。"
            "没有找到时退出码为1。输出不含身份证号和电话。"
        ),
    )
    search.add_argument("text", type=text("搜索内容", 40), metavar="搜索内容", help="如 张建国、zjg、身份证号后6位")
    search.add_argument("--village", metavar="村名", help="只在该村中查找")
    search.add_argument("--group", metavar="组名", help="只在该村民小组中查找（须同时给出 --village）")
    search.add_argument(
        "--status",
        choices=(*HOUSEHOLD_STATUSES, ALL_STATUSES),
        default=HOUSEHOLD_STATUSES[0],
        metavar="状态",
        help=f"户的状态：{'、'.join(HOUSEHOLD_STATUSES)} 或 {ALL_STATUSES}（默认{HOUSEHOLD_STATUSES[0]}）",
    )
    search.add_argument(
        "--limit", type=integer(1, 100_000), default=1000, metavar="行数", help="最多列出多少行（默认1000）"
    )
    common.add_archive_options(search)
    search.set_defaults(run=run_search)

    info = sub.add_parser(
        "info",
        help="档案库概况：户数、人数、诉求数、数据库版本",
        description="列出档案库的概况，每项一行，以制表符分隔：项目、数目。",
    )
    common.add_archive_options(info)
    info.set_defaults(run=run_info)


def run_search(args: argparse.Namespace) -> int:
    from zhuji_archive.domain.errors import DomainError
    from zhuji_archive.services.household_list import HouseholdFilter

    if args.group and not args.village:
        raise DomainError("指定 --group 时须同时指定 --village")
    archive = common.open_archive(args)
    try:
        village = archive.exports.find_village(args.village) if args.village else None
        group = archive.exports.find_group(village, args.group) if village and args.group else None
        status = None if args.status == ALL_STATUSES else args.status
        flt = HouseholdFilter(village_id=village, group_id=group, text=args.text, status=status)
        hits = archive.household_list.member_hits(flt, limit=args.limit + 1)
    finally:
        archive.close()
    if not hits:
        common.say(f"没有找到“{args.text}”。")
        return common.NOTHING_FOUND
    for hit in hits[: args.limit]:
        print("\t".join((hit.village_name, hit.group_name, str(hit.number), hit.head_name, hit.member_name)))
    if len(hits) > args.limit:
        common.say(f"只列出了前 {args.limit} 行；请把搜索内容写得更具体，或加大 --limit。")
    return common.OK


def run_info(args: argparse.Namespace) -> int:
    from zhuji_archive.services.archive_info import ArchiveInfoService

    archive = common.open_archive(args)
    try:
        info = ArchiveInfoService(archive.db).info()
    finally:
        archive.close()
    lines = [
        ("镇里的数据库", common.shown(common.database_path(args)))
        if common.on_hub(args)
        else ("文件", str(info.path.resolve() if info.path else "")),
        ("数据库版本", (info.schema or "") + ("" if info.schema_current else "（不是本程序的最新版本）")),
        ("镇", str(info.towns)),
        ("村", str(info.villages)),
        ("村民小组", str(info.groups)),
        *((f"户·{status}", str(n)) for status, n in info.households.items()),
        ("户·合计", str(sum(info.households.values()))),
        ("人·在册户成员", str(info.members_on_file)),
        ("人·全部户成员", str(info.members)),
        *((f"诉求·{status}", str(n)) for status, n in info.requests.items()),
        ("诉求·合计", str(sum(info.requests.values()))),
    ]
    for name, value in lines:
        print(f"{name}\t{value}")
    return common.OK
