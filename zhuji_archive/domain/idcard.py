"""Resident identity numbers (公民身份号码) by GB 11643-1999: normalise, validate, derive birth date and sex."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from zhuji_archive.domain.errors import DomainError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# First two digits: province-level divisions (GB/T 2260). A full county table would reject
# numbers issued under since-retired county codes, which are still valid for life.
PROVINCE_CODES: dict[str, str] = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
    "71": "台湾",
    "81": "香港",
    "82": "澳门",
    "83": "台湾",
}

EARLIEST_BIRTH = date(1890, 1, 1)


@dataclass(frozen=True)
class IdInfo:
    """What a valid identity number tells about its holder."""

    number: str
    birth_date: date
    sex: str  # "男" or "女"
    province: str


def normalize(raw: str) -> str:
    """Strip spaces, turn full-width characters into ASCII and a trailing x into X."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(ch for ch in text if not ch.isspace())
    return text.upper()


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str, today: date | None = None) -> IdInfo:
    """Validate an identity number; raise DomainError with a Chinese reason when it is not valid."""
    number = normalize(raw)
    if not number:
        raise DomainError("身份证号为空", "id_number")
    if len(number) == 15 and number.isdigit():
        raise DomainError("这是15位旧身份证号，请填写18位号码", "id_number")
    if len(number) != 18:
        raise DomainError(f"身份证号应为18位，现为{len(number)}位", "id_number")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise DomainError("身份证号前17位须为数字，最后一位为数字或X", "id_number")
    province = PROVINCE_CODES.get(number[:2])
    if province is None:
        raise DomainError(f"身份证号地区码“{number[:6]}”不存在", "id_number")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(f"身份证号中的出生日期“{number[6:14]}”不是真实日期", "id_number") from None
    if birth < EARLIEST_BIRTH or birth > (today or date.today()):
        raise DomainError(f"身份证号中的出生日期“{birth.isoformat()}”不合理", "id_number")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise DomainError(f"身份证号校验位错误：最后一位应为“{expected}”", "id_number")
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=birth, sex=sex, province=province)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except DomainError:
        return False
    return True


def make(region: str, birth: date, sequence: int) -> str:
    """Build a valid number from a 6-digit region code, a birth date and a 3-digit sequence
    (odd for men, even for women). Used by the demo generator and tests."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def mask(number: str, keep_head: int = 6, keep_tail: int = 4) -> str:
    """Hide the middle of an identity number for public notices."""
    if len(number) <= keep_head + keep_tail:
        return number
    return number[:keep_head] + "*" * (len(number) - keep_head - keep_tail) + number[-keep_tail:]
