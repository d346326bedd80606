"""Change history: record each changed field with who and when, and read it back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.storage.models import ChangeLog
from zhuji_archive.views.history import ChangeEntry


def display(value: Any) -> str:
    """A field value as text in the history (dates ISO, booleans 是/否, lists joined)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Exact, not "%g": the history must show 1234567 (not 1.23457e+06), and diff() compares
        # these texts, so a rounded form would silently drop a change such as 1000000 -> 1000001.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


class ChangeRecorder:
    """Collects change rows for one transaction, all stamped with the same account."""

    def __init__(self, session: Session, operator: str | Actor) -> None:
        self.session = session
        if isinstance(operator, Actor):
            self.operator, self.account_id = operator.display_name, operator.account_id
        else:
            self.operator, self.account_id = operator, None

    def log(
        self,
        action: str,
        entity: str,
        record_id: str,
        *,
        household_id: str | None = None,
        village_id: str | None = None,
        field: str = "",
        old: Any = None,
        new: Any = None,
        note: str = "",
    ) -> None:
        self.session.add(
            ChangeLog(
                operator=self.operator,
                account_id=self.account_id,
                action=action,
                entity=entity,
                record_id=record_id,
                household_id=household_id,
                village_id=village_id,
                field=field,
                old_value=display(old),
                new_value=display(new),
                note=note,
            )
        )

    def diff(
        self,
        entity: str,
        record: object,
        values: Mapping[str, Any],
        labels: Mapping[str, str],
        *,
        household_id: str | None = None,
        village_id: str | None = None,
        creating: bool = False,
    ) -> int:
        """Set ``values`` on ``record`` and log every field whose value changed; return how many."""
        changed = 0
        for name, new in values.items():
            old = None if creating else getattr(record, name)
            if not creating and display(old) == display(new):
                continue
            setattr(record, name, new)
            if creating and display(new) == "":
                continue
            changed += 1
            self.log(
                "新增" if creating else "修改",
                entity,
                record.id,  # type: ignore[attr-defined]
                household_id=household_id,
                village_id=village_id,
                field=labels.get(name, name),
                old=old,
                new=new,
            )
        return changed


def entries(
    session: Session, *, household_id: str | None = None, village_id: str | None = None, limit: int = 2000
) -> list[ChangeEntry]:
    """The newest ``limit`` history lines of a household or a village, newest first."""
    query = select(ChangeLog)
    if household_id is not None:
        query = query.where(ChangeLog.household_id == household_id)
    if village_id is not None:
        query = query.where(ChangeLog.village_id == village_id)
    rows: Iterable[ChangeLog] = session.scalars(query.order_by(ChangeLog.at.desc()).limit(limit))
    return [
        ChangeEntry(r.at, r.operator, r.action, r.entity, r.field, r.old_value, r.new_value, r.note)
        for r in rows
    ]
