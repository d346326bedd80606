"""The township hub: an archive on a PostgreSQL server (psycopg 3), for several people at once.

Everything that differs from a laptop's SQLite file is decided here or in the queries' dialect
switches (storage/dialect.py): the driver, the connection pool, what a server's errors mean."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import ExceptionContext

DRIVER = "postgresql+psycopg"
# psycopg prepares a statement on the server once a connection has run it five times, and after five
# more runs PostgreSQL may switch a prepared statement to one generic plan for all parameter values.
# The archive's data is skewed (one cadre has 12,000 households, another none): a generic plan chosen
# for the average value took 70-140 ms where the value's own plan takes 2 ms (the assessment page
# counts each cadre's households with one such statement). Plan each run for its values.
SESSION_OPTIONS = "-c plan_cache_mode=force_custom_plan"


def is_hub_location(location: object) -> bool:
    """Whether an archive location names a hub (a ``postgresql://`` URL) rather than a file."""
    return isinstance(location, (str, URL)) and str(location).startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def hub_url(location: str | URL) -> URL:
    url = make_url(str(location).replace("postgres://", "postgresql://", 1) if isinstance(location, str) else location)
    return url.set(drivername=DRIVER)


def make_engine(url: str | URL) -> Engine:
    # hide_parameters: a database error's text must not carry the row's values (names, ID numbers).
    # pool_pre_ping: a window left open overnight finds its connections closed by the server.
    engine = create_engine(
        hub_url(url),
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 10, "application_name": "zhuji-archive", "options": SESSION_OPTIONS},
    )
    event.listen(engine, "handle_error", _without_row_values)
    return engine


def _without_row_values(context: ExceptionContext) -> Exception | None:
    """The server's error text repeats the values of a violated key ("DETAIL: Key (id_number)=(…)
    already exists"), which hide_parameters cannot hide: the error keeps only the server's first line
    (the structured details stay in ``diag`` for code that needs them, never in the text)."""
    import psycopg  # the hub's engine has loaded it (a laptop's start does not)

    original = context.original_exception
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if not primary or not isinstance(original, psycopg.Error):
        return None
    original.args = (primary,)
    wrapped = context.sqlalchemy_exception
    if wrapped is None:
        return None
    return type(wrapped)(
        context.statement, None, original, hide_parameters=True,
        connection_invalidated=context.is_disconnect,
    )


def where(url: str | URL) -> str:
    """The hub as the user may be shown it: server, port and database, never the password."""
    url = hub_url(url)
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def server_answers(url: str | URL, timeout: float = 3.0) -> bool:
    """Whether anything accepts a connection at the hub's address. libpq reports a refused login or a
    missing database only as text (in the server's language), so when a connection fails this tells
    "the server is there and said no" from "nothing there" without reading that text."""
    url = hub_url(url)
    host = url.host or "localhost"
    if host.startswith("/"):
        return os.path.exists(host)
    try:
        with socket.create_connection((host, url.port or 5432), timeout=timeout):
            return True
    except OSError:
        return False


DEFAULT_PORT = 5432


@dataclass(frozen=True)
class HubAddress:
    """Where a hub is, as the connection window asks for it (the password is never part of it)."""

    host: str
    port: int
    database: str
    user: str


def location(host: str, port: int | None, database: str, user: str, password: str = "") -> str:
    """The ``postgresql://`` URL of a hub from what a user typed. An empty password leaves it to libpq
    (a ``.pgpass`` file or ``PGPASSWORD``); a password given lives in the URL for this session only."""
    url = URL.create(
        "postgresql",
        username=user.strip() or None,
        password=password or None,
        host=host.strip() or None,
        port=port or None,
        database=database.strip() or None,
    )
    return url.render_as_string(hide_password=False)


def address(location: str | URL) -> HubAddress:
    url = hub_url(location)
    return HubAddress(url.host or "localhost", url.port or DEFAULT_PORT, url.database or "", url.username or "")


def without_password(location: str | URL) -> str:
    """The hub's URL as it may be kept on this machine (the recent list): everything but the password."""
    url = hub_url(location)
    kept = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return kept.render_as_string(hide_password=False)
# The tables the tally triggers keep (migrations 0008, 0014 and 0015): one row per group, status and cadre, updated by
# every household written. A bulk load (the demo town, a laptop archive brought in) updates each row
# thousands of times in one transaction; PostgreSQL keeps every old version until a vacuum, and a plain
# vacuum frees them for reuse but does not give the pages back: after 400,000 households the town's
# 1,844 tally rows filled 31 MB per 100,000, and every page that counts households read all of it.
TALLY_TABLES = ("household_tally", "request_tally", "assessment_tally", "summary_tally", "state_tally")


def settle_after_bulk_load(engine: Engine) -> None:
    """After writing a whole town at once: rewrite the tally tables compactly and refresh the
    planner's statistics of every table (autovacuum would analyze within minutes; the first pages
    opened right after the load should not be planned blind). Runs outside a transaction, as VACUUM
    must; takes seconds (100,000 households: about 10 s), and locks the tally tables meanwhile."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {', '.join(TALLY_TABLES)}")
        connection.exec_driver_sql("VACUUM (ANALYZE)")
