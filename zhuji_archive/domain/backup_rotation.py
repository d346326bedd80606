"""Which backups to keep: the daily automatic backups rotate grandfather-father-son style, the
backups made before an event (upgrade, import, restore) or by hand are kept newest-first per kind.

Daily backups: the newest of each of the last ``daily`` days that have one, the newest of each of the
last ``weekly`` ISO weeks, the newest of each of the last ``monthly`` months (7, 4, 12 by default).
A backup may be kept for several reasons (the newest of a day is often the newest of its week too);
it shows the longest one (月 before 周 before 日). Counting days that *have* a backup, not calendar
days, means an office closed for a month keeps its last seven backups rather than losing them all.

Event backups: the newest ``events`` of each kind. Nothing depends on today's date, so the decision
is the same whenever it is taken, and taking it again on what it kept deletes nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from zhuji_archive.domain.errors import DomainError


class BackupKind(Enum):
    """Why a backup was made; the value is written into its file name."""

    DAILY = "daily"  # the first opening of the archive on a day
    UPGRADE = "upgrade"  # before the schema of the file was upgraded
    IMPORT = "import"  # before an Excel import wrote anything
    MANUAL = "manual"  # 立即备份
    RESTORE = "restore"  # the archive as it was before a restore replaced it

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    BackupKind.DAILY: "日",
    BackupKind.UPGRADE: "升级前",
    BackupKind.IMPORT: "导入前",
    BackupKind.MANUAL: "手动",
    BackupKind.RESTORE: "恢复前",
}
EVENT_KINDS = tuple(kind for kind in BackupKind if kind is not BackupKind.DAILY)


class Keep(Enum):
    """A reason a backup is kept."""

    DAY = "日"
    WEEK = "周"
    MONTH = "月"
    EVENT = "事件"


@dataclass(frozen=True)
class Retention:
    """How many of each class are kept. A day's and an event kind's newest are always kept."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12
    events: int = 10

    def __post_init__(self) -> None:
        if self.daily < 1 or self.events < 1:
            raise DomainError("至少要保留最近一天的备份和每类最近一次的备份")
        if self.weekly < 0 or self.monthly < 0:
            raise DomainError("保留的周备份、月备份数不能为负数")


@dataclass(frozen=True)
class Snapshot:
    """One backup as the rotation sees it: a unique name, when it was taken, why."""

    name: str
    taken: datetime
    kind: BackupKind


def _newest_per_bucket(
    snapshots: Iterable[Snapshot], bucket: Callable[[datetime], Hashable], count: int
) -> set[str]:
    """The newest snapshot of each of the ``count`` most recent buckets that hold one."""
    newest: dict[Hashable, Snapshot] = {}
    for snapshot in snapshots:
        key = bucket(snapshot.taken)
        best = newest.get(key)
        if best is None or _order(snapshot) > _order(best):
            newest[key] = snapshot
    chosen = sorted(newest.values(), key=_order, reverse=True)[:count]
    return {snapshot.name for snapshot in chosen}


def _order(snapshot: Snapshot) -> tuple[datetime, str]:
    return snapshot.taken, snapshot.name  # the name breaks ties, so the decision is deterministic


def reasons(snapshots: Iterable[Snapshot], retention: Retention) -> dict[str, frozenset[Keep]]:
    """Every snapshot's name with the reasons it is kept (empty: it is to be deleted)."""
    snapshots = list(snapshots)
    if len({s.name for s in snapshots}) != len(snapshots):
        raise ValueError("snapshot names must be unique")
    daily = [s for s in snapshots if s.kind is BackupKind.DAILY]
    kept: dict[str, set[Keep]] = {s.name: set() for s in snapshots}
    for name in _newest_per_bucket(daily, lambda t: t.date(), retention.daily):
        kept[name].add(Keep.DAY)
    for name in _newest_per_bucket(daily, lambda t: t.isocalendar()[:2], retention.weekly):
        kept[name].add(Keep.WEEK)
    for name in _newest_per_bucket(daily, lambda t: (t.year, t.month), retention.monthly):
        kept[name].add(Keep.MONTH)
    for kind in EVENT_KINDS:
        of_kind = sorted((s for s in snapshots if s.kind is kind), key=_order, reverse=True)
        for snapshot in of_kind[: retention.events]:
            kept[snapshot.name].add(Keep.EVENT)
    return {name: frozenset(why) for name, why in kept.items()}


def to_delete(snapshots: Iterable[Snapshot], retention: Retention) -> set[str]:
    """The names of the snapshots the rotation drops."""
    return {name for name, why in reasons(snapshots, retention).items() if not why}


def label(kind: BackupKind, why: frozenset[Keep]) -> str:
    """What the 类型 column shows: 月/周/日 for a daily backup (its longest class), else the event."""
    if kind is not BackupKind.DAILY:
        return kind.label
    for keep in (Keep.MONTH, Keep.WEEK):
        if keep in why:
            return keep.value
    return Keep.DAY.value
