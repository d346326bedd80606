"""Household rules (one head, unique IDs, member identity, phones, income) and name search keys."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhuji_archive.domain import codes
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.household import (
    age_on,
    check_member_identity,
    check_single_head,
    check_unique_ids,
    mask_phone,
    normalize_phone,
    per_capita_income,
)
from zhuji_archive.domain.search_keys import normalize_query, pinyin_keys, prefix_upper_bound

WOMAN_1949 = "11010519491231002X"  # GB 11643 example: born 1949-12-31, 17th digit even
MAN_1980 = "330681198002150015"  # sequence 001 (odd); weighted sum 260, 260 mod 11 = 7 -> "5"


# ---- one head ------------------------------------------------------------------------------------


def test_exactly_one_head_passes() -> None:
    check_single_head(["户主", "配偶", "子"])
    check_single_head(["户主"])


@pytest.mark.parametrize("relations", [[], ["配偶", "子"], ["户 主"]])
def test_no_head_is_refused(relations: list[str]) -> None:
    with pytest.raises(DomainError) as caught:
        check_single_head(relations)
    assert "户主" in str(caught.value)
    assert caught.value.field == "relation"


def test_two_heads_are_refused_with_the_count() -> None:
    with pytest.raises(DomainError) as caught:
        check_single_head(["户主", "配偶", "户主"])
    assert "2" in str(caught.value)
    assert caught.value.field == "relation"


# ---- unique IDs ----------------------------------------------------------------------------------


def test_unique_ids_pass_and_blanks_may_repeat() -> None:
    check_unique_ids([WOMAN_1949, MAN_1980, "", ""])


def test_duplicate_id_in_one_household_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        check_unique_ids([MAN_1980, WOMAN_1949, MAN_1980])
    assert MAN_1980 in str(caught.value)
    assert caught.value.field == "id_number"


# ---- member identity -----------------------------------------------------------------------------


def test_blank_sex_and_birth_date_are_filled_from_the_id() -> None:
    check = check_member_identity(MAN_1980, "", None)
    assert (check.id_number, check.sex, check.birth_date, check.warnings) == (MAN_1980, "男", date(1980, 2, 15), ())


def test_id_is_normalised() -> None:
    check = check_member_identity(" 110105 19491231 002x ", "", None)
    assert check.id_number == WOMAN_1949
    assert check.sex == "女"
    assert check.birth_date == date(1949, 12, 31)


def test_agreeing_values_give_no_warning() -> None:
    check = check_member_identity(WOMAN_1949, "女", date(1949, 12, 31))
    assert check.warnings == ()


def test_conflicting_sex_and_birth_date_warn_and_the_id_wins() -> None:
    check = check_member_identity(WOMAN_1949, "男", date(1950, 1, 1))
    assert check.sex == "女"
    assert check.birth_date == date(1949, 12, 31)
    assert len(check.warnings) == 2
    sex_warning, birth_warning = check.warnings
    assert "男" in sex_warning and "女" in sex_warning
    assert "1950-01-01" in birth_warning and "1949-12-31" in birth_warning


def test_empty_id_keeps_typed_values() -> None:
    check = check_member_identity("  ", "女", date(2001, 5, 6))
    assert (check.id_number, check.sex, check.birth_date, check.warnings) == ("", "女", date(2001, 5, 6), ())


def test_invalid_id_is_an_error() -> None:
    with pytest.raises(DomainError) as caught:
        check_member_identity(WOMAN_1949[:17] + "1", "", None)
    assert caught.value.field == "id_number"


# ---- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
        ("１３９１２３４５６７８", "13912345678"),
        ("0575-87654321", "0575-87654321"),
        ("057587654321", "057587654321"),
        ("010-12345678", "010-12345678"),
        ("0575－8765432", "0575-8765432"),
        ("87654321", "87654321"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_phone_accepts_mobiles_and_landlines(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "abc", "0575-123", "575-87654321"])
def test_normalize_phone_refuses_other_text(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalize_phone(raw)
    assert caught.value.field == "phone"
    assert "电话" in str(caught.value)


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0575-87654321") == "0575-87654321"
    assert mask_phone("") == ""


# ---- income and age ------------------------------------------------------------------------------


def test_per_capita_income() -> None:
    assert per_capita_income([12000.0, None, 6000.0], 3) == 6000.0
    assert per_capita_income([10000.0], 3) == 3333  # whole yuan: no spurious decimals
    assert per_capita_income([2000.0, 800.0], 3) == 933  # 933.33…
    assert per_capita_income([5600.0], 5) == 1120
    assert per_capita_income([5.0], 2) == 3  # halves round up, not to even
    assert per_capita_income([0.1, 0.2], 1) == 0
    assert per_capita_income([], 2) == 0
    assert per_capita_income([5000.0], 0) is None


def test_age_on() -> None:
    assert age_on(date(1980, 2, 15), date(2026, 2, 14)) == 45
    assert age_on(date(1980, 2, 15), date(2026, 2, 15)) == 46
    assert age_on(None, date(2026, 1, 1)) is None


# ---- search keys ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张建国", "zhangjianguo", "zjg"),
        ("  陈秀英 ", "chenxiuying", "cxy"),
        ("吕丽萍", "lvliping", "llp"),
        ("Tom", "tom", "tom"),
        ("", "", ""),
    ],
)
def test_pinyin_keys(name: str, full: str, initials: str) -> None:
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize("dot", ["·", "•", "‧", "・", "．", "　", "-", "－", " "])
def test_pinyin_keys_skip_separators_inside_a_name(dot: str) -> None:
    assert pinyin_keys(f"艾力{dot}买买提") == ("ailimaimaiti", "almmt")
    assert pinyin_keys(f"阿依古丽{dot}吐尔逊") == ("ayigulituerxun", "aygltex")


def test_pinyin_keys_keep_latin_letters_and_digits_but_not_punctuation() -> None:
    assert pinyin_keys("Ｔｏｍ·Ｌｅｅ") == ("tomlee", "tomlee")
    assert pinyin_keys("张三（2）") == ("zhangsan2", "zs2")


def test_normalize_query() -> None:
    assert normalize_query("  ＺＪＧ ") == "zjg"
    assert normalize_query("138 0013") == "1380013"
    assert normalize_query("ai·li-mai") == "ailimai"
    assert normalize_query("艾力·买买提") == "艾力·买买提"  # a Chinese query keeps its dot to match the name


def test_prefix_upper_bound_examples() -> None:
    assert prefix_upper_bound("zj") == "zk"
    assert prefix_upper_bound("a") == "b"
    assert prefix_upper_bound("") == "\uffff"


ALPHABET = "abyz019张建国"


@given(prefix=st.text(alphabet=ALPHABET, min_size=1, max_size=5), other=st.text(alphabet=ALPHABET, max_size=7))
def test_prefix_range_holds_exactly_the_strings_with_the_prefix(prefix: str, other: str) -> None:
    upper = prefix_upper_bound(prefix)
    assert (prefix <= other < upper) == other.startswith(prefix)
    extended = prefix + other
    assert prefix <= extended < upper


# ---- code labels ---------------------------------------------------------------------------------


def test_validate_label_trims() -> None:
    assert codes.validate_label("  种茶户 ") == "种茶户"
    assert codes.validate_label("字" * 20) == "字" * 20


@pytest.mark.parametrize("label", ["", "   ", None])
def test_validate_label_refuses_empty(label: str | None) -> None:
    with pytest.raises(DomainError) as caught:
        codes.validate_label(label)  # type: ignore[arg-type]
    assert caught.value.field == "label"
    assert "空" in str(caught.value)


def test_validate_label_refuses_long() -> None:
    with pytest.raises(DomainError) as caught:
        codes.validate_label("字" * 21)
    assert "20" in str(caught.value)


def test_code_kinds_are_consistent() -> None:
    keys = [kind.key for kind in codes.ALL_KINDS]
    assert len(keys) == len(set(keys))
    for kind in codes.ALL_KINDS:
        assert len(kind.defaults) == len(set(kind.defaults))
        assert all(codes.validate_label(label) == label for label in kind.defaults)
    assert codes.HEAD_RELATION in codes.RELATION.defaults
    assert codes.ACTIVE_HOUSEHOLD_STATUS == codes.HOUSEHOLD_STATUSES[0]
