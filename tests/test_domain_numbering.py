"""Request numbers: the town's short name, the year and a four-digit sequence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhuji_archive.domain.numbering import number_prefix, request_number, town_short_name


@pytest.mark.parametrize(
    ("town", "short"),
    [("安华镇", "安华"), ("暨阳街道", "暨阳"), ("东白湖乡", "东白湖"), ("镇", "镇"), (" 安华镇 ", "安华")],
)
def test_town_short_name_drops_the_administrative_suffix(town: str, short: str) -> None:
    assert town_short_name(town) == short


def test_request_number_reads_as_town_year_sequence() -> None:
    assert request_number("安华镇", 2026, 12) == "安华2026-0012"
    assert request_number("安华镇", 2026, 12345) == "安华2026-12345"


def test_sequence_starts_at_one() -> None:
    with pytest.raises(ValueError):
        request_number("安华镇", 2026, 0)


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9999))
def test_numbers_sort_like_their_sequences_within_a_year(a: int, b: int) -> None:
    na, nb = request_number("安华镇", 2026, a), request_number("安华镇", 2026, b)
    assert na.startswith(number_prefix("安华镇", 2026))
    assert (na < nb) == (a < b)
