"""The township hub: an archive on a PostgreSQL server (psycopg 3), for several people at once.

Everything that differs from a laptop's SQLite file is decided here or in the queries' dialect
switches (storage/dialect.py): the driver, the connection pool, what a server's errors mean."""

from __future__ import annotations

from sqlalchemy import URL, Engine, create_engine, make_url

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
    return create_engine(
        hub_url(url),
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 10, "application_name": "zhuji-archive", "options": SESSION_OPTIONS},
    )


def where(url: str | URL) -> str:
    """The hub as the user may be shown it: server, port and database, never the password."""
    url = hub_url(url)
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


# The tables the tally triggers keep (migrations 0008): one row per group, status and cadre, updated by
# every household written. A bulk load (the demo town, a laptop archive brought in) updates each row
# thousands of times in one transaction; PostgreSQL keeps every old version until a vacuum, and a plain
# vacuum frees them for reuse but does not give the pages back: after 400,000 households the town's
# 1,844 tally rows filled 31 MB per 100,000, and every page that counts households read all of it.
TALLY_TABLES = ("household_tally", "request_tally")


def settle_after_bulk_load(engine: Engine) -> None:
    """After writing a whole town at once: rewrite the tally tables compactly and refresh the
    planner's statistics of every table (autovacuum would analyze within minutes; the first pages
    opened right after the load should not be planned blind). Runs outside a transaction, as VACUUM
    must; takes seconds (100,000 households: about 10 s), and locks the tally tables meanwhile."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {', '.join(TALLY_TABLES)}")
        connection.exec_driver_sql("VACUUM (ANALYZE)")
