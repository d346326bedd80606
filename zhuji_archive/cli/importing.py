"""import: Excel household ledgers (花名册) into a village's groups."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zhuji_archive.cli import common
from zhuji_archive.cli.parser import aliased, output_file

# --duplicates as the command line names the choices, and the import plan's names for them.
DUPLICATES = {"更新": "update", "保留": "keep", "跳过": "skip"}


def add_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = sub.add_parser(
        "import",
        help="从Excel导入村里的户成员台账（花名册）",
        description="从Excel导入户成员台账。有错误时默认不导入任何数据（退出码1）；加 --skip-errors 则跳过有错误的户。",
    )
    command.add_argument("files", nargs="*", type=Path, metavar="台账.xlsx", help="台账工作簿（可多个）")
    command.add_argument("--village", metavar="村名", help="导入到哪个村")
    command.add_argument("--group", metavar="组名", help="全部导入到该村民小组；不填则按工作表名或标题匹配（如“一组”）")
    command.add_argument(
        "--create-group", action="store_true", help="村里还没有的村民小组（如表名“第三村民小组”）随导入一起新建"
    )
    command.add_argument("--dry-run", action="store_true", help="只检查并打印结果，不写入数据库")
    command.add_argument("--report", type=output_file(".xlsx"), metavar="文件.xlsx", help="把未导入的行（原样加错误原因）写入该Excel文件")
    command.add_argument("--skip-errors", action="store_true", help="跳过有错误的户，导入其余各户")
    command.add_argument(
        "--add-codes", action="store_true", help="把代码表中没有的值（如新的户类别）加入代码表"
    )
    command.add_argument(
        "--duplicates",
        type=aliased({english: chinese for chinese, english in DUPLICATES.items()}),
        choices=tuple(DUPLICATES),
        default="保留",
        metavar="处理",
        help="身份证号已在档案中的户：更新 按表更新；保留 保留原有、只补空白和新成员（默认）；跳过",
    )
    command.add_argument("--template", type=output_file(".xlsx"), metavar="文件.xlsx", help="写出一份导入模板（含标准列名和示例行）后退出")
    common.add_archive_options(command)
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from zhuji_archive.domain.errors import DomainError
    from zhuji_archive.services.importing import ImportBlocked, ImportCancelled

    if not args.template and (not args.files or not args.village):
        print("错误：请给出要导入的Excel文件和 --village 村名（或用 --template 写出模板）", file=sys.stderr)
        return 2
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            print(f"\r已导入 {done}/{total}", end="", file=sys.stderr, flush=True)

    archive = common.open_archive(args)
    try:
        importer = archive.importer
        if args.template:
            importer.write_template(args.template)
            print(f"模板已写入 {args.template}")
            return 0
        sources = importer.read(args.files)
        village = importer.find_village(args.village)
        unassigned = importer.assign_groups(sources, village, args.group, create_missing=args.create_group)
        if unassigned:
            names = "、".join(f"“{s.sheet}”" for s in unassigned)
            missing = "、".join(f"“{name}”" for _, name in importer.new_groups())
            hint = f"本村还没有村民小组{missing}，加 --create-group 可随导入新建；" if missing else ""
            raise DomainError(f"无法确定工作表{names}对应哪个村民小组：{hint}或用 --group 指定")
        plan = importer.plan(sources)
        plan.add_codes = args.add_codes
        plan.skip_errors = args.skip_errors
        plan.set_choice_all(DUPLICATES[args.duplicates])
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
        if plan.groups_to_create():
            print(f"将新建村民小组：{'、'.join(plan.groups_to_create())}")
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
