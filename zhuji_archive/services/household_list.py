"""The household list as the main window pages through it: count and keyset pages.

Contact and ID numbers in the rows and search hits are masked unless the account's role is set to see
them in full (services/disclosure.py); without an account to ask about, they are masked."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.services.disclosure import NumberDisclosure, masked_rows
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.storage import household_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.household_queries import HouseholdFilter, HouseholdRow, MemberHit

if TYPE_CHECKING:
    from zhuji_archive.services.audit import AuditService

__all__ = ["HouseholdFilter", "HouseholdListService", "HouseholdRow", "MemberHit"]


class HouseholdListService:
    """Read-only access to the household list for item models, limited to the account's villages. A
    search by ID number is noted in the audit log once per search text (that it happened, never the number)."""

    PAGE_SIZE = 200

    def __init__(
        self,
        db: Database,
        actor: Actor,
        audit: AuditService | None = None,
        numbers: NumberDisclosure | None = None,
    ) -> None:
        self.db = db
        self.guard = Guard(actor)
        self.audit = audit
        self.numbers = numbers
        self._noted = ""

    def _shown(self, rows: list[Any]) -> list[Any]:
        """ID and phone numbers as this account's role may see them in a list (masked by default)."""
        if self.numbers is None:
            return masked_rows(rows)
        return self.numbers.for_list(rows)

    def _note_search(self, flt: HouseholdFilter) -> None:
        text = flt.text.strip()
        if self.audit is not None and text and text != self._noted and self.audit.searched(text):
            self._noted = text

    @property
    def may_read(self) -> bool:
        """Whether the account reads household files at all (系统管理员 does not): the window then
        shows no list instead of asking for one."""
        return self.guard.actor.can(Capability.READ_FILES)

    def _scoped(self, session: Session, flt: HouseholdFilter) -> HouseholdFilter:
        """The filter limited to the account's scope; a village or group out of scope is refused."""
        self.guard.need(Capability.READ_FILES)
        if flt.group_id:
            self.guard.node(session, Capability.READ_FILES, "group", flt.group_id)
        elif flt.village_id:
            self.guard.node(session, Capability.READ_FILES, "village", flt.village_id)
        return replace(flt, villages=self.guard.scope)

    def page(
        self, flt: HouseholdFilter, after: tuple[Any, ...] | None = None, limit: int = PAGE_SIZE
    ) -> list[HouseholdRow]:
        with self.db.sessions() as session:
            rows = queries.page(session, self._scoped(session, flt), after, limit)
        return self._shown(rows)

    def row(self, flt: HouseholdFilter, household_id: str) -> HouseholdRow | None:
        """One household's list row under ``flt``; None when the filter leaves it out."""
        with self.db.sessions() as session:
            found = queries.row(session, self._scoped(session, flt), household_id)
        return self._shown([found])[0] if found is not None else None

    def count(self, flt: HouseholdFilter) -> int:
        with self.db.sessions() as session:
            scoped = self._scoped(session, flt)  # an out-of-scope search is refused before it is noted
        self._note_search(flt)
        with self.db.sessions() as session:
            return queries.count(session, scoped)

    def member_hits(self, flt: HouseholdFilter, limit: int = 1000) -> list[MemberHit]:
        """The members the list's search finds (name, pinyin, ID number, phone), each with its household:
        the same matching as the window's search box, one row per member rather than per household."""
        with self.db.sessions() as session:
            scoped = self._scoped(session, flt)  # an out-of-scope search is refused before it is noted
        self._note_search(flt)
        with self.db.sessions() as session:
            hits = queries.member_hits(session, scoped, limit)
        return self._shown(hits)
