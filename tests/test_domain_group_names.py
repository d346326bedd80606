"""Group names in Chinese and Arabic numerals with the usual prefixes and suffixes, for 1–99."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhuji_archive.domain.group_names import (
    chinese_numeral,
    group_number,
    group_numbers,
    guess_group,
    name_for_number,
    parse_numeral,
)

NUMBERS = st.integers(min_value=1, max_value=99)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def forms(n: int) -> list[str]:
    """Every way a ledger writes group n."""
    cn = chinese_numeral(n)
    arabic = str(n)
    return [
        f"第{cn}村民小组",
        f"{cn}村民小组",
        f"{cn}组",
        f"第{cn}组",
        f"{arabic}组",
        f"第{arabic}组",
        f"{n:02d}组",
        f"{arabic}村民小组",
        f"第{arabic}村民小组",
        f"{cn}小组",
        f"{cn}村民组",
        f"第{cn}生产队",
        f"{arabic}队",
        f"{arabic.translate(FULL_WIDTH)}组",
        f"第 {arabic} 组",
    ]


KNOWN = {
    1: "一", 2: "二", 9: "九", 10: "十", 11: "十一", 19: "十九", 20: "二十", 21: "二十一", 99: "九十九",
}


@pytest.mark.parametrize(("number", "text"), sorted(KNOWN.items()))
def test_chinese_numerals(number: int, text: str) -> None:
    assert chinese_numeral(number) == text
    assert parse_numeral(text) == number


def test_other_numeral_spellings() -> None:
    assert parse_numeral("两") == 2
    assert parse_numeral("一〇") == 10
    assert parse_numeral("02") == 2
    assert parse_numeral("一十二") == 12
    for bad in ("", "零", "0", "100", "十十", "二十三四", "〇十", "甲"):
        assert parse_numeral(bad) is None, bad


@given(n=NUMBERS)
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_numeral(chinese_numeral(n)) == n


@given(n=NUMBERS, form=st.integers(min_value=0, max_value=14), village=st.sampled_from(["", "石门村", "三合村", "十里村"]),
       tail=st.sampled_from(["", "花名册", "农户家庭成员台账", "（2024年3月）"]))
def test_every_form_names_its_number(n: int, form: int, village: str, tail: str) -> None:
    text = village + forms(n)[form] + tail
    assert group_numbers(text) == {n}
    groups = [(f"g{k}", f"{chinese_numeral(k)}组") for k in range(1, 100)]
    assert guess_group([text], groups).group_id == f"g{n}"
    styled = [(f"s{k}", f"第{k}村民小组") for k in range(1, 100)]
    assert guess_group([text], styled).group_id == f"s{n}"


@given(n=NUMBERS, form=st.integers(min_value=0, max_value=14))
def test_a_missing_group_is_reported_with_its_number(n: int, form: int) -> None:
    others = [(f"g{k}", f"{chinese_numeral(k)}组") for k in range(1, 100) if k != n]
    guess = guess_group(["石门村" + forms(n)[form]], others)
    assert guess.group_id is None and guess.missing_number == n


def test_the_issue_example_and_neighbours() -> None:
    groups = [("one", "一组"), ("two", "二组")]
    assert guess_group(["石门村第二村民小组"], groups).group_id == "two"
    assert guess_group(["十一组"], groups).missing_number == 11  # never group 一组
    assert guess_group(["一村二组"], groups).group_id == "two"
    assert guess_group(["Sheet1", "杜黄村一组农户花名册"], groups).group_id == "one"
    assert guess_group(["Sheet1", ""], groups).group_id is None
    assert guess_group(["Sheet1", ""], groups).missing_number is None


def test_groups_without_numbers_match_by_name() -> None:
    groups = [("up", "上屋"), ("down", "下屋"), ("new", "新屋一组"), ("old", "老屋一组")]
    assert guess_group(["村上屋花名册"], groups).group_id == "up"
    assert guess_group(["老屋一组"], groups).group_id == "old"
    assert guess_group(["一组"], groups) == guess_group(["一组"], groups)  # two 一组: undecided, no crash
    assert guess_group(["一组"], groups).group_id is None


def test_group_number_of_a_name() -> None:
    assert group_number("第三村民小组") == 3
    assert group_number("新屋") is None
    assert group_number("一组二组") is None


@given(n=NUMBERS)
def test_new_group_names_follow_the_village_style(n: int) -> None:
    cn = chinese_numeral(n)
    assert name_for_number(n, []) == f"{cn}组"
    assert name_for_number(n, ["第一村民小组"]) == f"第{cn}村民小组"
    assert name_for_number(n, ["上屋", "1组"]) == f"{n}组"
    assert name_for_number(n, ["01组"]) == f"{n:02d}组"
    assert group_number(name_for_number(n, ["第一村民小组"])) == n
