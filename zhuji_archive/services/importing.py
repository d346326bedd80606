"""Importing the household ledgers villages keep in Excel: read workbooks, plan (preview and
validation report, matching people already on file), then write every accepted household in one
transaction — all or nothing — with each record's source noted in its change history.

Typical use (GUI wizard and CLI alike)::

    sources = importer.read([path])            # sheets with detected header and column mapping
    importer.assign_groups(sources, village_id)  # or set source.group_id per sheet
    plan = importer.plan(sources)               # households, members, problems, duplicates
    plan.add_codes = True; plan.set_choice_all("update")
    result = importer.run(plan, progress=..., cancelled=...)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from zhuji_archive.domain import idcard
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.codes import ACTIVE_HOUSEHOLD_STATUS, ALL_KINDS
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.group_names import guess_group, name_for_number
from zhuji_archive.domain.household import check_single_head
from zhuji_archive.domain.household_columns import list_columns
from zhuji_archive.domain.search_keys import member_search_keys
from zhuji_archive.domain.text_input import clean_text
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.history import ChangeRecorder, display
from zhuji_archive.services.households import HouseholdService
from zhuji_archive.services.import_files import (
    SheetSource,
    read_workbook,
    write_error_workbook,
    write_template,
)
from zhuji_archive.services.import_plan import ImportCancelled, ImportPlan, PlannedHousehold
from zhuji_archive.services.import_planner import Planner
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.progress import Cancelled, Job, Progress
from zhuji_archive.storage import import_queries as queries
from zhuji_archive.storage.backup_files import BackupError
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import (
    ChangeLog,
    Household,
    HouseholdCode,
    IncomeSource,
    Member,
    new_id,
    utcnow,
)

__all__ = ["ImportBlocked", "ImportCancelled", "ImportResult", "ImportService"]
BATCH = 250


class ImportBlocked(DomainError):
    """The plan has errors and the user chose that errors block the import."""


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    households_created: int = 0
    members_created: int = 0
    households_updated: int = 0
    members_added: int = 0
    fields_changed: int = 0
    households_unchanged: int = 0
    households_skipped: int = 0
    households_rejected: int = 0
    codes_added: int = 0
    groups_created: tuple[str, ...] = ()

    def summary(self) -> str:
        parts = [f"新建 {self.households_created} 户 {self.members_created} 人"]
        if self.groups_created:
            parts.insert(0, f"新建村民小组 {'、'.join(self.groups_created)}")
        if self.households_updated:
            parts.append(
                f"更新 {self.households_updated} 户（改动 {self.fields_changed} 项，新增成员 {self.members_added} 人）"
            )
        if self.households_unchanged:
            parts.append(f"{self.households_unchanged} 户与档案一致未改动")
        if self.households_skipped:
            parts.append(f"跳过 {self.households_skipped} 户")
        if self.households_rejected:
            parts.append(f"{self.households_rejected} 户因有错误未导入")
        if self.codes_added:
            parts.append(f"代码表新增 {self.codes_added} 项")
        return "，".join(parts)


class ImportService:
    """The Excel import on behalf of one account: 修改档案 in the villages it imports into (and in
    those of the households on file it updates); creating a missing group takes 管理组织 too."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock | None = None,
        before_writing: Callable[[], object] | None = None,
    ) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name
        self.guard = Guard(actor)
        self.clock = clock or Clock()
        self.before_writing = before_writing  # the backup made before an import writes (services/backups)
        # Groups the last assign_groups() found missing: planned id -> (village id, name).
        self.pending_groups: dict[str, tuple[str, str]] = {}

    # ---- reading and mapping --------------------------------------------------------------
    def read(self, paths: Sequence[Path | str]) -> list[SheetSource]:
        """Every sheet of the workbooks with its detected header and column mapping."""
        self.guard.need(Capability.EDIT_FILES)
        sources: list[SheetSource] = []
        for path in paths:
            sources.extend(read_workbook(Path(path)))
        if not sources:
            raise DomainError("所选文件中没有任何有内容的工作表")
        return sources

    def find_village(self, name: str) -> str:
        self.guard.need(Capability.EDIT_FILES)
        scope = self.guard.scope
        with self.db.sessions() as session:
            found = queries.villages_named(session, name.strip())
        if scope is not None:
            found = [village_id for village_id in found if village_id in scope]
        if not found:
            raise DomainError(f"没有名为“{name}”的村")
        if len(found) > 1:
            raise DomainError(f"有{len(found)}个村都叫“{name}”，无法确定是哪一个")
        return found[0]

    def groups(self, village_id: str) -> list[tuple[str, str]]:
        self.guard.village(Capability.EDIT_FILES, village_id)
        with self.db.sessions() as session:
            return queries.village_groups(session, village_id)

    def assign_groups(
        self,
        sources: Sequence[SheetSource],
        village_id: str,
        group_name: str | None = None,
        create_missing: bool = False,
    ) -> list[SheetSource]:
        """Set each sheet's group: the named one for all, or the group its name or title mentions
        (“石门村第二村民小组” finds 二组; a single sheet of a one-group village goes to that group).
        A group the village lacks is planned for creation when ``create_missing`` (the import then
        creates it in its own transaction); otherwise it is only proposed, in ``new_groups``.
        Return the sheets left without a group."""
        if create_missing:
            self.guard.need(Capability.MANAGE_ORGANISATION)
        groups = self.groups(village_id)
        names = [name for _, name in groups]
        self.pending_groups = {}
        planned: dict[str, str] = {}  # name -> planned id

        def plan_group(name: str) -> str:
            if name not in planned:
                planned[name] = new_id()
                self.pending_groups[planned[name]] = (village_id, name)
            return planned[name]

        forced = None
        if group_name:
            wanted = group_name.strip()
            forced = next((gid for gid, name in groups if name == wanted), None)
            if forced is None and create_missing:
                wanted = clean_text("group", "name", wanted)
                if not wanted:
                    raise DomainError("请填写村民小组名称", "name")
                forced = plan_group(wanted)
            if forced is None:
                raise DomainError(f"该村没有名为“{group_name}”的村民小组")
        unassigned = []
        for src in sources:
            if forced:
                src.group_id = forced
            else:
                guess = guess_group([src.sheet, src.title], groups)
                src.group_id = guess.group_id
                if guess.missing_number is not None:
                    name = name_for_number(guess.missing_number, names)
                    planned_id = plan_group(name)  # proposed even when not created, to say so
                    src.group_id = planned_id if create_missing else None
                elif src.group_id is None and len(groups) == 1:
                    src.group_id = groups[0][0]
            if src.found_header and src.group_id is None:
                unassigned.append(src)
        return unassigned

    def new_groups(self) -> list[tuple[str, str]]:
        """(planned id, name) of the groups the last assign_groups() found missing."""
        self.guard.need(Capability.EDIT_FILES)
        return [(gid, name) for gid, (_, name) in self.pending_groups.items()]

    def _check_groups(
        self, group_ids: Sequence[str | None], planned_groups: dict[str, tuple[str, str]] | None = None
    ) -> None:
        """修改档案 in the village of each group (a group planned for creation: its village)."""
        self.guard.need(Capability.EDIT_FILES)
        planned_groups = self.pending_groups if planned_groups is None else planned_groups
        with self.db.sessions() as session:
            for group_id in dict.fromkeys(g for g in group_ids if g):
                planned = planned_groups.get(group_id)
                if planned is not None:
                    self.guard.village(Capability.EDIT_FILES, planned[0])
                    self.guard.need(Capability.MANAGE_ORGANISATION)
                else:
                    self.guard.group(session, Capability.EDIT_FILES, group_id)

    # ---- planning -------------------------------------------------------------------------
    def plan(
        self,
        sources: Sequence[SheetSource],
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ImportPlan:
        """Preview and validation report: nothing is written."""
        self._check_groups([src.group_id for src in sources])
        today = self.clock.today()
        with self.db.sessions() as session:
            planner = Planner(today, queries.active_codes(session))
            used = [s for s in sources if s.found_header]
            for src in sources:
                if not src.found_header and "说明" not in src.sheet:
                    planner.sheet_problems.append(
                        planner._problem(
                            src,
                            None,
                            None,
                            "前10行中没有找到表头（如“姓名”“身份证号”），本表未导入；如需导入请在“列对应”中指定表头行",
                            "提示",
                        )
                    )
            for index, src in enumerate(used):
                if progress is not None:
                    progress(index, len(used) + 1)
                planner.read_sheet(src, cancelled)
            planner.check_repeated_ids()
            if cancelled is not None and cancelled():
                raise ImportCancelled
            planner.match(session)
        problems = list(planner.sheet_problems)
        for h in planner.households:
            problems.extend(h.problems)
        problems.sort(key=lambda p: (p.file, p.sheet, p.row or 0, p.column))
        assigned = {src.group_id for src in sources}
        new_groups = {gid: place for gid, place in self.pending_groups.items() if gid in assigned}
        unknown: dict[tuple[str, str], int] = {}
        for p in problems:
            if p.code:
                unknown[p.code] = unknown.get(p.code, 0) + 1
        if progress is not None:
            progress(len(used) + 1, len(used) + 1)
        return ImportPlan(list(sources), planner.households, problems, unknown, new_groups=new_groups)

    # ---- writing --------------------------------------------------------------------------
    def run(
        self, plan: ImportPlan, progress: Progress | None = None, cancelled: Cancelled | None = None
    ) -> ImportResult:
        """Write every accepted household in one transaction: all of them, or nothing."""
        accepted = plan.accepted()
        self._check_groups([h.group_id for h in accepted], plan.new_groups)
        self._check_groups([h.existing.group_id for h in accepted if h.existing is not None], {})
        blocking = plan.blocking_problems()
        if blocking and not plan.skip_errors:
            raise ImportBlocked(
                f"有 {len(blocking)} 处错误（如 {blocking[0].where()}：{blocking[0].reason}），"
                "已按“有错误时不导入”未写入任何数据"
            )
        job = Job(progress, cancelled, ImportCancelled)
        accepted = plan.accepted()
        total = len(accepted) + 1
        job.step(0, total)
        if self.before_writing is not None:
            try:
                self.before_writing()
            except BackupError as error:
                raise DomainError(f"导入前的备份没有做成，未导入：{error}") from error
        counts: dict[str, int] = dict.fromkeys(
            ("created", "members", "updated", "added", "fields", "unchanged", "skipped", "codes"), 0
        )
        try:
            return self._write(plan, accepted, job, total, counts)
        except IntegrityError:
            # The database's guard (one household on file per ID number) caught someone filed
            # elsewhere between the check in the transaction and the insert.
            with self.db.sessions() as session:
                self._check_still_new(session, accepted)
            raise

    def _write(
        self,
        plan: ImportPlan,
        accepted: list[PlannedHousehold],
        job: Job,
        total: int,
        counts: dict[str, int],
    ) -> ImportResult:
        with self.db.transaction() as session:
            created = self._create_groups(session, plan)
            if plan.add_codes:
                codes = {p.code for h in accepted for p in h.problems if p.code}
                counts["codes"] = queries.add_code_items(session, [c for c in codes if c])
            self._check_still_new(session, accepted)
            group_ids = [h.group_id for h in accepted]
            places = queries.group_places(session, group_ids)
            used = queries.used_numbers(session, group_ids)
            batch: dict[type, list[dict[str, Any]]] = {model: [] for model in queries.INSERT_ORDER}
            recorder = ChangeRecorder(session, self.actor)
            for index, h in enumerate(accepted, start=1):
                if h.existing is None:
                    self._create(h, places, used, batch)
                    counts["created"] += 1
                    counts["members"] += len(h.members)
                elif h.choice == "skip":
                    counts["skipped"] += 1
                else:
                    changed, added = self._update(session, recorder, h)
                    if changed or added:
                        counts["updated"] += 1
                        counts["fields"] += changed
                        counts["added"] += added
                    else:
                        counts["unchanged"] += 1
                if index % BATCH == 0:
                    self._flush(session, batch)
                    job.step(index, total)
            self._flush(session, batch)
            job.step(len(accepted), total)
        job.step(total, total)
        return ImportResult(
            households_created=counts["created"],
            members_created=counts["members"],
            households_updated=counts["updated"],
            members_added=counts["added"],
            fields_changed=counts["fields"],
            households_unchanged=counts["unchanged"],
            households_skipped=counts["skipped"],
            households_rejected=len(plan.rejected()),
            codes_added=counts["codes"],
            groups_created=tuple(created),
        )

    @staticmethod
    def _create_groups(session: Any, plan: ImportPlan) -> list[str]:
        """The new groups accepted households go to, created in the import's transaction."""
        names = set(plan.groups_to_create())
        created = []
        for group_id, (village_id, name) in plan.new_groups.items():
            if name not in names:
                continue
            if queries.group_named(session, village_id, name) is not None:
                raise DomainError(
                    f"检查之后本村已有了村民小组“{name}”：请返回“村民小组”一步重新选择后再导入"
                )
            queries.add_group(session, group_id, village_id, name)
            created.append(name)
        return created

    @staticmethod
    def _check_still_new(session: Any, accepted: list[PlannedHousehold]) -> None:
        """The plan may be minutes old: refuse if someone it would add has since been filed elsewhere."""
        adding = [
            m.data.id_number
            for h in accepted
            if h.existing is None or h.choice != "skip"
            for m in (h.members if h.existing is None else h.new_members)
            if m.data.id_number
        ]
        taken = queries.id_holders(session, adding)
        if taken:
            # masked: this message also goes to the command line's stderr, which scripts keep in files
            number = idcard.mask(sorted(taken)[0])
            raise DomainError(
                f"检查之后档案有了变动：身份证号{number}已在档案中。请返回“预览”之前的步骤重新检查后再导入"
            )

    @staticmethod
    def _flush(session: Any, batch: dict[type, list[dict[str, Any]]]) -> None:
        for model in queries.INSERT_ORDER:
            queries.insert_rows(session, model, batch[model])
            batch[model] = []

    def _create(
        self,
        h: PlannedHousehold,
        places: dict[str, tuple[str, int, int]],
        used: dict[str, set[int]],
        batch: dict[type, list[dict[str, Any]]],
    ) -> None:
        village_id, village_sort, group_sort = places[h.group_id]
        taken = used[h.group_id]
        number = h.number if h.number and h.number not in taken else max(taken, default=0) + 1
        taken.add(number)
        household_id, now = new_id(), utcnow()
        members = [m.data for m in h.members]
        check_single_head([m.relation for m in members])
        batch[Household].append(
            {
                "id": household_id,
                "group_id": h.group_id,
                "village_id": village_id,
                "number": number,
                "address": h.address,
                "phone": h.phone,
                "responsible_cadre_id": None,
                "status": ACTIVE_HOUSEHOLD_STATUS,
                "status_note": "",
                "notes": "",
                "created_at": now,
                "updated_at": now,
                **list_columns(
                    members=[(m.name, m.relation) for m in members],
                    codes=[("economic_type", label) for label in h.economic_types]
                    + [("focus_tag", label) for label in h.focus_tags],
                    cadre_name="",
                    place_sort=(village_sort, group_sort),
                    visits=(),
                ).as_row(),
            }
        )
        note = h.source_note()
        if number != h.number and h.number:
            note += f"（原表户号{h.number}在本组已被使用，改为{number}）"
        batch[ChangeLog].append(self._log(now, "新增", "户", household_id, household_id, village_id, note))
        for sort, planned in enumerate(h.members):
            batch[Member].append(self._member_row(planned.data, household_id, sort))
            member_id = batch[Member][-1]["id"]
            batch[ChangeLog].append(
                self._log(
                    now,
                    "新增",
                    "成员",
                    member_id,
                    household_id,
                    village_id,
                    f"成员{planned.data.name}；{h.source_note(planned.row)}",
                )
            )
        for kind, labels in (("economic_type", h.economic_types), ("focus_tag", h.focus_tags)):
            for label in sorted(set(labels)):
                batch[HouseholdCode].append({"household_id": household_id, "kind": kind, "label": label})
        if h.land_mu is not None:
            batch[IncomeSource].append(self._land_row(household_id, h.land_mu))

    def _log(
        self,
        at: Any,
        action: str,
        entity: str,
        record_id: str,
        household_id: str,
        village_id: str,
        note: str,
        field: str = "",
        old: Any = None,
        new: Any = None,
    ) -> dict[str, Any]:
        return {
            "id": new_id(),
            "at": at,
            "operator": self.operator,
            "action": action,
            "entity": entity,
            "record_id": record_id,
            "household_id": household_id,
            "village_id": village_id,
            "field": field,
            "old_value": display(old),
            "new_value": display(new),
            "note": note,
        }

    @staticmethod
    def _member_row(m: Any, household_id: str, sort: int) -> dict[str, Any]:
        return {
            "id": new_id(),
            "household_id": household_id,
            "name": m.name,
            **member_search_keys(m.name, m.id_number, m.phone),
            "relation": m.relation,
            "sex": m.sex,
            "id_number": m.id_number,
            "birth_date": m.birth_date,
            "education": m.education,
            "political_status": m.political_status,
            "health": m.health,
            "disability_grade": m.disability_grade,
            "phone": m.phone,
            "migrant_worker": m.migrant_worker,
            "migrant_place": m.migrant_place,
            "notes": m.notes,
            "sort": sort,
            "removed": False,
        }

    @staticmethod
    def _land_row(household_id: str, mu: float) -> dict[str, Any]:
        return {
            "id": new_id(),
            "household_id": household_id,
            "kind": queries.LAND_KIND,
            "description": "",
            "land_mu": mu,
            "scale": "",
            "months": None,
            "annual_income": None,
            "deleted": False,
        }

    def _update(self, session: Any, recorder: ChangeRecorder, h: PlannedHousehold) -> tuple[int, int]:
        """Apply the chosen changes and add new members to a matched household; (fields, members)."""
        assert h.existing is not None
        changes = h.pending_changes()
        new_members = h.new_members
        if not changes and not new_members:
            return 0, 0
        household = session.get(Household, h.existing.id)
        if household is None or household.status != ACTIVE_HOUSEHOLD_STATUS:
            raise DomainError(f"档案中的{h.existing.describe()}已不在册，请重新检查后再导入")
        context = {"household_id": household.id, "village_id": household.village_id}
        for change in changes:
            if change.member is None:
                self._set_household_field(
                    session, recorder, household, change.field, change.value, h.source_note()
                )
                continue
            planned = h.members[change.member]
            member = session.get(Member, planned.existing_id)
            old = getattr(member, change.field)
            setattr(member, change.field, change.value)
            recorder.log(
                "修改",
                "成员",
                member.id,
                field=change.title,
                old=old,
                new=change.value,
                note=f"成员{member.name}；{h.source_note(planned.row)}",
                **context,
            )
            if change.field in ("name", "phone"):
                for key, value in member_search_keys(member.name, member.id_number, member.phone).items():
                    setattr(member, key, value)
        if new_members:
            top = len(h.existing.members)
            for offset, planned in enumerate(new_members):
                row = self._member_row(planned.data, household.id, top + offset)
                session.add(Member(**row))
                recorder.log(
                    "新增",
                    "成员",
                    row["id"],
                    note=f"成员{planned.data.name}；{h.source_note(planned.row)}",
                    **context,
                )
        session.flush()
        relations = list(
            session.scalars(
                select(Member.relation).where(Member.household_id == household.id, Member.removed.is_(False))
            )
        )
        try:
            check_single_head(relations)
        except DomainError as error:
            raise DomainError(f"{h.existing.describe()}：{error.message}（{h.source_note()}）") from None
        HouseholdService.refresh_summary(session, household)
        household.updated_at = utcnow()
        return len(changes), len(new_members)

    @staticmethod
    def _set_household_field(
        session: Any, recorder: ChangeRecorder, household: Household, name: str, value: Any, note: str
    ) -> None:
        context = {"household_id": household.id, "village_id": household.village_id}
        title = {
            "address": "住址",
            "economic_types": "经济类型",
            "focus_tags": "重点关注",
            "land_mu": "承包土地(亩)",
        }[name]
        if name == "address":
            old = household.address
            household.address = value
        elif name in ("economic_types", "focus_tags"):
            kind = "economic_type" if name == "economic_types" else "focus_tag"
            current = set(
                session.scalars(
                    select(HouseholdCode.label).where(
                        HouseholdCode.household_id == household.id, HouseholdCode.kind == kind
                    )
                )
            )
            old = sorted(current)
            for label in sorted(set(value) - current):
                session.add(HouseholdCode(household_id=household.id, kind=kind, label=label))
        else:
            land = session.scalars(
                select(IncomeSource).where(
                    IncomeSource.household_id == household.id,
                    IncomeSource.kind == queries.LAND_KIND,
                    IncomeSource.deleted.is_(False),
                )
            ).first()
            old = land.land_mu if land else None
            if land is None:
                session.add(IncomeSource(**ImportService._land_row(household.id, value)))
            else:
                land.land_mu = value
        recorder.log("修改", "户", household.id, field=title, old=old, new=value, note=note, **context)

    # ---- files ----------------------------------------------------------------------------
    def write_errors(self, plan: ImportPlan, path: Path | str) -> int:
        """The rows that will not be imported, as they were plus the reason; return how many."""
        self.guard.need(Capability.EDIT_FILES)
        rows = plan.error_rows()
        write_error_workbook(Path(path), rows)
        return len(rows)

    def write_template(self, path: Path | str) -> None:
        """A blank ledger with the canonical headers, an example household and the code lists."""
        self.guard.need(Capability.EDIT_FILES)
        with self.db.sessions() as session:
            known = queries.active_codes(session)
        values: dict[str, list[str]] = {}
        for kind in ALL_KINDS:
            order = {label: i for i, label in enumerate(kind.defaults)}
            values[kind.key] = sorted(known.get(kind.key, set()), key=lambda v, o=order: (o.get(v, 999), v))
        write_template(Path(path), values)
