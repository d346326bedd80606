"""Writing travelled values into records (issue 14): the labels of what travels, the change-log entries
an applied change leaves, and the households' derived columns refreshed after records changed under
them. Shared by applying at the hub, taking a receipt on a laptop and deciding a conflict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain.search_keys import member_search_keys
from zhuji_archive.domain.sync_merge import ChangeKind
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.households import (
    ASSISTANCE_LABELS,
    HOUSEHOLD_LABELS,
    INCOME_LABELS,
    MEMBER_LABELS,
    REQUEST_LABELS,
    VISIT_LABELS,
    HouseholdService,
)
from zhuji_archive.storage.models import Account, AccountScope, Household, Member

SYNC_NOTE = "同步导入"

ENTITY_LABELS = {
    "household": "户", "member": "成员", "visit": "走访", "income_source": "经济来源", "assistance": "帮扶记录",
    "request": "诉求", "request_event": "办理记录", "request_feedback": "反馈记录",
}
REQUEST_FIELD_LABELS = {
    **REQUEST_LABELS, "number": "诉求编号", "status": "办理状态", "状态": "办理状态", "resolution": "办理结果",
    "deleted": "删除", "scope": "共性/个性", "solvability": "解决难度", "level": "解决层级", "responsible_unit": "责任单位",
    "responsible_person": "责任人", "deadline": "办理时限", "assignment_note": "交办说明", "supervising_body": "督办单位",
    "listed_on": "挂牌日期", "leader": "包案领导", "next_check_on": "下次督查", "solved_on": "办结日期",
    "measures": "解决措施", "method": "解决方式", "result": "解决结果", "explanation": "解释说明",
    "explained_on": "解释日期", "satisfaction": "满意度", "closed_on": "反馈日期", "reopen_reason": "重新办理理由",
}
FIELD_LABELS: Mapping[str, Mapping[str, str]] = {
    "household": {**HOUSEHOLD_LABELS, "codes": "经济类型和重点关注"},
    "member": {**MEMBER_LABELS, "removed": "移出"},
    "visit": {**VISIT_LABELS, "deleted": "删除"},
    "income_source": {**INCOME_LABELS, "deleted": "删除"},
    "assistance": {**ASSISTANCE_LABELS, "deleted": "删除"},
    "request": REQUEST_FIELD_LABELS,
    "request_event": {},
    "request_feedback": {},
}


def audit(
    recorder: ChangeRecorder, entity: str, record_id: str, household_id: str, village_id: str,
    changed: Mapping[str, Any], base: Mapping[str, Any], kind: str,
) -> None:
    """The change-log entries of a change applied from elsewhere (新增 / 删除, or one per field)."""
    label, labels = ENTITY_LABELS[entity], FIELD_LABELS[entity]
    if kind in (ChangeKind.CREATE.value, ChangeKind.DELETE.value):
        action = "新增" if kind == ChangeKind.CREATE.value else "删除"
        recorder.log(action, label, record_id, household_id=household_id, village_id=village_id, note=SYNC_NOTE)
        return
    for name, value in changed.items():
        recorder.log(
            "修改", label, record_id, household_id=household_id, village_id=village_id,
            field=labels.get(name, name), old=base.get(name), new=value, note=SYNC_NOTE,
        )


def refresh(session: Session, households: set[str]) -> None:
    """The households' list columns and their members' search keys, after records changed under them."""
    for household_id in sorted(households):
        h = session.get(Household, household_id)
        if h is None:
            continue
        for member in session.scalars(select(Member).where(Member.household_id == household_id)):
            for key, value in member_search_keys(member.name, member.id_number, member.phone).items():
                setattr(member, key, value)
        HouseholdService.refresh_summary(session, h)


# ---- the laptop's account ------------------------------------------------------------------------
def account_item(session: Session, account_id: str) -> dict[str, Any]:
    """The device's account as the hub has it now (name, role, scope), for every receipt: a change at
    the hub reaches the laptop at its next sync. Its password stays: the laptop's archive opens with
    the password it was joined with, which only the cadre changes there."""
    account = session.get(Account, account_id)
    assert account is not None
    units = sorted([unit.unit_kind, unit.unit_id] for unit in account.scope)
    return {
        "entity": "account", "record_id": account.id, "household_id": None, "kind": "修改",
        "values": {"display_name": account.display_name, "role": account.role, "scope": units},
    }


def take_account(session: Session, recorder: ChangeRecorder, item: Mapping[str, Any]) -> int:
    """On the laptop: its account takes the hub's name, role and scope; 1 when anything changed."""
    account = session.get(Account, item["record_id"])
    if account is None:
        return 0
    values = item["values"]
    units = sorted([unit.unit_kind, unit.unit_id] for unit in account.scope)
    wanted = sorted([kind, unit_id] for kind, unit_id in values["scope"])
    changed = False
    for name, label in (("display_name", "姓名"), ("role", "角色")):
        if getattr(account, name) != values[name]:
            recorder.log("修改", "账号", account.id, field=label, old=getattr(account, name), new=values[name],
                         note="镇里修改了账号")
            setattr(account, name, values[name])
            changed = True
    if units != wanted:
        keep = [unit for unit in account.scope if [unit.unit_kind, unit.unit_id] in wanted]
        have = [[unit.unit_kind, unit.unit_id] for unit in keep]
        account.scope = keep + [AccountScope(unit_kind=k, unit_id=u) for k, u in wanted if [k, u] not in have]
        recorder.log("修改", "账号", account.id, field="负责范围", note="镇里修改了账号")
        changed = True
    return int(changed)
