"""The household list as the main window pages through it: count and keyset pages.

Contact and ID numbers in the rows and search hits are masked unless the account's role is set to see
them in full (services/disclosure.py); without an account to ask about, they are masked."""

from __future__ import annotations

from typing import Any

from zhuji_archive.services.disclosure import NumberDisclosure, masked_rows
from zhuji_archive.storage import household_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.household_queries import HouseholdFilter, HouseholdRow, MemberHit

__all__ = ["HouseholdFilter", "HouseholdListService", "HouseholdRow", "MemberHit"]


class HouseholdListService:
    """Read-only access to the household list for item models."""

    PAGE_SIZE = 200

    def __init__(self, db: Database, numbers: NumberDisclosure | None = None) -> None:
        self.db = db
        self.numbers = numbers

    def _shown(self, rows: list[Any]) -> list[Any]:
        if self.numbers is None:
            return masked_rows(rows)
        return self.numbers.for_list(rows)

    def page(
        self, flt: HouseholdFilter, after: tuple[Any, ...] | None = None, limit: int = PAGE_SIZE
    ) -> list[HouseholdRow]:
        with self.db.sessions() as session:
            rows = queries.page(session, flt, after, limit)
        return self._shown(rows)

    def row(self, flt: HouseholdFilter, household_id: str) -> HouseholdRow | None:
        """One household's list row under ``flt``; None when the filter leaves it out."""
        with self.db.sessions() as session:
            found = queries.row(session, flt, household_id)
        return self._shown([found])[0] if found is not None else None

    def count(self, flt: HouseholdFilter) -> int:
        with self.db.sessions() as session:
            return queries.count(session, flt)

    def member_hits(self, flt: HouseholdFilter, limit: int = 1000) -> list[MemberHit]:
        """The members the list's search finds (name, pinyin, ID number, phone), each with its household:
        the same matching as the window's search box, one row per member rather than per household."""
        with self.db.sessions() as session:
            hits = queries.member_hits(session, flt, limit)
        return self._shown(hits)
