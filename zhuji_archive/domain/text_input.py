"""Text as people type or paste it, made fit to store: Unicode NFC, spaces (also the full-width
space) trimmed at both ends, control characters refused, and a maximum length per field.

The field declaration below is the one place that says how long each text may be and what the field
is called in a message; the database columns (String(n)) and the forms' maxLength agree with it
(a test compares them). The GUI, the command line and the import all save through services, and
the services call :func:`clean_record` for households, members, incomes, assistance, visits, requests,
village information and cadres."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from zhuji_archive.domain.errors import DomainError

TRIMMED = " \t\r\n\u3000\u00a0"  # the full-width space is what Chinese input methods type
MULTILINE_KEEP = "\n\t"


@dataclass(frozen=True)
class TextField:
    """A text field: its Chinese title, maximum length in characters, and whether it may hold lines."""

    title: str
    max_length: int
    multiline: bool = False


def _line(title: str, n: int) -> TextField:
    return TextField(title, n)


def _lines(title: str, n: int) -> TextField:
    return TextField(title, n, multiline=True)


NOTES = 500
LONG = 2000

FIELDS: dict[str, dict[str, TextField]] = {
    "household": {
        "address": _line("住址", 80),
        "phone": _line("联系电话", 20),
        "status_note": _lines("状态说明", NOTES),
        "notes": _lines("备注", NOTES),
    },
    "member": {
        "name": _line("姓名", 20),
        "relation": _line("与户主关系", 10),
        "sex": _line("性别", 2),
        "id_number": _line("身份证号", 24),  # the form allows spaces typed between digit groups
        "education": _line("文化程度", 20),
        "political_status": _line("政治面貌", 20),
        "health": _line("健康状况", 10),
        "disability_grade": _line("残疾等级", 4),
        "phone": _line("联系电话", 20),
        "migrant_place": _line("务工地点", 60),
        "notes": _lines("备注", NOTES),
    },
    "income": {
        "kind": _line("收入来源", 10),
        "description": _line("说明", 120),
        "scale": _line("规模", 60),
    },
    "assistance": {
        "provider": _line("帮扶单位", 60),
        "provider_type": _line("帮扶单位类型", 10),
        "kind": _line("帮扶类型", 20),
        "content": _lines("帮扶内容", LONG),
    },
    "visit": {
        "kind": _line("走访类型", 10),
        "cadres": _line("走访干部", 120),
        "notes": _lines("走访情况", LONG),
        "policies": _lines("宣传政策", LONG),
    },
    "request": {
        "category": _line("诉求类别", 20),
        "description": _lines("诉求内容", LONG),
        "resolution": _lines("解决情况", LONG),
    },
    "town": {"name": _line("镇名", 40), "county": _line("县（市、区）", 40)},
    "area": {"name": _line("片区名称", 40)},
    "group": {"name": _line("村民小组名称", 40)},
    "village": {
        "name": _line("村名", 40),
        "main_industries": _lines("主要产业", NOTES),
        "notes": _lines("备注", LONG),
    },
    "leader": {"name": _line("姓名", 20), "post": _line("职务", 40), "phone": _line("联系电话", 20)},
    "party_member": {
        "name": _line("姓名", 20),
        "sex": _line("性别", 2),
        "phone": _line("联系电话", 20),
        "party_group": _line("所在党小组", 40),
        "notes": _lines("备注", NOTES),
    },
    "rep": {"name": _line("姓名", 20), "phone": _line("联系电话", 20), "notes": _lines("备注", NOTES)},
    "event": {"category": _line("类别", 10), "title": _line("标题", 80), "content": _lines("内容", LONG)},
    "enterprise": {
        "name": _line("企业名称", 60),
        "legal_person": _line("法定代表人", 20),
        "phone": _line("联系电话", 20),
        "industry": _line("行业", 40),
        "address": _line("地址", 80),
    },
    "cadre": {
        "name": _line("姓名", 20),
        "unit": _line("单位", 40),
        "post": _line("职务", 40),
        "phone": _line("联系电话", 20),
    },
    # What the request workflow's actions carry (domain/workflow.py).
    "classification": {"category": _line("诉求类别", 20)},
    "assignment": {"unit": _line("责任单位", 60), "person": _line("责任人", 20), "note": _lines("交办说明", LONG)},
    "supervision": {"body": _line("督办单位", 60), "leader": _line("包案领导", 20)},
    "progress": {"content": _lines("跟踪记录", LONG)},
    "resolution": {
        "measures": _lines("解决措施", LONG),
        "method": _lines("解决方式", LONG),
        "result": _lines("解决结果", LONG),
    },
    "explanation": {"text": _lines("解释说明", LONG)},
    "feedback": {
        "responsible_person": _line("责任人", 20),
        "cadre": _line("驻村干部", 20),
        "village_cadre": _line("村干部", 20),
        "opinion": _lines("反馈意见", LONG),
    },
    "reopen": {"reason": _lines("重新办理原因", LONG)},
}


def max_length(kind: str, name: str) -> int:
    return FIELDS[kind][name].max_length


def _refused(ch: str, multiline: bool) -> bool:
    if multiline and ch in MULTILINE_KEEP:
        return False
    category = unicodedata.category(ch)
    # Cc: control characters (BEL, ESC, NUL …) break workbooks and printouts; Cs: lone surrogates
    # cannot be stored; U+FFFE/U+FFFF are not characters. Private-use characters stay: older
    # systems encode rare name characters there.
    return category in ("Cc", "Cs") or ch in "\ufffe\uffff"


def normalize(text: str, multiline: bool = False) -> str:
    """NFC, line ends as \\n, trimmed at both ends (ASCII and full-width spaces)."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return text.strip(TRIMMED)  # NFC cannot be applied to lone surrogates; check() refuses them
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip(TRIMMED)


def check_text(text: str, field: TextField, name: str = "") -> str:
    """The text normalised, or DomainError naming the field: control characters, too long."""
    value = normalize(text, field.multiline)
    if any(_refused(ch, field.multiline) for ch in value):
        raise DomainError(f"“{field.title}”中有不可见的控制字符，请删除后再保存", name or None)
    if len(value) > field.max_length:
        raise DomainError(
            f"“{field.title}”最多{field.max_length}个字，现有{len(value)}个字", name or None
        )
    return value


def clean_text(kind: str, name: str, text: str) -> str:
    """One declared field's value normalised and checked."""
    return check_text(text, FIELDS[kind][name], name)


def clean_record(kind: str, record: Any) -> list[DomainError]:
    """Normalise every declared text field of ``record`` in place (a dataclass or model object);
    return the problems, one per field, each naming its field."""
    problems = []
    for name, field in FIELDS[kind].items():
        value = getattr(record, name, None)
        if not isinstance(value, str):
            continue
        try:
            setattr(record, name, check_text(value, field, name))
        except DomainError as error:
            problems.append(error)
    return problems


def cleaned(payload: Any) -> Any:
    """A copy of a frozen workflow payload (Assignment, Feedback …) with its declared texts cleaned,
    nested payloads too; DomainError on the first text that cannot be stored. Others pass through."""
    if not is_dataclass(payload) or isinstance(payload, type):
        return payload
    kind = type(payload).__name__.lower()
    changes: dict[str, Any] = {}
    for item in fields(payload):
        value = getattr(payload, item.name)
        if isinstance(value, str) and item.name in FIELDS.get(kind, {}):
            changes[item.name] = clean_text(kind, item.name, value)
        elif is_dataclass(value):
            changes[item.name] = cleaned(value)
    return replace(payload, **changes) if changes else payload


def check_record(kind: str, record: Any) -> None:
    """clean_record, raising the first problem."""
    problems = clean_record(kind, record)
    if problems:
        raise problems[0]
