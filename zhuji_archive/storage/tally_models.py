"""Running totals (tallies) that the dashboard, the organisation tree and the revisit coverage read
instead of counting the county, plus the indexes the county-scale queries walk.

SQLite triggers (migration 0008) keep the tallies current in the same transaction as the insert,
update or delete that moves them — whether it comes from a service, the import or the demo generator.
Rows whose counts fell to zero are left in place; readers sum them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuji_archive.storage.models import (
    Base,
    Household,
    HouseholdCode,
    Request,
    RequestEvent,
    RequestFeedback,
)


class HouseholdTally(Base):
    """Households, households ever visited and live visit records, per group, status and cadre."""

    __tablename__ = "household_tally"
    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(4), primary_key=True)
    cadre_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when no cadre is responsible
    households: Mapped[int] = mapped_column(Integer, default=0)
    visited: Mapped[int] = mapped_column(Integer, default=0)  # last_visit_date is set
    visits: Mapped[int] = mapped_column(Integer, default=0)  # visit rows not deleted


class RequestTally(Base):
    """Requests not deleted, per village, status, category, level and whether a body supervises them."""

    __tablename__ = "request_tally"
    village_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" for none
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)
    supervised: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1 when supervising_body is set
    requests: Mapped[int] = mapped_column(Integer, default=0)


class AssessmentTally(Base):
    """The assessment's period counts per responsible cadre and business date (migration 0014): closures
    (办结, 不能解决, 当场解决) on time or late against the request's deadline, and feedback per
    satisfaction — each counted for the cadre responsible for the request's household now, and moved
    when that changes, as the assessment always counted them."""

    __tablename__ = "assessment_tally"
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # "closed" or "feedback"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    cadre_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when no cadre is responsible
    outcome: Mapped[str] = mapped_column(String(10), primary_key=True)  # on_time / late, or satisfaction
    n: Mapped[int] = mapped_column(Integer, default=0)


class SummaryTally(Base):
    """The weekly and monthly summary's distinct counts per period (migration 0015): households visited
    (what = 走访), requests an action was taken on (what = the action) and requests solved (what =
    办结+当场解决), each household or request once per week or month however often it was visited or
    acted on, for the household's village and responsible cadre now."""

    __tablename__ = "summary_tally"
    what: Mapped[str] = mapped_column(String(12), primary_key=True)
    period: Mapped[str] = mapped_column(String(2), primary_key=True)  # 周报 or 月报
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)  # a Monday or the 1st
    village_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cadre_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when no cadre is responsible
    n: Mapped[int] = mapped_column(Integer, default=0)


class StateTally(Base):
    """How many requests changed into (n > 0) or out of (n < 0) each state on a day, per village and
    responsible cadre (migration 0015): the requests of a scope in each state at the end of a day are
    the sums up to that day — a request counting from its registration in 登记, each event moving it on
    its business date in (business date, time, id) order (summary_queries.by_status)."""

    __tablename__ = "state_tally"
    __table_args__ = (Index("ix_state_tally_cadre_day", "cadre_id", "day"),)
    village_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    cadre_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" when no cadre is responsible
    n: Mapped[int] = mapped_column(Integer, default=0)


# The revisit queries filter by scope (cadre, village or none), status and a range of last_big_visit_date:
# with the date in the index a count of due households reads only the due ones, and with the id at the
# end the range is covering (the focus-tag test is on household.id) and already in list order.
Index(
    "ix_household_cadre_status_big_visit",
    Household.responsible_cadre_id,
    Household.status,
    Household.last_big_visit_date,
    Household.id,
)
Index(
    "ix_household_village_status_big_visit",
    Household.village_id,
    Household.status,
    Household.last_big_visit_date,
    Household.id,
)
Index("ix_household_status_big_visit_id", Household.status, Household.last_big_visit_date, Household.id)
# The due households with a short-interval focus tag: the tag list is read from the index alone.
Index(
    "ix_household_code_kind_label_household",
    HouseholdCode.kind,
    HouseholdCode.label,
    HouseholdCode.household_id,
)
# Assessment and dashboard periods: events and feedback of a period without reading every request.
Index("ix_request_recorded_category", Request.recorded_on, Request.category, Request.deleted)
Index("ix_request_event_on_action", RequestEvent.on, RequestEvent.action, RequestEvent.request_id)
Index("ix_request_feedback_on", RequestFeedback.on, RequestFeedback.request_id)
# Look-ups by key that need only a few columns read them from these indexes, not from the tables
# (migration 0014): an event's or feedback's request, its household, and the household's village or
# responsible cadre; a request's events in order with their action and status.
Index("ix_household_id_scope", Household.id, Household.village_id, Household.responsible_cadre_id)
Index("ix_request_id_household", Request.id, Request.household_id, Request.deleted, Request.deadline)
Index(
    "ix_request_event_request_on_status",
    RequestEvent.request_id,
    RequestEvent.on,
    RequestEvent.at,
    RequestEvent.id,
    RequestEvent.action,
    RequestEvent.to_status,
)
