"""Household files: load, validate, save with change history, change status. Never hard-deletes."""

from __future__ import annotations

import copy
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from zhuji_archive.domain import household as rules
from zhuji_archive.domain import household_rules
from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.codes import ACTIVE_HOUSEHOLD_STATUS, HOUSEHOLD_STATUSES
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.household_rules import FieldProblem
from zhuji_archive.domain.search_keys import member_search_keys
from zhuji_archive.services import history, sync_capture
from zhuji_archive.services.clock import Clock
from zhuji_archive.services.conflicts import StaleRecord, StaleSave, changed_fields, snapshot, stale_message
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.services.visits import fulfil_events
from zhuji_archive.storage import household_queries as queries
from zhuji_archive.storage import request_numbers
from zhuji_archive.storage.database import ChangedMeanwhile, Database
from zhuji_archive.storage.models import (
    Assistance,
    Cadre,
    Household,
    HouseholdCode,
    IncomeSource,
    Member,
    Request,
    Town,
    Village,
    VillageGroup,
    Visit,
    new_id,
    utcnow,
)
from zhuji_archive.views.history import ChangeEntry
from zhuji_archive.views.household_file import (
    AssistanceData,
    HouseholdFile,
    IncomeData,
    MemberData,
    RequestData,
    VisitData,
)

HOUSEHOLD_LABELS = {
    "number": "户号",
    "address": "住址",
    "phone": "联系电话",
    "responsible_cadre_id": "责任干部",
    "status": "状态",
    "status_note": "状态说明",
    "notes": "备注",
    "economic_types": "经济类型",
    "focus_tags": "重点关注",
}
MEMBER_LABELS = {
    "name": "姓名",
    "relation": "与户主关系",
    "sex": "性别",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "education": "文化程度",
    "political_status": "政治面貌",
    "health": "健康状况",
    "disability_grade": "残疾等级",
    "phone": "联系电话",
    "migrant_worker": "外出务工",
    "migrant_place": "务工地点",
    "notes": "备注",
}
INCOME_LABELS = {
    "kind": "来源",
    "description": "内容",
    "land_mu": "面积(亩)",
    "scale": "规模",
    "months": "务工月数",
    "annual_income": "年收入(元)",
}
ASSISTANCE_LABELS = {
    "date": "日期",
    "provider": "帮扶单位",
    "provider_type": "单位性质",
    "kind": "帮扶类别",
    "content": "帮扶内容",
    "amount": "金额(元)",
}
VISIT_LABELS = {
    "date": "走访日期",
    "kind": "走访类型",
    "cadres": "走访干部",
    "notes": "走访情况",
    "policies": "政策宣传",
}
REQUEST_LABELS = {"recorded_on": "登记日期", "category": "类别", "description": "诉求内容"}

# section name in HouseholdFile -> (model, Chinese entity name, labels)
_SECTIONS: dict[str, tuple[type, str, dict[str, str]]] = {
    "members": (Member, "成员", MEMBER_LABELS),
    "incomes": (IncomeSource, "经济来源", INCOME_LABELS),
    "assistance": (Assistance, "帮扶记录", ASSISTANCE_LABELS),
    "visits": (Visit, "走访", VISIT_LABELS),
    "requests": (Request, "诉求", REQUEST_LABELS),
}
_REMOVED_COLUMN = {Member: "removed"}
SAVE_ATTEMPTS = 3  # a save meeting only others' changes to other records of the household runs again


class ValidationFailed(DomainError):
    """The file has problems; ``problems`` lists every one with its place."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(problems[0].message, problems[0].field)
        self.problems = problems


def _data_values(row: Any, labels: dict[str, str]) -> dict[str, Any]:
    values = asdict(row)
    return {name: values[name] for name in labels}


def _household_values(file: HouseholdFile) -> dict[str, Any]:
    return {name: getattr(file, name) for name in HOUSEHOLD_LABELS}


class HouseholdService:
    """Use cases on household files, on behalf of one operator."""

    def __init__(self, db: Database, actor: Actor, clock: Clock | None = None) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name
        self.guard = Guard(actor)
        self.clock = clock or Clock()

    def _check_write(self, file: HouseholdFile) -> None:
        """The account may edit files in the household's village and in the group it is filed in."""
        with self.db.sessions() as session:
            if file.id is not None:
                self.guard.household(session, Capability.EDIT_FILES, file.id)
            self.guard.group(session, Capability.EDIT_FILES, file.group_id)

    # ---- reading -------------------------------------------------------------------------
    def new_file(self, group_id: str) -> HouseholdFile:
        with self.db.sessions() as session:
            self.guard.group(session, Capability.EDIT_FILES, group_id)
            file = HouseholdFile(id=None, group_id=group_id, number=queries.next_number(session, group_id))
            self._fill_context(session, file)
            return file

    def load(self, household_id: str) -> HouseholdFile:
        with self.db.sessions() as session:
            self.guard.household(session, Capability.READ_FILES, household_id)
            h = session.get(Household, household_id)
            if h is None:
                raise DomainError("找不到这户档案，可能已被合并或数据库已更换")
            codes = session.execute(
                select(HouseholdCode.kind, HouseholdCode.label).where(HouseholdCode.household_id == h.id)
            ).all()
            file = HouseholdFile(
                id=h.id,
                group_id=h.group_id,
                number=h.number,
                address=h.address,
                phone=h.phone,
                responsible_cadre_id=h.responsible_cadre_id,
                status=h.status,
                status_note=h.status_note,
                notes=h.notes,
                economic_types=sorted(label for kind, label in codes if kind == "economic_type"),
                focus_tags=sorted(label for kind, label in codes if kind == "focus_tag"),
                version=h.version,
            )

            def load_rows(model: Any, data_cls: Any, order: Any, alive: Any) -> list[Any]:
                names = [f.name for f in fields(data_cls) if f.name != "removed"]
                rows = session.scalars(
                    select(model).where(model.household_id == h.id, alive).order_by(*order)
                )
                return [data_cls(**{n: getattr(r, n) for n in names}) for r in rows]

            file.members = load_rows(
                Member, MemberData, [Member.sort, Member.birth_date], Member.removed.is_(False)
            )
            file.incomes = load_rows(
                IncomeSource, IncomeData, [IncomeSource.kind], IncomeSource.deleted.is_(False)
            )
            file.assistance = load_rows(
                Assistance, AssistanceData, [Assistance.date], Assistance.deleted.is_(False)
            )
            file.visits = load_rows(Visit, VisitData, [Visit.date.desc()], Visit.deleted.is_(False))
            file.requests = load_rows(
                Request, RequestData, [Request.recorded_on.desc()], Request.deleted.is_(False)
            )
            self._fill_context(session, file)
        file.base = {h.id: snapshot(_household_values(file))}
        for section, (_model, _entity, labels) in _SECTIONS.items():
            for row in getattr(file, section):
                file.base[row.id] = snapshot(_data_values(row, labels))
        return file

    def history(self, household_id: str) -> list[ChangeEntry]:
        with self.db.sessions() as session:
            self.guard.household(session, Capability.READ_FILES, household_id)
            return history.entries(session, household_id=household_id)

    @staticmethod
    def _fill_context(session: Session, file: HouseholdFile) -> None:
        row = session.execute(
            select(Town.name, Village.name, VillageGroup.name)
            .join(Village, Village.id == VillageGroup.village_id)
            .join(Town, Town.id == Village.town_id)
            .where(VillageGroup.id == file.group_id)
        ).one_or_none()
        if row is None:
            raise DomainError("所选村民小组不存在")
        file.town_name, file.village_name, file.group_name = row

    # ---- validation ----------------------------------------------------------------------
    def check_member(self, member: MemberData) -> list[str]:
        """Normalise one member in place (ID, sex, birth date, phone); return warnings; raise on errors."""
        self.guard.need(Capability.EDIT_FILES)
        return household_rules.normalise_member(member)

    def validate(self, file: HouseholdFile) -> list[FieldProblem]:
        """Every problem of the file, normalising what can be normalised. Empty list: it can be saved."""
        self._check_write(file)
        return [*household_rules.file_problems(file, self.clock.today()), *self._ids_held_elsewhere(file)]

    def _ids_held_elsewhere(self, file: HouseholdFile) -> list[FieldProblem]:
        """Members whose ID number a member of another household on file already holds."""
        if file.status != ACTIVE_HOUSEHOLD_STATUS:
            return []
        members = file.active(file.members)
        with self.db.sessions() as session:
            holders = queries.active_id_holders(
                session, [m.id_number for m in members if m.id_number], file.id
            )
        problems = []
        for index, member in enumerate(file.members):
            holder = holders.get(member.id_number) if not member.removed else None
            if holder is not None:
                problems.append(
                    FieldProblem(
                        "members",
                        index,
                        "id_number",
                        f"身份证号{member.id_number}已在{holder.place()}在册，同一人不能同时在两户在册",
                    )
                )
        return problems

    # ---- writing -------------------------------------------------------------------------
    def save(self, file: HouseholdFile) -> str:
        """Validate and write the file in one transaction; return the household id.

        Only what was changed since the file was loaded is written, so another window's changes to
        other fields and records of the same household stay. A record changed here that someone else
        changed since (its version moved on) refuses the whole save with ``StaleSave``."""
        # The work is done on a copy: until the commit has succeeded, nothing in the caller's file
        # changes (no ids, no normalised values), so a save that failed (a locked or full disk) can
        # simply be retried from the same window.
        self._check_write(file)
        work = copy.deepcopy(file)
        problems = [*household_rules.text_problems(work), *self.validate(work)]
        if problems:
            raise ValidationFailed(problems)
        checked = work
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            work = copy.deepcopy(checked)  # a retry starts again from the validated file
            try:
                household_id = self.db.run(lambda session: self._write(session, work))  # noqa: B023
                break
            except IntegrityError:
                # The database's own guard (one household on file per ID number) caught what validation,
                # outside the transaction, could not see: another window filed the same person meanwhile.
                clashes = self._ids_held_elsewhere(work)
                if clashes:
                    raise ValidationFailed(clashes) from None
                raise
            except ChangedMeanwhile:
                # Another writer committed between this transaction's check and its UPDATE.
                with self.db.sessions() as session:
                    stale = self._stale_records(session, work)
                    if stale:
                        raise StaleSave(stale_message(session, "本户档案", stale), stale) from None
                # None of the records this save changes moved on: the other writer changed other
                # records of the household, and only the list columns (head's name, member count,
                # updated_at) this save rewrites on the household row met its newer version. Nothing
                # was written; the save runs again on what is now on file (merging both), as it would
                # have had it started a moment later.
                if attempt == SAVE_ATTEMPTS:
                    raise
        # Committed: the caller's file takes the saved ids at once, so that even if reading the file back
        # fails below, saving again updates this household instead of creating a second one.
        vars(file).update(vars(work))
        try:
            # What is now on file (versions, normalised values): the base for the next save.
            vars(file).update(vars(self.load(household_id)))
        except DBAPIError:
            pass  # the save stands; the window keeps what it saved, and a reload shows the rest
        return household_id

    def _write(self, session: Session, file: HouseholdFile) -> str:
        recorder = ChangeRecorder(session, self.actor)
        creating = file.id is None
        synced = sync_capture.before(session, file.id)  # None unless this archive takes part in sync
        if creating:
            village_id = session.scalar(
                select(VillageGroup.village_id).where(VillageGroup.id == file.group_id)
            )
            h = Household(group_id=file.group_id, village_id=village_id, number=file.number)
            session.add(h)
            session.flush()
            file.id = h.id
            recorder.log("新增", "户", h.id, household_id=h.id, village_id=village_id, note="建立户档案")
        else:
            h = session.get(Household, file.id)
            if h is None:
                raise DomainError("这户档案已不存在")
            stale = self._stale_records(session, file)
            if stale:
                raise StaleSave(stale_message(session, "本户档案", stale), stale)
        self._save_household_fields(session, recorder, h, file, creating)
        for section, (model, entity, labels) in _SECTIONS.items():
            self._save_rows(session, recorder, h, file, getattr(file, section), model, entity, labels)
        self.refresh_summary(session, h)
        h.updated_at = utcnow()
        sync_capture.after(session, self.actor, h.id, h.village_id, synced)
        return h.id

    @staticmethod
    def _stale_records(session: Session, file: HouseholdFile) -> list[StaleRecord]:
        """Records changed in ``file`` whose version in the database is no longer the one loaded."""
        stale: list[StaleRecord] = []
        h = session.get(Household, file.id)
        if h is None:
            return stale
        if (
            file.version is not None
            and h.version != file.version
            and changed_fields(file.base.get(h.id), _household_values(file))
        ):
            stale.append(StaleRecord("户", h.id, file.version))
        for section, (model, entity, labels) in _SECTIONS.items():
            for row in getattr(file, section):
                if row.id is None or row.version is None:
                    continue
                base = file.base.get(row.id)
                if not row.removed and not changed_fields(base, _data_values(row, labels)):
                    continue
                record = session.get(model, row.id)
                if record is None:
                    continue
                if record.version != row.version:
                    stale.append(StaleRecord(entity, row.id, row.version))
        return stale

    def set_status(self, household_id: str, status: str, note: str) -> None:
        """Mark a household 迁出/合户/注销 (or back to 在册); its file and history stay."""
        with self.db.sessions() as session:
            self.guard.household(session, Capability.EDIT_FILES, household_id)
        if status not in HOUSEHOLD_STATUSES:
            raise DomainError(f"状态“{status}”无效")
        if status != ACTIVE_HOUSEHOLD_STATUS and not note.strip():
            raise DomainError(f"将户标为“{status}”须写明原因（如迁往何处、并入哪一户）", "status_note")
        file = self.load(household_id)
        file.status, file.status_note = status, note.strip()
        self.save(file)

    def _save_household_fields(
        self, session: Session, recorder: ChangeRecorder, h: Household, file: HouseholdFile, creating: bool
    ) -> None:
        # Only the fields changed in this window: the others may have been changed by someone else.
        changed = changed_fields(None if creating else file.base.get(h.id), _household_values(file))
        old_cadre = h.responsible_cadre_id
        plain = {
            k: v
            for k, v in changed.items()
            if k not in ("responsible_cadre_id", "economic_types", "focus_tags")
        }
        recorder.diff(
            "户", h, plain, HOUSEHOLD_LABELS, household_id=h.id, village_id=h.village_id, creating=creating
        )
        if "responsible_cadre_id" in changed and old_cadre != file.responsible_cadre_id:
            names = dict(session.execute(select(Cadre.id, Cadre.name)).all())
            h.responsible_cadre_id = file.responsible_cadre_id
            recorder.log(
                "新增" if creating else "修改",
                "户",
                h.id,
                household_id=h.id,
                village_id=h.village_id,
                field="责任干部",
                old=names.get(old_cadre or "", ""),
                new=names.get(file.responsible_cadre_id or "", ""),
            )
        for kind, labels in (("economic_type", file.economic_types), ("focus_tag", file.focus_tags)):
            if ("economic_types" if kind == "economic_type" else "focus_tags") not in changed:
                continue
            current = set(
                session.scalars(
                    select(HouseholdCode.label).where(
                        HouseholdCode.household_id == h.id, HouseholdCode.kind == kind
                    )
                )
            )
            wanted = set(labels)
            if current == wanted:
                continue
            session.execute(
                delete(HouseholdCode).where(HouseholdCode.household_id == h.id, HouseholdCode.kind == kind)
            )
            session.add_all(
                HouseholdCode(household_id=h.id, kind=kind, label=label) for label in sorted(wanted)
            )
            field = HOUSEHOLD_LABELS["economic_types" if kind == "economic_type" else "focus_tags"]
            recorder.log(
                "新增" if creating else "修改",
                "户",
                h.id,
                household_id=h.id,
                village_id=h.village_id,
                field=field,
                old=sorted(current),
                new=sorted(wanted),
            )

    def _save_rows(
        self,
        session: Session,
        recorder: ChangeRecorder,
        h: Household,
        file: HouseholdFile,
        rows: list[Any],
        model: Any,
        entity: str,
        labels: dict[str, str],
    ) -> None:
        removed_column = _REMOVED_COLUMN.get(model, "deleted")
        for index, row in enumerate(rows):
            values = _data_values(row, labels)
            if row.id is None:
                if row.removed:
                    continue
                # The id is set here, not by a flush: a flush now would insert a row whose
                # required columns (name, kind, date …) are still empty.
                record = model(id=new_id(), household_id=h.id)
                if model is Member:
                    record.sort = index
                if model is Request:
                    record.village_id = h.village_id
                if model is Visit:
                    record.account_id = self.actor.account_id
                session.add(record)
                row.id = record.id
                recorder.log(
                    "新增",
                    entity,
                    record.id,
                    household_id=h.id,
                    village_id=h.village_id,
                    note=self._row_title(entity, row),
                )
                recorder.diff(
                    entity, record, values, labels, household_id=h.id, village_id=h.village_id, creating=True
                )
                if model is Request and record.recorded_on is not None:
                    request_numbers.assign_number(session, record)
                continue
            record = session.get(model, row.id)
            if record is None or record.household_id != h.id:
                raise DomainError(f"{entity}记录已不存在，请重新打开本户档案")
            if (
                row.version is not None
                and record.version != row.version
                and (row.removed or changed_fields(file.base.get(row.id), values))
            ):
                # Checked again here, against the version the window loaded: the record may have been
                # read afresh since _stale_records (the session keeps only records still referred to),
                # and on the hub a fresh read sees another save committed meanwhile, whose version the
                # UPDATE's guard would then accept — the other save's value silently replaced.
                raise ChangedMeanwhile()
            if row.removed:
                if not getattr(record, removed_column):
                    setattr(record, removed_column, True)
                    recorder.log(
                        "删除",
                        entity,
                        record.id,
                        household_id=h.id,
                        village_id=h.village_id,
                        note=self._row_title(entity, row),
                    )
                continue
            changed = changed_fields(file.base.get(row.id), values)
            recorder.diff(entity, record, changed, labels, household_id=h.id, village_id=h.village_id)
            if model is Member:
                record.sort = index
        if model is Member:
            for row in rows:
                if row.id is not None and not row.removed:
                    record = session.get(Member, row.id)
                    for key, value in member_search_keys(record.name, record.id_number, record.phone).items():
                        setattr(record, key, value)

    @staticmethod
    def _row_title(entity: str, row: Any) -> str:
        if isinstance(row, MemberData):
            return f"{entity}{row.name}"
        if isinstance(row, IncomeData):
            return f"{entity}{row.kind}"
        if isinstance(row, AssistanceData | VisitData):
            return f"{entity}{row.date.isoformat() if row.date else ''}"
        if isinstance(row, RequestData):
            return f"{entity}{row.category}"
        return entity

    @staticmethod
    def refresh_summary(session: Session, h: Household) -> None:
        """Recompute the denormalised list columns from the household's records."""
        session.flush()
        queries.store_list_columns(h, queries.read_list_columns(session, h))
        on_file = h.status == ACTIVE_HOUSEHOLD_STATUS
        for member in session.scalars(select(Member).where(Member.household_id == h.id)):
            member.holds_id = on_file and not member.removed
        fulfil_events(session, h.id)

    def per_capita_income(self, file: HouseholdFile) -> float | None:
        self.guard.need(Capability.READ_FILES)
        return rules.per_capita_income(
            [i.annual_income for i in file.active(file.incomes)], len(file.active(file.members))
        )
