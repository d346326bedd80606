"""The command line: `zhuji-archive` opens the window; subcommands do the same work without one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zhuji_archive import __version__
from zhuji_archive.instance import hold_running_mutex
from zhuji_archive.paths import default_database


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhuji-archive", description="群众档案：村户档案与群众诉求办理")
    parser.add_argument("--db", type=Path, help="档案数据库文件（默认在用户数据目录）")
    parser.add_argument("--operator", help="操作人姓名（不填则启动时询问）")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="启动检查：打开主窗口，待窗口显示后立即退出（安装后检查用，不询问操作人）",
    )
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="生成演示数据库（安华镇）")
    demo.add_argument("--households", type=int, default=600, help="户数（默认600）")
    demo.add_argument("--seed", type=int, default=2008, help="随机种子（相同种子生成相同数据）")
    demo.add_argument("--db", dest="sub_db", type=Path, help="写入的数据库文件")
    demo.add_argument("--force", action="store_true", help="目标文件已存在时覆盖")
    _add_output_commands(sub)
    _add_request_output_commands(sub)
    _add_import_command(sub)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    from zhuji_archive.services.archive import Archive
    from zhuji_archive.services.demo import generate

    path: Path = args.sub_db or args.db or default_database()
    if path.exists():
        if not args.force:
            print(f"错误：文件“{path}”已存在。如需覆盖请加 --force。", file=sys.stderr)
            return 2
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.households < 1:
        print("错误：户数须为正整数", file=sys.stderr)
        return 2
    archive = Archive.open(path, "演示数据")
    try:
        summary = generate(
            archive.db,
            households=args.households,
            seed=args.seed,
            progress=lambda done, total: print(f"\r已生成 {done}/{total} 户", end="", flush=True),
        )
    finally:
        archive.close()
    print(
        f"\n演示数据库已写入 {path}：{summary.villages} 个村、{summary.groups} 个村民小组、"
        f"{summary.households} 户、{summary.members} 人"
    )
    return 0


# ---- export and print (Excel rosters, PDF household sheets and books) --------------------------

OUTPUT_COMMANDS = ("export", "print")


def _add_output_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def common(command: argparse.ArgumentParser, suffix: str) -> None:
        command.add_argument("-o", "--output", type=Path, required=True, help=f"输出文件（{suffix}）")
        command.add_argument("--db", dest="sub_db", type=Path, help="档案数据库文件")

    export = sub.add_parser("export", help="导出 Excel 名册").add_subparsers(dest="what", required=True)
    roster = export.add_parser("roster", help="导出户花名册、成员花名册或重点户名册")
    roster.add_argument(
        "--kind",
        choices=("households", "members", "focus"),
        default="households",
        help="households 户花名册；members 成员花名册；focus 重点关注户名册（须加 --tag）",
    )
    roster.add_argument("--tag", help="重点关注类别，如 低保户、五保户、特困户")
    roster.add_argument("--village", help="只导出该村（村名）")
    roster.add_argument("--group", help="只导出该村民小组（须同时给出 --village）")
    roster.add_argument(
        "--mask",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="身份证号只留前6后4位、电话隐藏中间4位（重点户名册用于公示，默认脱敏；其他默认完整）",
    )
    common(roster, ".xlsx")
    printing = sub.add_parser("print", help="打印 PDF：户表、档案册、空白户表").add_subparsers(
        dest="what", required=True
    )
    household = printing.add_parser("household", help="一户的户表")
    household.add_argument("--id", required=True, help="户档案识别码（户表二维码下方的32位编号）")
    common(household, ".pdf")
    book = printing.add_parser("book", help="村民小组（或全村）的群众档案册")
    book.add_argument("--village", required=True, help="村名")
    book.add_argument("--group", help="村民小组名；不填则打印全村")
    book.add_argument("--volume-limit", type=int, help="每册最多户数（默认按设置，0 表示不分册）")
    common(book, ".pdf")
    blank = printing.add_parser("blank", help="空白户表（入户采集用）")
    blank.add_argument("--copies", type=int, default=1, help="份数（默认1）")
    common(blank, ".pdf")


def _run_output(args: argparse.Namespace) -> int:
    import getpass

    from zhuji_archive.domain.errors import DomainError
    from zhuji_archive.services.archive import Archive
    from zhuji_archive.services.exports import ExportCancelled

    path: Path = args.sub_db or args.db or default_database()
    if not path.exists():
        print(f"错误：数据库文件“{path}”不存在。请用 --db 指定档案数据库。", file=sys.stderr)
        return 2
    operator = args.operator or getpass.getuser() or "命令行"
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            print(f"\r已完成 {done}/{total}", end="", file=sys.stderr, flush=True)

    archive = Archive.open(path, operator)
    try:
        exports = archive.exports
        output: Path = args.output
        if args.command == "export":
            village = exports.find_village(args.village) if args.village else None
            if args.group and not village:
                raise DomainError("指定 --group 时须同时指定 --village")
            group = exports.find_group(village, args.group) if args.group and village else None
            result = exports.roster(
                output,
                args.kind,
                tag=args.tag,
                village_id=village,
                group_id=group,
                masked=args.mask,
                progress=progress,
            )
            masked = "，身份证号和电话已脱敏" if result.masked else "，未脱敏"
            summary = f"已导出 {result.rows} 行{masked}"
        elif args.what == "household":
            result = exports.household_sheet(output, args.id.strip(), progress=progress)
            summary = f"已打印户表，共 {result.pages} 页"
        elif args.what == "book":
            village = exports.find_village(args.village)
            group = exports.find_group(village, args.group) if args.group else None
            result = exports.book(
                output, village_id=village, group_id=group, volume_limit=args.volume_limit, progress=progress
            )
            volumes = f"，分 {len(result.paths)} 册" if len(result.paths) > 1 else ""
            summary = f"已打印档案册 {result.rows} 户，共 {result.pages} 页{volumes}"
        else:
            result = exports.blank_form(output, copies=args.copies, progress=progress)
            summary = f"已打印空白户表 {result.rows} 份，共 {result.pages} 页"
    except DomainError as error:
        print(("\n" if show else "") + f"错误：{error.message}", file=sys.stderr)
        return 2
    except (ExportCancelled, KeyboardInterrupt):
        print(("\n" if show else "") + "已取消，未写入任何文件。", file=sys.stderr)
        return 130
    finally:
        archive.close()
    print(("\n" if show else "") + summary + "：" + "、".join(str(p) for p in result.paths))
    return 0


# ---- printouts of the request workflow and the request ledger ------------------------------------

REQUEST_OUTPUTS = ("feedback", "meeting", "summary", "ledger")


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _add_request_output_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """print feedback / meeting / summary and export ledger / summary, beside the roster commands."""
    printing, export = _subcommands(sub.choices["print"]), _subcommands(sub.choices["export"])

    def output(command: argparse.ArgumentParser, suffix: str) -> None:
        command.add_argument("-o", "--output", type=Path, required=True, help=f"输出文件（{suffix}）")
        command.add_argument("--db", dest="sub_db", type=Path, help="档案数据库文件")

    def scope(command: argparse.ArgumentParser) -> None:
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--village", help="村名")
        who.add_argument("--cadre", help="驻村干部姓名")
        when = command.add_mutually_exclusive_group(required=True)
        when.add_argument("--month", help="月报的月份，如 2026-11")
        when.add_argument("--week", help="周报：该周内的任一日期，如 2026-11-02")

    feedback = printing.add_parser("feedback", help="情况反馈意见单（按诉求填好，或空白）")
    which = feedback.add_mutually_exclusive_group(required=True)
    which.add_argument("--request", help="诉求编号（意见单上“诉求编号”后的32位编号）")
    which.add_argument("--blank", action="store_true", help="空白意见单（上门反馈时手填）")
    feedback.add_argument("--copies", type=int, default=1, help="空白意见单的份数（默认1）")
    output(feedback, ".pdf")
    meeting = printing.add_parser("meeting", help="月度专题会议交办单")
    meeting.add_argument("--meeting", required=True, help="会议编号，或 latest 表示最近一次会议")
    output(meeting, ".pdf")
    summary = printing.add_parser("summary", help="周报、月报（含统计图）")
    scope(summary)
    output(summary, ".pdf")
    ledger = export.add_parser("ledger", help="诉求台账（含销号）")
    ledger.add_argument("--village", help="只导出该村（村名）")
    ledger.add_argument("--status", help="只导出该办理状态，如 办理中、已反馈")
    ledger.add_argument(
        "--mask",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="身份证号只留前6后4位、电话隐藏中间4位（默认完整）",
    )
    output(ledger, ".xlsx")
    summary_xlsx = export.add_parser("summary", help="周报、月报（Excel）")
    scope(summary_xlsx)
    output(summary_xlsx, ".xlsx")


def _run_request_output(args: argparse.Namespace) -> int:
    import getpass
    from datetime import date

    from zhuji_archive.domain.errors import DomainError
    from zhuji_archive.domain.reporting import WEEKLY, period_of
    from zhuji_archive.services.archive import Archive
    from zhuji_archive.services.exports import ExportCancelled
    from zhuji_archive.services.request_exports import parse_month
    from zhuji_archive.services.requests import RequestQuery

    path: Path = args.sub_db or args.db or default_database()
    if not path.exists():
        print(f"错误：数据库文件“{path}”不存在。请用 --db 指定档案数据库。", file=sys.stderr)
        return 2
    archive = Archive.open(path, args.operator or getpass.getuser() or "命令行")
    try:
        exports, output = archive.request_exports, args.output
        if args.what == "feedback":
            result = exports.feedback_form(
                None if args.blank else args.request.strip(), output, copies=args.copies
            )
            summary = f"已打印情况反馈意见单 {result.rows} 份，共 {result.pages} 页"
        elif args.what == "meeting":
            meetings = exports.meeting_ids()
            meeting_id = args.meeting.strip()
            if meeting_id == "latest":
                if not meetings:
                    raise DomainError("还没有任何会议")
                meeting_id = meetings[0]
            result = exports.meeting_sheet(meeting_id, output)
            summary = f"已打印交办单，{result.rows} 件诉求，共 {result.pages} 页"
        elif args.what == "ledger":
            village = archive.exports.find_village(args.village) if args.village else None
            query = RequestQuery(village_id=village, statuses=(args.status,) if args.status else ())
            result = exports.ledger(query, output, masked=args.mask)
            summary = f"已导出诉求台账 {result.rows} 件" + (
                "，身份证号和电话已脱敏" if args.mask else "，未脱敏"
            )
        else:
            if args.village:
                scope_kind, scope_id = "village", archive.exports.find_village(args.village)
            else:
                found = [
                    c.id for c in archive.organisation.cadres("驻村干部") if c.name == args.cadre.strip()
                ]
                if len(found) != 1:
                    raise DomainError(
                        f"没有名为“{args.cadre}”的驻村干部"
                        if not found
                        else f"有多名驻村干部叫“{args.cadre}”"
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
                result = exports.summary_pdf(scope_kind, scope_id, period, output)
                summary = f"已打印{period.title}{period.kind}，共 {result.pages} 页"
            else:
                result = exports.summary_xlsx(scope_kind, scope_id, period, output)
                summary = f"已导出{period.title}{period.kind}"
    except DomainError as error:
        print(f"错误：{error.message}", file=sys.stderr)
        return 2
    except (ExportCancelled, KeyboardInterrupt):
        print("已取消，未写入任何文件。", file=sys.stderr)
        return 130
    finally:
        archive.close()
    print(summary + "：" + "、".join(str(p) for p in result.paths))
    return 0


# ---- import of Excel household ledgers ---------------------------------------------------------


def _add_import_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = sub.add_parser(
        "import",
        help="从Excel导入村里的户成员台账（花名册）",
        description="从Excel导入户成员台账。有错误时默认不导入任何数据（退出码1）；加 --skip-errors 则跳过有错误的户。",
    )
    command.add_argument("files", nargs="*", type=Path, metavar="FILE.xlsx", help="台账工作簿（可多个）")
    command.add_argument("--village", help="导入到哪个村（村名）")
    command.add_argument("--group", help="全部导入到该村民小组；不填则按工作表名或标题匹配（如“一组”）")
    command.add_argument("--dry-run", action="store_true", help="只检查并打印结果，不写入数据库")
    command.add_argument("--report", type=Path, help="把未导入的行（原样加错误原因）写入该Excel文件")
    command.add_argument("--skip-errors", action="store_true", help="跳过有错误的户，导入其余各户")
    command.add_argument(
        "--add-codes", action="store_true", help="把代码表中没有的值（如新的户类别）加入代码表"
    )
    command.add_argument(
        "--duplicates",
        choices=("update", "keep", "skip"),
        default="keep",
        help="身份证号已在档案中的户：update 按表更新；keep 保留原有、只补空白和新成员（默认）；skip 跳过",
    )
    command.add_argument("--template", type=Path, help="写出一份导入模板（含标准列名和示例行）后退出")
    command.add_argument("--db", dest="sub_db", type=Path, help="档案数据库文件")


def _run_import(args: argparse.Namespace) -> int:
    import getpass

    from zhuji_archive.domain.errors import DomainError
    from zhuji_archive.services.archive import Archive
    from zhuji_archive.services.importing import ImportBlocked, ImportCancelled

    path: Path = args.sub_db or args.db or default_database()
    if not path.exists():
        print(f"错误：数据库文件“{path}”不存在。请用 --db 指定档案数据库。", file=sys.stderr)
        return 2
    if not args.template and (not args.files or not args.village):
        print("错误：请给出要导入的Excel文件和 --village 村名（或用 --template 写出模板）", file=sys.stderr)
        return 2
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            print(f"\r已导入 {done}/{total}", end="", file=sys.stderr, flush=True)

    archive = Archive.open(path, args.operator or getpass.getuser() or "命令行")
    try:
        importer = archive.importer
        if args.template:
            importer.write_template(args.template)
            print(f"模板已写入 {args.template}")
            return 0
        sources = importer.read(args.files)
        unassigned = importer.assign_groups(sources, importer.find_village(args.village), args.group)
        if unassigned:
            names = "、".join(f"“{s.sheet}”" for s in unassigned)
            raise DomainError(f"无法确定工作表{names}对应哪个村民小组，请用 --group 指定")
        plan = importer.plan(sources)
        plan.add_codes = args.add_codes
        plan.skip_errors = args.skip_errors
        plan.set_choice_all(args.duplicates)
        for src in sources:
            header = "、".join(str(r + 1) for r in src.header_rows) or "未找到"
            print(
                f"{src.file_name}／{src.sheet}：表头在第{header}行，数据 {len(src.rows) - src.data_start} 行"
            )
        for problem in plan.problems:
            value = f"“{problem.value}”" if problem.value else ""
            print(f"[{problem.severity}] {problem.where()} {value} {problem.reason}")
        counts = plan.counts()
        print(
            f"可导入：新建 {counts.households_new} 户 {counts.members_new} 人；"
            f"与档案中已有的户对应 {counts.households_matched} 户（其中需更新 {counts.households_changed} 户）；"
            f"有错误 {counts.households_rejected} 户 {counts.rows_rejected} 行；错误 {counts.errors} 处，提示 {counts.notes} 处"
        )
        if args.report:
            rows = importer.write_errors(plan, args.report)
            print(f"未导入的 {rows} 行已写入 {args.report}")
        if plan.blocking_problems() and not plan.skip_errors:
            print(
                "有错误，未写入任何数据。改正后重新导入，或加 --skip-errors 跳过有错误的户。", file=sys.stderr
            )
            return 1
        if args.dry_run:
            print("试运行（--dry-run），未写入数据库。")
            return 0
        result = importer.run(plan, progress=progress)
    except ImportBlocked as error:
        print(("\n" if show else "") + f"错误：{error.message}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(("\n" if show else "") + f"错误：{error.message}", file=sys.stderr)
        return 2
    except (ImportCancelled, KeyboardInterrupt):
        print(("\n" if show else "") + "已取消，数据库未做任何改动。", file=sys.stderr)
        return 130
    finally:
        archive.close()
    print(("\n" if show else "") + "导入完成：" + result.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    hold_running_mutex()
    if args.command == "demo":
        return _run_demo(args)
    if args.command in OUTPUT_COMMANDS and args.what in REQUEST_OUTPUTS:
        return _run_request_output(args)
    if args.command in OUTPUT_COMMANDS:
        return _run_output(args)
    if args.command == "import":
        return _run_import(args)
    if args.smoke_test:
        from zhuji_archive.gui.smoke import smoke_test

        return smoke_test(args.db or default_database(), args.operator)
    from zhuji_archive.gui.app import run

    return run(args.db or default_database(), operator=args.operator)
