"""Ledger reading rules: header synonyms and detection, ID numbers, dates, phones, code values, grouping."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from zhuji_archive.domain import idcard, ledger, ledger_rows
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.ledger import IGNORE, NOTES
from zhuji_archive.domain.ledger_rows import LedgerRow

TODAY = date(2026, 5, 1)
ID = idcard.make("330681", date(1965, 3, 12), 1)  # a valid number
ID_X = next(n for seq in range(1, 999) if (n := idcard.make("330681", date(1971, 10, 3), seq)).endswith("X"))


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓名", "name"),
        ("成员姓名", "name"),
        ("身份证号", "id_number"),
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        ("身份证号码\n（18位）", "id_number"),
        ("与户主关系", "relation"),
        ("关系", "relation"),
        ("出生年月", "birth_date"),
        ("出生日期", "birth_date"),
        ("联系电话", "phone"),
        ("手机号", "phone"),
        ("户类别", "economic_types"),
        ("户类型", "economic_types"),
        ("承包土地(亩)", "land_mu"),
        ("承包土地（亩）", "land_mu"),
        ("承包地面积", "land_mu"),
        ("户号", "household_no"),
        ("序号", "serial"),
        (" 家庭住址 ", "address"),
        ("*姓名", "name"),
        ("家庭年收入", None),
        ("", None),
    ],
)
def test_header_synonyms(header: str, field: str | None) -> None:
    assert ledger.match_header(header) == field


def test_map_columns_first_wins_and_head_name_alone_is_the_name() -> None:
    assert ledger.map_columns(["户主姓名", "身份证号", "电话", "手机号", "", "错误原因"]) == [
        "name",
        "id_number",
        "phone",
        NOTES,
        IGNORE,
        IGNORE,
    ]
    assert ledger.map_columns(["户主姓名", "姓名"]) == ["head_name", "name"]


def test_detect_header_below_title_rows() -> None:
    rows = [
        ["杜黄村一组农户花名册", "", "", ""],
        ["填报日期：2024年3月", "", "", ""],
        ["", "", "", ""],
        ["序号", "姓名", "与户主关系", "身份证号码"],
        [1, "张三", "户主", ID],
    ]
    guess = ledger.detect_header(rows)
    assert guess is not None
    assert guess.rows == (3,)
    assert guess.data_start == 4
    assert guess.fields == ("serial", "name", "relation", "id_number")


def test_detect_two_level_header_under_merged_group_title() -> None:
    rows = [
        ["户号", "家庭住址", "家庭成员情况", "", "", ""],
        ["", "", "姓名", "关系", "身份证号", "电话"],
        [1, "杜黄村1号", "张三", "户主", ID, ""],
    ]
    guess = ledger.detect_header(rows)
    assert guess is not None
    assert guess.rows == (0, 1)
    assert guess.fields == ("household_no", "address", "name", "relation", "id_number", "phone")


def test_no_header_in_first_ten_rows() -> None:
    rows = [["说明"]] * 10 + [["姓名", "身份证号"]]
    assert ledger.detect_header(rows) is None


# ---- ID numbers --------------------------------------------------------------------------------


def test_id_cleanup_spaces_full_width_and_lower_x() -> None:
    assert ledger.clean_id_number(f" {ID[:6]} {ID[6:]} ") == ID
    full_width = ID_X[:-1].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "ｘ"
    assert ledger.clean_id_number(full_width) == ID_X
    assert ledger.clean_id_number(ID_X.lower()) == ID_X
    assert ledger.clean_id_number("'" + ID) == ID
    assert ledger.clean_id_number("") == ""
    assert ledger.clean_id_number(None) == ""


@pytest.mark.parametrize("value", [3.30681196503120e17, 330681196503120017, "3.30681E+17", "3.30681e17"])
def test_numeric_and_scientific_ids_report_lost_digits(value: object) -> None:
    with pytest.raises(DomainError) as error:
        ledger.clean_id_number(value)
    assert "3.30681E" in error.value.message
    assert "无法还原" in error.value.message


def test_fifteen_digit_id_is_reported_with_its_upgrade_not_converted() -> None:
    with pytest.raises(DomainError) as error:
        ledger.clean_id_number(330681650312001)
    first17 = "33068119650312001"
    assert f"按升位规则应为{first17}{idcard.check_character(first17)}" in error.value.message


def test_bad_check_character_is_reported() -> None:
    wrong = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    with pytest.raises(DomainError, match="校验位错误"):
        ledger.clean_id_number(wrong)


# ---- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        (date(1965, 3, 12), date(1965, 3, 12), "day"),
        (datetime(1965, 3, 12, 0, 0), date(1965, 3, 12), "day"),
        ("1965.03", date(1965, 3, 1), "month"),
        (1965.03, date(1965, 3, 1), "month"),
        (1965.12, date(1965, 12, 1), "month"),
        (1965.2, date(1965, 2, 1), "month"),
        ("1965.1", date(1965, 1, 1), "month"),
        ("1965.10", date(1965, 10, 1), "month"),
        ("1965年3月", date(1965, 3, 1), "month"),
        ("1965年3月12日", date(1965, 3, 12), "day"),
        ("1965-03-12", date(1965, 3, 12), "day"),
        ("1965/3/12", date(1965, 3, 12), "day"),
        ("19650312", date(1965, 3, 12), "day"),
        (19650312, date(1965, 3, 12), "day"),
        ("196503", date(1965, 3, 1), "month"),
        (23813, date(1965, 3, 12), "day"),  # Excel serial
        (23813.0, date(1965, 3, 12), "day"),
    ],
)
def test_date_forms(value: object, expected: date, precision: str) -> None:
    parsed = ledger.parse_date(value, TODAY)
    assert parsed == ledger.LedgerDate(expected, precision)


def test_numeric_year_dot_one_is_ambiguous_unless_formatted_with_two_decimals() -> None:
    with pytest.raises(DomainError, match="无法确定是1月还是10月"):
        ledger.parse_date(1965.1, TODAY)
    assert ledger.parse_date(1965.1, TODAY, two_decimals=True) == ledger.LedgerDate(
        date(1965, 10, 1), "month"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1965-02-30", "不存在"),
        ("1965.13", "不存在"),
        (1965, "只有年份"),
        ("2099-01-01", "不合理"),
        ("六五年三月", "看不懂"),
    ],
)
def test_impossible_dates(value: object, reason: str) -> None:
    with pytest.raises(DomainError, match=reason):
        ledger.parse_date(value, TODAY)


def test_month_precision_compares_by_month() -> None:
    parsed = ledger.parse_date("1965.03", TODAY)
    assert parsed is not None
    assert parsed.same_as(date(1965, 3, 12))
    assert not parsed.same_as(date(1965, 4, 12))


# ---- other cells -------------------------------------------------------------------------------


def test_phone_cleanup() -> None:
    assert ledger.clean_phone(13812345678.0) == ("13812345678", "")
    assert ledger.clean_phone("138 1234 5678") == ("13812345678", "")
    assert ledger.clean_phone("138-1234-5678") == ("13812345678", "")
    assert ledger.clean_phone("13812345678、0575-87654321") == ("13812345678", "0575-87654321")
    with pytest.raises(DomainError):
        ledger.clean_phone("12345")


def test_code_values_fold_common_spellings() -> None:
    assert ledger.code_value("relation", "长子 ") == "子"
    assert ledger.code_value("relation", "妻") == "配偶"
    assert ledger.code_value("political_status", "党员") == "中共党员"
    assert ledger.code_value("education", "大学本科") == "本科"
    assert ledger.code_values("focus_tag", "低保、五保户，低保户") == ["低保户", "五保户"]
    assert ledger.clean_sex("女性") == "女"
    with pytest.raises(DomainError):
        ledger.clean_sex("M")
    assert ledger.clean_bool("是") is True
    assert ledger.clean_bool("") is None
    assert ledger.clean_amount("2.5亩", "承包土地") == 2.5


def test_serial_column_numbering_households_or_persons() -> None:
    assert ledger_rows.serial_numbers_households([1, "", "", 2, ""])
    assert ledger_rows.serial_numbers_households([1, 1, 2, 2])
    assert not ledger_rows.serial_numbers_households([1, 2, 3, 4])


def _rows(*specs: tuple[str, str]) -> list[LedgerRow]:
    return [LedgerRow(i, {"relation": relation}, key) for i, (relation, key) in enumerate(specs)]


def test_grouping_by_head_rows() -> None:
    groups = ledger_rows.group_rows(_rows(("户主", ""), ("配偶", ""), ("户主", ""), ("子", "")), keyed=False)
    assert [[r.row for r in g.rows] for g in groups] == [[0, 1], [2, 3]]
    assert not any(g.problem for g in groups)


def test_member_before_any_head_has_no_household() -> None:
    groups = ledger_rows.group_rows(_rows(("子", ""), ("户主", "")), keyed=False)
    assert "成员没有所属户" in groups[0].problem
    assert not groups[1].problem


def test_grouping_by_key_with_blank_continuation() -> None:
    groups = ledger_rows.group_rows(_rows(("户主", "1"), ("配偶", ""), ("户主", "2"), ("户主", "2")), keyed=True)
    assert [[r.row for r in g.rows] for g in groups] == [[0, 1], [2, 3]]
    assert [g.key for g in groups] == ["1", "2"]
