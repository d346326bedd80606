"""Masked ID and phone numbers: the rule (properties over any text), lists per role, the file in full,
and the logged reveal of a full number outside the file."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.accounts import as_person
from zhuji_archive.domain import idcard
from zhuji_archive.domain.accounts import PermissionDenied, Role
from zhuji_archive.domain.masking import MASK, mask_id_number, mask_phone
from zhuji_archive.services.household_list import HouseholdFilter

ID = idcard.make("330681", date(1990, 1, 1), 123)
PHONE = "13812345678"


# ---- the rule ------------------------------------------------------------------------------------
def test_valid_numbers_keep_six_and_four_or_three_and_four() -> None:
    assert mask_id_number(ID) == ID[:6] + "********" + ID[-4:]
    assert mask_phone(PHONE) == "138****5678"
    assert mask_id_number("") == "" and mask_phone(None) == ""


odd_text = st.one_of(st.text(), st.text(alphabet="0123456789Xx- ", max_size=40))


@given(odd_text)
def test_an_id_mask_never_shows_more_than_six_and_four(text: str) -> None:
    masked = mask_id_number(text)
    assert len(masked) == len(text)
    assert all(m == MASK or m == t for t, m in zip(text, masked, strict=True))
    shown = [i for i, m in enumerate(masked) if m != MASK]
    assert all(i < 6 or i >= len(text) - 4 for i in shown)  # only the two ends are ever shown
    assert len(shown) <= 10 and len(shown) * 18 <= len(text) * 10
    if text:
        assert MASK in masked  # something is always hidden


@given(odd_text)
def test_a_phone_mask_never_shows_more_than_three_and_four(text: str) -> None:
    masked = mask_phone(text)
    assert len(masked) == len(text)
    assert all(m == MASK or m == t for t, m in zip(text, masked, strict=True))
    shown = [i for i, m in enumerate(masked) if m != MASK]
    assert all(i < 3 or i >= len(text) - 4 for i in shown)
    assert len(shown) <= 7 and len(shown) * 11 <= len(text) * 7
    if text:
        assert MASK in masked


@given(st.integers(min_value=0, max_value=999), st.dates(date(1920, 1, 1), date(2025, 12, 31)))
def test_every_valid_id_shows_its_region_and_last_four(sequence: int, born: date) -> None:
    number = idcard.make("330681", born, sequence)
    assert mask_id_number(number) == number[:6] + "*" * 8 + number[-4:]


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_number_shows_three_and_four(number: str) -> None:
    assert mask_phone(number) == number[:3] + "****" + number[-4:]


def test_short_and_odd_numbers_show_less() -> None:
    assert mask_id_number("1234567890") == "123*****90"  # was shown whole by the old export rule
    assert mask_id_number("33068119900101") == "3306*******101"
    assert mask_phone("0575-87654321") == "057******4321"  # landlines were not masked at all
    assert mask_phone("123456") == "1***56"
    assert mask_phone("5") == mask_id_number("5") == "*"


# ---- lists, the file and the reveal ------------------------------------------------------------------
@pytest.fixture
def numbered(workflow_town):
    """张建国's household (杜黄村) with a contact phone and the head's ID and phone numbers."""
    arc = workflow_town.archive
    for head in ("张建国", "王小明"):
        file = arc.households.load(workflow_town.households[head])
        file.phone = PHONE
        file.members[0].id_number = ID if head == "张建国" else idcard.make("330681", date(1980, 5, 5), 7)
        file.members[0].phone = PHONE
        arc.households.save(file)
    return workflow_town


@pytest.mark.parametrize("role", [Role.VILLAGE, Role.CADRE])
def test_a_village_account_sees_masked_numbers_in_lists_and_full_ones_in_the_file(numbered, role) -> None:
    village = numbered.villages["杜黄村"]
    person = as_person(numbered.archive, "村里人", role, villages=(village,))
    rows = person.household_list.page(HouseholdFilter(village_id=village))
    row = next(r for r in rows if r.head_name == "张建国")
    assert row.phone == "138****5678"
    hits = person.household_list.member_hits(HouseholdFilter(village_id=village, text=ID[-4:]))
    assert [(h.member_name, h.id_number, h.phone) for h in hits] == [
        ("张建国", mask_id_number(ID), "138****5678")
    ]
    again = person.household_list.row(HouseholdFilter(village_id=village), row.id)
    assert again is not None and again.phone == "138****5678"
    file = person.households.load(row.id)
    assert (file.phone, file.members[0].id_number, file.members[0].phone) == (PHONE, ID, PHONE)


def test_lists_are_masked_for_every_role_until_the_setting_says_otherwise(numbered) -> None:
    office = numbered.archive
    assert office.settings.list_full_numbers() == dict.fromkeys(
        (Role.OFFICE, Role.LEADER, Role.CADRE, Role.VILLAGE, Role.READER), False
    )
    flt = HouseholdFilter(text="张建国")
    assert office.household_list.page(flt)[0].phone == "138****5678"
    office.settings.set_lists_show_full(office.actor, Role.OFFICE, True)
    assert office.household_list.page(flt)[0].phone == PHONE
    reader = as_person(office, "督查员", Role.READER)
    assert reader.household_list.page(flt)[0].phone == "138****5678"


def test_only_an_account_that_manages_settings_may_unmask_lists(numbered) -> None:
    village = numbered.villages["杜黄村"]
    person = as_person(numbered.archive, "村里人", Role.VILLAGE, villages=(village,))
    with pytest.raises(PermissionDenied, match="管理设置"):
        person.settings.set_lists_show_full(person.actor, Role.VILLAGE, True)
    assert not person.settings.lists_show_full(Role.VILLAGE)


def test_a_reveal_outside_the_file_is_logged_without_the_number(numbered) -> None:
    village = numbered.villages["杜黄村"]
    person = as_person(numbered.archive, "村里人", Role.VILLAGE, villages=(village,))
    household = numbered.households["张建国"]
    assert person.numbers.reveal_household_phone(household).phone == PHONE
    member = person.households.load(household).members[0].id
    revealed = person.numbers.reveal_member(member)
    assert (revealed.id_number, revealed.phone) == (ID, PHONE)
    logged = [e for e in person.households.history(household) if e.action == "查看号码"]
    assert [(e.operator, e.entity) for e in logged] == [("村里人", "成员"), ("村里人", "户")]
    assert all(ID not in e.note and PHONE not in e.note and "张建国" not in e.note for e in logged)


def test_a_reveal_out_of_scope_is_refused_and_not_logged(numbered) -> None:
    village = numbered.villages["杜黄村"]
    person = as_person(numbered.archive, "村里人", Role.VILLAGE, villages=(village,))
    other = numbered.households["王小明"]
    with pytest.raises(PermissionDenied, match="不在您"):
        person.numbers.reveal_household_phone(other)
    member = numbered.archive.households.load(other).members[0].id
    with pytest.raises(PermissionDenied):
        person.numbers.reveal_member(member)
    assert not [e for e in numbered.archive.households.history(other) if e.action == "查看号码"]
    admin_like = as_person(numbered.archive, "管理", Role.ADMIN)
    with pytest.raises(PermissionDenied):
        admin_like.numbers.reveal_household_phone(numbered.households["张建国"])
