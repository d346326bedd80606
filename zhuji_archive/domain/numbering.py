"""Request numbers people can read aloud: town, year and a sequence (安华2026-0012)."""

from __future__ import annotations

_SUFFIXES = ("街道", "镇", "乡")


def town_short_name(town_name: str) -> str:
    """安华镇 → 安华: the prefix the township already uses on its paperwork."""
    name = town_name.strip()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def request_number(town_name: str, year: int, sequence: int) -> str:
    """The 诉求编号 shown on every form, list and export: 安华2026-0012."""
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{town_short_name(town_name)}{year}-{sequence:04d}"


def number_prefix(town_name: str, year: int) -> str:
    """The part of a number that is shared by one town's requests of one year."""
    return f"{town_short_name(town_name)}{year}-"
