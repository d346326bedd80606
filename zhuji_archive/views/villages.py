"""Read-models of the village information table (村情信息): the village and its record lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from zhuji_archive.domain.codes import VILLAGE_EVENT_CATEGORIES


@dataclass
class LeaderData:
    """A member of the village's leadership (村级班子)."""

    id: str | None = None
    name: str = ""
    post: str = ""
    phone: str = ""
    removed: bool = False


@dataclass
class PartyMemberData:
    """A party member (党员) of the village."""

    id: str | None = None
    name: str = ""
    sex: str = ""
    birth_date: date | None = None
    joined_on: date | None = None
    phone: str = ""
    party_group: str = ""
    notes: str = ""
    removed: bool = False


@dataclass
class RepData:
    """A villagers' representative (村民代表) and the group represented."""

    id: str | None = None
    name: str = ""
    group_id: str | None = None
    group_name: str = ""
    phone: str = ""
    notes: str = ""
    removed: bool = False


@dataclass
class EnterpriseData:
    """An enterprise in the village."""

    id: str | None = None
    name: str = ""
    legal_person: str = ""
    phone: str = ""
    industry: str = ""
    employees: int | None = None
    address: str = ""
    removed: bool = False


@dataclass
class EventData:
    """A village event or matter (村情事项) of one of the six categories."""

    id: str | None = None
    date: date | None = None
    category: str = VILLAGE_EVENT_CATEGORIES[0]
    title: str = ""
    content: str = ""
    major: bool = False
    removed: bool = False


@dataclass
class VillageInfo:
    """The whole village information table of one village."""

    id: str
    name: str
    population: int | None = None
    household_total: int | None = None
    farmland_mu: float | None = None
    forest_mu: float | None = None
    collective_income: float | None = None
    main_industries: str = ""
    notes: str = ""
    leaders: list[LeaderData] = field(default_factory=list)
    party_members: list[PartyMemberData] = field(default_factory=list)
    reps: list[RepData] = field(default_factory=list)
    events: list[EventData] = field(default_factory=list)
    enterprises: list[EnterpriseData] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)  # (id, name) for the reps' group column
    # As loaded, by record id (the village's own for the basic figures): each record's version and its
    # fields as shown, so a save writes only what was changed and is refused where others changed it.
    versions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    base: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)
