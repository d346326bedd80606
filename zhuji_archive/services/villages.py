"""The village information table: basic situation, 班子, 党员, 村民代表 and the event log."""

from __future__ import annotations

import copy
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.codes import VILLAGE_EVENT_CATEGORIES
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.household import normalize_phone
from zhuji_archive.domain.text_input import check_record
from zhuji_archive.services import history
from zhuji_archive.services.conflicts import StaleRecord, StaleSave, changed_fields, snapshot, stale_message
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.storage.database import ChangedMeanwhile
from zhuji_archive.storage.models import (
    Enterprise,
    PartyMember,
    Village,
    VillageEvent,
    VillageGroup,
    VillageLeader,
    VillagerRep,
    new_id,
)
from zhuji_archive.views.history import ChangeEntry
from zhuji_archive.views.villages import (
    EnterpriseData,
    EventData,
    LeaderData,
    PartyMemberData,
    RepData,
    VillageInfo,
)

BASIC_LABELS = {
    "population": "人口",
    "household_total": "户数",
    "farmland_mu": "耕地(亩)",
    "forest_mu": "山林(亩)",
    "collective_income": "村集体收入(万元)",
    "main_industries": "主要产业",
    "notes": "其他情况",
}
LEADER_LABELS = {"name": "姓名", "post": "职务", "phone": "联系电话"}
PARTY_LABELS = {
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "joined_on": "入党日期",
    "phone": "联系电话",
    "party_group": "党小组",
    "notes": "备注",
}
REP_LABELS = {"name": "姓名", "group_id": "所代表小组", "phone": "联系电话", "notes": "备注"}
ENTERPRISE_LABELS = {
    "name": "企业名称",
    "legal_person": "负责人",
    "phone": "联系电话",
    "industry": "行业",
    "employees": "职工人数",
    "address": "地址",
}
EVENT_LABELS = {"date": "日期", "category": "类别", "title": "标题", "content": "内容", "major": "重大事项"}


_SECTIONS: dict[str, tuple[Any, Any, str, dict[str, str]]] = {
    "leaders": (VillageLeader, LeaderData, "村级班子", LEADER_LABELS),
    "party_members": (PartyMember, PartyMemberData, "党员", PARTY_LABELS),
    "reps": (VillagerRep, RepData, "村民代表", REP_LABELS),
    "events": (VillageEvent, EventData, "村情事项", EVENT_LABELS),
    "enterprises": (Enterprise, EnterpriseData, "企业", ENTERPRISE_LABELS),
}


_TEXT_KINDS = {
    "leaders": "leader",
    "party_members": "party_member",
    "reps": "rep",
    "events": "event",
    "enterprises": "enterprise",
}

_ORDER: dict[str, list[Any]] = {"events": [VillageEvent.date.desc()], "leaders": [VillageLeader.sort]}


class VillageService:
    """Loads and saves a village information table with change history."""

    def __init__(self, db: Any, actor: Actor) -> None:
        self.db = db
        self.actor = actor
        self.operator = actor.display_name
        self.guard = Guard(actor)

    def load(self, village_id: str) -> VillageInfo:
        self.guard.village(Capability.READ_FILES, village_id)
        with self.db.sessions() as session:
            v = session.get(Village, village_id)
            if v is None:
                raise DomainError("找不到该村")
            info = VillageInfo(id=v.id, name=v.name, **{k: getattr(v, k) for k in BASIC_LABELS})
            info.versions[v.id] = v.version
            info.base[v.id] = snapshot({k: getattr(info, k) for k in BASIC_LABELS})
            for section, (model, data_cls, _entity, labels) in _SECTIONS.items():
                query = select(model).where(model.village_id == v.id, model.deleted.is_(False))
                order = _ORDER.get(section) or [model.name]
                loaded = []
                for r in session.scalars(query.order_by(*order)):
                    loaded.append(data_cls(id=r.id, **{n: getattr(r, n) for n in labels}))
                    info.versions[r.id] = r.version
                    info.base[r.id] = snapshot({n: getattr(r, n) for n in labels})
                setattr(info, section, loaded)
            info.groups = [
                (g.id, g.name)
                for g in session.scalars(
                    select(VillageGroup).where(VillageGroup.village_id == v.id).order_by(VillageGroup.sort)
                )
            ]
            names = dict(info.groups)
            for rep in info.reps:
                rep.group_name = names.get(rep.group_id or "", "")
            return info

    def validate(self, info: VillageInfo) -> None:
        self.guard.village(Capability.EDIT_FILES, info.id)
        check_record("village", info)
        for section, kind in _TEXT_KINDS.items():
            for row in getattr(info, section):
                if not row.removed:
                    try:
                        check_record(kind, row)
                    except DomainError as error:
                        who = f"“{row.name}”" if getattr(row, "name", "") and error.field != "name" else ""
                        raise DomainError(
                            f"{_SECTIONS[section][2]}{who}：{error.message}", error.field
                        ) from None
        ids = {name: group_id for group_id, name in info.groups}
        for rep in info.reps:
            if rep.group_name:
                if rep.group_name not in ids:
                    raise DomainError(
                        f"村民代表{rep.name}的所代表小组“{rep.group_name}”不属于本村", "group_id"
                    )
                rep.group_id = ids[rep.group_name]
        for name in ("population", "household_total", "farmland_mu", "forest_mu"):
            value = getattr(info, name)
            if value is not None and value < 0:
                raise DomainError(f"{BASIC_LABELS[name]}不能为负数", name)
        for section in ("leaders", "party_members", "reps", "enterprises"):
            for row in getattr(info, section):
                if row.removed:
                    continue
                if not row.name.strip():
                    raise DomainError(f"{_SECTIONS[section][2]}中有一行没有填写姓名", "name")
                row.phone = normalize_phone(row.phone)
        for event in info.events:
            if event.removed:
                continue
            if event.date is None:
                raise DomainError("村情事项须填写日期", "date")
            if event.category not in VILLAGE_EVENT_CATEGORIES:
                raise DomainError(f"村情事项类别须为：{'、'.join(VILLAGE_EVENT_CATEGORIES)}", "category")
            if not event.title.strip():
                raise DomainError("村情事项须填写标题", "title")

    def save(self, info: VillageInfo) -> None:
        """Write what was changed in one transaction. It works on a copy: until the commit succeeded
        the caller's ``info`` is unchanged (no new ids), so a failed save can be retried as it is.
        Records changed here that someone else changed since loading refuse the save (``StaleSave``)."""
        self.guard.village(Capability.EDIT_FILES, info.id)
        work = copy.deepcopy(info)
        self.validate(work)
        try:
            with self.db.transaction() as session:
                self._write(session, work)
        except ChangedMeanwhile:
            with self.db.sessions() as session:
                stale = self._stale_records(session, work)
                if not stale:
                    raise
                raise StaleSave(stale_message(session, "村情信息", stale), stale) from None
        vars(info).update(vars(self.load(info.id)))

    def _write(self, session: Session, info: VillageInfo) -> None:
        stale = self._stale_records(session, info)
        if stale:
            raise StaleSave(stale_message(session, "村情信息", stale), stale)
        recorder = ChangeRecorder(session, self.actor)
        v = session.get(Village, info.id)
        basic = changed_fields(info.base.get(v.id), {k: getattr(info, k) for k in BASIC_LABELS})
        recorder.diff("村基本情况", v, basic, BASIC_LABELS, village_id=v.id)
        for section, (model, _data_cls, entity, labels) in _SECTIONS.items():
            self._save_rows(session, recorder, info, getattr(info, section), model, entity, labels)

    @staticmethod
    def _stale_records(session: Session, info: VillageInfo) -> list[StaleRecord]:
        """Records changed in ``info`` whose version on file is no longer the one loaded."""
        stale: list[StaleRecord] = []
        v = session.get(Village, info.id)
        if v is None:
            raise DomainError("找不到该村")
        basic = {k: getattr(info, k) for k in BASIC_LABELS}
        if info.id in info.versions and v.version != info.versions[info.id]:
            if changed_fields(info.base.get(info.id), basic):
                stale.append(StaleRecord("村基本情况", v.id, info.versions[info.id]))
        for section, (model, _data_cls, entity, labels) in _SECTIONS.items():
            for row in getattr(info, section):
                if row.id is None or row.id not in info.versions:
                    continue
                values = {k: asdict(row)[k] for k in labels}
                if not row.removed and not changed_fields(info.base.get(row.id), values):
                    continue
                record = session.get(model, row.id)
                if record is not None and record.version != info.versions[row.id]:
                    stale.append(StaleRecord(entity, row.id, info.versions[row.id]))
        return stale

    @staticmethod
    def _save_rows(
        session: Session,
        recorder: ChangeRecorder,
        info: VillageInfo,
        rows: list[Any],
        model: Any,
        entity: str,
        labels: dict[str, str],
    ) -> None:
        village_id = info.id
        for index, row in enumerate(rows):
            values = {k: asdict(row)[k] for k in labels}
            title = getattr(row, "name", "") or getattr(row, "title", "")
            if row.id is None:
                if row.removed:
                    continue
                # The id is set here, not by a flush: a flush now would insert a row whose
                # required columns (name, date …) are still empty.
                record = model(id=new_id(), village_id=village_id)
                session.add(record)
                row.id = record.id
                recorder.log("新增", entity, record.id, village_id=village_id, note=f"{entity}{title}")
                recorder.diff(entity, record, values, labels, village_id=village_id, creating=True)
            else:
                record = session.get(model, row.id)
                if row.removed:
                    record.deleted = True
                    recorder.log("删除", entity, record.id, village_id=village_id, note=f"{entity}{title}")
                    continue
                changed = changed_fields(info.base.get(row.id), values)
                recorder.diff(entity, record, changed, labels, village_id=village_id)
            if model is VillageLeader:
                record.sort = index

    def history(self, village_id: str) -> list[ChangeEntry]:
        self.guard.village(Capability.READ_FILES, village_id)
        with self.db.sessions() as session:
            return history.entries(session, village_id=village_id)
