"""SQL text matching that means what the user typed: ``LIKE`` with its wildcards escaped and
indexed prefix ranges. Every text search in storage goes through these helpers.

Letters match whatever their case ("a" finds "ABC"), as SQLite's ``LIKE`` always did for ASCII. A hub's
PostgreSQL ``LIKE`` is case-sensitive, so the helpers ask for ``ILIKE``; on SQLite that is written as the
plain ``LIKE`` it already was (SQLAlchemy would write ``lower(x) LIKE lower(y)``, changing the laptop's
plans for nothing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

from zhuji_archive.domain.search_keys import prefix_upper_bound, searchable

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern (``%`` and ``_`` are no longer wildcards)."""
    return (
        searchable(text).replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    )


def contains(column: Any, text: str) -> ColumnElement[bool]:
    return column.ilike(f"%{escape_like(text)}%", escape=ESCAPE)  # type: ignore[no-any-return]


def starts_with(column: Any, text: str) -> ColumnElement[bool]:
    return column.ilike(f"{escape_like(text)}%", escape=ESCAPE)  # type: ignore[no-any-return]


def ends_with(column: Any, text: str) -> ColumnElement[bool]:
    return column.ilike(f"%{escape_like(text)}", escape=ESCAPE)  # type: ignore[no-any-return]


def prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range an index can serve (case-sensitive)."""
    upper = prefix_upper_bound(prefix)
    if upper is None:
        return column >= prefix  # type: ignore[no-any-return]
    return and_(column >= prefix, column < upper)


def _ilike_as_like(self: SQLiteCompiler, binary: Any, operator: Any, **kw: Any) -> str:
    return self.visit_like_op_binary(binary, operator, **kw)  # SQLite's LIKE ignores ASCII case already


def _not_ilike_as_not_like(self: SQLiteCompiler, binary: Any, operator: Any, **kw: Any) -> str:
    return self.visit_not_like_op_binary(binary, operator, **kw)


SQLiteCompiler.visit_ilike_op_binary = _ilike_as_like  # type: ignore[method-assign]
SQLiteCompiler.visit_not_ilike_op_binary = _not_ilike_as_not_like  # type: ignore[method-assign]
