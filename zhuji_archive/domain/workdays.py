"""Working days on the PRC public-holiday calendar, make-up working days included.

The `chinesecalendar` package knows the State Council's announced years; for a year it does not
know yet, a local override table (entered by the township) decides, and plain weekends otherwise.

Counting is O(1): a cumulative table of working days over the years the package or the override
table knows is built once per override table (the request lists count working days for every open
request, tens of thousands at county scale); outside those years the plain Monday-to-Friday rule
is counted in closed form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _official


def _weekdays_through(ordinal: int) -> int:
    """Mondays to Fridays among the days with ordinals 1 … ``ordinal`` (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


@lru_cache(maxsize=1)
def _package_years() -> tuple[int, int]:
    """The years the installed package has data for (it refuses every date outside them)."""
    years = [d.year for d in _official.holidays]
    return min(years), max(years)


@dataclass(frozen=True)
class _Table:
    """Working-day flags and the running count, over the days ``first`` … ``first + len(flags) - 1``.

    ``shift[i]`` is (working days) − (weekdays) among the days before index ``i``; outside the table
    every day follows the weekday rule, so the shift is 0 before it and ``shift[-1]`` after it."""

    first: int  # ordinal of the first day in the table
    flags: bytes
    shift: tuple[int, ...]

    def is_workday(self, ordinal: int) -> bool | None:
        index = ordinal - self.first
        if 0 <= index < len(self.flags):
            return bool(self.flags[index])
        return None

    def through(self, ordinal: int) -> int:
        """Working days among the days with ordinals 1 … ``ordinal``."""
        index = ordinal - self.first + 1
        index = 0 if index < 0 else min(index, len(self.flags))
        return _weekdays_through(ordinal) + self.shift[index]


@lru_cache(maxsize=16)
def _table(overrides: frozenset[tuple[date, bool]]) -> _Table:
    """The table for one override table; cached so a calendar change builds it once."""
    low, high = _package_years()
    first, last = date(low, 1, 1), date(high, 12, 31)
    if overrides:
        first = min(first, min(d for d, _ in overrides))
        last = max(last, max(d for d, _ in overrides))
    decided = dict(overrides)
    flags = bytearray()
    shift = [0]
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = date.fromordinal(ordinal)
        weekday = day.weekday() < 5
        if day in decided:
            working = decided[day]
        elif low <= day.year <= high:  # the package's own rule (chinese_calendar.is_workday)
            working = day in _official.workdays or (weekday and day not in _official.holidays)
        else:
            working = weekday
        flags.append(working)
        shift.append(shift[-1] + int(working) - int(weekday))
    return _Table(first.toordinal(), bytes(flags), tuple(shift))


@dataclass(frozen=True)
class WorkCalendar:
    """Decides working days. ``overrides`` maps a date to True (working day) or False (holiday)."""

    overrides: Mapping[date, bool] = field(default_factory=dict)

    @property
    def _days(self) -> _Table:
        cached: _Table | None = self.__dict__.get("_cached_table")
        if cached is None:
            cached = _table(frozenset(self.overrides.items()))
            object.__setattr__(self, "_cached_table", cached)  # frozen: a cache, not state
        return cached

    def is_workday(self, day: date) -> bool:
        known = self._days.is_workday(day.toordinal())
        return day.weekday() < 5 if known is None else known

    def knows_year(self, year: int) -> bool:
        """True when the official holidays of ``year`` are known (package or override table)."""
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
            return True
        except NotImplementedError:
            return any(d.year == year for d in self.overrides)

    def add_workdays(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (start itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        table = self._days
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            known = table.is_workday(current.toordinal())
            if (current.weekday() < 5) if known is None else known:
                remaining -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when end is earlier)."""
        table = self._days
        return table.through(end.toordinal()) - table.through(start.toordinal())
