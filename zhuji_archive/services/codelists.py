"""Editable code lists: seeding the defaults, reading active values, adding and retiring values."""

from __future__ import annotations

from sqlalchemy import func, select

from zhuji_archive.domain.accounts import Actor
from zhuji_archive.domain.codes import ALL_KINDS, KINDS_BY_KEY, validate_label
from zhuji_archive.domain.errors import DomainError
from zhuji_archive.services.permissions import Capability, Guard
from zhuji_archive.storage.database import Database
from zhuji_archive.storage.models import CodeItem, HouseholdCode, Member, Request


class CodeListService:
    """Pick-lists the user can extend; a value in use is retired, never deleted. Every account reads
    them; changing them takes 管理设置."""

    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.guard = Guard(actor)

    def ensure_seeded(self) -> None:
        """Give every list its default values the first time a database is opened (housekeeping of the
        login itself, for any account)."""
        with self.db.transaction() as session:
            present = set(session.scalars(select(CodeItem.kind).distinct()))
            for kind in ALL_KINDS:
                if kind.key not in present:
                    session.add_all(
                        CodeItem(kind=kind.key, label=label, sort=i) for i, label in enumerate(kind.defaults)
                    )

    def values(self, kind: str, include_retired: bool = False) -> list[str]:
        self.guard.need_any(Capability.READ_FILES, Capability.MANAGE_SETTINGS)
        with self.db.sessions() as session:
            query = (
                select(CodeItem.label).where(CodeItem.kind == kind).order_by(CodeItem.sort, CodeItem.label)
            )
            if not include_retired:
                query = query.where(CodeItem.retired.is_(False))
            return list(session.scalars(query))

    def add(self, kind: str, label: str) -> None:
        self.guard.need(Capability.MANAGE_SETTINGS)
        if kind not in KINDS_BY_KEY:
            raise DomainError(f"没有名为“{kind}”的代码表")
        label = validate_label(label)
        with self.db.transaction() as session:
            item = session.scalar(select(CodeItem).where(CodeItem.kind == kind, CodeItem.label == label))
            if item is not None:
                if not item.retired:
                    raise DomainError(f"“{KINDS_BY_KEY[kind].title}”中已有“{label}”", "label")
                item.retired = False
                return
            top = session.scalar(select(func.max(CodeItem.sort)).where(CodeItem.kind == kind)) or 0
            session.add(CodeItem(kind=kind, label=label, sort=top + 1))

    def usage(self, kind: str, label: str) -> int:
        """How many records use the value."""
        self.guard.need(Capability.MANAGE_SETTINGS)
        with self.db.sessions() as session:
            if kind in ("economic_type", "focus_tag"):
                query = (
                    select(func.count())
                    .select_from(HouseholdCode)
                    .where(HouseholdCode.kind == kind, HouseholdCode.label == label)
                )
            elif kind in ("request_category", "request_scope", "solvability", "satisfaction"):
                column = {
                    "request_category": Request.category,
                    "request_scope": Request.scope,
                    "solvability": Request.solvability,
                    "satisfaction": Request.satisfaction,
                }[kind]
                query = select(func.count()).select_from(Request).where(column == label)
            elif kind in ("relation", "education", "political_status", "health"):
                column = getattr(Member, kind)
                query = select(func.count()).select_from(Member).where(column == label)
            else:
                return 0
            return session.scalar(query) or 0

    def remove(self, kind: str, label: str) -> str:
        """Delete an unused value, retire a used one; return "删除" or "停用"."""
        self.guard.need(Capability.MANAGE_SETTINGS)
        used = self.usage(kind, label)
        with self.db.transaction() as session:
            item = session.scalar(select(CodeItem).where(CodeItem.kind == kind, CodeItem.label == label))
            if item is None:
                raise DomainError(f"代码“{label}”不存在")
            if used:
                item.retired = True
                return "停用"
            session.delete(item)
            return "删除"
