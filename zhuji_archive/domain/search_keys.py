"""Search keys for names: full pinyin and initials, so "zjg" and "zhangjianguo" both find 张建国.

Punctuation inside a name (the middle dot of 艾力·买买提, hyphens, full-width spaces) is not part of
any key, so "almmt" and "ailimaimaiti" find it as they find any other name."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Separators people write inside names and queries: middle dots of every kind (minority and foreign
# names), hyphens and dashes, full stops used as dots, spaces. Any other punctuation goes too (below);
# this list is for the query side, where Chinese text must keep its characters.
NAME_SEPARATORS = "·•‧・･．.‐‑‒–—―－-_ 　\u00a0\u200b"


def _key_chars(chars: str) -> list[str]:
    """Non-Chinese parts of a name as they enter a key: letters and digits only, lower case."""
    text = unicodedata.normalize("NFKC", chars).lower()
    return [c for c in text if c.isalnum()]


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials) in lower case, without separators or punctuation; letters and
    digits that are not Chinese are kept as they are."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries take a third of a second to load

    text = (name or "").strip()
    syllables = [s for s in lazy_pinyin(text, style=Style.NORMAL, errors=_key_chars) if s.isalnum()]
    full = "".join(syllables).replace("ü", "v").lower()
    initials = "".join(s[0] for s in syllables).replace("ü", "v").lower()
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


MAX_CHAR = "\U0010ffff"
_SURROGATES = re.compile("[\ud800-\udfff]")


def searchable(text: str | None) -> str:
    """Search input that can be bound to a query: lone surrogates (pasted from broken sources, never
    valid text) are dropped, and so is NUL, which no stored text contains."""
    return _SURROGATES.sub("", text or "").replace("\x00", "")


def normalize_query(text: str) -> str:
    """Query text as typed: trimmed, full-width folded, lower case, lone surrogates dropped; a query in
    Latin letters and digits also loses its separators ("ai-li", "ai·li" → "aili"), as the keys have none."""
    folded = unicodedata.normalize("NFKC", searchable(text)).strip().lower().replace(" ", "")
    bare = "".join(c for c in folded if c not in NAME_SEPARATORS)
    return bare if bare.isascii() and bare else folded


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix`` (for indexed range scans);
    None when there is none (the prefix is all U+10FFFF, the last code point)."""
    if not prefix:
        return "\uffff"
    stripped = prefix.rstrip(MAX_CHAR)
    if not stripped:
        return None
    following = ord(stripped[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates cannot be stored: the next character is U+E000
        following = 0xE000
    return stripped[:-1] + chr(following)


def is_id_number_search(text: str) -> bool:
    """Whether search text is (part of) an ID number: 6 to 18 digits, the last possibly X, and not an
    11-digit mobile number. Such a search is logged as having happened (never the number)."""
    value = text.strip().upper()
    if not 6 <= len(value) <= 18 or not value[:-1].isdigit() or not (value[-1].isdigit() or value[-1] == "X"):
        return False
    return not (len(value) == 11 and value.startswith("1"))
