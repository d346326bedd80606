"""Rules for reading the household ledgers (台账/花名册) villages keep in Excel: header synonyms,
header-row detection, cleaning of ID numbers, dates, phones and code values (rows are grouped into
households in ledger_rows). Pure Python: cell values in, clean values or Chinese DomainErrors out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from zhuji_archive.domain import idcard
from zhuji_archive.domain.codes import SEXES
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.household import normalize_phone

HEADER_SCAN_ROWS = 10
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 with Excel's phantom 1900-02-29 skipped from 61 on
EXCEL_SIGNIFICANT_DIGITS = 15

# Mapping targets that are not fields of a record.
NOTES = "notes_extra"  # keep the value in the member's notes as "表头：值"
IGNORE = "ignore"
# Columns our own error workbook adds: ignored when the corrected file is imported again.
ERROR_COLUMN = "错误原因"
SOURCE_COLUMN = "原表位置"


@dataclass(frozen=True)
class LedgerField:
    """A column the import understands: its key, canonical header, level and header synonyms."""

    key: str
    title: str
    level: str  # "member", "household" or "key" (groups rows into households)
    synonyms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # fallback: a header containing one of these (checked last)
    example: str = ""


FIELDS: tuple[LedgerField, ...] = (
    LedgerField(
        "household_no", "户号", "key", ("户号", "户编号", "户序号", "户代码", "家庭编号", "户籍编号"), (), "1"
    ),
    LedgerField("serial", "序号", "key", ("序号", "编号", "序列号", "No", "No."), ()),
    LedgerField("head_name", "户主姓名", "key", ("户主姓名", "户主", "户主名字"), ()),
    LedgerField(
        "name",
        "姓名",
        "member",
        ("姓名", "成员姓名", "家庭成员姓名", "家庭成员", "名字"),
        ("姓名",),
        "张建国",
    ),
    LedgerField(
        "relation",
        "与户主关系",
        "member",
        ("与户主关系", "与户主的关系", "关系", "家庭关系", "称谓"),
        ("关系",),
        "户主",
    ),
    LedgerField("sex", "性别", "member", ("性别",), (), "男"),
    LedgerField(
        "id_number",
        "身份证号",
        "member",
        ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码", "身份证件号码"),
        ("身份证", "身份号码"),
        "330681196503120017",
    ),
    LedgerField(
        "birth_date",
        "出生日期",
        "member",
        ("出生日期", "出生年月", "出生年月日", "生日", "出生时间"),
        ("出生",),
        "1965-03-12",
    ),
    LedgerField("education", "文化程度", "member", ("文化程度", "学历", "文化"), ("文化", "学历"), "初中"),
    LedgerField("political_status", "政治面貌", "member", ("政治面貌", "政治面目"), ("政治",), "群众"),
    LedgerField(
        "health", "健康状况", "member", ("健康状况", "身体状况", "健康情况", "健康"), ("健康",), "健康"
    ),
    LedgerField("disability_grade", "残疾等级", "member", ("残疾等级", "残疾级别"), ("残疾",), ""),
    LedgerField(
        "phone",
        "联系电话",
        "member",
        ("联系电话", "手机号", "手机号码", "电话", "电话号码", "联系方式", "手机"),
        ("电话", "手机"),
        "13812345678",
    ),
    LedgerField(
        "migrant_worker", "是否外出务工", "member", ("是否外出务工", "外出务工", "是否外出", "外出"), (), "否"
    ),
    LedgerField(
        "migrant_place",
        "务工地点",
        "member",
        ("务工地点", "外出务工地点", "务工地", "打工地点", "外出地点"),
        ("务工地",),
        "",
    ),
    LedgerField("notes", "备注", "member", ("备注", "说明"), ("备注",), ""),
    LedgerField(
        "address",
        "家庭住址",
        "household",
        ("家庭住址", "住址", "地址", "现住址", "家庭地址", "居住地址"),
        ("住址", "地址"),
        "杜黄村3号",
    ),
    LedgerField(
        "economic_types",
        "经济类型",  # the archive's word; ledgers' own words are synonyms that map to it
        "household",
        ("经济类型", "家庭经济类型", "户类别", "户类型", "家庭类型", "户别"),
        ("户类", "经济类"),
        "种植户",
    ),
    LedgerField(
        "focus_tags",
        "重点关注",
        "household",
        ("重点关注", "重点户类别", "特殊户", "特殊户类别", "重点人群"),
        ("重点",),
        "",
    ),
    LedgerField(
        "land_mu",
        "承包土地(亩)",
        "household",
        (
            "承包土地(亩)",
            "承包地面积",
            "承包地(亩)",
            "承包土地面积",
            "承包土地",
            "承包地",
            "土地面积(亩)",
            "承包面积",
        ),
        ("承包",),
        "2.5",
    ),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}
MEMBER_FIELDS = tuple(f.key for f in FIELDS if f.level == "member")
HOUSEHOLD_FIELDS = tuple(f.key for f in FIELDS if f.level == "household")
TEMPLATE_FIELDS = tuple(f.key for f in FIELDS if f.key not in ("serial", "head_name"))
# Code-list backed fields (the code kind of domain/codes.py) and whether several values are allowed.
CODE_FIELDS: dict[str, tuple[str, bool]] = {
    "relation": ("relation", False),
    "education": ("education", False),
    "political_status": ("political_status", False),
    "health": ("health", False),
    "economic_types": ("economic_type", True),
    "focus_tags": ("focus_tag", True),
}

# Spelling variants seen in ledgers -> the value of our code list.
ALIASES: dict[str, dict[str, str]] = {
    "relation": {
        "本人": "户主",
        "户主本人": "户主",
        "妻": "配偶",
        "妻子": "配偶",
        "夫": "配偶",
        "丈夫": "配偶",
        "之妻": "配偶",
        "之夫": "配偶",
        "儿子": "子",
        "长子": "子",
        "次子": "子",
        "三子": "子",
        "之子": "子",
        "女儿": "女",
        "长女": "女",
        "次女": "女",
        "三女": "女",
        "之女": "女",
        "媳": "儿媳",
        "媳妇": "儿媳",
        "孙": "孙子",
        "父": "父亲",
        "母": "母亲",
        "兄": "兄弟姐妹",
        "弟": "兄弟姐妹",
        "姐": "兄弟姐妹",
        "妹": "兄弟姐妹",
    },
    "education": {
        "文盲": "文盲或半文盲",
        "半文盲": "文盲或半文盲",
        "大学本科": "本科",
        "大学": "本科",
        "大学专科": "大专",
        "专科": "大专",
        "高职": "大专",
        "研究生及以上": "研究生",
        "硕士": "研究生",
        "博士": "研究生",
        "初小": "小学",
        "高小": "小学",
        "职高": "中专",
        "技校": "中专",
    },
    "political_status": {
        "党员": "中共党员",
        "共产党员": "中共党员",
        "预备党员": "中共预备党员",
        "团员": "共青团员",
        "共青团": "共青团员",
        "普通群众": "群众",
    },
    "health": {"良好": "健康", "残": "残疾", "残疾人": "残疾"},
    "economic_type": {},
    "focus_tag": {"低保": "低保户", "五保": "五保户", "特困": "特困户"},
}
_SEX_ALIASES = {"男": "男", "女": "女", "男性": "男", "女性": "女"}
_TRUE = {"是", "有", "√", "✓", "Y", "YES", "1", "外出", "外出务工", "务工"}
_FALSE = {"否", "无", "×", "N", "NO", "0", "在家", "不"}
_SPLIT = re.compile(r"[、,，;；/／\s]+")
_PAREN = re.compile(r"[(（][^)）]*[)）]")


def clean_text(value: object) -> str:
    """A cell value as trimmed text: full-width folded, inner runs of spaces kept single."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s*※:：]", "", text)


_SYNONYMS: dict[str, str] = {}
for _f in FIELDS:
    for _s in (_f.title, *_f.synonyms):
        _SYNONYMS.setdefault(_header_key(_s), _f.key)


def match_header(text: str) -> str | None:
    """The field a header names: by synonym, then without its bracketed note, then by keyword."""
    key = _header_key(text)
    if not key:
        return None
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    bare = _PAREN.sub("", key)
    if bare in _SYNONYMS:
        return _SYNONYMS[bare]
    if len(bare) > 12:  # a title or a sentence, not a header
        return None
    for f in FIELDS:
        if any(word in bare for word in f.keywords):
            return f.key
    return None


@dataclass(frozen=True)
class HeaderGuess:
    """Where the header is (0-based row indexes; two when a merged group header sits above) and
    each column's header text and field."""

    rows: tuple[int, ...]
    headers: tuple[str, ...]
    fields: tuple[str, ...]  # a field key, NOTES or IGNORE per column

    @property
    def data_start(self) -> int:
        return self.rows[-1] + 1


def _row_score(row: Sequence[object]) -> int:
    return len({match_header(clean_text(v)) for v in row} - {None})


def detect_header(rows: Sequence[Sequence[object]]) -> HeaderGuess | None:
    """Find the header among the first ten rows: the row naming the most known fields. A row
    right below it that names more fields in the columns it leaves blank or unknown (a two-level
    header under merged cells such as “家庭成员情况”) is merged into it."""
    scan = [list(r) for r in rows[:HEADER_SCAN_ROWS]]
    if not scan:
        return None
    scores = [_row_score(r) for r in scan]
    best = max(range(len(scan)), key=lambda i: (scores[i], -i))
    if scores[best] < 2:
        return None
    width = max(len(r) for r in scan)
    top = [clean_text(v) for v in scan[best]] + [""] * (width - len(scan[best]))
    headers = list(top)
    used_rows = [best]
    if best > 0:
        above = [clean_text(v) for v in scan[best - 1]] + [""] * (width - len(scan[best - 1]))
        gained = [i for i, text in enumerate(above) if match_header(text) and not top[i]]
        if gained:
            used_rows.insert(0, best - 1)
            headers = [above[i] if i in gained else top[i] for i in range(width)]
            return HeaderGuess(tuple(used_rows), tuple(headers), tuple(map_columns(headers)))
    if best + 1 < len(scan):
        below = [clean_text(v) for v in scan[best + 1]] + [""] * (width - len(scan[best + 1]))
        gained = [i for i, text in enumerate(below) if match_header(text) and not match_header(top[i])]
        if len(gained) >= 2:
            used_rows.append(best + 1)
            headers = [below[i] if (below[i] and not match_header(top[i])) else top[i] for i in range(width)]
    fields = map_columns(headers)
    return HeaderGuess(tuple(used_rows), tuple(headers), tuple(fields))


def map_columns(headers: Sequence[str]) -> list[str]:
    """The field of each column; the first column naming a field wins, later ones keep their
    text in the notes. A 户主姓名 column is the member's name when there is no other name column."""
    fields: list[str] = []
    taken: set[str] = set()
    for text in headers:
        if text in (ERROR_COLUMN, SOURCE_COLUMN):
            fields.append(IGNORE)
            continue
        key = match_header(text)
        if key is None or key in taken:
            fields.append(NOTES if text else IGNORE)
            continue
        taken.add(key)
        fields.append(key)
    if "head_name" in taken and "name" not in taken:
        fields[fields.index("head_name")] = "name"
    return fields


# ---- cell values ----------------------------------------------------------------------------


def excel_display(number: float) -> str:
    """How Excel shows a long number in a General cell: 3.30681E+17."""
    return f"{number:.5E}".replace("E+0", "E+")


def clean_id_number(value: object) -> str:
    """An ID number cell as 18 characters with a capital X; "" when blank. Raises DomainError when
    it is not valid. Never repairs a number whose digits Excel has already lost."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, bool):
        raise DomainError("身份证号格式不对", "id_number")
    if isinstance(value, int | float):
        return _numeric_id(value)
    text = idcard.normalize(str(value)).strip("'‘’\"“”`")
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text):
        raise DomainError(
            f"身份证号是科学计数法“{text}”：Excel已把它当成数字，只留下15位有效数字，后几位已丢失，"
            "无法还原。请把该列设为“文本”格式，按户口簿重新填写",
            "id_number",
        )
    if re.fullmatch(r"\d+\.0+", text):
        return _numeric_id(int(text.split(".")[0]))
    if len(text) == 15 and text.isdigit():
        raise DomainError(_old_id_message(text), "id_number")
    return idcard.parse(text).number


def _numeric_id(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise DomainError(f"身份证号“{value}”不是整数号码", "id_number")
    number = int(value)
    digits = len(str(abs(number)))
    if digits == 15:
        raise DomainError(_old_id_message(str(number)), "id_number")
    if digits > EXCEL_SIGNIFICANT_DIGITS:
        raise DomainError(
            f"身份证号被存成了数字（显示为{excel_display(float(number))}）：Excel只保留15位有效数字，"
            "后几位已丢失，无法还原。请把该列设为“文本”格式，按户口簿重新填写",
            "id_number",
        )
    raise DomainError(f"身份证号应为18位，现为{digits}位", "id_number")


def _old_id_message(old: str) -> str:
    first17 = f"{old[:6]}19{old[6:]}"
    upgraded = first17 + idcard.check_character(first17)
    return f"这是15位旧身份证号，请核对户口簿后填写18位号码（按升位规则应为{upgraded}）"


@dataclass(frozen=True)
class LedgerDate:
    """A date read from a cell; ``precision`` "day" or "month" (then the day is the 1st)."""

    value: date
    precision: str = "day"

    def same_as(self, other: date) -> bool:
        if self.precision == "month":
            return (self.value.year, self.value.month) == (other.year, other.month)
        return self.value == other


_YMD = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:[.\-/月]\s*(?:(\d{1,2})\s*[日号]?)?)?")


def parse_date(value: object, today: date, *, two_decimals: bool = False) -> LedgerDate | None:
    """A date cell in any of the forms ledgers use: a real date, "1965.03", "1965年3月",
    "1965-03-12", "19650312" or an Excel serial number. None when blank; DomainError otherwise.

    A number such as 1965.1 is either January or (typed "1965.10") October; ``two_decimals`` says
    the cell's number format shows two decimals, which settles it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _checked(LedgerDate(value.date()), today, str(value.date()))
    if isinstance(value, date):
        return _checked(LedgerDate(value), today, value.isoformat())
    if isinstance(value, bool):
        raise DomainError("日期格式不对", "birth_date")
    if isinstance(value, int | float):
        return _checked(_numeric_date(value, two_decimals), today, clean_text(value))
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if re.fullmatch(r"\d{8}", text):
        return _checked(_ymd(text, int(text[:4]), int(text[4:6]), int(text[6:])), today, text)
    if re.fullmatch(r"\d{6}", text):
        return _checked(_ymd(text, int(text[:4]), int(text[4:]), None), today, text)
    if re.fullmatch(r"\d+(\.0+)?", text) and 1000 < float(text) < 80000:
        return _checked(_numeric_date(float(text), False), today, text)
    m = _YMD.fullmatch(text)
    if m is None:
        raise DomainError(f"日期“{text}”看不懂：请写成 1965-03-12、1965.03 或 1965年3月", "birth_date")
    day = int(m.group(3)) if m.group(3) else None
    return _checked(_ymd(text, int(m.group(1)), int(m.group(2)), day), today, text)


def _numeric_date(value: float, two_decimals: bool) -> LedgerDate:
    shown = clean_text(value)
    if 1800 <= value < 2200 and not float(value).is_integer():
        # Year.month typed as a number: 1965.03 -> 1965.03, 1965.1 -> "1965.1" or "1965.10".
        decimals = f"{value:.2f}".split(".")[1]
        year = int(value)
        if decimals.endswith("0") and not two_decimals:
            if decimals == "10":
                raise DomainError(
                    f"出生年月“{shown}”无法确定是1月还是10月（Excel把“{year}.10”存成了{shown}）："
                    f"请写成文本“{year}.01”或“{year}.10”",
                    "birth_date",
                )
            month = int(decimals[0])
        else:
            month = int(decimals)
        return _ymd(shown, year, month, None)
    if float(value).is_integer():
        number = int(value)
        if 1800 <= number < 2200:
            raise DomainError(f"出生日期“{number}”只有年份，请补上月份（如 {number}.03）", "birth_date")
        if 18000101 <= number <= 22001231:
            text = str(number)
            return _ymd(text, int(text[:4]), int(text[4:6]), int(text[6:]))
        if 180001 <= number <= 220012:
            text = str(number)
            return _ymd(text, int(text[:4]), int(text[4:]), None)
    if 61 <= value < 80000:
        return LedgerDate(EXCEL_EPOCH + timedelta(days=int(value)))
    raise DomainError(f"日期“{shown}”看不懂：请写成 1965-03-12、1965.03 或 1965年3月", "birth_date")


def _ymd(shown: str, year: int, month: int, day: int | None) -> LedgerDate:
    try:
        return LedgerDate(date(year, month, day or 1), "day" if day else "month")
    except ValueError:
        raise DomainError(
            f"日期“{shown}”不存在（{year}年{month}月{'' if day is None else f'{day}日'}）", "birth_date"
        ) from None


def _checked(parsed: LedgerDate, today: date, shown: str) -> LedgerDate:
    if parsed.value < idcard.EARLIEST_BIRTH or parsed.value > today:
        raise DomainError(f"出生日期“{shown}”不合理（早于1890年或晚于今天）", "birth_date")
    return parsed


def clean_phone(value: object) -> tuple[str, str]:
    """A phone cell as (number, rest): the first number, normalised; further numbers are
    returned as text for the notes. Raises DomainError when the first is not a phone number."""
    text = clean_text(value)
    if not text:
        return "", ""
    parts = [p for p in re.split(r"[,，;；、/／]|\s{1,}(?=1\d{10})", text) if p.strip()]
    first = (
        re.sub(r"[\s\-]", "", parts[0]) if re.fullmatch(r"1[\d\s\-]{10,14}", parts[0].strip()) else parts[0]
    )
    return normalize_phone(first), "、".join(p.strip() for p in parts[1:])


def clean_sex(value: object) -> str:
    text = clean_text(value)
    if not text:
        return ""
    sex = _SEX_ALIASES.get(text)
    if sex is None or sex not in SEXES:
        raise DomainError(f"性别“{text}”无效：应为“男”或“女”", "sex")
    return sex


def clean_bool(value: object) -> bool | None:
    """是/否 style cells; None when blank; DomainError when neither."""
    text = clean_text(value).upper()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DomainError(f"“{text}”应填“是”或“否”", "migrant_worker")


def clean_amount(value: object, title: str) -> float | None:
    """A non-negative number such as 2.5 or "2.5亩"; None when blank."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = clean_text(value).replace("亩", "").replace("元", "").replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise DomainError(f"{title}“{clean_text(value)}”不是数字", "land_mu") from None
    if number < 0:
        raise DomainError(f"{title}不能为负数", "land_mu")
    return number


def code_value(kind: str, value: object) -> str:
    """A code-list cell folded to our spelling (长子 -> 子, 党员 -> 中共党员); "" when blank."""
    text = clean_text(value).replace(" ", "")
    return ALIASES.get(kind, {}).get(text, text)


def code_values(kind: str, value: object) -> list[str]:
    """A multi-valued code cell ("低保户、残疾人户") as its values, folded, without repeats."""
    seen: list[str] = []
    for part in _SPLIT.split(clean_text(value)):
        label = code_value(kind, part)
        if label and label not in seen:
            seen.append(label)
    return seen
