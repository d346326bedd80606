"""Read-models of the organisation: cadres as pick-lists show them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CadreItem:
    """A cadre in pick-lists."""

    id: str
    name: str
    kind: str
    unit: str
    village_id: str | None = None
    active: bool = True  # False for a retired cadre still named on a household file
