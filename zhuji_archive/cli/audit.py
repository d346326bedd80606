"""audit verify: check the change log's tamper-evident chain from a script."""

from __future__ import annotations

import argparse

from zhuji_archive.cli import common


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser("audit", help="操作日志：校验防篡改链", description="操作日志的校验。")
    what = audit.add_subparsers(dest="what", required=True, metavar="内容", help="做什么：")
    verify = what.add_parser(
        "verify",
        help="校验操作日志是否完整、未被篡改",
        description=(
            "逐条校验操作日志的防篡改链（需系统管理员或党政办账号）。完整时输出条数，退出码为0；"
            "发现被修改、删除、调换或伪造的记录时，指出第一条有问题的记录（序号和时间，不含个人信息），退出码为4。"
        ),
    )
    common.add_db_option(verify)
    common.add_login_arguments(verify)
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    archive = common.login(args)
    try:
        verdict = archive.audit.verify()
    finally:
        archive.close()
    if verdict.broken is not None:
        print(f"操作日志校验未通过：{verdict.broken.describe()}")
        return common.TAMPERED
    print(f"操作日志完整，共 {verdict.checked} 条。")
    return common.OK
