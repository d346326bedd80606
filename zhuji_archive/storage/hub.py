"""The township hub: an archive on a PostgreSQL server (psycopg 3), for several people at once.

Everything that differs from a laptop's SQLite file is decided here or in the queries' dialect
switches (storage/dialect.py): the driver, the connection pool, what a server's errors mean."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import psycopg
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import ExceptionContext

DRIVER = "postgresql+psycopg"


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
        connect_args={"connect_timeout": 10, "application_name": "zhuji-archive"},
    )
    event.listen(engine, "handle_error", _without_row_values)
    return engine


def _without_row_values(context: ExceptionContext) -> Exception | None:
    """The server's error text repeats the values of a violated key ("DETAIL: Key (id_number)=(…)
    already exists"), which hide_parameters cannot hide: the error keeps only the server's first line
    (the structured details stay in ``diag`` for code that needs them, never in the text)."""
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
