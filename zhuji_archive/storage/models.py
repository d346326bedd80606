"""SQLAlchemy 2 models of the archive. Every record has a globally unique text id (uuid4 hex)
so that files from many laptops can be merged later without collisions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from zhuji_archive.storage.versions import Versioned

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    """Naive UTC timestamp (SQLite has no time zones; the GUI converts to local time)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention Alembic needs for SQLite batch mode."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _id() -> Mapped[str]:
    return mapped_column(String(32), primary_key=True, default=new_id)


class Setting(Base):
    """A key/value application setting stored in the database (shared by all users of the file)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class CodeItem(Versioned, Base):
    """One value of an editable code list (经济类型, 重点关注, 诉求类别 …)."""

    __tablename__ = "code_item"
    __table_args__ = (UniqueConstraint("kind", "label", name="uq_code_item_kind_label"),)
    id: Mapped[str] = _id()
    kind: Mapped[str] = mapped_column(String(40), index=True)
    label: Mapped[str] = mapped_column(String(40))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Town(Versioned, Base):
    """镇: the root of the organisation tree."""

    __tablename__ = "town"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(40))
    county: Mapped[str] = mapped_column(String(40), default="")
    region_code: Mapped[str] = mapped_column(String(12), default="")


class Area(Versioned, Base):
    """Optional layer between town and village: 驻村分中心 or 网格."""

    __tablename__ = "area"
    id: Mapped[str] = _id()
    town_id: Mapped[str] = mapped_column(ForeignKey("town.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10), default="驻村分中心")
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Village(Versioned, Base):
    """行政村 with its basic situation (the first part of the village information table)."""

    __tablename__ = "village"
    id: Mapped[str] = _id()
    town_id: Mapped[str] = mapped_column(ForeignKey("town.id"), index=True)
    area_id: Mapped[str | None] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    population: Mapped[int | None] = mapped_column(Integer)
    household_total: Mapped[int | None] = mapped_column(Integer)
    farmland_mu: Mapped[float | None] = mapped_column(Float)
    forest_mu: Mapped[float | None] = mapped_column(Float)
    collective_income: Mapped[float | None] = mapped_column(Float)
    main_industries: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    groups: Mapped[list[VillageGroup]] = relationship(back_populates="village", order_by="VillageGroup.sort")


class VillageGroup(Versioned, Base):
    """村民小组: the unit of one printed book."""

    __tablename__ = "village_group"
    id: Mapped[str] = _id()
    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    village: Mapped[Village] = relationship(back_populates="groups")


class Cadre(Versioned, Base):
    """A township or village cadre: responsible for households, makes visits."""

    __tablename__ = "cadre"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10), default="驻村干部")
    unit: Mapped[str] = mapped_column(String(40), default="")
    post: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    village_id: Mapped[str | None] = mapped_column(ForeignKey("village.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Enterprise(Versioned, Base):
    """企业 under a village: a contact target of cadres."""

    __tablename__ = "enterprise"
    id: Mapped[str] = _id()
    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    legal_person: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    industry: Mapped[str] = mapped_column(String(40), default="")
    employees: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(80), default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class VillageLeader(Versioned, Base):
    """村级班子 member: name, post, phone."""

    __tablename__ = "village_leader"
    id: Mapped[str] = _id()
    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    post: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class PartyMember(Versioned, Base):
    """党员 roster entry of a village."""

    __tablename__ = "party_member"
    id: Mapped[str] = _id()
    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    sex: Mapped[str] = mapped_column(String(2), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    joined_on: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(20), default="")
    party_group: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class VillagerRep(Versioned, Base):
    """村民代表 with the group they represent."""

    __tablename__ = "villager_rep"
    id: Mapped[str] = _id()
    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"), index=True)
    group_id: Mapped[str | None] = mapped_column(ForeignKey("village_group.id"))
    name: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class VillageEvent(Versioned, Base):
    """An entry of the village event log in one of the six categories."""

    __tablename__ = "village_event"
    id: Mapped[str] = _id()
    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(80))
    content: Mapped[str] = mapped_column(Text, default="")
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Household(Versioned, Base):
    """户: one household file. head_name … cadre_name are kept up to date by the services so
    that a 100,000-row list sorts and pages in SQL by walking an index."""

    __tablename__ = "household"
    # Indexes lead with the filters the list always applies (scope, status) and end with the
    # default order, so the first page of 100,000 households is read in order without sorting.
    __table_args__ = (
        Index("ix_household_group_number", "group_id", "number"),
        Index("ix_household_village_status_head", "village_id", "status", "head_pinyin", "id"),
        Index("ix_household_status_head", "status", "head_pinyin", "id"),
        Index("ix_household_status_group", "status", "group_sort", "number", "id"),
        Index("ix_household_status_members", "status", "member_count", "id"),
        Index("ix_household_status_economic", "status", "economic_types", "id"),
        Index("ix_household_status_focus", "status", "focus_tags", "id"),
        Index("ix_household_status_cadre_pinyin", "status", "cadre_pinyin", "id"),
        Index("ix_household_status_last_visit", "status", "last_visit_key", "id"),
        Index("ix_household_status_big_visit", "status", "last_big_visit_date"),
        Index("ix_household_cadre_status", "responsible_cadre_id", "status"),
        Index("ix_household_group_status", "group_id", "status"),  # the tree's counts per group
    )
    id: Mapped[str] = _id()
    group_id: Mapped[str] = mapped_column(ForeignKey("village_group.id"))
    village_id: Mapped[str] = mapped_column(ForeignKey("village.id"))
    number: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    responsible_cadre_id: Mapped[str | None] = mapped_column(ForeignKey("cadre.id"), index=True)
    status: Mapped[str] = mapped_column(String(4), default="在册")
    status_note: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Denormalised for the list view.
    head_name: Mapped[str] = mapped_column(String(20), default="")
    head_pinyin: Mapped[str] = mapped_column(String(60), default="")
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    economic_types: Mapped[str] = mapped_column(String(120), default="")
    focus_tags: Mapped[str] = mapped_column(String(120), default="")
    last_visit_date: Mapped[date | None] = mapped_column(Date)
    last_big_visit_date: Mapped[date | None] = mapped_column(Date)  # last 建档走访/半年大走访
    # Non-null sort keys, so every list order is an index walk with keyset paging.
    last_visit_key: Mapped[str] = mapped_column(String(10), default="")  # ISO date or "" (never visited)
    group_sort: Mapped[str] = mapped_column(String(12), default="")  # "village sort-group sort"
    cadre_name: Mapped[str] = mapped_column(String(20), default="")
    cadre_pinyin: Mapped[str] = mapped_column(String(60), default="", server_default="")


class HouseholdCode(Base):
    """A household's economic types and focus tags (several of each allowed)."""

    __tablename__ = "household_code"
    __table_args__ = (Index("ix_household_code_kind_label", "kind", "label"),)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(40), primary_key=True)


class Member(Versioned, Base):
    """成员: one person of a household. Removed members keep their row (removed=True)."""

    __tablename__ = "member"
    __table_args__ = (
        Index("ix_member_name", "name"),
        Index("ix_member_given_name", "given_name"),
        Index("ix_member_initials", "name_initials"),
        Index("ix_member_pinyin", "name_pinyin"),
        Index("ix_member_id_number", "id_number"),
        Index("ix_member_id_number_rev", "id_number_rev"),
        Index("ix_member_phone", "phone"),
        Index("ix_member_phone_rev", "phone_rev"),
        # One person, one household on file: enforced by the database inside the saving transaction,
        # so two windows (or two laptops' imports) cannot both file the same ID number.
        Index(
            "uq_member_held_id_number",
            "id_number",
            unique=True,
            sqlite_where=sql_text("holds_id = 1 AND id_number <> ''"),
            postgresql_where=sql_text("holds_id AND id_number <> ''"),
        ),
    )
    id: Mapped[str] = _id()
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    name_pinyin: Mapped[str] = mapped_column(String(60), default="")
    name_initials: Mapped[str] = mapped_column(String(20), default="")
    # Search keys kept by the services: the name after the surname, and the ID and phone reversed,
    # so "建国" and "the last six digits" are indexed prefix searches rather than table scans.
    given_name: Mapped[str] = mapped_column(String(20), default="")
    id_number_rev: Mapped[str] = mapped_column(String(18), default="")
    phone_rev: Mapped[str] = mapped_column(String(20), default="")
    relation: Mapped[str] = mapped_column(String(10), default="")
    sex: Mapped[str] = mapped_column(String(2), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="")
    birth_date: Mapped[date | None] = mapped_column(Date)
    education: Mapped[str] = mapped_column(String(20), default="")
    political_status: Mapped[str] = mapped_column(String(20), default="")
    health: Mapped[str] = mapped_column(String(10), default="")
    disability_grade: Mapped[str] = mapped_column(String(4), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    migrant_worker: Mapped[bool] = mapped_column(Boolean, default=False)
    migrant_place: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    # True while this member's ID number counts against the one-household rule (not removed, household
    # 在册); kept by HouseholdService.refresh_summary. Files from before the rule was enforced may hold
    # a duplicate: migration 0005 leaves it False there, and the next save of that household reports it.
    holds_id: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class IncomeSource(Versioned, Base):
    """One line of 家庭主要经济来源, in yuan per year."""

    __tablename__ = "income_source"
    id: Mapped[str] = _id()
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(120), default="")
    land_mu: Mapped[float | None] = mapped_column(Float)
    scale: Mapped[str] = mapped_column(String(60), default="")
    months: Mapped[int | None] = mapped_column(Integer)
    annual_income: Mapped[float | None] = mapped_column(Float)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Assistance(Versioned, Base):
    """帮扶记录: dated assistance from a government department or a social organisation."""

    __tablename__ = "assistance"
    id: Mapped[str] = _id()
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    provider: Mapped[str] = mapped_column(String(60))
    provider_type: Mapped[str] = mapped_column(String(10), default="政府部门")
    kind: Mapped[str] = mapped_column(String(20), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[float | None] = mapped_column(Float)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Visit(Versioned, Base):
    """走访: a dated visit to a household by one or more cadres."""

    __tablename__ = "visit"
    # deleted in the index: a village's month of visits is counted without reading the visits (0014)
    __table_args__ = (Index("ix_visit_household_date_deleted", "household_id", "date", "deleted"),)
    id: Mapped[str] = _id()
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"))
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    cadres: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    policies: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    account_id: Mapped[str | None] = mapped_column(String(32))  # the account that recorded the visit


class Request(Versioned, Base):
    """诉求 recorded in a household file, with its place in the workflow (domain/workflow.py)."""

    __tablename__ = "request"
    __table_args__ = (
        # the to-do's lists and counts from the index alone: the list's order and the household (0015)
        Index(
            "ix_request_status_deadline",
            "status",
            "deadline",
            "deleted",
            "recorded_on",
            "id",
            "household_id",
            "village_id",
        ),
        Index("ix_request_village_status", "village_id", "status"),
        Index("ix_request_number", "number", unique=True),
    )
    id: Mapped[str] = _id()
    # 诉求编号 (安华2026-0012), given when the request is recorded; see domain/numbering.py
    number: Mapped[str | None] = mapped_column(String(24))
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    village_id: Mapped[str | None] = mapped_column(ForeignKey("village.id"))
    recorded_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="登记")
    resolution: Mapped[str] = mapped_column(Text, default="")  # one-line summary for lists and the book
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # 梳理
    scope: Mapped[str] = mapped_column(String(10), default="")
    solvability: Mapped[str] = mapped_column(String(20), default="")
    level: Mapped[str] = mapped_column(String(10), default="")
    # 交办
    responsible_unit: Mapped[str] = mapped_column(String(60), default="")
    responsible_person: Mapped[str] = mapped_column(String(20), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    assignment_note: Mapped[str] = mapped_column(Text, default="")
    # 市镇联动: 挂牌督办 + 领导包案
    supervising_body: Mapped[str] = mapped_column(String(60), default="")
    listed_on: Mapped[date | None] = mapped_column(Date)
    leader: Mapped[str] = mapped_column(String(20), default="")
    next_check_on: Mapped[date | None] = mapped_column(Date)
    # 办结
    solved_on: Mapped[date | None] = mapped_column(Date)
    measures: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    # 不能解决
    explanation: Mapped[str] = mapped_column(Text, default="")
    explained_on: Mapped[date | None] = mapped_column(Date)
    # 反馈 (latest; every feedback is kept in request_feedback)
    satisfaction: Mapped[str] = mapped_column(String(10), default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    common_issue_id: Mapped[str | None] = mapped_column(ForeignKey("common_issue.id"), index=True)
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("meeting.id"), index=True)


class RequestEvent(Base):
    """One transition or progress entry of a request: who, when, from, to, note."""

    __tablename__ = "request_event"
    __table_args__ = (Index("ix_request_event_request_at", "request_id", "at"),)
    id: Mapped[str] = _id()
    request_id: Mapped[str] = mapped_column(ForeignKey("request.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    on: Mapped[date] = mapped_column(Date)  # the business date (e.g. the day of the feedback visit)
    operator: Mapped[str] = mapped_column(String(20))  # the account's display name when it acted
    account_id: Mapped[str | None] = mapped_column(String(32))  # None: written before accounts existed
    action: Mapped[str] = mapped_column(String(10))
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")


class RequestFeedback(Base):
    """情况反馈: each feedback visit with the household's opinion and the signed form."""

    __tablename__ = "request_feedback"
    id: Mapped[str] = _id()
    request_id: Mapped[str] = mapped_column(ForeignKey("request.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    responsible_person: Mapped[str] = mapped_column(String(20), default="")
    cadre: Mapped[str] = mapped_column(String(20), default="")
    village_cadre: Mapped[str] = mapped_column(String(20), default="")
    opinion: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[str] = mapped_column(String(10))
    form_received: Mapped[bool] = mapped_column(Boolean, default=False)


class CommonIssue(Versioned, Base):
    """共性问题: one issue shared by several households' requests, handled together."""

    __tablename__ = "common_issue"
    id: Mapped[str] = _id()
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    created_on: Mapped[date] = mapped_column(Date)


class Meeting(Versioned, Base):
    """月度专题会议 of the township: its requests and their decisions."""

    __tablename__ = "meeting"
    id: Mapped[str] = _id()
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(80))
    attendees: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(6), default="筹备")  # 筹备 / 已决定
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class MeetingItem(Versioned, Base):
    """A request on a meeting's agenda and the meeting's decision on it."""

    __tablename__ = "meeting_item"
    __table_args__ = (UniqueConstraint("meeting_id", "request_id", name="uq_meeting_item_request"),)
    id: Mapped[str] = _id()
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meeting.id"), index=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("request.id"), index=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    unit: Mapped[str] = mapped_column(String(60), default="")
    person: Mapped[str] = mapped_column(String(20), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class ReportSubmission(Base):
    """A weekly or monthly classified summary marked as submitted."""

    __tablename__ = "report_submission"
    __table_args__ = (
        UniqueConstraint(
            "period", "scope_kind", "scope_id", "period_start", name="uq_report_submission_period"
        ),
    )
    id: Mapped[str] = _id()
    period: Mapped[str] = mapped_column(String(4))  # 周报 / 月报
    scope_kind: Mapped[str] = mapped_column(String(10))  # village / cadre
    scope_id: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[str | None] = mapped_column(String(32))


class HolidayOverride(Base):
    """A day the township marks as holiday or make-up working day, for years the calendar package lacks."""

    __tablename__ = "holiday_override"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(40), default="")


class HouseholdEvent(Versioned, Base):
    """An event that obliges a visit (事件必访): hospitalisation, hardship, conflict … with its due date."""

    __tablename__ = "household_event"
    __table_args__ = (Index("ix_household_event_open", "fulfilled_on", "due_on"),)
    id: Mapped[str] = _id()
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    visit_id: Mapped[str | None] = mapped_column(ForeignKey("visit.id"))
    recorded_by: Mapped[str] = mapped_column(String(20), default="")


class ServiceLink(Versioned, Base):
    """三式服务: a cadre's link to a village, enterprise, household or 责任区, in one mode."""

    __tablename__ = "service_link"
    id: Mapped[str] = _id()
    cadre_id: Mapped[str] = mapped_column(ForeignKey("cadre.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # 驻点式 / 结对式 / 管线联片式
    target_kind: Mapped[str] = mapped_column(String(12))  # village / enterprise / household / group
    target_id: Mapped[str] = mapped_column(String(32))
    target_name: Mapped[str] = mapped_column(String(80), default="")
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class OnSiteDay(Versioned, Base):
    """A working day a leader spent on site (蹲点下访) at a linked unit."""

    __tablename__ = "onsite_day"
    id: Mapped[str] = _id()
    cadre_id: Mapped[str] = mapped_column(ForeignKey("cadre.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class PracticalDeed(Versioned, Base):
    """实事 done for a linked village, enterprise or household."""

    __tablename__ = "practical_deed"
    id: Mapped[str] = _id()
    cadre_id: Mapped[str] = mapped_column(ForeignKey("cadre.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(80))
    beneficiary: Mapped[str] = mapped_column(String(80), default="")
    result: Mapped[str] = mapped_column(Text, default="")


class ChangeLog(Base):
    """One changed field (or one event such as an export) with who and when."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_household", "household_id", "at"),
        Index("ix_change_log_village", "village_id", "at"),
        Index("ix_change_log_seq", "seq", unique=True),
    )
    id: Mapped[str] = _id()
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    operator: Mapped[str] = mapped_column(String(20))  # the account's display name when it acted
    account_id: Mapped[str | None] = mapped_column(String(32))  # None: written before accounts existed
    action: Mapped[str] = mapped_column(String(10))  # 新增 / 修改 / 删除 / 状态 / 导出 …
    entity: Mapped[str] = mapped_column(String(20))  # 户 / 成员 / 经济来源 …
    record_id: Mapped[str] = mapped_column(String(32))
    household_id: Mapped[str | None] = mapped_column(String(32))
    village_id: Mapped[str | None] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(30), default="")
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # The record's version after this change (set by storage/versions.py); NULL for events such as exports.
    version: Mapped[int | None] = mapped_column(Integer)
    # The tamper-evident chain (storage/audit_log.py): 1, 2, 3 … in commit order, and the HMAC over the
    # previous entry's chain and this entry. Set inside the writing transaction, never by the services.
    seq: Mapped[int | None] = mapped_column(Integer)
    chain: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The one row holding the change log's chain head; updating it is the chain's write lock."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_chain: Mapped[str] = mapped_column(String(64), default="")
    # The last entry a full check at open found intact (the next check starts after it).
    verified_seq: Mapped[int] = mapped_column(Integer, default=0)
    verified_chain: Mapped[str] = mapped_column(String(64), default="")


class AuditSecret(Base):
    """The random key of the change log's HMAC chain; it exists only inside the encrypted archive."""

    __tablename__ = "audit_secret"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    secret: Mapped[str] = mapped_column(String(64))  # 32 random bytes, hex


class Account(Versioned, Base):
    """A person who logs in: login name, display name, role and password hash (Argon2id).

    Accounts are disabled, never deleted: the change log and the audit refer to them."""

    __tablename__ = "account"
    id: Mapped[str] = _id()
    login: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(10))  # Role.value: 系统管理员 / 党政办 / …
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    scope: Mapped[list[AccountScope]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountScope.unit_kind"
    )


class AccountScope(Base):
    """One organisation unit (town, area or village) in an account's scope."""

    __tablename__ = "account_scope"
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), primary_key=True)
    unit_kind: Mapped[str] = mapped_column(String(4), primary_key=True)  # UnitKind.value: 镇 / 片区 / 村
    unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account: Mapped[Account] = relationship(back_populates="scope")


class LoginFailure(Base):
    """A failed login on a hub, where there is no keyring file to count them: the next attempts of the
    same login wait (domain/accounts.failed_login_delay), and the next login writes them into the
    change log. ``login`` is what was typed, normalised; it may name no account."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    logged: Mapped[bool] = mapped_column(Boolean, default=False)  # already in the change log


from zhuji_archive.storage import sync_models as _sync_models  # noqa: E402, F401  (their tables join Base)
from zhuji_archive.storage import tally_models as _tally_models  # noqa: E402, F401  (their tables join Base)
