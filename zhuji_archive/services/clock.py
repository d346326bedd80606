"""The archive's one "today": every service asks it instead of the system date, so a test (or a demo)
can set the day once for the whole archive."""

from __future__ import annotations

from datetime import date


class Clock:
    """Gives "today": the system date, or a fixed day once one is set."""

    def __init__(self, fixed: date | None = None) -> None:
        self.fixed = fixed

    def today(self) -> date:
        return self.fixed or date.today()

    def set(self, day: date | None) -> None:
        """Fix "today" to ``day`` (None: follow the system date again)."""
        self.fixed = day
