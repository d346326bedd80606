"""Setting up a township hub: its first administrator and organisation (``hub init``), and bringing a
laptop's whole archive into it once, for the first rollout (``hub import-archive``).

Merging two archives that both carry records is the sync issue's work: an import goes only into a hub
that holds no records yet (storage/archive_copy.py says what a fresh hub may hold and how it gives way)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from zhuji_archive.domain.accounts import Role
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.storage import archive_copy, audit_log, hub
from zhuji_archive.storage.database import settle_after_bulk_load
from zhuji_archive.storage.models import Request
from zhuji_archive.views import audit as audit_view


@dataclass(frozen=True)
class TownPlan:
    """A town the hub starts with (a county's hub starts with several)."""

    name: str
    county: str = ""
    region_code: str = ""


@dataclass(frozen=True)
class ImportReport:
    """What a whole-archive import brought: counts, accounts under another login, towns merged."""

    households: int
    requests: int
    accounts: int
    log_entries: int
    renamed: list[tuple[str, str]] = field(default_factory=list)
    towns_merged: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _need_hub(location: str) -> None:
    if not hub.is_hub_location(location):
        raise DomainError("这里须给出镇里数据库的地址（postgresql://用户名@服务器:端口/数据库名），不是档案文件。")


def init_hub(
    url: str,
    login: str,
    display_name: str,
    password: str,
    towns: Sequence[TownPlan] = (),
    today: date | None = None,
) -> Archive:
    """A new hub: its schema (migrated on open), the first 系统管理员, and the towns it starts with;
    returned logged in as that administrator. A hub that already has accounts is refused unchanged."""
    _need_hub(url)
    if access.state(url) is access.ArchiveState.LOCKED:
        raise DomainError(
            f"镇里的数据库“{hub.where(url)}”已经初始化过（已有账号），未作改动。请用已有的管理员账号登录；"
            "新增账号请在程序的账号管理中办理。"
        )
    archive = access.create(url, login, display_name, password, today)
    try:
        for town in towns:
            archive.organisation.add_town(town.name, town.county, town.region_code)
    except BaseException:
        archive.close()
        raise
    return archive


def import_archive(
    source: Archive, target: Archive, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Copy the whole archive ``source`` (a laptop's file, opened by its 系统管理员) into the hub
    ``target`` (opened by the hub's 系统管理员), in one transaction: all of it or nothing. The change
    log must verify on the hub before the transaction commits; the import itself is logged there."""
    for archive, where in ((source, "档案文件"), (target, "镇里的数据库")):
        if archive.actor.role is not Role.ADMIN:
            raise DomainError(f"导入整份档案须用{where}的系统管理员账号登录。")
    if source.db.on_hub:
        raise DomainError("导入的来源须是笔记本上的档案文件（.sqlite3），不是另一个镇里的数据库。")
    if not target.db.on_hub:
        raise DomainError("整份档案只能导入到镇里的数据库（PostgreSQL）。")
    with source.db.engine.connect() as reading, target.db.transaction() as session:
        connection = session.connection()
        copied = archive_copy.copy_archive(reading, connection, progress)
        requests = copied.rows.get(Request.__tablename__, 0)
        note = f"从笔记本档案导入整份档案：{copied.households} 户、{requests} 条诉求、{copied.rows.get('account', 0)} 个账号"
        if copied.renamed:
            note += "；登录名与镇里已有账号重名、改用新登录名的：" + "、".join(f"{a}→{b}" for a, b in copied.renamed)
        ChangeRecorder(session, target.actor).log(
            audit_view.IMPORT_ARCHIVE, audit_view.EVENT_ENTITY, target.actor.account_id, note=note
        )
        session.flush()
        audit_log.settle(session)  # the entry chained and the head written before the check
        verdict = audit_log.verify(connection)
        if verdict.broken is not None:
            raise DomainError(
                f"导入后镇里数据库的操作日志校验未通过（{verdict.broken.describe()}），已全部撤销，镇里的数据库没有改动。"
            )
    settle_after_bulk_load(target.db.engine)  # compact tallies, fresh statistics for the first pages
    return ImportReport(
        households=copied.households,
        requests=requests,
        accounts=copied.rows.get("account", 0),
        log_entries=copied.rows.get("change_log", 0),
        renamed=copied.renamed,
        towns_merged=copied.towns_merged,
        seconds=copied.seconds,
    )
