"""Characters of a document that no available font can draw, located so the user can find them.

A name from a household register may use a character that neither the bundled font nor any font on
the machine has; it would print as a gap. Before printing, the texts of the document are checked,
and each such character is named with where it is ("第3户 户主姓名 第2个字 U+2A6D6")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from zhuji_archive.domain.errors import DomainError


def _is_variation_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x180B <= code <= 0x180D


def _needs_no_glyph(char: str) -> bool:
    """Spaces, line breaks, format and control characters, variation selectors: nothing to draw.

    Unassigned code points are checked like any other: a character newer than this Python's Unicode
    tables (Extension H, I …) is still a character someone typed."""
    import unicodedata

    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf") or _is_variation_selector(ord(char))


@dataclass(frozen=True)
class Unprintable:
    """One character no font has: the field it is in, its position there (1-based), the character."""

    where: str
    position: int
    char: str

    @property
    def code_point(self) -> str:
        return f"U+{ord(self.char):04X}"

    def message(self) -> str:
        return f"{self.where} 第{self.position}个字 {self.code_point} 无字体可显示，打印时将空缺"


def unprintable(texts: Iterable[tuple[str, str]], has_glyph: Callable[[str], bool]) -> list[Unprintable]:
    """Every character of ``texts`` — (where, text) pairs — for which ``has_glyph`` is false, in order.

    Positions count the characters a reader sees (variation selectors are not counted)."""
    found: list[Unprintable] = []
    seen: set[tuple[str, int]] = set()
    for where, text in texts:
        position = 0
        for char in text or "":
            if _is_variation_selector(ord(char)):
                continue
            position += 1
            if _needs_no_glyph(char) or has_glyph(char) or (where, position) in seen:
                continue
            seen.add((where, position))
            found.append(Unprintable(where, position, char))
    return found


class UnprintableText(DomainError):
    """A document holds characters no font can draw; raised before anything is written, so the user
    can decide to print anyway (the characters stay blank) or to cancel."""

    LIMIT = 20  # lines in the message; the rest are counted

    def __init__(self, problems: list[Unprintable]) -> None:
        self.problems = problems
        lines = [p.message() for p in problems[: self.LIMIT]]
        if len(problems) > self.LIMIT:
            lines.append(f"……另有 {len(problems) - self.LIMIT} 处")
        super().__init__("以下文字在本机没有任何字体可以显示：\n" + "\n".join(lines))
