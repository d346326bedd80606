"""The audit: events logged with the account, the chain's check, and the 操作日志 window's use cases.

Events (entity 操作) are written as change-log entries and so join the tamper-evident chain
(storage/audit_log.py): logins, failed logins (written at the next successful login, from the
keyring), opening a household file, a search by ID number (that it happened, never the number),
revealing a full number, prints and exports (written by the export services). Only accounts with
查看操作日志 may read the log, check it or export it; the check at open reports only to them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from zhuji_archive.domain.accounts import Actor, Capability, require
from zhuji_archive.domain.search_keys import is_id_number_search
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.export_files import atomic_outputs
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.permissions import Guard
from zhuji_archive.storage import audit_log, audit_queries
from zhuji_archive.storage.audit_log import Verdict
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import ChangeLog
from zhuji_archive.views import audit as view
from zhuji_archive.views.audit import AuditFilter, AuditLine, Choice

PAGE_SIZE = 200


class AuditService:
    """Writes the events of one account and reads the log for those allowed to."""

    def __init__(self, db: Database, actor: Actor, clock: Clock | None = None) -> None:
        self.db = db
        self.actor = actor
        self.clock = clock or Clock()
        self.guard = Guard(actor)

    # ----- events ----------------------------------------------------------------------------------
    def _event(
        self, action: str, record_id: str = "", *, household_id: str | None = None, note: str = ""
    ) -> None:
        if household_id:
            # a file is opened or a number shown only where the account may read the household
            with self.db.sessions() as session:
                self.guard.household(session, Capability.READ_FILES, household_id)
        if self.db.read_only:
            return  # a read-only archive can be read, but nothing can be noted in it
        with self.db.transaction() as session:
            village_id = audit_queries.household_village(session, household_id) if household_id else None
            ChangeRecorder(session, self.actor).log(
                action,
                view.EVENT_ENTITY,
                record_id or household_id or self.actor.account_id,
                household_id=household_id,
                village_id=village_id,
                note=note,
            )

    def logged_in(self, failures: Sequence[tuple[str | None, str, datetime]] = ()) -> None:
        """The login, after the failed attempts the keyring kept: (account id or None, display name
        or 未知登录名, when) each."""
        if self.db.read_only:
            return
        with self.db.transaction() as session:
            for account_id, name, when in sorted(failures, key=lambda item: item[2]):
                session.add(
                    ChangeLog(
                        at=when,
                        operator=name,
                        account_id=account_id,
                        action=view.LOGIN_FAILED,
                        entity=view.EVENT_ENTITY,
                        record_id=account_id or "",
                        note="密码错误（登录前记录，本次登录后写入日志）",
                    )
                )
            ChangeRecorder(session, self.actor).log(view.LOGIN, view.EVENT_ENTITY, self.actor.account_id)

    def opened_household(self, household_id: str) -> None:
        """The household file was opened (the household window calls this when it shows one)."""
        self._event(view.OPEN_FILE, household_id=household_id)

    def searched(self, text: str) -> bool:
        """Note a search by ID number (that it happened, not the number); True if it was one. Searching
        is reading files, so it takes 查看档案 (the household list asks it first)."""
        require(self.actor, Capability.READ_FILES)
        if not is_id_number_search(text):
            return False
        self._event(view.ID_SEARCH, note="按身份证号查询")
        return True

    def reveal(self, household_id: str, what: str) -> None:
        """A full number was shown outside the household file: ``what`` names which (身份证号, 联系电话),
        never the number itself."""
        self._event(view.REVEAL, household_id=household_id, note=f"显示完整{what}")

    # ----- the chain -------------------------------------------------------------------------------
    def verify(self) -> Verdict:
        """Walk the whole chain (the command line's ``audit verify``)."""
        require(self.actor, Capability.VIEW_AUDIT)
        with self.db.engine.connect() as connection:
            return audit_log.verify(connection)

    def problem_at_open(self, *, incremental: bool = False) -> str | None:
        """The warning for the administrator and 党政办 when the log does not verify (None: intact).
        The whole chain is walked (about 1.5 s at 100,000 entries, so the window runs it in the
        background); ``incremental`` walks only the entries after the last intact check's checkpoint
        (milliseconds, but blind to an older entry edited since). It takes 查看操作日志: the main
        window asks only for the accounts that have it."""
        require(self.actor, Capability.VIEW_AUDIT)
        with self.db.engine.connect() as connection:
            verdict = audit_log.verify(connection, from_checkpoint=incremental)
        if verdict.broken is not None:
            return (
                "操作日志校验未通过，日志可能被篡改。" + verdict.broken.describe() + "。"
                "请保留档案文件和备份，并报告信息安全负责人。"
            )
        if not self.db.read_only:
            try:
                with self.db.engine.begin() as connection:
                    audit_log.store_checkpoint(connection, verdict)
            except Exception:  # noqa: BLE001 - the checkpoint only saves time; a busy file skips it
                pass
        return None

    # ----- the 操作日志 window ------------------------------------------------------------------------
    def _where(self, flt: AuditFilter) -> dict[str, object]:
        return {
            "account_id": flt.account_id,
            "household_id": flt.household_id,
            "action": flt.action,
            "since": _utc_start(flt.since),
            "before": _utc_start(flt.until + timedelta(days=1)) if flt.until else None,
        }

    def accounts(self) -> list[Choice]:
        require(self.actor, Capability.VIEW_AUDIT)
        with self.db.sessions() as session:
            return [Choice(i, f"{name}（{login}）") for i, name, login in audit_queries.accounts(session)]

    def households(self, text: str) -> list[Choice]:
        """Households to filter by, found by the head's name or the household's number."""
        require(self.actor, Capability.VIEW_AUDIT)
        text = text.strip()
        if not text:
            return []
        with self.db.sessions() as session:
            rows = audit_queries.households_matching(session, text)
        return [
            Choice(i, f"{village}{group}第{number}户（户主{head}）")
            for i, village, group, number, head in rows
        ]

    def actions(self) -> tuple[str, ...]:
        require(self.actor, Capability.VIEW_AUDIT)
        return view.CHANGE_ACTIONS + view.EVENT_ACTIONS

    def count(self, flt: AuditFilter) -> int:
        require(self.actor, Capability.VIEW_AUDIT)
        with self.db.sessions() as session:
            return audit_queries.count(session, **self._where(flt))  # type: ignore[arg-type]

    def page(self, flt: AuditFilter, offset: int = 0, limit: int = PAGE_SIZE) -> list[AuditLine]:
        """Entries newest first."""
        require(self.actor, Capability.VIEW_AUDIT)
        with self.db.sessions() as session:
            rows = audit_queries.page(session, offset, limit, **self._where(flt))  # type: ignore[arg-type]
        return [_line(row) for row in rows]

    def export_xlsx(self, flt: AuditFilter, path: Path | str) -> int:
        """Write the filtered log to a workbook (itself logged as an export); return the entries written."""
        from openpyxl import Workbook  # the workbook library loads when a workbook is asked for

        from zhuji_archive.exports import xlsx_cells, xlsx_files

        require(self.actor, Capability.VIEW_AUDIT)
        path = Path(path)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("操作日志")
        sheet.append(xlsx_cells.row(sheet, view.COLUMNS))
        written = 0
        with atomic_outputs([path]) as (temp,):
            while True:
                lines = self.page(flt, written, 5000)
                for line in lines:
                    sheet.append(xlsx_cells.row(sheet, line.cells()))
                written += len(lines)
                if len(lines) < 5000:
                    break
            xlsx_files.save_workbook(workbook, temp)
        self._event(view.EXPORT, note=f"导出操作日志（Excel）{written}条，文件“{path.name}”")
        return written


def _utc_start(day: date | None) -> datetime | None:
    """The start of a local day as the log's naive UTC time."""
    if day is None:
        return None
    return datetime.combine(day, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _line(row: tuple) -> AuditLine:  # type: ignore[type-arg]
    seq, at, operator, action, entity, field, old, new, note, village, group, number = row
    target = entity
    if number is not None:
        target = (
            f"{entity}：{village}{group}第{number}户"
            if entity != "户"
            else f"户：{village}{group}第{number}户"
        )
    if field:
        content = f"{field}：{old or '（空）'} → {new or '（空）'}"
        if note:
            content += f"；{note}"
    else:
        content = note
    return AuditLine(seq or 0, _local(at), operator, action, target, content)
