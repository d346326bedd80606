"""Which tasks a household's visits fulfil: shared by the household file and the to-do page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.domain.maintenance import EVENT_VISIT_KIND
from zhuji_archive.storage.models import HouseholdEvent, Visit


def fulfil_events(session: Session, household_id: str) -> int:
    """Mark the household's open must-visit events fulfilled by the first 事件必访 on or after each event.

    An event whose visit was removed from the file, or is no longer an 事件必访 on or after it, is
    open again (and may be fulfilled by another visit), as a removed big visit brings its revisit back."""
    visits = session.execute(
        select(Visit.id, Visit.date)
        .where(Visit.household_id == household_id, Visit.deleted.is_(False), Visit.kind == EVENT_VISIT_KIND)
        .order_by(Visit.date)
    ).all()
    dates = {v.id: v.date for v in visits}
    fulfilled = 0
    events = session.scalars(select(HouseholdEvent).where(HouseholdEvent.household_id == household_id))
    for event in events:
        if event.visit_id is not None:
            day = dates.get(event.visit_id)
            if day is not None and day >= event.date:
                event.fulfilled_on = day
                continue
            event.fulfilled_on, event.visit_id = None, None
        if event.fulfilled_on is not None:
            continue
        visit = next((v for v in visits if v.date >= event.date), None)
        if visit is not None:
            event.fulfilled_on, event.visit_id = visit.date, visit.id
            fulfilled += 1
    return fulfilled
