"""domain.glyphs: which characters of a document no font draws, and where they are."""

from __future__ import annotations

from zhuji_archive.domain.glyphs import Unprintable, UnprintableText, unprintable

COMMON = set("王李张三艾力买提·")


def has(char: str) -> bool:
    return char in COMMON


def test_positions_are_counted_per_field_from_one() -> None:
    found = unprintable([("户主姓名", "王\U0002a6d6\u3400"), ("成员2姓名", "李\U00020000")], has)
    assert found == [
        Unprintable("户主姓名", 2, "\U0002a6d6"),
        Unprintable("户主姓名", 3, "\u3400"),
        Unprintable("成员2姓名", 2, "\U00020000"),
    ]
    assert found[0].message() == "户主姓名 第2个字 U+2A6D6 无字体可显示，打印时将空缺"
    assert found[1].code_point == "U+3400"


def test_spaces_line_breaks_and_invisible_marks_need_no_font() -> None:
    assert unprintable([("备注", "王 三\n李\u3000张\u200b\t")], has) == []


def test_a_variation_selector_is_neither_reported_nor_counted() -> None:
    # 王 + VS17 (an ideographic variant) + 𠀀: the Extension B character is the 2nd the reader sees.
    assert unprintable([("户主姓名", "王\U000e0100\U00020000")], has) == [Unprintable("户主姓名", 2, "\U00020000")]


def test_characters_newer_than_pythons_unicode_tables_are_still_reported() -> None:
    ext_i = "\U0002ebf0"  # CJK Extension I (Unicode 15.1)
    assert unprintable([("姓名", ext_i)], has) == [Unprintable("姓名", 1, ext_i)]


def test_a_field_listed_twice_is_reported_once() -> None:
    assert len(unprintable([("户主姓名", "王\u3400"), ("户主姓名", "王\u3400")], has)) == 1


def test_the_refusal_lists_every_place_up_to_a_limit() -> None:
    problems = [Unprintable(f"第{i}户 户主姓名", 2, "\u3400") for i in range(1, 26)]
    message = UnprintableText(problems).message
    assert "第20户 户主姓名 第2个字 U+3400" in message
    assert "第21户" not in message
    assert "另有 5 处" in message
