"""backup and restore: the archive's backups from the command line (a 系统管理员's login).

``zhuji-archive backup --db 档案.sqlite3 --user admin --password-stdin [--to 文件夹]`` makes a verified
backup (the archive and its keyring) and prints where it went; ``zhuji-archive restore --db 档案.sqlite3
--from 备份.sqlite3 --user admin --password-stdin`` puts a backup in place of the archive after backing
the present file up. The services check the account's right (services/backups.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from zhuji_archive.cli import common


def _login_arguments(command: argparse.ArgumentParser) -> None:
    common.add_db_option(command)
    common.add_login_arguments(command)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    backup = sub.add_parser(
        "backup",
        help="备份档案（档案文件和钥匙文件，校验后保存）",
        description="备份档案：档案文件连同钥匙文件一起复制并校验。须用系统管理员账号登录。",
    )
    _login_arguments(backup)
    backup.add_argument(
        "--to",
        type=Path,
        metavar="文件夹",
        help="这一次备份到该文件夹（如U盘）；不填则存到档案设定的备份位置",
    )
    backup.set_defaults(run=run_backup)
    restore = sub.add_parser(
        "restore",
        help="用备份恢复档案（恢复前先备份当前档案）",
        description="用备份替换档案文件和钥匙文件。恢复前先自动备份当前档案；恢复后须重新登录。须用系统管理员账号登录。",
    )
    _login_arguments(restore)
    restore.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="备份文件",
        help="要恢复的备份（备份文件夹中的档案副本）",
    )
    restore.set_defaults(run=run_restore)


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def run_backup(args: argparse.Namespace) -> int:
    common.refuse_on_hub(args, common.HUB_BACKUPS)
    with common.login(args) as archive:
        entry = archive.backups.make_now(args.to)
    state = "校验通过" if entry.verified else "未通过校验（档案文件可能已损坏）"
    print(entry.path)
    common.say(f"已备份（{entry.taken:%Y-%m-%d %H:%M}，{_size(entry.size)}，{state}）：{entry.path}")
    return common.OK if entry.verified else common.NOTHING_FOUND


def run_restore(args: argparse.Namespace) -> int:
    common.refuse_on_hub(args, common.HUB_BACKUPS)
    archive = common.login(args)
    try:
        entry = archive.backups.backup_at(args.source)
        restored = archive.backups.restore(entry)
    finally:
        archive.close()
    common.say(restored.message)
    print(restored.saved_before.path)
    return common.OK
