"""Working days on the PRC holiday calendar (make-up days included), local overrides, and the
deadline lights (正常 / 临期 黄灯 / 超期 红灯) at their exact boundaries.

The 2025 dates below are the State Council's published arrangement (国办发明电〔2024〕12号),
written out by hand: 春节 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked;
国庆节·中秋节 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuji_archive.domain.workdays import WorkCalendar
from zhuji_archive.domain.workflow import (
    Assignment,
    Level,
    RequestCase,
    Status,
    TimeStatus,
    default_deadline,
    time_status,
)

D = date.fromisoformat
SPRING_OFF = {D("2025-01-28") + timedelta(days=n) for n in range(8)}  # 01-28 .. 02-04
SPRING_MAKEUP = {D("2025-01-26"), D("2025-02-08")}
NATIONAL_OFF = {D("2025-10-01") + timedelta(days=n) for n in range(8)}  # 10-01 .. 10-08
NATIONAL_MAKEUP = {D("2025-09-28"), D("2025-10-11")}
# Windows in which those two holidays are the only departures from Monday-Friday.
WINDOWS = ((D("2025-01-15"), D("2025-02-20")), (D("2025-09-15"), D("2025-10-25")))

CAL = WorkCalendar()


def official_2025(day: date) -> bool:
    if day in SPRING_OFF or day in NATIONAL_OFF:
        return False
    if day in SPRING_MAKEUP or day in NATIONAL_MAKEUP:
        return True
    return day.weekday() < 5


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def test_the_holiday_sets_are_what_was_published() -> None:
    assert min(SPRING_OFF) == D("2025-01-28") and max(SPRING_OFF) == D("2025-02-04")
    assert [d.weekday() for d in sorted(SPRING_MAKEUP)] == [6, 5]  # Sunday, Saturday
    assert max(NATIONAL_OFF) == D("2025-10-08")
    assert [d.weekday() for d in sorted(NATIONAL_MAKEUP)] == [6, 5]


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_every_day_around_the_holidays(start: date, end: date) -> None:
    wrong = [d for d in days(start, end) if CAL.is_workday(d) != official_2025(d)]
    assert wrong == []


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Spring Festival
        ("2025-01-24", 1, "2025-01-26"),  # Friday + 1 = the make-up Sunday
        ("2025-01-24", 2, "2025-01-27"),
        ("2025-01-24", 3, "2025-02-05"),  # the whole holiday is skipped
        ("2025-01-27", 1, "2025-02-05"),
        ("2025-02-05", 3, "2025-02-08"),  # the make-up Saturday counts
        ("2025-02-05", 4, "2025-02-10"),
        ("2025-01-20", 10, "2025-02-08"),
        ("2025-01-30", 1, "2025-02-05"),  # starting inside the holiday
        # National Day
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-26", 3, "2025-09-30"),
        ("2025-09-26", 4, "2025-10-09"),
        ("2025-09-26", 6, "2025-10-11"),
        ("2025-09-26", 7, "2025-10-13"),
        ("2025-09-25", 10, "2025-10-15"),
        ("2025-09-26", 10, "2025-10-16"),
        ("2025-09-26", 20, "2025-10-30"),
        ("2025-10-03", 0, "2025-10-03"),  # zero days: the start itself, even on a holiday
    ],
)
def test_add_workdays_across_holidays(start: str, n: int, expected: str) -> None:
    assert CAL.add_workdays(D(start), n) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-01-24", "2025-02-10", 7),  # 01-26, 01-27, 02-05, 02-06, 02-07, 02-08, 02-10
        ("2025-01-27", "2025-02-04", 0),
        ("2025-01-27", "2025-02-05", 1),
        ("2025-09-30", "2025-10-09", 1),
        ("2025-09-26", "2025-10-08", 3),  # 09-28, 09-29, 09-30
        ("2025-09-26", "2025-10-13", 7),
        ("2025-10-13", "2025-09-26", -7),
        ("2025-10-05", "2025-10-05", 0),
    ],
)
def test_workdays_between_across_holidays(start: str, end: str, expected: int) -> None:
    assert CAL.workdays_between(D(start), D(end)) == expected


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_workdays(D("2025-09-26"), -1)


# ---- consistency (Hypothesis) ------------------------------------------------------------------
KNOWN = st.dates(date(2024, 5, 1), date(2026, 8, 1))  # chinese_calendar covers these, with room


def reference_between(start: date, end: date) -> int:
    """Working days in (start, end] by the package's own day list."""
    if end < start:
        return -reference_between(end, start)
    if end == start:
        return 0
    return len(chinese_calendar.get_workdays(start + timedelta(days=1), end))


@given(start=KNOWN, n=st.integers(0, 30))
@settings(max_examples=200, deadline=None)
def test_add_then_count_gives_back_n(start: date, n: int) -> None:
    end = CAL.add_workdays(start, n)
    assert CAL.workdays_between(start, end) == n
    assert reference_between(start, end) == n
    if n:
        assert CAL.is_workday(end)
        assert CAL.workdays_between(start, end - timedelta(days=1)) == n - 1  # the first such day


@given(a=KNOWN, ab=st.integers(-120, 120), bc=st.integers(-120, 120))
@settings(max_examples=150, deadline=None)
def test_counting_is_additive_and_antisymmetric(a: date, ab: int, bc: int) -> None:
    b = a + timedelta(days=ab)
    c = b + timedelta(days=bc)
    assert CAL.workdays_between(a, b) == reference_between(a, b)
    assert CAL.workdays_between(a, b) == -CAL.workdays_between(b, a)
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)


@given(start=KNOWN, m=st.integers(0, 20), n=st.integers(0, 20))
@settings(max_examples=100, deadline=None)
def test_adding_in_two_steps_equals_one(start: date, m: int, n: int) -> None:
    assert CAL.add_workdays(CAL.add_workdays(start, m), n) == CAL.add_workdays(start, m + n)


@given(
    overrides=st.dictionaries(st.dates(date(2025, 9, 1), date(2025, 11, 30)), st.booleans(), max_size=15),
    start=st.dates(date(2025, 9, 1), date(2025, 10, 31)),
    n=st.integers(0, 15),
)
@settings(max_examples=100, deadline=None)
def test_overrides_decide_where_given(overrides: dict[date, bool], start: date, n: int) -> None:
    cal = WorkCalendar(overrides)

    def reference(day: date) -> bool:
        return overrides.get(day, official_2025(day))

    end = cal.add_workdays(start, n)
    counted = sum(1 for d in days(start + timedelta(days=1), end) if reference(d))
    assert counted == n
    assert n == 0 or reference(end)
    assert cal.workdays_between(start, end) == n


# ---- the override table -------------------------------------------------------------------------
def test_a_year_the_package_does_not_know_uses_weekends_until_the_table_says_otherwise() -> None:
    with pytest.raises(NotImplementedError):  # the premise: chinesecalendar has no 2030 data
        chinese_calendar.is_workday(D("2030-06-03"))
    assert not CAL.knows_year(2030)
    assert CAL.is_workday(D("2030-06-03"))  # Monday
    assert not CAL.is_workday(D("2030-06-01"))  # Saturday
    assert CAL.add_workdays(D("2030-02-01"), 1) == D("2030-02-04")

    # A township-entered arrangement for 2030: Mon 02-04 .. Fri 02-08 off, Saturday 02-09 worked.
    table = {D("2030-02-04") + timedelta(days=n): False for n in range(5)} | {D("2030-02-09"): True}
    cal = WorkCalendar(table)
    assert cal.knows_year(2030)
    assert not cal.knows_year(2031)
    assert cal.add_workdays(D("2030-02-01"), 1) == D("2030-02-09")
    assert cal.add_workdays(D("2030-02-01"), 2) == D("2030-02-11")
    assert cal.workdays_between(D("2030-02-01"), D("2030-02-15")) == 6  # 02-09, 02-11 .. 02-15
    assert cal.is_workday(D("2030-02-12"))  # days the table does not list: plain weekdays


def test_an_override_beats_the_package() -> None:
    assert CAL.knows_year(2025)
    cal = WorkCalendar({D("2025-10-08"): True, D("2025-09-29"): False})
    assert not CAL.is_workday(D("2025-10-08")) and cal.is_workday(D("2025-10-08"))
    assert CAL.is_workday(D("2025-09-29")) and not cal.is_workday(D("2025-09-29"))
    assert cal.add_workdays(D("2025-09-26"), 3) == D("2025-10-08")  # 09-28, 09-30, 10-08
    assert cal.workdays_between(D("2025-09-26"), D("2025-10-09")) == 4


# ---- time status at the boundaries -------------------------------------------------------------
TODAY = D("2025-09-26")  # Friday before the National Day holiday


def open_case(deadline: date | None, status: Status = Status.IN_PROGRESS) -> RequestCase:
    assignment = Assignment("村委会", "王书记", deadline) if deadline else None
    return RequestCase(status=status, recorded_on=D("2025-09-01"), assignment=assignment)


@pytest.mark.parametrize(
    ("deadline", "warn", "expected"),
    [
        ("2025-09-25", 3, TimeStatus.OVERDUE),  # yesterday
        ("2025-09-25", 0, TimeStatus.OVERDUE),
        ("2025-08-01", 3, TimeStatus.OVERDUE),
        ("2025-09-26", 3, TimeStatus.DUE_SOON),  # today
        ("2025-09-26", 0, TimeStatus.DUE_SOON),
        ("2025-09-27", 0, TimeStatus.DUE_SOON),  # Saturday: no working day in between
        ("2025-09-28", 0, TimeStatus.ON_TRACK),  # the make-up Sunday is a working day
        ("2025-09-30", 3, TimeStatus.DUE_SOON),
        ("2025-10-08", 3, TimeStatus.DUE_SOON),  # exactly 3 working days ahead, across the holiday
        ("2025-10-09", 3, TimeStatus.ON_TRACK),  # one more working day
        ("2025-10-09", 4, TimeStatus.DUE_SOON),
        ("2025-10-10", 4, TimeStatus.ON_TRACK),
    ],
)
def test_time_status_boundaries(deadline: str, warn: int, expected: TimeStatus) -> None:
    assert time_status(open_case(D(deadline)), TODAY, CAL, warn) == expected


def test_time_status_boundaries_at_the_spring_festival() -> None:
    today = D("2025-01-27")  # the last working day before the holiday
    assert time_status(open_case(D("2025-01-26")), today, CAL, 1) == TimeStatus.OVERDUE  # make-up Sunday
    assert time_status(open_case(D("2025-02-05")), today, CAL, 1) == TimeStatus.DUE_SOON
    assert time_status(open_case(D("2025-02-06")), today, CAL, 1) == TimeStatus.ON_TRACK


@pytest.mark.parametrize(
    "status", [Status.REGISTERED, Status.SORTED, Status.AWAITING_MEETING, Status.IN_PROGRESS]
)
def test_every_open_state_gets_a_light(status: Status) -> None:
    assert time_status(open_case(D("2025-09-25"), status), TODAY, CAL, 3) == TimeStatus.OVERDUE


@pytest.mark.parametrize("status", [Status.SOLVED, Status.UNSOLVABLE, Status.CLOSED])
def test_finished_requests_have_no_time_status(status: Status) -> None:
    for deadline in ("2025-08-01", "2025-09-26", "2025-12-31"):
        assert time_status(open_case(D(deadline), status), TODAY, CAL, 3) == TimeStatus.NONE


def test_no_deadline_no_time_status() -> None:
    assert time_status(open_case(None), TODAY, CAL, 3) == TimeStatus.NONE


@given(today=KNOWN, offset=st.integers(-40, 60), warn=st.integers(0, 10))
@settings(max_examples=200, deadline=None)
def test_time_status_agrees_with_the_definition(today: date, offset: int, warn: int) -> None:
    deadline = today + timedelta(days=offset)
    if deadline < today:
        expected = TimeStatus.OVERDUE
    elif reference_between(today, deadline) <= warn:
        expected = TimeStatus.DUE_SOON
    else:
        expected = TimeStatus.ON_TRACK
    assert time_status(open_case(deadline), today, CAL, warn) == expected


def test_default_deadline_per_level_counts_working_days() -> None:
    days_by_level = {Level.VILLAGE: 10, Level.CADRE: 10, Level.TOWN: 20, Level.JOINT: 60}
    assert default_deadline(TODAY, Level.VILLAGE, days_by_level, CAL) == D("2025-10-16")
    assert default_deadline(TODAY, Level.TOWN, days_by_level, CAL) == D("2025-10-30")
    assert default_deadline(D("2025-01-20"), Level.CADRE, days_by_level, CAL) == D("2025-02-08")


# ---- the cumulative table against the day-by-day definition --------------------------------------
def day_by_day_workday(day: date, overrides: dict[date, bool]) -> bool:
    """The definition: the township's table, else the package, else Monday to Friday."""
    if day in overrides:
        return overrides[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def day_by_day_between(start: date, end: date, overrides: dict[date, bool]) -> int:
    if end < start:
        return -day_by_day_between(end, start, overrides)
    return sum(1 for d in days(start + timedelta(days=1), end) if day_by_day_workday(d, overrides))


ANY_DAY = st.dates(date(1999, 6, 1), date(2033, 6, 30))  # before, across and after the package's years


@given(
    overrides=st.dictionaries(ANY_DAY, st.booleans(), max_size=30),
    start=ANY_DAY,
    span=st.integers(-800, 800),
)
@settings(max_examples=150, deadline=None)
def test_counting_through_the_table_equals_counting_day_by_day(
    overrides: dict[date, bool], start: date, span: int
) -> None:
    cal = WorkCalendar(overrides)
    end = start + timedelta(days=span)
    assert cal.workdays_between(start, end) == day_by_day_between(start, end, overrides)
    assert cal.is_workday(end) == day_by_day_workday(end, overrides)


@given(overrides=st.dictionaries(ANY_DAY, st.booleans(), max_size=30), start=ANY_DAY, n=st.integers(0, 90))
@settings(max_examples=200, deadline=None)
def test_adding_through_the_table_equals_adding_day_by_day(
    overrides: dict[date, bool], start: date, n: int
) -> None:
    cal = WorkCalendar(overrides)
    expected, remaining = start, n
    while remaining:
        expected += timedelta(days=1)
        remaining -= day_by_day_workday(expected, overrides)
    assert cal.add_workdays(start, n) == expected


def test_every_day_of_the_package_years_and_around_them_matches_the_package() -> None:
    """Exhaustive over the package's whole range and a year either side, no overrides and with some."""
    low, high = min(chinese_calendar.constants.holidays).year, max(chinese_calendar.constants.holidays).year
    first, last = date(low - 1, 1, 1), date(high + 1, 12, 31)
    overrides = {date(high, 5, 5): False, date(high + 1, 2, 7): True, date(low, 1, 2): False}
    for table in ({}, overrides):
        cal = WorkCalendar(table)
        running = 0
        for day in days(first, last):
            assert cal.is_workday(day) == day_by_day_workday(day, table), day
            running += day_by_day_workday(day, table)
            assert cal.workdays_between(first - timedelta(days=1), day) == running, day


def test_a_changed_override_table_gives_a_new_count() -> None:
    before = WorkCalendar({})
    after = WorkCalendar({D("2025-09-29"): False})
    assert before.workdays_between(D("2025-09-26"), D("2025-09-30")) == 3  # 09-28, 09-29, 09-30
    assert after.workdays_between(D("2025-09-26"), D("2025-09-30")) == 2
    assert before.workdays_between(D("2025-09-26"), D("2025-09-30")) == 3


def test_counting_does_not_ask_the_package_day_by_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """镇级审核 counts working days for every open request: that must not walk the days one by one."""
    calls = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda day: calls.append(day) or real(day))
    cal = WorkCalendar({D("2025-09-29"): False})
    for offset in range(1000):
        cal.workdays_between(D("2025-01-01"), D("2025-01-01") + timedelta(days=offset))
    assert calls == []
