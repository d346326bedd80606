"""print feedback / meeting / summary and export ledger / summary: printouts of the request workflow."""

from __future__ import annotations

import argparse

from zhuji_archive.cli import common, export_options
from zhuji_archive.cli.parser import aliased, integer, output_file
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.workflow import Status

STATUSES = tuple(status.value for status in Status)
LATEST = "最近"


def add_commands(
    export: argparse._SubParsersAction,  # type: ignore[type-arg]
    printing: argparse._SubParsersAction,  # type: ignore[type-arg]
) -> None:
    """print feedback / meeting / summary and export ledger / summary, beside the roster commands."""

    def output(command: argparse.ArgumentParser, suffix: str) -> None:
        kind = "Excel 工作簿" if suffix == ".xlsx" else "PDF 文件"
        command.add_argument(
            "-o", "--output", type=output_file(suffix), required=True, metavar="文件", help=f"输出文件（{kind}，{suffix}）"
        )
        common.add_archive_options(command)
        command.set_defaults(run=run)

    def scope(command: argparse.ArgumentParser) -> None:
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--village", metavar="村名", help="村名")
        who.add_argument("--cadre", metavar="姓名", help="驻村干部姓名")
        when = command.add_mutually_exclusive_group(required=True)
        when.add_argument("--month", metavar="月份", help="月报的月份，如 2026-11")
        when.add_argument("--week", metavar="日期", help="周报：该周内的任一日期，如 2026-11-02")

    feedback = printing.add_parser(
        "feedback", help="情况反馈意见单（按诉求填好，或空白）", description="打印情况反馈意见单（PDF）。"
    )
    which = feedback.add_mutually_exclusive_group(required=True)
    which.add_argument("--request", metavar="编号", help="诉求编号，如 安华2026-0012（诉求窗口和台账上都有）")
    which.add_argument("--blank", action="store_true", help="空白意见单（上门反馈时手填）")
    feedback.add_argument(
        "--copies", type=integer(1, 500), default=1, metavar="份数", help="空白意见单的份数（1到500，默认1）"
    )
    output(feedback, ".pdf")
    meeting = printing.add_parser("meeting", help="月度专题会议交办单", description="打印月度专题会议交办单（PDF）。")
    meeting.add_argument(
        "--meeting",
        required=True,
        type=aliased({"latest": LATEST}),
        metavar="会议",
        help=f"会议编号，或“{LATEST}”表示最近一次会议",
    )
    output(meeting, ".pdf")
    summary = printing.add_parser("summary", help="周报、月报（含统计图）", description="打印周报或月报（PDF）。")
    scope(summary)
    export_options.add_password(summary)
    output(summary, ".pdf")
    ledger = export.add_parser("ledger", help="诉求台账（含销号）", description="导出诉求台账（Excel）。")
    ledger.add_argument("--village", metavar="村名", help="只导出该村")
    ledger.add_argument(
        "--status", choices=STATUSES, metavar="状态", help="只导出该办理状态：" + "、".join(STATUSES)
    )
    export_options.add_masking(ledger)
    export_options.add_password(ledger)
    output(ledger, ".xlsx")
    summary_xlsx = export.add_parser("summary", help="周报、月报（Excel）", description="导出周报或月报（Excel）。")
    scope(summary_xlsx)
    export_options.add_password(summary_xlsx)
    output(summary_xlsx, ".xlsx")


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from zhuji_archive.domain.reporting import WEEKLY, period_of
    from zhuji_archive.services.exports import ExportCancelled
    from zhuji_archive.services.request_exports import parse_month
    from zhuji_archive.services.requests import RequestQuery

    if args.what != "feedback" or not args.blank:
        if getattr(args, "copies", 1) != 1:
            raise DomainError("--copies 只用于空白意见单（--blank）")
    chosen = export_options.terms(args)  # before the archive opens: --protect asks on the terminal
    archive = common.open_archive(args)
    try:
        exports, output = archive.request_exports, args.output
        if args.what == "feedback":
            result = exports.feedback_form(
                None if args.blank else archive.requests.find(args.request), output, copies=args.copies
            )
            summary = f"已打印情况反馈意见单 {result.rows} 份，共 {result.pages} 页"
        elif args.what == "meeting":
            meetings = exports.meeting_ids()
            meeting_id = args.meeting.strip()
            if meeting_id == LATEST:
                if not meetings:
                    raise DomainError("还没有任何会议")
                meeting_id = meetings[0]
            result = exports.meeting_sheet(meeting_id, output)
            summary = f"已打印交办单，{result.rows} 件诉求，共 {result.pages} 页"
        elif args.what == "ledger":
            village = archive.exports.find_village(args.village) if args.village else None
            query = RequestQuery(village_id=village, statuses=(args.status,) if args.status else ())
            result = exports.ledger(
                query, output, masked=chosen.masked, reason=chosen.reason, password=chosen.password
            )
            summary = f"已导出诉求台账 {result.rows} 件" + export_options.described(result.masked, chosen.password)
        else:
            if args.village:
                scope_kind, scope_id = "village", archive.exports.find_village(args.village)
            else:
                cadres = archive.organisation.cadres("驻村干部")
                found = [c.id for c in cadres if c.name == args.cadre.strip()]
                if len(found) != 1:
                    names = "、".join(dict.fromkeys(c.name for c in cadres)) or "（还没有登记）"
                    raise DomainError(
                        f"没有名为“{args.cadre}”的驻村干部。驻村干部：{names}"
                        if not found
                        else f"有多名驻村干部叫“{args.cadre}”，请改用 --village"
                    )
                scope_kind, scope_id = "cadre", found[0]
            if args.month:
                period = parse_month(args.month)
            else:
                try:
                    period = period_of(WEEKLY, date.fromisoformat(args.week.strip()))
                except ValueError as error:
                    raise DomainError(f"日期“{args.week}”格式不对，请写成 2026-11-02") from error
            if args.command == "print":
                result = exports.summary_pdf(scope_kind, scope_id, period, output, password=chosen.password)
                summary = f"已打印{period.title}{period.kind}，共 {result.pages} 页"
            else:
                result = exports.summary_xlsx(scope_kind, scope_id, period, output, password=chosen.password)
                summary = f"已导出{period.title}{period.kind}"
    except ExportCancelled:
        common.say("已取消，未写入任何文件。")
        return common.CANCELLED
    finally:
        archive.close()
    print(summary + "：" + "、".join(str(p) for p in result.paths))
    return common.OK
