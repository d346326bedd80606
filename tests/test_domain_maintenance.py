"""动态维护 rules at their boundaries: the half-year revisit clock (exact six months, month ends, leap
years, shorter intervals for focus tags), must-visit events, what each kind of visit fulfils, the
三式服务 quota arithmetic and the assessment score. Every expectation is worked out in the test."""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuji_archive.domain import maintenance as rules
from zhuji_archive.domain.maintenance import Due, Quota
from zhuji_archive.domain.settings import SETTINGS, SHORT_REVISIT_TAGS_DEFAULT

D = date.fromisoformat
DEFAULTS = {spec.key: spec.default for spec in SETTINGS}
SHORT_TAGS = ("特困户", "问题户")


def months_later(day: date, months: int) -> date:
    """Reference: walk month by month, then take the day, or the month's last day if it is shorter."""
    year, month = day.year, day.month
    step = 1 if months >= 0 else -1
    for _ in range(abs(months)):
        month += step
        if month == 13:
            year, month = year + 1, 1
        elif month == 0:
            year, month = year - 1, 12
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


# ---- the half-year clock -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-05-23", 6, "2026-11-23"),  # the same day six months on
        ("2023-08-31", 6, "2024-02-29"),  # into a leap February
        ("2025-08-31", 6, "2026-02-28"),  # into an ordinary February
        ("2024-02-29", 12, "2025-02-28"),  # a leap day a year on
        ("2024-02-29", 48, "2028-02-29"),
        ("2025-10-31", 6, "2026-04-30"),  # 31st into a 30-day month
        ("2025-11-30", 3, "2026-02-28"),  # the short interval across the year end
        ("2025-12-15", 1, "2026-01-15"),
        ("2024-03-31", -1, "2024-02-29"),  # backwards too
        ("2026-01-10", -13, "2024-12-10"),
        ("2025-07-04", 0, "2025-07-04"),
    ],
)
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(start: str, months: int, expected: str) -> None:
    assert rules.add_months(D(start), months) == D(expected)


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1950, 1, 1), date(2150, 12, 31)), st.integers(-60, 60))
def test_add_months_matches_a_month_by_month_walk(day: date, months: int) -> None:
    result = rules.add_months(day, months)
    assert result == months_later(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == min(day.day, calendar.monthrange(result.year, result.month)[1])


def test_exactly_six_months_is_due_that_day_and_overdue_the_next() -> None:
    last = D("2026-05-23")
    next_day = rules.next_visit_date(last, 6)
    assert next_day == D("2026-11-23")
    assert rules.due_status(next_day, D("2026-11-23"), 14) == Due.DUE_SOON
    assert rules.due_status(next_day, D("2026-11-24"), 14) == Due.OVERDUE
    # The warning window: 14 days before is "soon", 15 days before is fine.
    assert rules.due_status(next_day, D("2026-11-09"), 14) == Due.DUE_SOON
    assert rules.due_status(next_day, D("2026-11-08"), 14) == Due.OK
    # Without a warning window the due day itself is still not overdue.
    assert rules.due_status(next_day, D("2026-11-23"), 0) == Due.DUE_SOON
    assert rules.due_status(next_day, D("2026-11-22"), 0) == Due.OK


@pytest.mark.parametrize(
    ("last", "due_on", "overdue_on"),
    [
        ("2023-08-31", "2024-02-29", "2024-03-01"),
        ("2025-08-31", "2026-02-28", "2026-03-01"),
        ("2023-08-29", "2024-02-29", "2024-03-01"),  # three visit days share one due date in leap years
        ("2023-08-28", "2024-02-28", "2024-02-29"),
    ],
)
def test_month_end_and_leap_year_due_dates(last: str, due_on: str, overdue_on: str) -> None:
    next_day = rules.next_visit_date(D(last), 6)
    assert next_day == D(due_on)
    assert rules.due_status(next_day, D(due_on), 0) != Due.OVERDUE
    assert rules.due_status(next_day, D(overdue_on), 0) == Due.OVERDUE


def test_never_visited_is_due_at_once() -> None:
    assert rules.next_visit_date(None, 6) is None
    for today in (D("2000-01-01"), D("2026-11-23")):
        assert rules.due_status(None, today, 14) == Due.NEVER


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([], 6),
        (["低保户"], 6),
        (["特困户"], 3),
        (["问题户"], 3),
        (["低保户", "特困户"], 3),
        (("五保户", "空巢老人户"), 6),
    ],
)
def test_focus_tags_chosen_in_settings_shorten_the_interval(tags: list[str], expected: int) -> None:
    assert SHORT_REVISIT_TAGS_DEFAULT == SHORT_TAGS
    assert rules.revisit_months(tags, 6, SHORT_TAGS, 3) == expected


def test_focus_tag_override_follows_the_setting() -> None:
    assert rules.revisit_months(["特困户"], 6, [], 3) == 6  # no tag chosen: everyone six months
    assert rules.revisit_months(["低保户"], 6, ["低保户"], 2) == 2
    # A 特困户 visited on 23 Feb is due on 23 May, overdue on 24 May.
    months = rules.revisit_months(["特困户"], 6, SHORT_TAGS, 3)
    next_day = rules.next_visit_date(D("2026-02-23"), months)
    assert next_day == D("2026-05-23")
    assert rules.due_status(next_day, D("2026-05-23"), 14) == Due.DUE_SOON
    assert rules.due_status(next_day, D("2026-05-24"), 14) == Due.OVERDUE
    # Three months from 30 November ends on the last day of February.
    assert rules.next_visit_date(D("2023-11-30"), months) == D("2024-02-29")


# ---- "due by a limit" as a query cut-off ---------------------------------------------------------
@pytest.mark.parametrize(
    ("limit", "months", "expected"),
    [
        ("2026-11-23", 6, "2026-05-23"),
        ("2024-02-29", 6, "2023-08-31"),  # 29, 30 and 31 August all fall due on 29 February
        ("2024-02-28", 6, "2023-08-28"),
        ("2026-02-28", 6, "2025-08-31"),
        ("2026-02-27", 6, "2025-08-27"),
        ("2026-05-31", 3, "2026-02-28"),
        ("2026-05-30", 3, "2026-02-28"),  # 28 Feb + 3 months = 28 May; 1 Mar + 3 = 1 Jun
    ],
)
def test_latest_still_due_examples(limit: str, months: int, expected: str) -> None:
    cutoff = rules.latest_still_due(D(limit), months)
    assert cutoff == D(expected)
    assert months_later(cutoff, months) <= D(limit) < months_later(cutoff + timedelta(days=1), months)


def test_latest_still_due_agrees_with_next_visit_date_every_day_for_years() -> None:
    """For every limit over four years (two Februaries of each kind) and each interval, the cut-off
    is a visit date that is due, the day after it is not, and the clock never runs backwards, so
    "last visit <= cut-off" selects exactly the households whose next visit is on or before the limit."""
    for months in (1, 3, 6, 12):
        previous = None
        for day in days(D("2022-06-01"), D("2027-06-30")):
            next_day = months_later(day, months)
            if previous is not None:
                assert next_day >= previous
            previous = next_day
        for limit in days(D("2023-01-01"), D("2026-12-31")):
            cutoff = rules.latest_still_due(limit, months)
            assert rules.next_visit_date(cutoff, months) <= limit
            assert rules.next_visit_date(cutoff + timedelta(days=1), months) > limit


@settings(max_examples=500, deadline=None)
@given(
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    st.integers(1, 12),
)
def test_latest_still_due_property(last_visit: date, limit: date, months: int) -> None:
    cutoff = rules.latest_still_due(limit, months)
    assert (last_visit <= cutoff) == (months_later(last_visit, months) <= limit)


# ---- events ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event_day", "days_", "expected"),
    [
        ("2025-06-14", 3, "2025-06-17"),
        ("2025-06-20", 3, "2025-06-23"),  # calendar days: a Friday event is due on Monday
        ("2024-02-28", 3, "2024-03-02"),  # through a leap day
        ("2025-02-27", 3, "2025-03-02"),
        ("2025-12-30", 5, "2026-01-04"),
        ("2025-09-30", 1, "2025-10-01"),  # holidays do not stop the clock
    ],
)
def test_event_due_dates(event_day: str, days_: int, expected: str) -> None:
    assert rules.event_due_date(D(event_day), days_) == D(expected)


@pytest.mark.parametrize(
    ("kind", "resets", "fulfils"),
    [
        ("建档走访", True, False),
        ("半年大走访", True, False),
        ("事件必访", False, True),
        ("回访", False, False),
    ],
)
def test_visit_effect_table(kind: str, resets: bool, fulfils: bool) -> None:
    day = D("2025-06-16")
    effect = rules.visit_effect(kind, day)
    assert effect.resets_revisit is resets
    assert effect.fulfils_events_up_to == (day if fulfils else None)


def test_visit_kinds_of_the_household_file_are_all_covered() -> None:
    from zhuji_archive.domain.codes import VISIT_KINDS

    assert rules.BIG_VISIT_KINDS | {rules.EVENT_VISIT_KIND, "回访"} == set(VISIT_KINDS)


# ---- quotas --------------------------------------------------------------------------------------
def required(mode: str, values: dict[str, int], months: int) -> dict[str, int]:
    return {q.key: q.required for q in rules.quotas_for(mode, values, months)}


def test_quotas_of_the_practice_for_a_year() -> None:
    assert required("驻点式", DEFAULTS, 12) == {
        "villages": 1,
        "enterprises": 1,
        "households": 1,
        "onsite_days": 12,
        "deeds": 2,
        "solved": 1,
    }
    assert required("结对式", DEFAULTS, 12) == {
        "villages": 1,
        "enterprises": 1,
        "households": 1,
        "visits": 12,
    }
    assert required("管线联片式", DEFAULTS, 12) == {"areas": 1}


@pytest.mark.parametrize(
    ("months", "onsite", "deeds", "solved"),
    [
        (1, 1, 1, 1),  # 2/12 and 1/12 of a thing round up to one
        (3, 3, 1, 1),  # a quarter: half a deed and a quarter of a difficulty
        (6, 6, 1, 1),  # exactly half of 2 is 1
        (7, 7, 2, 1),  # 14/12 rounds up to 2
        (12, 12, 2, 1),
        (18, 18, 3, 2),
    ],
)
def test_yearly_quotas_are_pro_rated_and_rounded_up(
    months: int, onsite: int, deeds: int, solved: int
) -> None:
    got = required("驻点式", DEFAULTS, months)
    assert (got["onsite_days"], got["deeds"], got["solved"]) == (onsite, deeds, solved)
    assert required("结对式", DEFAULTS, months)["visits"] == months
    # Counts of links are not pro-rated.
    assert (got["villages"], got["enterprises"], got["households"]) == (1, 1, 1)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 20), st.integers(0, 20), st.integers(1, 36))
def test_pro_rata_is_the_smallest_whole_number_covering_the_share(
    deeds: int, solved: int, months: int
) -> None:
    values = dict(DEFAULTS, **{"quota.驻点式.每年实事": deeds, "quota.驻点式.每年解决困难": solved})
    got = required("驻点式", values, months)
    for key, yearly in (("deeds", deeds), ("solved", solved)):
        share = Fraction(yearly * months, 12)
        assert got[key] == math.ceil(share)
        assert got[key] >= share and got[key] - 1 < share


def test_shortfalls_and_fulfilment() -> None:
    quotas = [Quota("a", "A", 2), Quota("b", "B", 1), Quota("c", "C", 0)]
    assert rules.shortfalls(quotas, {"a": 1, "b": 3}) == {"a": 1}
    assert rules.shortfalls(quotas, {}) == {"a": 2, "b": 1}  # nothing done counts as zero
    assert rules.shortfalls(quotas, {"a": 2, "b": 1}) == {}
    # a: 1/2, b: capped at 100 %, c needs nothing and is left out.
    assert rules.fulfilment(quotas, {"a": 1, "b": 3}) == pytest.approx((0.5 + 1.0) / 2)
    assert rules.fulfilment(quotas, {}) == 0.0
    assert rules.fulfilment(quotas, {"a": 5, "b": 5, "c": 5}) == 1.0
    assert rules.fulfilment([], {"a": 1}) is None
    assert rules.fulfilment([Quota("c", "C", 0)], {}) is None


def test_quarter_of_a_zhudian_leader() -> None:
    """One village, no enterprise, one household, 2 of 3 on-site days, 1 deed, nothing solved."""
    quotas = rules.quotas_for("驻点式", DEFAULTS, 3)
    actual = {"villages": 1, "enterprises": 0, "households": 1, "onsite_days": 2, "deeds": 1, "solved": 0}
    assert rules.shortfalls(quotas, actual) == {"enterprises": 1, "onsite_days": 1, "solved": 1}
    assert rules.fulfilment(quotas, actual) == pytest.approx((1 + 0 + 1 + 2 / 3 + 1 + 0) / 6)


# ---- assessment ------------------------------------------------------------------------------------
WEIGHTS = {key: DEFAULTS[f"weight.{key}"] for key, _ in rules.ASSESSMENT_INDICATORS}


def test_default_weights_add_up_to_one_hundred() -> None:
    assert WEIGHTS == {
        "visit_coverage": 30,
        "reports_on_time": 15,
        "closed_on_time": 25,
        "satisfaction": 20,
        "quota": 10,
    }


def test_assessment_score_weighs_the_indicators() -> None:
    everything = dict.fromkeys(WEIGHTS, 1.0)
    assert rules.assessment_score(everything, WEIGHTS) == 100.0
    assert rules.assessment_score(dict.fromkeys(WEIGHTS, 0.0), WEIGHTS) == 0.0
    indicators = {
        "visit_coverage": 0.8,
        "reports_on_time": 1.0,
        "closed_on_time": 0.5,
        "satisfaction": 0.75,
        "quota": 0.25,
    }
    expected = (0.8 * 30 + 1.0 * 15 + 0.5 * 25 + 0.75 * 20 + 0.25 * 10) / 100 * 100
    assert rules.assessment_score(indicators, WEIGHTS) == round(expected, 1) == 69.0


def test_indicators_that_do_not_apply_rescale_the_weights() -> None:
    indicators = {
        "visit_coverage": 0.8,
        "reports_on_time": 1.0,
        "closed_on_time": 0.5,
        "satisfaction": None,  # no feedback in the period
        "quota": 0.25,
    }
    # 20 points of satisfaction drop out: the other 80 points are scaled up to 100.
    expected = 100 * (0.8 * 30 + 1.0 * 15 + 0.5 * 25 + 0.25 * 10) / 80
    assert expected == 67.5
    assert rules.assessment_score(indicators, WEIGHTS) == 67.5
    # A leader with only a quota indicator is scored on it alone.
    only_quota = {"visit_coverage": None, "reports_on_time": None, "closed_on_time": None, "quota": 0.6}
    assert rules.assessment_score(only_quota, WEIGHTS) == 60.0
    assert rules.assessment_score(dict.fromkeys(WEIGHTS), WEIGHTS) is None


def test_zero_or_missing_weights_leave_an_indicator_out() -> None:
    indicators = {"visit_coverage": 1 / 3, "quota": 0.0}
    assert rules.assessment_score(indicators, {"visit_coverage": 30, "quota": 0}) == 33.3
    assert rules.assessment_score(indicators, {"visit_coverage": 30}) == 33.3
    assert rules.assessment_score(indicators, {"quota": 0}) is None
    # Unknown keys are ignored.
    assert (
        rules.assessment_score({"visit_coverage": 0.5, "bogus": 1.0}, {"visit_coverage": 1, "bogus": 99})
        == 50.0
    )


# ---- 早预警 -------------------------------------------------------------------------------------------
def test_rising_categories_largest_rise_first() -> None:
    this_month = {"生活困难": 5, "信访": 3, "矛盾纠纷": 1, "基础设施": 2, "政策咨询": 0}
    previous = [
        {"生活困难": 1, "信访": 3},
        {"生活困难": 2, "信访": 0, "基础设施": 2},
        {"生活困难": 0, "信访": 3, "矛盾纠纷": 3},
    ]
    # Averages: 生活困难 1.0, 信访 2.0, 矛盾纠纷 1.0, 基础设施 2/3; rises 4, 1, 0, 4/3.
    assert rules.rising_categories(this_month, previous) == [
        ("生活困难", 5, 1.0),
        ("基础设施", 2, 0.7),
        ("信访", 3, 2.0),
    ]
    assert rules.rising_categories(this_month, previous, limit=2) == [
        ("生活困难", 5, 1.0),
        ("基础设施", 2, 0.7),
    ]


def test_rising_categories_ties_declines_and_no_history() -> None:
    # Same rise of 2: the category with more requests this month comes first.
    assert rules.rising_categories({"乙": 2, "甲": 3}, [{"甲": 1}, {"甲": 1}, {"甲": 1}]) == [
        ("甲", 3, 1.0),
        ("乙", 2, 0.0),
    ]
    # Falling or flat categories, and those only seen before, are not warnings.
    assert rules.rising_categories({"甲": 1, "乙": 2}, [{"甲": 3, "乙": 2, "丙": 9}]) == []
    assert rules.rising_categories({}, [{"甲": 3}]) == []
    # Without earlier months every category present this month is rising from zero.
    assert rules.rising_categories({"甲": 2, "乙": 4}, []) == [("乙", 4, 0.0), ("甲", 2, 0.0)]
