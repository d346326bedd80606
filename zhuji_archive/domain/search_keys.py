"""Search keys for names: full pinyin and initials, so "zjg" and "zhangjianguo" both find 张建国."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials) in lower case, without separators; non-Chinese kept as is."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take a third of a second to load

    text = (name or "").strip()
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: list(chars.lower()))
    full = "".join(syllables).replace("ü", "v").lower()
    initials = "".join(s[0] for s in syllables if s).replace("ü", "v").lower()
    return full, initials


def member_search_keys(name: str, id_number: str, phone: str) -> dict[str, str]:
    """Every search column of a member, computed from its name, ID number and phone."""
    full, initials = pinyin_keys(name)
    return {
        "name_pinyin": full,
        "name_initials": initials,
        "given_name": (name or "").strip()[1:],
        "id_number_rev": (id_number or "")[::-1],
        "phone_rev": (phone or "")[::-1],
    }


def normalize_query(text: str) -> str:
    """Query text as typed: trimmed, full-width folded, lower case."""
    import unicodedata

    return unicodedata.normalize("NFKC", text or "").strip().lower().replace(" ", "")


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (for indexed range scans)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\uffff"
