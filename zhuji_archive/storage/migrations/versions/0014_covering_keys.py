"""covering keys and the assessment tally: the household's scope, the request's household and the
visits' deleted flag read from indexes alone; the assessment's closures and feedback per cadre and day
kept by triggers

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

The assessment, the monthly summary and the request counts join each event, feedback or request of a
period to its request and household by key only to learn the household's village or responsible
cadre, the request's household, deadline or deleted flag. On a county's encrypted archive every such
look-up in the table read and decrypted another page of a file many times larger than the page
cache (100,000 households: the assessment's two grouped statements 400 and 320 ms for 9,700 closures
and 7,000 feedback entries). Indexes that carry those few columns after the key answer the look-up
from a far smaller, denser B-tree. A village's month of visits likewise checks the deleted flag in
the index. The same indexes on a hub serve PostgreSQL's index-only scans.

The assessment counts each cadre's closures (on time or late) and feedback of a period: even from the
indexes, a year's closures are thousands of look-ups of their requests and households, growing with the
county. ``assessment_tally`` keeps them per business date and responsible cadre, in the transaction that
records the event or feedback, and moves them when a request's deadline or household or a household's
responsible cadre changes (the assessment has always counted for the cadre responsible now): a period's
figures are a sum over cadres × days. Triggers on SQLite, PL/pgSQL trigger functions on a hub (as in
0008); what the archive already holds is counted once here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


CLOSING = "('办结', '不能解决', '当场解决')"


def _outcome(deadline: str, on: str) -> str:
    return f"CASE WHEN {deadline} IS NULL OR {on} <= {deadline} THEN 'on_time' ELSE 'late' END"


def _upsert(select: str) -> str:
    # Every SELECT has a WHERE (SQLite's upsert after a join needs one) and sums per key (PostgreSQL's
    # upsert may not touch one row twice in a statement).
    return (
        "INSERT INTO assessment_tally AS t (kind, day, cadre_id, outcome, n) " + select + " "
        "ON CONFLICT (kind, day, cadre_id, outcome) DO UPDATE SET n = t.n + excluded.n;"
    )


def _event(r: str, sign: int) -> str:
    """One closure event (``r`` is OLD or NEW) for the cadre of its request's household."""
    return _upsert(
        f"SELECT 'closed', {r}.\"on\", coalesce(h.responsible_cadre_id, ''), "
        + _outcome("q.deadline", f'{r}."on"')
        + f", {sign} FROM request q JOIN household h ON h.id = q.household_id "
        f"WHERE q.id = {r}.request_id AND {r}.action IN {CLOSING}"
    )


def _feedback(r: str, sign: int) -> str:
    return _upsert(
        f"SELECT 'feedback', {r}.\"on\", coalesce(h.responsible_cadre_id, ''), {r}.satisfaction, {sign} "
        f"FROM request q JOIN household h ON h.id = q.household_id WHERE q.id = {r}.request_id"
    )


def _request_closures(r: str, sign: int) -> str:
    """Every closure of a request (``r``), with its deadline and its household's cadre."""
    return _upsert(
        "SELECT 'closed', e.\"on\", coalesce(h.responsible_cadre_id, ''), "
        + _outcome(f"{r}.deadline", 'e."on"')
        + f", {sign} * count(*) FROM request_event e JOIN household h ON h.id = {r}.household_id "
        f"WHERE e.request_id = {r}.id AND e.action IN {CLOSING} GROUP BY 1, 2, 3, 4"
    )


def _request_feedback(r: str, sign: int) -> str:
    return _upsert(
        f"SELECT 'feedback', f.\"on\", coalesce(h.responsible_cadre_id, ''), f.satisfaction, {sign} * count(*) "
        f"FROM request_feedback f JOIN household h ON h.id = {r}.household_id "
        f"WHERE f.request_id = {r}.id AND OLD.household_id IS DISTINCT FROM NEW.household_id GROUP BY 1, 2, 3, 4"
    )


def _household_closures(r: str, sign: int) -> str:
    """Every closure of a household's (``r``) requests, for the cadre ``r`` names."""
    return _upsert(
        f"SELECT 'closed', e.\"on\", coalesce({r}.responsible_cadre_id, ''), "
        + _outcome("q.deadline", 'e."on"')
        + f", {sign} * count(*) FROM request q JOIN request_event e ON e.request_id = q.id "
        f"WHERE q.household_id = {r}.id AND e.action IN {CLOSING} GROUP BY 1, 2, 3, 4"
    )


def _household_feedback(r: str, sign: int) -> str:
    return _upsert(
        f"SELECT 'feedback', f.\"on\", coalesce({r}.responsible_cadre_id, ''), f.satisfaction, {sign} * count(*) "
        f"FROM request q JOIN request_feedback f ON f.request_id = q.id WHERE q.household_id = {r}.id "
        "GROUP BY 1, 2, 3, 4"
    )


_EVENT_BODY = (_event("OLD", -1), _event("NEW", 1))
_FEEDBACK_BODY = (_feedback("OLD", -1), _feedback("NEW", 1))
_REQUEST_BODY = (
    _request_closures("OLD", -1),
    _request_closures("NEW", 1),
    _request_feedback("OLD", -1),
    _request_feedback("NEW", 1),
)
_HOUSEHOLD_BODY = (
    _household_closures("OLD", -1),
    _household_closures("NEW", 1),
    _household_feedback("OLD", -1),
    _household_feedback("NEW", 1),
)
_REQUEST_WHEN = "OLD.deadline IS DISTINCT FROM NEW.deadline OR OLD.household_id IS DISTINCT FROM NEW.household_id"
_HOUSEHOLD_WHEN = "OLD.responsible_cadre_id IS DISTINCT FROM NEW.responsible_cadre_id"


def _sqlite(sql: str) -> str:
    """SQLite's spelling; without the table alias, which SQLite before 3.35 (Python's own sqlite3 on
    older systems) cannot read in a trigger — an archive's schema must stay readable there."""
    return (
        sql.replace("IS DISTINCT FROM", "IS NOT")
        .replace("INSERT INTO assessment_tally AS t ", "INSERT INTO assessment_tally ")
        .replace("SET n = t.n + excluded.n", "SET n = n + excluded.n")
    )


# name, table, SQLite's "AFTER ..." clause and body
TRIGGERS = (
    ("assessment_event_insert", "request_event", "AFTER INSERT ON request_event", (_EVENT_BODY[1],)),
    ("assessment_event_delete", "request_event", "AFTER DELETE ON request_event", (_EVENT_BODY[0],)),
    (
        "assessment_event_update",
        "request_event",
        'AFTER UPDATE OF "on", action, request_id ON request_event',
        _EVENT_BODY,
    ),
    ("assessment_feedback_insert", "request_feedback", "AFTER INSERT ON request_feedback", (_FEEDBACK_BODY[1],)),
    ("assessment_feedback_delete", "request_feedback", "AFTER DELETE ON request_feedback", (_FEEDBACK_BODY[0],)),
    (
        "assessment_feedback_update",
        "request_feedback",
        'AFTER UPDATE OF "on", satisfaction, request_id ON request_feedback',
        _FEEDBACK_BODY,
    ),
    (
        "assessment_request_update",
        "request",
        f"AFTER UPDATE OF deadline, household_id ON request WHEN {_REQUEST_WHEN}",
        _REQUEST_BODY,
    ),
    (
        "assessment_household_update",
        "household",
        f"AFTER UPDATE OF responsible_cadre_id ON household WHEN {_HOUSEHOLD_WHEN}",
        _HOUSEHOLD_BODY,
    ),
)
TRIGGER_NAMES = tuple(name for name, *_ in TRIGGERS)


def _pg_function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"


PG_FUNCTIONS = (
    _pg_function(
        "assessment_event",
        f"IF TG_OP <> 'INSERT' THEN {_EVENT_BODY[0]} END IF; IF TG_OP <> 'DELETE' THEN {_EVENT_BODY[1]} END IF;",
    ),
    _pg_function(
        "assessment_feedback",
        f"IF TG_OP <> 'INSERT' THEN {_FEEDBACK_BODY[0]} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_FEEDBACK_BODY[1]} END IF;",
    ),
    _pg_function("assessment_request", " ".join(_REQUEST_BODY)),
    _pg_function("assessment_household", " ".join(_HOUSEHOLD_BODY)),
)
PG_FUNCTION_OF = {
    "request_event": "assessment_event",
    "request_feedback": "assessment_feedback",
    "request": "assessment_request",
    "household": "assessment_household",
}


def _pg_trigger(name: str, table: str, clause: str) -> str:
    after, _, when = clause.partition(" WHEN ")
    return (
        f"CREATE TRIGGER {name} {after} FOR EACH ROW "
        + (f"WHEN ({when}) " if when else "")
        + f"EXECUTE FUNCTION {PG_FUNCTION_OF[table]}()"
    )


BACKFILL = (
    "INSERT INTO assessment_tally (kind, day, cadre_id, outcome, n) "
    "SELECT 'closed', e.\"on\", coalesce(h.responsible_cadre_id, ''), "
    + _outcome("q.deadline", 'e."on"')
    + ", count(*) FROM request_event e JOIN request q ON q.id = e.request_id "
    f"JOIN household h ON h.id = q.household_id WHERE e.action IN {CLOSING} GROUP BY 1, 2, 3, 4",
    "INSERT INTO assessment_tally (kind, day, cadre_id, outcome, n) "
    "SELECT 'feedback', f.\"on\", coalesce(h.responsible_cadre_id, ''), f.satisfaction, count(*) "
    "FROM request_feedback f JOIN request q ON q.id = f.request_id JOIN household h ON h.id = q.household_id "
    "GROUP BY 1, 2, 3, 4",
)


def upgrade() -> None:
    op.create_table(
        "assessment_tally",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cadre_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", "cadre_id", "outcome", name=op.f("pk_assessment_tally")),
    )
    for statement in BACKFILL:
        op.execute(statement)
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_FUNCTIONS:
            op.execute(statement)
        for name, table, clause, _body in TRIGGERS:
            op.execute(_pg_trigger(name, table, clause))
    else:
        for name, _table, clause, body in TRIGGERS:
            op.execute(_sqlite(f"CREATE TRIGGER {name} {clause} BEGIN {' '.join(body)} END"))
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_id_scope", ["id", "village_id", "responsible_cadre_id"], unique=False
        )
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_id_household", ["id", "household_id", "deleted", "deadline"], unique=False
        )
    with op.batch_alter_table("request_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_request_event_request_on_status",
            ["request_id", "on", "at", "id", "action", "to_status"],
            unique=False,
        )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_household_date_deleted", ["household_id", "date", "deleted"], unique=False
        )
        batch_op.drop_index("ix_visit_household_date")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, _clause, _body in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for function in PG_FUNCTION_OF.values():
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_table("assessment_tally")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_household_date", ["household_id", "date"], unique=False)
        batch_op.drop_index("ix_visit_household_date_deleted")
    with op.batch_alter_table("request_event", schema=None) as batch_op:
        batch_op.drop_index("ix_request_event_request_on_status")
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_id_household")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_id_scope")
