"""What an archive holds, in numbers: for an office that scripts around the archive."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zhuji_archive.domain.codes import HOUSEHOLD_STATUSES
from zhuji_archive.domain.workflow import Status
from zhuji_archive.storage import info_queries as queries
from zhuji_archive.storage.database import Database, current_revision, head_revision


@dataclass(frozen=True)
class ArchiveInfo:
    """Counts of one archive; the dictionaries list every known status, zeros included, in workflow order."""

    path: Path | None
    schema: str | None
    schema_current: bool
    towns: int
    villages: int
    groups: int
    households: dict[str, int]
    members_on_file: int
    members: int
    requests: dict[str, int]


class ArchiveInfoService:
    """Reads the counts; writes nothing."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def info(self) -> ArchiveInfo:
        schema = current_revision(self.db.engine)
        with self.db.sessions() as session:
            towns, villages, groups = queries.organisation_counts(session)
            households = queries.households_by_status(session)
            on_file, members = queries.member_counts(session)
            requests = queries.requests_by_status(session)
        return ArchiveInfo(
            path=self.db.path,
            schema=schema,
            schema_current=schema == head_revision(),
            towns=towns,
            villages=villages,
            groups=groups,
            households=_ordered(households, HOUSEHOLD_STATUSES),
            members_on_file=on_file,
            members=members,
            requests=_ordered(requests, [s.value for s in Status]),
        )


def _ordered(counts: dict[str, int], known: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Every known status in order (zero when absent), then any other value found in the file."""
    result = {status: counts.get(status, 0) for status in known}
    result.update({status: n for status, n in counts.items() if status not in result})
    return result
