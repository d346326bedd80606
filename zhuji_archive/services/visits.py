"""Which tasks a household's visits fulfil: shared by the household file and the to-do page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain.maintenance import EVENT_VISIT_KIND
from zhuji_archive.storage.models import HouseholdEvent, Visit


def fulfil_events(session: Session, household_id: str) -> int:
    """Mark the household's open must-visit events fulfilled by the first 事件必访 on or after each event."""
    visits = session.execute(
        select(Visit.id, Visit.date)
        .where(Visit.household_id == household_id, Visit.deleted.is_(False), Visit.kind == EVENT_VISIT_KIND)
        .order_by(Visit.date)
    ).all()
    if not visits:
        return 0
    fulfilled = 0
    events = session.scalars(
        select(HouseholdEvent).where(
            HouseholdEvent.household_id == household_id, HouseholdEvent.fulfilled_on.is_(None)
        )
    )
    for event in events:
        visit = next((v for v in visits if v.date >= event.date), None)
        if visit is not None:
            event.fulfilled_on, event.visit_id = visit.date, visit.id
            fulfilled += 1
    return fulfilled
