"""Queries on the change log by record version."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuji_archive.storage.models import ChangeLog


def changes_after(session: Session, record_id: str, version: int) -> Sequence[ChangeLog]:
    """The change-log rows that took a record beyond ``version``, oldest first."""
    return session.scalars(
        select(ChangeLog)
        .where(ChangeLog.record_id == record_id, ChangeLog.version > version)
        .order_by(ChangeLog.at, ChangeLog.id)
    ).all()
