"""GB 11643-1999 citizen identity numbers: validation, normalisation, derived birth date and sex.

Check characters are computed here from the definition of ISO 7064 MOD 11-2 (weight of the digit at
position i counted from the right, starting at 1 for the check character, is 2**(i-1) mod 11), not with
the module's own weight table, so a wrong table in the code would be caught.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuji_archive.domain import idcard
from zhuji_archive.domain.errors import DomainError

TEXTBOOK = "11010519491231002X"  # the example printed in GB 11643-1999 itself


def mod11_2(first17: str) -> str:
    """Check character by the ISO 7064 definition: sum(a_i * W_i) + check ≡ 1 (mod 11)."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def build(first17: str) -> str:
    return first17 + mod11_2(first17)


def test_reference_check_function_agrees_with_the_standard_examples() -> None:
    # Guards the reference implementation itself with numbers published in the standard / by the MPS.
    assert mod11_2(TEXTBOOK[:17]) == "X"
    assert mod11_2("44052418800101001") == "4"


# ---- valid numbers -------------------------------------------------------------------------------


def test_textbook_example_is_valid_with_derived_fields() -> None:
    info = idcard.parse(TEXTBOOK)
    assert info.number == TEXTBOOK
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"  # 17th digit 2 is even
    assert info.province == "北京"
    assert idcard.is_valid(TEXTBOOK)


def test_male_number_from_zhuji() -> None:
    number = build("33068119800215001")  # sequence 001: odd -> man
    info = idcard.parse(number)
    assert info.sex == "男"
    assert info.birth_date == date(1980, 2, 15)
    assert info.province == "浙江"


def test_leap_day_birth_is_accepted() -> None:
    info = idcard.parse(build("33068120000229002"))
    assert info.birth_date == date(2000, 2, 29)
    assert info.sex == "女"


@pytest.mark.parametrize("first17", ["33068119651103123", "11010519491231002", "65010119991231999"])
def test_check_character_matches_the_definition(first17: str) -> None:
    assert idcard.check_character(first17) == mod11_2(first17)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_matches_the_definition_for_any_digits(first17: str) -> None:
    assert idcard.check_character(first17) == mod11_2(first17)


# ---- normalisation -------------------------------------------------------------------------------


def test_lowercase_x_is_accepted_and_normalised() -> None:
    info = idcard.parse(TEXTBOOK.lower())
    assert info.number == TEXTBOOK
    assert idcard.normalize("11010519491231002x") == TEXTBOOK


def test_full_width_digits_and_spaces_are_normalised() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in TEXTBOOK[:17]) + "ｘ"
    typed = f"  {full_width[:6]} {full_width[6:14]}\u3000{full_width[14:]}\t"
    assert idcard.normalize(typed) == TEXTBOOK
    assert idcard.parse(typed).number == TEXTBOOK


# ---- invalid numbers -----------------------------------------------------------------------------


def reason(raw: str, today: date | None = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        idcard.parse(raw, today=today)
    assert caught.value.field == "id_number"
    assert not idcard.is_valid(raw) or today is not None
    return caught.value


def test_wrong_check_character_names_the_expected_one() -> None:
    error = reason(TEXTBOOK[:17] + "1")
    assert "校验" in str(error)
    assert "“X”" in str(error)
    good = build("33068119800215001")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert f"“{good[17]}”" in str(reason(wrong))


@pytest.mark.parametrize("date_part", ["19900230", "19901301", "19900001", "19900431", "19000229"])
def test_impossible_birth_date(date_part: str) -> None:
    error = reason(build(f"330681{date_part}123"))
    assert date_part in str(error)
    assert "日期" in str(error)


def test_future_birth_date_is_refused() -> None:
    tomorrow = date.today() + timedelta(days=1)
    number = build(f"330681{tomorrow:%Y%m%d}123")
    assert "不合理" in str(reason(number))


def test_future_relative_to_the_given_day() -> None:
    number = build("33068120200102123")
    assert "不合理" in str(reason(number, today=date(2020, 1, 1)))
    assert idcard.parse(number, today=date(2020, 1, 2)).birth_date == date(2020, 1, 2)


def test_birth_before_1890_is_refused() -> None:
    assert "不合理" in str(reason(build("33068118891231123")))


@pytest.mark.parametrize("raw", [TEXTBOOK[:17], TEXTBOOK + "1", "1101051949"])
def test_wrong_length(raw: str) -> None:
    error = reason(raw)
    assert "18位" in str(error)
    assert f"现为{len(raw)}位" in str(error)


def test_fifteen_digit_old_number_is_refused_with_a_hint() -> None:
    assert "15位" in str(reason("110105491231002"))


@pytest.mark.parametrize("raw", ["", "   "])
def test_empty(raw: str) -> None:
    assert "为空" in str(reason(raw))


@pytest.mark.parametrize("raw", ["1101051949123100XX", "11010519491231A02X", "X1010519491231002X"])
def test_letters_other_than_a_final_x(raw: str) -> None:
    assert "数字" in str(reason(raw))


@pytest.mark.parametrize("region", ["000000", "990101", "100000", "300000"])
def test_unknown_province_code(region: str) -> None:
    error = reason(build(f"{region}19800215001"))
    assert region in str(error)
    assert "地区码" in str(error)


# ---- make and mask -------------------------------------------------------------------------------

PROVINCES = ("110105", "310101", "330681", "440524", "650101", "820000")


@settings(max_examples=300)
@given(
    region=st.sampled_from(PROVINCES),
    birth=st.dates(min_value=date(1890, 1, 1), max_value=date.today()),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_make_builds_a_number_parse_accepts(region: str, birth: date, sequence: int) -> None:
    number = idcard.make(region, birth, sequence)
    assert len(number) == 18
    assert number[:6] == region
    assert number[6:14] == f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
    assert number[17] == mod11_2(number[:17])
    info = idcard.parse(number)
    assert info.birth_date == birth
    assert info.sex == ("男" if sequence % 2 == 1 else "女")


@settings(max_examples=200)
@given(
    birth=st.dates(min_value=date(1890, 1, 1), max_value=date.today()),
    sequence=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from("0123456789X"),
)
def test_any_single_character_error_is_detected(birth: date, sequence: int, position: int, replacement: str) -> None:
    number = idcard.make("330681", birth, sequence)
    if position < 17 and replacement == "X":
        replacement = "7"
    if replacement == number[position]:
        replacement = "0" if number[position] != "0" else "1"
    changed = number[:position] + replacement + number[position + 1:]
    assert changed != number
    # MOD 11-2 detects every single substitution: the changed number never carries a correct check character
    assert mod11_2(changed[:17]) != changed[17]
    assert not idcard.is_valid(changed)


def test_mask_hides_the_middle() -> None:
    assert idcard.mask(TEXTBOOK) == "110105" + "*" * 8 + "002X"
    assert idcard.mask(TEXTBOOK, keep_head=3, keep_tail=1) == "110" + "*" * 14 + "X"


def test_mask_leaves_short_text_alone() -> None:
    assert idcard.mask("1234567890") == "1234567890"
    assert idcard.mask("") == ""
