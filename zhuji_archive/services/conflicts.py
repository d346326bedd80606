"""Stale saves: a window saving records someone else changed after it loaded them is refused, and
told who changed what and when (from the change log: operator, record kind, field names, never values)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.history import display
from zhuji_archive.storage.history_queries import changes_after


@dataclass(frozen=True)
class StaleRecord:
    """A record the caller changed although its version moved on from the caller's base version."""

    entity: str
    record_id: str
    base_version: int


class StaleSave(DomainError):
    """The save was refused because others changed the same records since they were loaded."""

    def __init__(self, message: str, records: list[StaleRecord]) -> None:
        super().__init__(message)
        self.records = records


def snapshot(values: Mapping[str, Any]) -> dict[str, str]:
    """Field values as compared (and logged): so "unchanged" means what the history would show."""
    return {name: display(value) for name, value in values.items()}


def changed_fields(base: Mapping[str, str] | None, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that differ from ``base``; everything when there is no base (a file not loaded)."""
    if base is None:
        return dict(values)
    return {name: value for name, value in values.items() if display(value) != base.get(name)}


def _local(at: datetime) -> str:
    return at.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def stale_message(session: Session, what: str, stale: Iterable[StaleRecord]) -> str:
    """A Chinese account of the changes made since each stale record's base version."""
    stale = list(stale)
    lines: dict[tuple[str, str, str], list[str]] = {}
    for record in stale:
        for entry in changes_after(session, record.record_id, record.base_version):
            key = (_local(entry.at), entry.operator, entry.entity)
            fields = lines.setdefault(key, [])
            label = entry.field or {"删除": "删除", "新增": "新增"}.get(entry.action, entry.action)
            if label not in fields:
                fields.append(label)
    if lines:
        details = "\n".join(
            f"· {at} {operator} 修改了{entity}：{'、'.join(fields)}"
            for (at, operator, entity), fields in sorted(lines.items())
        )
    else:
        details = "· " + "、".join(sorted({r.entity for r in stale})) + "已被修改（未留下修改记录）"
    return f"{what}在您打开之后已被他人修改，您的修改没有保存：\n{details}"
