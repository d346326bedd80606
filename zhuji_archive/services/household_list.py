"""The household list as the main window pages through it: count and keyset pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zhuji_archive.storage import household_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.household_queries import HouseholdFilter, HouseholdRow, MemberHit

if TYPE_CHECKING:
    from zhuji_archive.services.audit import AuditService

__all__ = ["HouseholdFilter", "HouseholdListService", "HouseholdRow", "MemberHit"]


class HouseholdListService:
    """Read-only access to the household list for item models. A search by ID number is noted in
    the audit log once per search text (that it happened, never the number)."""

    PAGE_SIZE = 200

    def __init__(self, db: Database, audit: AuditService | None = None) -> None:
        self.db = db
        self.audit = audit
        self._noted = ""

    def _note_search(self, flt: HouseholdFilter) -> None:
        text = flt.text.strip()
        if self.audit is not None and text and text != self._noted and self.audit.searched(text):
            self._noted = text

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
        self._note_search(flt)
        with self.db.sessions() as session:
            return queries.count(session, flt)

    def member_hits(self, flt: HouseholdFilter, limit: int = 1000) -> list[MemberHit]:
        """The members the list's search finds (name, pinyin, ID number, phone), each with its household:
        the same matching as the window's search box, one row per member rather than per household."""
        self._note_search(flt)
        with self.db.sessions() as session:
            return queries.member_hits(session, flt, limit)
