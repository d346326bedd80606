"""Events logged with the account: logins, failed logins (written at the next successful login),
opening a household file, a search by ID number (never the number), prints and exports, revealing a
full number; who may read the log; the warning at open when the chain is broken."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from accounts import ADMIN_LOGIN, ADMIN_PASSWORD, as_person, raw_of, where
from openpyxl import load_workbook
from sqlalchemy import select

from zhuji_archive.domain import idcard
from zhuji_archive.domain.accounts import PermissionDenied, Role
from zhuji_archive.services import access
from zhuji_archive.services.archive import Archive
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.storage import keyring
from zhuji_archive.storage.models import ChangeLog
from zhuji_archive.views.audit import AuditFilter
from zhuji_archive.views.household_file import MemberData

HEAD_ID = idcard.make("330681", date(1971, 6, 3), 17)


def _household(archive: Archive) -> str:
    (town,) = archive.organisation.tree()
    (village,) = town.children
    file = archive.households.new_file(village.children[0].id)
    file.members = [MemberData(name="金德明", relation="户主", id_number=HEAD_ID, phone="13800001111")]
    return archive.households.save(file)


def _events(archive: Archive, action: str) -> list[ChangeLog]:
    with archive.db.sessions() as session:
        return list(
            session.scalars(select(ChangeLog).where(ChangeLog.action == action).order_by(ChangeLog.seq))
        )


def test_a_login_is_logged_with_the_account(archive: Archive) -> None:
    (entry, *_rest) = [e for e in _events(archive, "登录") if e.account_id == archive.actor.account_id]
    assert entry.entity == "操作" and entry.operator == archive.actor.display_name


@pytest.mark.file_archive  # the keyring keeps them; on a hub the database does (test_hub_access.py)
def test_failed_logins_are_logged_after_the_next_successful_login(archive: Archive) -> None:
    path = archive.db.path
    assert path is not None
    for login in (ADMIN_LOGIN, ADMIN_LOGIN, "nobody"):
        with pytest.raises(access.LoginRefused):
            access.unlock(path, login, "Wrong-2026")
    ring = keyring.Keyring.load(keyring.keyring_path(path))
    assert len(ring.pending_failures) == 3
    assert _events(archive, "登录失败") == []
    access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD).close()
    failed = _events(archive, "登录失败")
    admin = access.actor_of(archive.db, ADMIN_LOGIN)
    assert sorted((e.operator, e.account_id) for e in failed) == [
        ("未知登录名", None),
        (admin.display_name, admin.account_id),
        (admin.display_name, admin.account_id),
    ]
    assert all("nobody" not in e.note for e in failed)
    assert keyring.Keyring.load(keyring.keyring_path(path)).pending_failures == []
    access.unlock(path, ADMIN_LOGIN, ADMIN_PASSWORD).close()
    assert len(_events(archive, "登录失败")) == 3  # written once


def test_opening_a_household_file_is_logged(archive: Archive) -> None:
    household = _household(archive)
    archive.audit.opened_household(household)
    (entry,) = _events(archive, "查看档案")
    assert entry.household_id == household and entry.account_id == archive.actor.account_id
    assert entry.village_id is not None


def test_a_search_by_id_number_is_logged_without_the_number(archive: Archive) -> None:
    _household(archive)
    archive.household_list.count(HouseholdFilter(text="金德明"))
    archive.household_list.count(HouseholdFilter(text="13800001111"))  # a phone number
    assert _events(archive, "身份证号查询") == []
    for text in (HEAD_ID[:10], HEAD_ID[:10], HEAD_ID[-6:]):
        archive.household_list.count(HouseholdFilter(text=text))
    archive.household_list.member_hits(HouseholdFilter(text=HEAD_ID))
    entries = _events(archive, "身份证号查询")
    assert len(entries) == 3  # the same text paged or counted again is one search
    for entry in entries:
        assert entry.account_id == archive.actor.account_id
        assert not any(ch.isdigit() for ch in entry.note + entry.old_value + entry.new_value + entry.field)


def test_an_out_of_scope_search_is_refused_and_not_logged(archive: Archive) -> None:
    """A 村干部 searching another village by ID number: refused, and no search entry is made for it."""
    (town,) = archive.organisation.tree()
    own = town.children[0].id
    other = archive.organisation.add_village(town.id, "新桥村")
    clerk = as_person(archive, "村文书", Role.VILLAGE, villages=(own,))
    for search in (clerk.household_list.count, clerk.household_list.member_hits):
        with pytest.raises(PermissionDenied):
            search(HouseholdFilter(text=HEAD_ID[:10], village_id=other))
    assert _events(archive, "身份证号查询") == []


def test_prints_and_exports_are_logged_with_the_account(archive: Archive, tmp_path: Path) -> None:
    household = _household(archive)
    archive.exports.household_sheet(tmp_path / "h.pdf", household)
    village = archive.organisation.tree()[0].children[0].id
    archive.exports.roster(tmp_path / "r.xlsx", "households", village_id=village)
    (printed,) = _events(archive, "打印")
    (exported,) = _events(archive, "导出")
    for entry in (printed, exported):
        assert entry.account_id == archive.actor.account_id
        assert "金德明" not in entry.note and HEAD_ID not in entry.note
    assert printed.household_id == household and "h.pdf" in printed.note
    assert "r.xlsx" in exported.note


def test_revealing_a_full_number_is_logged(archive: Archive) -> None:
    household = _household(archive)
    archive.audit.reveal(household, "身份证号")
    (entry,) = _events(archive, "查看完整号码")
    assert entry.household_id == household and entry.note == "显示完整身份证号" and HEAD_ID not in entry.note


def test_only_the_administrator_and_the_office_read_the_log(archive: Archive) -> None:
    office = as_person(archive, "党政办甲", Role.OFFICE)
    assert office.audit.count(AuditFilter()) > 0
    village = archive.organisation.tree()[0].children[0].id
    for role in (Role.LEADER, Role.CADRE, Role.VILLAGE, Role.READER):
        scope = (village,) if role in (Role.CADRE, Role.VILLAGE) else ()
        other = as_person(archive, f"查看{role.value}", role, villages=scope)
        with pytest.raises(PermissionDenied):
            other.audit.page(AuditFilter())
        with pytest.raises(PermissionDenied):
            other.audit.verify()


def test_the_log_filters_by_person_household_action_and_day(archive: Archive) -> None:
    household = _household(archive)
    other = as_person(archive, "乙")
    other.audit.opened_household(household)
    archive.audit.opened_household(household)
    mine = AuditFilter(account_id=other.actor.account_id, action="查看档案")
    (line,) = archive.audit.page(mine)
    assert line.person == "乙" and line.action == "查看档案" and "第" in line.target
    assert archive.audit.count(AuditFilter(household_id=household, action="查看档案")) == 2
    today = date.today()
    assert archive.audit.count(AuditFilter(action="查看档案", since=today, until=today)) == 2
    assert archive.audit.count(AuditFilter(action="查看档案", until=date(2020, 1, 1))) == 0
    (choice,) = archive.audit.households("金德")
    assert choice.id == household


def test_the_log_exports_to_a_workbook_and_the_export_is_logged(archive: Archive, tmp_path: Path) -> None:
    _household(archive)
    written = archive.audit.export_xlsx(AuditFilter(), tmp_path / "log.xlsx")
    rows = list(load_workbook(tmp_path / "log.xlsx").active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "人员", "操作", "对象", "内容") and len(rows) == written + 1
    (entry,) = [e for e in _events(archive, "导出") if "操作日志" in e.note]
    assert entry.account_id == archive.actor.account_id


def test_the_administrator_is_warned_at_open_when_the_chain_is_broken(archive: Archive) -> None:
    _household(archive)
    assert archive.audit.problem_at_open() is None  # intact: the checkpoint moves on
    connection = raw_of(archive.db)
    connection.execute("UPDATE change_log SET note = '改' WHERE seq = 2")
    connection.commit()
    connection.close()
    assert archive.audit.verify().broken is not None
    chief = access.unlock(where(archive.db), ADMIN_LOGIN, ADMIN_PASSWORD)
    try:
        warning = chief.audit.problem_at_open()
        assert warning is not None and "第 2 条" in warning and "篡改" in warning
        cadre = as_person(chief, "村里", Role.READER)
        with pytest.raises(PermissionDenied):  # only 系统管理员 and 党政办 read the log
            cadre.audit.problem_at_open()
    finally:
        chief.close()


def test_the_quick_check_at_open_sees_entries_tampered_after_its_checkpoint(archive: Archive) -> None:
    assert archive.audit.problem_at_open(incremental=True) is None  # checkpoint at the current head
    _household(archive)
    with archive.db.sessions() as session:
        last = session.scalar(select(ChangeLog.seq).order_by(ChangeLog.seq.desc()).limit(1))
    connection = raw_of(archive.db)
    connection.execute("UPDATE change_log SET note = '改' WHERE seq = ?", (last,))
    connection.commit()
    connection.close()
    warning = archive.audit.problem_at_open(incremental=True)
    assert warning is not None and f"第 {last} 条" in warning
