"""SQLite's ``INDEXED BY``, written through SQLAlchemy's table hints.

SQLAlchemy's SQLite dialect drops table hints silently; this module makes it write them. A few
county-scale queries name their index because SQLite, with sampled statistics, picks a different
plan as the archive grows (the bench prints the plans at 10,000, 100,000 and 400,000 households).
Other databases ignore hints given for ``sqlite``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.sqlite.base import SQLiteCompiler


def _from_hint_text(self: SQLiteCompiler, table: Any, text: str) -> str:
    return text


SQLiteCompiler.get_from_hint_text = _from_hint_text  # type: ignore[method-assign]
