"""Read-only look-ups the request printouts and the ledger need beyond the request lists:
the household's contact details and head's ID number, the responsible cadre, the town's name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import Cadre, Household, Member, Town, Village

HEAD_RELATION = "户主"
CHUNK = 500  # stays below SQLite's limit on bound parameters


@dataclass(frozen=True)
class HouseholdContact:
    """What a form or a ledger line shows of a household besides its name."""

    phone: str
    head_id_number: str
    address: str
    cadre_name: str


def household_contacts(session: Session, household_ids: Sequence[str]) -> dict[str, HouseholdContact]:
    """Phone, head's ID number, address and responsible cadre of each household in ``household_ids``."""
    found: dict[str, HouseholdContact] = {}
    unique = list(dict.fromkeys(household_ids))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        heads = {
            hid: (id_number, phone)
            for hid, id_number, phone in session.execute(
                select(Member.household_id, Member.id_number, Member.phone).where(
                    Member.household_id.in_(chunk),
                    Member.relation == HEAD_RELATION,
                    Member.removed.is_(False),
                )
            )
        }
        for hid, phone, address, cadre in session.execute(
            select(Household.id, Household.phone, Household.address, Household.cadre_name).where(
                Household.id.in_(chunk)
            )
        ):
            id_number, head_phone = heads.get(hid, ("", ""))
            found[hid] = HouseholdContact(
                phone or head_phone or "", id_number or "", address or "", cadre or ""
            )
    return found


def town_of_village(session: Session, village_id: str | None) -> str:
    """The town a village belongs to (the first town when no village is given)."""
    if village_id:
        name = session.scalar(
            select(Town.name).join(Village, Village.town_id == Town.id).where(Village.id == village_id)
        )
        if name:
            return name
    return session.scalar(select(Town.name).order_by(Town.name).limit(1)) or ""


def town_of_cadre(session: Session, cadre_id: str) -> str:
    village_id = session.scalar(select(Cadre.village_id).where(Cadre.id == cadre_id))
    return town_of_village(session, village_id)
