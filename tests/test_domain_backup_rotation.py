"""The backup rotation (domain/backup_rotation.py): properties over arbitrary sets of backups."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhuji_archive.domain.backup_rotation import (
    BackupKind,
    Keep,
    Retention,
    Snapshot,
    label,
    reasons,
    to_delete,
)
from zhuji_archive.domain.errors import DomainError

START = datetime(2025, 1, 1)


@st.composite
def snapshot_sets(draw: st.DrawFn) -> list[Snapshot]:
    offsets = draw(st.lists(st.integers(0, 800 * 24 * 60), max_size=60))  # minutes over ~2 years
    kinds = draw(st.lists(st.sampled_from(BackupKind), min_size=len(offsets), max_size=len(offsets)))
    return [
        Snapshot(f"b{i:03d}", START + timedelta(minutes=offset), kind)
        for i, (offset, kind) in enumerate(zip(offsets, kinds, strict=True))
    ]


retentions = st.builds(
    Retention, st.integers(1, 10), st.integers(0, 6), st.integers(0, 15), st.integers(1, 5)
)


def kept(snapshots: list[Snapshot], retention: Retention) -> list[Snapshot]:
    dropped = to_delete(snapshots, retention)
    return [s for s in snapshots if s.name not in dropped]


def newest(snapshots: list[Snapshot]) -> Snapshot:
    return max(snapshots, key=lambda s: (s.taken, s.name))


@settings(max_examples=300)
@given(snapshot_sets(), retentions)
def test_the_newest_backup_and_the_newest_of_each_kind_are_never_deleted(snapshots, retention):
    dropped = to_delete(snapshots, retention)
    if snapshots:
        assert newest(snapshots).name not in dropped
    for kind in BackupKind:
        of_kind = [s for s in snapshots if s.kind is kind]
        if of_kind:
            assert newest(of_kind).name not in dropped


@settings(max_examples=300)
@given(snapshot_sets(), retentions)
def test_at_most_n_are_kept_per_class(snapshots, retention):
    why = reasons(snapshots, retention)
    count = {keep: sum(keep in w for w in why.values()) for keep in Keep}
    assert count[Keep.DAY] <= retention.daily
    assert count[Keep.WEEK] <= retention.weekly
    assert count[Keep.MONTH] <= retention.monthly
    for kind in BackupKind:
        if kind is not BackupKind.DAILY:
            events = [s for s in snapshots if s.kind is kind and Keep.EVENT in why[s.name]]
            assert len(events) <= retention.events
    total = retention.daily + retention.weekly + retention.monthly + 4 * retention.events
    assert len(kept(snapshots, retention)) <= total


@settings(max_examples=300)
@given(snapshot_sets(), retentions)
def test_one_daily_backup_per_day_week_and_month_is_kept_the_newest_of_the_most_recent(snapshots, retention):
    daily = [s for s in snapshots if s.kind is BackupKind.DAILY]
    why = reasons(snapshots, retention)
    for keep, bucket, count in (
        (Keep.DAY, lambda t: t.date(), retention.daily),
        (Keep.WEEK, lambda t: t.isocalendar()[:2], retention.weekly),
        (Keep.MONTH, lambda t: (t.year, t.month), retention.monthly),
    ):
        buckets = sorted({bucket(s.taken) for s in daily}, reverse=True)
        expected = set()
        for key in buckets[:count]:
            expected.add(newest([s for s in daily if bucket(s.taken) == key]).name)
        assert {name for name, w in why.items() if keep in w} == expected


@settings(max_examples=300)
@given(snapshot_sets(), retentions)
def test_rotating_again_deletes_nothing_more(snapshots, retention):
    once = kept(snapshots, retention)
    assert to_delete(once, retention) == set()
    assert reasons(once, retention) == {s.name: reasons(snapshots, retention)[s.name] for s in once}


@settings(max_examples=200)
@given(snapshot_sets(), retentions)
def test_the_decision_does_not_depend_on_the_order_given(snapshots, retention):
    assert to_delete(list(reversed(snapshots)), retention) == to_delete(snapshots, retention)


def test_a_year_of_daily_backups_keeps_seven_days_four_weeks_twelve_months():
    snapshots = [
        Snapshot(f"d{day}", datetime(2026, 1, 1, 8) + timedelta(days=day), BackupKind.DAILY)
        for day in range(365)
    ]
    survivors = kept(snapshots, Retention())
    last = datetime(2026, 1, 1, 8) + timedelta(days=364)
    assert [s.taken.date() for s in survivors[-7:]] == [
        (last - timedelta(days=d)).date() for d in range(6, -1, -1)
    ]
    # 7 days + the weeks and months whose newest is not among them: at most 7 + 4 + 12
    assert len(survivors) <= 23
    assert len({(s.taken.year, s.taken.month) for s in survivors}) == 12


def test_labels_show_the_longest_class_for_daily_backups_and_the_event_otherwise():
    assert label(BackupKind.DAILY, frozenset({Keep.DAY, Keep.WEEK, Keep.MONTH})) == "月"
    assert label(BackupKind.DAILY, frozenset({Keep.DAY, Keep.WEEK})) == "周"
    assert label(BackupKind.DAILY, frozenset({Keep.DAY})) == "日"
    assert label(BackupKind.UPGRADE, frozenset({Keep.EVENT})) == "升级前"
    assert label(BackupKind.IMPORT, frozenset({Keep.EVENT})) == "导入前"
    assert label(BackupKind.MANUAL, frozenset({Keep.EVENT})) == "手动"


def test_a_retention_that_would_keep_nothing_is_refused():
    with pytest.raises(DomainError):
        Retention(daily=0)
    with pytest.raises(DomainError):
        Retention(events=0)
