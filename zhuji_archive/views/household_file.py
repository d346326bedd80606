"""Read-models of a household file: plain dataclasses the GUI edits and the services save."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class MemberData:
    """One member as shown and edited in the household file."""

    id: str | None = None
    version: int | None = None  # the record's version when loaded (None: new)
    name: str = ""
    relation: str = ""
    sex: str = ""
    id_number: str = ""
    birth_date: date | None = None
    education: str = ""
    political_status: str = ""
    health: str = ""
    disability_grade: str = ""
    phone: str = ""
    migrant_worker: bool = False
    migrant_place: str = ""
    notes: str = ""
    removed: bool = False


@dataclass
class IncomeData:
    """One income source line."""

    id: str | None = None
    version: int | None = None  # the record's version when loaded (None: new)
    kind: str = ""
    description: str = ""
    land_mu: float | None = None
    scale: str = ""
    months: int | None = None
    annual_income: float | None = None
    removed: bool = False


@dataclass
class AssistanceData:
    """One assistance record."""

    id: str | None = None
    version: int | None = None  # the record's version when loaded (None: new)
    date: date | None = None
    provider: str = ""
    provider_type: str = "政府部门"
    kind: str = ""
    content: str = ""
    amount: float | None = None
    removed: bool = False


@dataclass
class VisitData:
    """One visit."""

    id: str | None = None
    version: int | None = None  # the record's version when loaded (None: new)
    date: date | None = None
    kind: str = ""
    cadres: str = ""
    notes: str = ""
    policies: str = ""
    removed: bool = False


@dataclass
class RequestData:
    """One request (诉求) as recorded in the household file."""

    id: str | None = None
    version: int | None = None  # the record's version when loaded (None: new)
    recorded_on: date | None = None
    category: str = ""
    description: str = ""
    status: str = "登记"
    resolution: str = ""
    number: str | None = None  # 诉求编号, given when the file is saved
    removed: bool = False


@dataclass
class HouseholdFile:
    """A whole household file: the household's own fields and its five items plus visits."""

    id: str | None
    group_id: str
    number: int
    address: str = ""
    phone: str = ""
    responsible_cadre_id: str | None = None
    status: str = "在册"
    status_note: str = ""
    notes: str = ""
    economic_types: list[str] = field(default_factory=list)
    focus_tags: list[str] = field(default_factory=list)
    members: list[MemberData] = field(default_factory=list)
    incomes: list[IncomeData] = field(default_factory=list)
    assistance: list[AssistanceData] = field(default_factory=list)
    visits: list[VisitData] = field(default_factory=list)
    requests: list[RequestData] = field(default_factory=list)
    # Context, read-only.
    town_name: str = ""
    village_name: str = ""
    group_name: str = ""
    # What was loaded: the household's version, and each record's fields as shown then (by record id),
    # so a save writes only what was changed here and is refused where someone else changed it since.
    version: int | None = None
    base: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def active(self, rows: list) -> list:
        return [row for row in rows if not row.removed]

    @property
    def head(self) -> MemberData | None:
        return next((m for m in self.members if not m.removed and m.relation == "户主"), None)
