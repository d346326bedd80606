"""Rules of a household file: one head, member ID consistency, per-capita income."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from zhuji_archive.domain import idcard
from zhuji_archive.domain.codes import HEAD_RELATION
from zhuji_archive.domain.errors import DomainError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$|^\d{7,8}$")


def normalize_phone(raw: str) -> str:
    """Trim and fold full-width digits; raise DomainError when it is not a mobile or landline number."""
    import unicodedata

    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if not text:
        return ""
    if not (_MOBILE.match(text) or _LANDLINE.match(text)):
        raise DomainError(f"电话号码“{text}”格式不对：手机为11位，座机如 0575-87654321", "phone")
    return text


def mask_phone(phone: str) -> str:
    """Hide the middle four digits of a mobile number (138****5678)."""
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[7:]
    return phone


@dataclass(frozen=True)
class MemberCheck:
    """The outcome of checking one member's ID number against what was typed."""

    id_number: str
    birth_date: date | None
    sex: str
    warnings: tuple[str, ...]


def check_member_identity(id_number: str, sex: str, birth_date: date | None) -> MemberCheck:
    """Validate the ID number (if any) and fill or compare sex and birth date from it.

    Empty ID: typed values are kept. Invalid ID: DomainError. Valid ID with blank sex/birth date:
    they are filled. Valid ID that disagrees with typed values: the ID wins, a warning names the conflict.
    """
    if not (id_number or "").strip():
        return MemberCheck("", birth_date, sex, ())
    info = idcard.parse(id_number)
    warnings: list[str] = []
    if sex and sex != info.sex:
        warnings.append(f"填写的性别“{sex}”与身份证号（{info.sex}）不一致，已按身份证号")
    if birth_date and birth_date != info.birth_date:
        warnings.append(
            f"填写的出生日期{birth_date.isoformat()}与身份证号（{info.birth_date.isoformat()}）不一致，已按身份证号"
        )
    return MemberCheck(info.number, info.birth_date, info.sex, tuple(warnings))


def check_single_head(relations: Sequence[str]) -> None:
    """Exactly one member of an active household is the head (户主)."""
    heads = sum(1 for r in relations if r == HEAD_RELATION)
    if heads == 0:
        raise DomainError("每户须有一名户主：请把一名成员的“与户主关系”设为“户主”", "relation")
    if heads > 1:
        raise DomainError(f"一户只能有一名户主，现有{heads}名", "relation")


def check_unique_ids(id_numbers: Iterable[str]) -> None:
    """The same ID number cannot appear twice within one household."""
    seen: set[str] = set()
    for number in id_numbers:
        if number and number in seen:
            raise DomainError(f"身份证号{number}在本户重复出现", "id_number")
        seen.add(number)


def age_on(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def per_capita_income(annual_incomes: Iterable[float | None], member_count: int) -> int | None:
    """人均年收入, the one definition every screen, sheet and roster uses: the yearly income of the
    household's current income sources (yuan per year) divided by the members in the household now
    (removed members do not count), in whole yuan, halves rounded up. None without members."""
    if member_count <= 0:
        return None
    total = sum((Decimal(str(x)) for x in annual_incomes if x), Decimal(0))
    return int((total / member_count).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yuan(amount: float | None) -> str:
    """An amount of yuan as the application writes it: thousands separated, no decimals when there
    are none (1,120; 1,234.5 keeps its fraction as 1,234.50). Empty for None."""
    if amount is None:
        return ""
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
