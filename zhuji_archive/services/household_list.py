"""The household list as the main window pages through it: count and keyset pages."""

from __future__ import annotations

from typing import Any

from zhuji_archive.storage import household_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.household_queries import HouseholdFilter, HouseholdRow, MemberHit

__all__ = ["HouseholdFilter", "HouseholdListService", "HouseholdRow", "MemberHit"]


class HouseholdListService:
    """Read-only access to the household list for item models."""

    PAGE_SIZE = 200

    def __init__(self, db: Database) -> None:
        self.db = db

    def page(
        self, flt: HouseholdFilter, after: tuple[Any, ...] | None = None, limit: int = PAGE_SIZE
    ) -> list[HouseholdRow]:
        with self.db.sessions() as session:
            return queries.page(session, flt, after, limit)

    def row(self, flt: HouseholdFilter, household_id: str) -> HouseholdRow | None:
        """One household's list row under ``flt``; None when the filter leaves it out."""
        with self.db.sessions() as session:
            return queries.row(session, flt, household_id)

    def count(self, flt: HouseholdFilter) -> int:
        with self.db.sessions() as session:
            return queries.count(session, flt)

    def member_hits(self, flt: HouseholdFilter, limit: int = 1000) -> list[MemberHit]:
        """The members the list's search finds (name, pinyin, ID number, phone), each with its household:
        the same matching as the window's search box, one row per member rather than per household."""
        with self.db.sessions() as session:
            return queries.member_hits(session, flt, limit)
