"""The change log's tamper-evident chain, without a database: canonical form, HMAC, verification walk.

Every change-log entry carries ``seq`` (1, 2, 3 … with no gaps) and ``chain``: the hex HMAC-SHA256,
keyed with a random secret kept inside the encrypted archive, of the previous entry's chain and this
entry's canonical form. Changing, deleting, reordering or inserting an entry breaks the chain at that
entry; forging a new chain needs the secret. The walk names the first broken entry by its number
and time only (never its content, which may be personal data)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The fields an entry's chain covers, in this order (with its seq in front).
FIELDS = (
    "at",
    "operator",
    "account_id",
    "action",
    "entity",
    "record_id",
    "household_id",
    "village_id",
    "field",
    "old_value",
    "new_value",
    "note",
    "version",
)
TEXT_FIELDS = ("operator", "action", "entity", "field", "old_value", "new_value", "note")
GENESIS = ""  # the "previous chain" of entry 1


def normal_time(value: datetime) -> datetime:
    """The timestamp as stored: naive UTC (an aware one is converted, as SQLite would drop its zone)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def as_time(value: Any) -> datetime | None:
    """A stored timestamp (datetime, or SQLite's text read raw) as a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _time_text(value: Any) -> str | None:
    """The timestamp as SQLite stores it ("2026-11-30 06:12:28.123456"), from a datetime or that text."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value  # already in the stored form: the common case of a walk, read raw
        value = datetime.fromisoformat(value)
    return normal_time(value).isoformat(sep=" ", timespec="microseconds")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def canonical(seq: int, values: Mapping[str, Any]) -> bytes:
    """One entry as bytes: a compact JSON array of its seq and FIELDS (None and "" stay distinct for
    ids; texts None and "" are the same, as the INSERT's defaults make them)."""
    get = values.get
    version = get("version")
    items = [
        int(seq),
        _time_text(get("at")),
        get("operator") or "",
        get("account_id"),
        get("action") or "",
        get("entity") or "",
        get("record_id"),
        get("household_id"),
        get("village_id"),
        get("field") or "",
        get("old_value") or "",
        get("new_value") or "",
        get("note") or "",
        None if version is None else int(version),
    ]
    return _ENCODE(items).encode("utf-8")


def link(secret: bytes, previous: str, seq: int, values: Mapping[str, Any]) -> str:
    """The chain value of entry ``seq`` following the entry whose chain is ``previous``."""
    message = previous.encode("ascii") + b"\n" + canonical(seq, values)
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first entry where the chain does not hold: its number, its time (if it exists), and why."""

    seq: int
    at: datetime | None
    reason: str

    def describe(self) -> str:
        when = f"（时间 {self.at:%Y-%m-%d %H:%M:%S} UTC）" if self.at is not None else ""
        return f"操作日志第 {self.seq} 条{when}：{self.reason}"


@dataclass(frozen=True)
class Walk:
    """The result of walking the chain: how many entries held, where it ended, and the first break."""

    count: int
    last_seq: int
    last_chain: str
    broken: Break | None


def walk(
    secret: bytes,
    entries: Iterable[Sequence[Any]],
    *,
    start_seq: int = 0,
    start_chain: str = GENESIS,
) -> Walk:
    """Check entries given in seq order as (seq, chain, *FIELDS) rows, continuing after entry
    ``start_seq`` whose chain was ``start_chain``; stop at the first broken one."""
    expected, previous, count = start_seq + 1, start_chain, 0
    for row in entries:
        seq, chain = int(row[0]), row[1]
        values = dict(zip(FIELDS, row[2:], strict=True))
        if seq != expected:
            reason = "此前的记录缺失（被删除）" if seq > expected else "序号重复或顺序被改动"
            return Walk(count, expected - 1, previous, Break(expected, as_time(values["at"]), reason))
        actual = link(secret, previous, seq, values)
        if chain is None or not hmac.compare_digest(actual, str(chain)):
            reason = "内容或顺序与校验值不符（被修改、调换或伪造）"
            return Walk(count, expected - 1, previous, Break(seq, as_time(values["at"]), reason))
        previous, expected, count = actual, expected + 1, count + 1
    return Walk(count, expected - 1, previous, None)


def check_head(result: Walk, head_seq: int, head_chain: str, last_at: datetime | None) -> Break | None:
    """The chain's head (kept with the log) must end where the walk ended: entries removed from the
    end, or entries appended without updating the head, show here."""
    if result.broken is not None:
        return result.broken
    if head_seq > result.last_seq:
        return Break(result.last_seq + 1, None, f"日志末尾的记录缺失（应有 {head_seq} 条）")
    if not hmac.compare_digest(head_chain or GENESIS, result.last_chain):
        return Break(head_seq, last_at, "与日志链尾的校验值不符")
    return None
