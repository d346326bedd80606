"""SQL text matching that means what the user typed: ``LIKE`` with its wildcards escaped and
indexed prefix ranges. Every text search in storage goes through these helpers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_

from zhuji_archive.domain.search_keys import prefix_upper_bound, searchable

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern (``%`` and ``_`` are no longer wildcards)."""
    return (
        searchable(text).replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    )


def contains(column: Any, text: str) -> ColumnElement[bool]:
    return column.like(f"%{escape_like(text)}%", escape=ESCAPE)  # type: ignore[no-any-return]


def starts_with(column: Any, text: str) -> ColumnElement[bool]:
    return column.like(f"{escape_like(text)}%", escape=ESCAPE)  # type: ignore[no-any-return]


def ends_with(column: Any, text: str) -> ColumnElement[bool]:
    return column.like(f"%{escape_like(text)}", escape=ESCAPE)  # type: ignore[no-any-return]


def prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range an index can serve (case-sensitive)."""
    upper = prefix_upper_bound(prefix)
    if upper is None:
        return column >= prefix  # type: ignore[no-any-return]
    return and_(column >= prefix, column < upper)
