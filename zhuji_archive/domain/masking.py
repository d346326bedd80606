"""Masking of ID and phone numbers (脱敏): how much of a number a list, a search result or an export shows.

An 18-character ID number keeps its first 6 and last 4 characters (330681********1234), an 11-digit
mobile number its first 3 and last 4 (138****5678). Anything else — a 15-digit old ID, a landline, a
typing mistake, an empty cell — keeps at most the same share of its characters and never more than the
same number of them, so that odd input never shows more of itself than a valid number would. Each hidden
character becomes one ``*``: the length stays, so a column of masked numbers still lines up.

Which roles see full numbers in lists is a setting (``list_full_numbers_key``); the household file shows
them in full to accounts in scope, and a reveal outside the file is logged by the service that does it."""

from __future__ import annotations

from zhuji_archive.domain.accounts import Role
from zhuji_archive.domain.errors import DomainError

MASK = "*"
ID_KEEP = (6, 4)  # of 18 characters
ID_LENGTH = 18
PHONE_KEEP = (3, 4)  # of 11 characters
PHONE_LENGTH = 11


def _mask(text: str, keep: tuple[int, int], full_length: int) -> str:
    n = len(text)
    head = min(keep[0], n * keep[0] // full_length)
    tail = min(keep[1], n * keep[1] // full_length)
    return text[:head] + MASK * (n - head - tail) + (text[n - tail :] if tail else "")


def mask_id_number(text: str | None) -> str:
    """330681199001011234 → 330681********1234; a shorter or odd value keeps proportionally less."""
    return _mask(str(text or ""), ID_KEEP, ID_LENGTH)


def mask_phone(text: str | None) -> str:
    """13812345678 → 138****5678; a landline or odd value keeps at most 3 + 4 and at most 7 of 11."""
    return _mask(str(text or ""), PHONE_KEEP, PHONE_LENGTH)


def list_full_numbers_key(role: Role) -> str:
    """The setting saying whether lists show this role full ID and phone numbers (1) or masked ones (0)."""
    return f"lists.full_numbers.{role.name}"


# ----- exports ---------------------------------------------------------------------------------------
MIN_EXPORT_PASSWORD = 6
MAX_REASON = 200


def check_unmask_reason(reason: str | None) -> str:
    """The reason given for an export with full numbers, trimmed; refused when empty or too long."""
    text = " ".join((reason or "").split())
    if not text:
        raise DomainError("导出完整身份证号和电话须填写理由（如：报送民政局低保复核）", "reason")
    if len(text) > MAX_REASON:
        raise DomainError(f"理由请控制在{MAX_REASON}字以内", "reason")
    return text


def export_password_problems(password: str, again: str | None = None) -> list[str]:
    """What is wrong with an export's opening password, in Chinese; empty when acceptable."""
    problems = []
    if len(password) < MIN_EXPORT_PASSWORD:
        problems.append(f"打开密码至少 {MIN_EXPORT_PASSWORD} 个字符")
    if password != password.strip():
        problems.append("打开密码首尾不能是空格")
    if again is not None and again != password:
        problems.append("两次输入的打开密码不一致")
    return problems


def check_export_password(password: str | None) -> str | None:
    """None for an export without a password; the password when acceptable; otherwise DomainError."""
    if password is None:
        return None
    problems = export_password_problems(password)
    if problems:
        raise DomainError("；".join(problems), "password")
    return password
