"""Per-connection settings for long bulk writes (the demo generator), where the database allows them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def large_page_cache(session: Any) -> Iterator[None]:
    """A 256 MB page cache while generating on a laptop's file: the households' random keys touch pages
    all over a dozen indexes, and SQLite's default 2 MB cache spilled them to the journal again and again
    (400,000 households: 12 minutes, half of it waiting on the disk). A hub's server manages its own
    buffers: nothing to change there."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
