"""Who sees which ID and phone numbers outside the household file, and the logged reveal of a full one.

Lists and search results show numbers masked (domain/masking.py) unless the account's role is set to see
them in full (设置 → 列表中的号码). A full number outside the file is shown only through ``reveal_*``,
which checks that the household is in the account's scope and records the reveal in the change log —
that a number was shown, never the number itself."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy.orm import Session

from zhuji_archive.domain.accounts import Actor, Capability, require
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.domain.masking import mask_id_number, mask_phone
from zhuji_archive.services.history import ChangeRecorder
from zhuji_archive.services.settings import SettingsService
from zhuji_archive.storage import household_queries as queries
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.household_queries import HouseholdRow, MemberHit

REVEAL_ACTION = "查看号码"
Row = TypeVar("Row", HouseholdRow, MemberHit)


@dataclass(frozen=True)
class RevealedNumbers:
    """The full numbers of one household or member, shown once after the reveal was logged."""

    id_number: str = ""
    phone: str = ""


class NumberDisclosure:
    """Masks numbers for the account's lists and reveals full ones on request, logging each reveal."""

    def __init__(self, db: Database, actor: Actor, settings: SettingsService) -> None:
        self.db = db
        self.actor = actor
        self.settings = settings

    def full_in_lists(self) -> bool:
        """Whether this account's role sees full numbers in lists (the setting; default masked)."""
        return self.settings.lists_show_full(self.actor.role)

    def for_list(self, rows: list[Row], full: bool | None = None) -> list[Row]:
        """``rows`` as this account's list shows them: numbers masked unless its role sees them in full."""
        if self.full_in_lists() if full is None else full:
            return rows
        return masked_rows(rows)

    def reveal_household_phone(self, household_id: str) -> RevealedNumbers:
        """The household's full contact number; refused out of scope; the reveal is logged."""
        require(self.actor, Capability.READ_FILES)
        self._refuse_unlogged()
        with self.db.transaction() as session:
            found = queries.household_phone(session, household_id)
            if found is None:
                raise DomainError("找不到这户档案，可能已被合并或数据库已更换")
            village_id, phone = found
            require(self.actor, Capability.READ_FILES, village_id, what="这户")
            self._log(session, "户", household_id, household_id, village_id, "联系电话")
        return RevealedNumbers(phone=phone)

    def reveal_member(self, member_id: str) -> RevealedNumbers:
        """A member's full ID and phone numbers; refused out of scope; the reveal is logged."""
        require(self.actor, Capability.READ_FILES)
        self._refuse_unlogged()
        with self.db.transaction() as session:
            found = queries.member_numbers(session, member_id)
            if found is None:
                raise DomainError("找不到这位成员，可能已被移除或数据库已更换")
            household_id, village_id, id_number, phone = found
            require(self.actor, Capability.READ_FILES, village_id, what="这户")
            self._log(session, "成员", member_id, household_id, village_id, "身份证号、联系电话")
        return RevealedNumbers(id_number=id_number, phone=phone)

    def _refuse_unlogged(self) -> None:
        if self.db.read_only:
            # Every reveal outside the file is logged; a file that cannot be written cannot log it.
            raise DomainError(
                "档案文件只读，无法记录查看号码，因此不能在户表以外显示完整号码；请打开户表查看"
            )

    def _log(
        self, session: Session, entity: str, record_id: str, household_id: str, village_id: str, what: str
    ) -> None:
        ChangeRecorder(session, self.actor).log(
            REVEAL_ACTION,
            entity,
            record_id,
            household_id=household_id,
            village_id=village_id,
            note=f"在户表以外显示完整{what}",
        )


def masked_rows(rows: list[Row]) -> list[Row]:
    """``rows`` with their ID and phone numbers masked."""
    return [_masked(row) for row in rows]


def _masked(row: Row) -> Row:
    if isinstance(row, MemberHit):
        return replace(row, id_number=mask_id_number(row.id_number), phone=mask_phone(row.phone))
    return replace(row, phone=mask_phone(row.phone))
