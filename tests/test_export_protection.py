"""Exports masked by default, full numbers only with 导出完整号码 and a logged reason, and opening
passwords: an encrypted xlsx that only msoffcrypto with the password opens, a PDF that asks for one."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import msoffcrypto
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.accounts import as_person
from zhuji_archive.domain.accounts import PermissionDenied, Role
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.masking import mask_id_number
from zhuji_archive.services.household_list import HouseholdFilter
from zhuji_archive.services.requests import RequestQuery
from zhuji_archive.storage.models import ChangeLog, Village, VillageGroup

DAY = date(2026, 11, 2)
REASON = "报送民政办低保复核"
SECRET = "ku6-Lin"
MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")


def village_of(archive, name: str = "杜黄村") -> str:
    with archive.db.sessions() as session:
        return session.scalar(select(Village.id).where(Village.name == name))


def group_of(archive, village: str) -> str:
    with archive.db.sessions() as session:
        return session.scalar(select(VillageGroup.id).where(VillageGroup.village_id == village).limit(1))


def export_notes(archive) -> list[tuple[str | None, str]]:
    with archive.db.sessions() as session:
        rows = session.execute(select(ChangeLog.account_id, ChangeLog.note).where(ChangeLog.action == "导出"))
        return [(account, note) for account, note in rows]


def id_cells(path: Path | io.BytesIO) -> list[str]:
    ws = load_workbook(path).active
    titles = [c.value for c in ws[3]]
    col = titles.index("身份证号")
    return [
        row[col].value for row in ws.iter_rows(min_row=4) if isinstance(row[0].value, int) and row[col].value
    ]


def test_exports_are_masked_unless_asked(demo_archive, tmp_path: Path) -> None:
    roster = demo_archive.exports.roster(tmp_path / "m.xlsx", "members", today=DAY)
    assert roster.masked is True
    cells = id_cells(tmp_path / "m.xlsx")
    assert cells and all(MASKED_ID.match(c) for c in cells)
    ledger = demo_archive.request_exports.ledger(RequestQuery(), tmp_path / "l.xlsx", today=DAY)
    assert ledger.masked is True


def test_an_unmasked_export_without_a_reason_is_refused_and_writes_nothing(
    demo_archive, tmp_path: Path
) -> None:
    for reason in (None, "", "   "):
        with pytest.raises(DomainError, match="须填写理由"):
            demo_archive.exports.roster(tmp_path / "m.xlsx", "members", masked=False, reason=reason)
        with pytest.raises(DomainError, match="须填写理由"):
            demo_archive.request_exports.ledger(
                RequestQuery(), tmp_path / "l.xlsx", masked=False, reason=reason
            )
    hid = demo_archive.household_list.page(HouseholdFilter())[0].id
    with pytest.raises(DomainError, match="须填写理由"):
        demo_archive.exports.household_sheet(tmp_path / "h.pdf", hid, masked=False)
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob("*.pdf")) == []
    assert export_notes(demo_archive) == []


@pytest.mark.parametrize("role", [Role.VILLAGE, Role.READER, Role.LEADER])
def test_a_role_without_export_unmasked_is_refused_even_with_a_reason(demo_archive, tmp_path, role) -> None:
    village = village_of(demo_archive)
    person = as_person(demo_archive, "导出人", role, villages=(village,) if role is not Role.LEADER else ())
    assert not person.exports.may_export_unmasked()
    with pytest.raises(PermissionDenied, match="导出完整号码"):
        person.exports.roster(tmp_path / "m.xlsx", "members", village_id=village, masked=False, reason=REASON)
    with pytest.raises(PermissionDenied):
        person.request_exports.ledger(RequestQuery(), tmp_path / "l.xlsx", masked=False, reason=REASON)
    with pytest.raises(PermissionDenied):
        person.exports.book(tmp_path / "b.pdf", village_id=village, masked=False, reason=REASON)
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob("*.pdf"))
    masked = person.exports.roster(tmp_path / "m.xlsx", "members", village_id=village, today=DAY)
    assert masked.masked is True


def test_an_unmasked_export_logs_its_reason_and_account(demo_archive, tmp_path: Path) -> None:
    village = village_of(demo_archive)
    cadre = as_person(demo_archive, "驻村甲", Role.CADRE, villages=(village,))
    result = cadre.exports.roster(
        tmp_path / "m.xlsx", "members", village_id=village, masked=False, reason=f"  {REASON} ", today=DAY
    )
    assert result.masked is False
    assert not any(MASKED_ID.match(c) for c in id_cells(tmp_path / "m.xlsx"))
    [(account, note)] = export_notes(demo_archive)
    assert account == cadre.actor.account_id
    assert f"未脱敏，理由：{REASON}）" in note


def test_an_export_password_has_at_least_six_characters(demo_archive, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="至少 6 个字符"):
        demo_archive.exports.roster(tmp_path / "m.xlsx", "members", password="12345")
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_protected_xlsx_opens_only_with_its_password(demo_archive, tmp_path: Path) -> None:
    plain, locked = tmp_path / "plain.xlsx", tmp_path / "locked.xlsx"
    demo_archive.exports.roster(plain, "members", today=DAY)
    demo_archive.exports.roster(locked, "members", password=SECRET, today=DAY)
    assert sorted(p.name for p in tmp_path.glob("*xlsx*")) == ["locked.xlsx", "plain.xlsx"]  # no parts left
    with pytest.raises(zipfile.BadZipFile):
        load_workbook(locked)
    with open(locked, "rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        assert office.is_encrypted()
        with open(locked, "rb") as again:
            wrong = msoffcrypto.OfficeFile(again)
            wrong.load_key(password="wrong-one")
            with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
                wrong.decrypt(io.BytesIO())
        office.load_key(password=SECRET)
        opened = io.BytesIO()
        office.decrypt(opened)
    opened.seek(0)
    ws_locked, ws_plain = load_workbook(opened).active, load_workbook(plain).active
    assert [[c.value for c in r] for r in ws_locked.iter_rows()] == [
        [c.value for c in r] for r in ws_plain.iter_rows()
    ]
    assert "设有打开密码" in export_notes(demo_archive)[-1][1]
    assert SECRET not in export_notes(demo_archive)[-1][1]


def test_a_protected_ledger_is_encrypted(demo_archive, tmp_path: Path) -> None:
    demo_archive.request_exports.ledger(RequestQuery(), tmp_path / "l.xlsx", password=SECRET, today=DAY)
    with open(tmp_path / "l.xlsx", "rb") as handle:
        assert msoffcrypto.OfficeFile(handle).is_encrypted()


def test_a_protected_pdf_asks_for_its_password(demo_archive, tmp_path: Path) -> None:
    village = village_of(demo_archive)
    group = group_of(demo_archive, village)
    path = tmp_path / "户表.pdf"
    result = demo_archive.exports.household_sheets(path, group_id=group, password=SECRET, today=DAY)
    assert result.masked is True
    reader = PdfReader(path)
    assert reader.is_encrypted
    assert not reader.decrypt("wrong-one")
    reader = PdfReader(path)
    assert reader.decrypt(SECRET)
    whole = "".join(page.extract_text() for page in reader.pages)
    assert "群众档案户表" in whole
    file = demo_archive.households.load(demo_archive.exports.find_household(group, 1))
    head = file.members[0]
    assert head.name in whole
    if head.id_number:
        assert mask_id_number(head.id_number) in whole.replace(" ", "") and head.id_number not in whole
