"""Read-model of the change history: one line as the history pages and printouts show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ChangeEntry:
    """One line of a change history, ready to show."""

    at: datetime
    operator: str
    action: str
    entity: str
    field: str
    old_value: str
    new_value: str
    note: str
