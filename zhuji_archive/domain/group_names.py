"""Village group (村民小组) names as ledgers write them: 第二村民小组, 二组, 2组, 第2组, 02组, 二村民小组 …
all mean group 2. Numbers are read in Chinese or Arabic numerals (1–99), so a sheet named
“石门村第二村民小组” finds the group 二组, and a group the archive lacks gets a name in the village's style."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

DIGITS = "一二三四五六七八九"
_VALUES = {**{ch: i for i, ch in enumerate(DIGITS, start=1)}, "两": 2, "〇": 0, "零": 0}
_NUMERAL = "[0-9]+|[零〇一二两三四五六七八九十]+"
SUFFIXES = ("村民小组", "村民组", "小组", "组", "生产队", "队")
_SUFFIX = "|".join(SUFFIXES)  # tried in this order: 村民小组 before 组
_GROUP = re.compile(f"(第)?({_NUMERAL})({_SUFFIX})")
MAX_NUMBER = 99


def _fold(text: str) -> str:
    """Full-width digits to ASCII, whitespace removed."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


def parse_numeral(text: str) -> int | None:
    """1–99 from Arabic digits (02 too) or Chinese numerals (十二, 二十, 二十三, 两, 一二 digit by digit)."""
    text = _fold(text)
    if text.isascii() and text.isdigit():
        value = int(text)
    elif not text or any(ch not in _VALUES and ch != "十" for ch in text):
        return None
    elif "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1 or "十" in ones:
            return None
        value = (_VALUES[tens] if tens else 1) * 10 + (_VALUES[ones] if ones else 0)
        if tens and _VALUES[tens] == 0:
            return None
    else:
        value = 0
        for ch in text:
            value = value * 10 + _VALUES[ch]
    return value if 1 <= value <= MAX_NUMBER else None


def chinese_numeral(number: int) -> str:
    """二, 十, 十二, 二十, 二十三 for 1–99."""
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(number)
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens - 1] + "十")
    return head + (DIGITS[ones - 1] if ones else "")


def group_numbers(text: str) -> set[int]:
    """Every group number a text (sheet name, title, group name) mentions."""
    found = set()
    for match in _GROUP.finditer(_fold(text)):
        number = parse_numeral(match.group(2))
        if number is not None:
            found.add(number)
    return found


def group_number(name: str) -> int | None:
    """The number of a group name, when it names exactly one (“第三村民小组” → 3, “新屋” → None)."""
    numbers = group_numbers(name)
    return numbers.pop() if len(numbers) == 1 else None


@dataclass(frozen=True)
class GroupGuess:
    """Which group a sheet is about: an existing one, or the number of one the archive lacks."""

    group_id: str | None = None
    missing_number: int | None = None


def guess_group(texts: Sequence[str], groups: Sequence[tuple[str, str]]) -> GroupGuess:
    """The group (id, name) that the first telling text names: by number when it mentions exactly one
    (so 十一组 never lands in 一组), otherwise by the longest group name it contains."""
    numbered: dict[int, list[tuple[str, str]]] = {}
    for group_id, name in groups:
        number = group_number(name)
        if number is not None:
            numbered.setdefault(number, []).append((group_id, name))
    for text in texts:
        folded = _fold(text)
        numbers = group_numbers(folded)
        if len(numbers) == 1:
            number = numbers.pop()
            candidates = numbered.get(number, [])
            if len(candidates) == 1:
                return GroupGuess(candidates[0][0])
            named = [(len(name), gid) for gid, name in candidates if _fold(name) in folded]
            if named:
                return GroupGuess(max(named)[1])
            if not candidates:
                return GroupGuess(None, number)
            continue
        hits = [(len(name), gid) for gid, name in groups if name and _fold(name) in folded]
        if hits:
            return GroupGuess(max(hits)[1])
    return GroupGuess()


def name_for_number(number: int, existing: Sequence[str]) -> str:
    """A new group's name in the style of the village's other groups (第三村民小组, 3组, 二组 …);
    “N组” in Chinese numerals when the village has no numbered group yet."""
    for name in existing:
        match = _GROUP.fullmatch(_fold(name))
        if match is None:
            continue
        numeral = str(number) if match.group(2).isdigit() else chinese_numeral(number)
        if match.group(2).isdigit() and len(match.group(2)) == 2 and match.group(2).startswith("0"):
            numeral = f"{number:02d}"
        return f"{match.group(1) or ''}{numeral}{match.group(3)}"
    return f"{chinese_numeral(number)}组"
