"""county aggregates: household and request tallies kept by triggers, indexes for revisit ranges

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_HOUSEHOLD_KEY = (
    "group_id = {r}.group_id AND status = {r}.status AND cadre_id = coalesce({r}.responsible_cadre_id, '')"
)
_HOUSEHOLD_ADD = (
    "INSERT INTO household_tally (group_id, status, cadre_id, households, visited, visits) "
    "VALUES ({r}.group_id, {r}.status, coalesce({r}.responsible_cadre_id, ''), 1, "
    "{r}.last_visit_date IS NOT NULL, (SELECT count(*) FROM visit WHERE household_id = {r}.id AND deleted = 0)) "
    "ON CONFLICT (group_id, status, cadre_id) DO UPDATE SET households = households + 1, "
    "visited = visited + excluded.visited, visits = visits + excluded.visits;"
)
_HOUSEHOLD_REMOVE = (
    "UPDATE household_tally SET households = households - 1, "
    "visited = visited - ({r}.last_visit_date IS NOT NULL), "
    "visits = visits - (SELECT count(*) FROM visit WHERE household_id = {r}.id AND deleted = 0) "
    "WHERE " + _HOUSEHOLD_KEY + ";"
)
_VISIT_MOVE = (
    "INSERT INTO household_tally (group_id, status, cadre_id, households, visited, visits) "
    "SELECT group_id, status, coalesce(responsible_cadre_id, ''), 0, 0, {n} FROM household "
    "WHERE id = {r}.household_id "
    "ON CONFLICT (group_id, status, cadre_id) DO UPDATE SET visits = visits + excluded.visits;"
)
_REQUEST_KEY = (
    "coalesce({r}.village_id, ''), {r}.status, coalesce({r}.category, ''), coalesce({r}.level, ''), "
    "coalesce({r}.supervising_body, '') != ''"
)
_REQUEST_MOVE = (
    "INSERT INTO request_tally (village_id, status, category, level, supervised, requests) "
    "VALUES (" + _REQUEST_KEY + ", {n}) "
    "ON CONFLICT (village_id, status, category, level, supervised) DO UPDATE SET requests = requests + excluded.requests;"
)

TRIGGERS = (
    "CREATE TRIGGER tally_household_insert AFTER INSERT ON household BEGIN "
    + _HOUSEHOLD_ADD.format(r="NEW")
    + " END",
    "CREATE TRIGGER tally_household_delete AFTER DELETE ON household BEGIN "
    + _HOUSEHOLD_REMOVE.format(r="OLD")
    + " END",
    "CREATE TRIGGER tally_household_update AFTER UPDATE OF group_id, status, responsible_cadre_id, last_visit_date "
    "ON household WHEN OLD.group_id IS NOT NEW.group_id OR OLD.status IS NOT NEW.status "
    "OR OLD.responsible_cadre_id IS NOT NEW.responsible_cadre_id "
    "OR (OLD.last_visit_date IS NULL) IS NOT (NEW.last_visit_date IS NULL) BEGIN "
    + _HOUSEHOLD_REMOVE.format(r="OLD")
    + " "
    + _HOUSEHOLD_ADD.format(r="NEW")
    + " END",
    "CREATE TRIGGER tally_visit_insert AFTER INSERT ON visit WHEN NEW.deleted = 0 BEGIN "
    + _VISIT_MOVE.format(r="NEW", n=1)
    + " END",
    "CREATE TRIGGER tally_visit_delete AFTER DELETE ON visit WHEN OLD.deleted = 0 BEGIN "
    + _VISIT_MOVE.format(r="OLD", n=-1)
    + " END",
    "CREATE TRIGGER tally_visit_update AFTER UPDATE OF deleted, household_id ON visit "
    "WHEN OLD.deleted IS NOT NEW.deleted OR OLD.household_id IS NOT NEW.household_id BEGIN "
    + _VISIT_MOVE.format(r="OLD", n="-(OLD.deleted = 0)")
    + " "
    + _VISIT_MOVE.format(r="NEW", n="(NEW.deleted = 0)")
    + " END",
    "CREATE TRIGGER tally_request_insert AFTER INSERT ON request WHEN NEW.deleted = 0 BEGIN "
    + _REQUEST_MOVE.format(r="NEW", n=1)
    + " END",
    "CREATE TRIGGER tally_request_delete AFTER DELETE ON request WHEN OLD.deleted = 0 BEGIN "
    + _REQUEST_MOVE.format(r="OLD", n=-1)
    + " END",
    "CREATE TRIGGER tally_request_update AFTER UPDATE OF village_id, status, category, level, supervising_body, "
    "deleted ON request WHEN OLD.village_id IS NOT NEW.village_id OR OLD.status IS NOT NEW.status "
    "OR OLD.category IS NOT NEW.category OR OLD.level IS NOT NEW.level "
    "OR OLD.supervising_body IS NOT NEW.supervising_body OR OLD.deleted IS NOT NEW.deleted BEGIN "
    + _REQUEST_MOVE.format(r="OLD", n="-(OLD.deleted = 0)")
    + " "
    + _REQUEST_MOVE.format(r="NEW", n="(NEW.deleted = 0)")
    + " END",
)
TRIGGER_NAMES = tuple(t.split()[2] for t in TRIGGERS)

# The same tallies on a hub (PostgreSQL): trigger functions in PL/pgSQL, fired for each row in the
# writing transaction. Concurrent writers to one tally row wait for each other on its row lock.
_PG_HOUSEHOLD_KEY = (
    "group_id = {r}.group_id AND status = {r}.status AND cadre_id = coalesce({r}.responsible_cadre_id, '')"
)
_PG_HOUSEHOLD_ADD = (
    "INSERT INTO household_tally AS t (group_id, status, cadre_id, households, visited, visits) "
    "VALUES ({r}.group_id, {r}.status, coalesce({r}.responsible_cadre_id, ''), 1, "
    "({r}.last_visit_date IS NOT NULL)::int, "
    "(SELECT count(*) FROM visit WHERE household_id = {r}.id AND NOT deleted)) "
    "ON CONFLICT (group_id, status, cadre_id) DO UPDATE SET households = t.households + 1, "
    "visited = t.visited + excluded.visited, visits = t.visits + excluded.visits;"
)
_PG_HOUSEHOLD_REMOVE = (
    "UPDATE household_tally SET households = households - 1, "
    "visited = visited - ({r}.last_visit_date IS NOT NULL)::int, "
    "visits = visits - (SELECT count(*) FROM visit WHERE household_id = {r}.id AND NOT deleted) "
    "WHERE " + _PG_HOUSEHOLD_KEY + ";"
)
_PG_VISIT_MOVE = (
    "INSERT INTO household_tally AS t (group_id, status, cadre_id, households, visited, visits) "
    "SELECT group_id, status, coalesce(responsible_cadre_id, ''), 0, 0, {n} FROM household "
    "WHERE id = {r}.household_id "
    "ON CONFLICT (group_id, status, cadre_id) DO UPDATE SET visits = t.visits + excluded.visits;"
)
_PG_REQUEST_MOVE = (
    "INSERT INTO request_tally AS t (village_id, status, category, level, supervised, requests) "
    "VALUES (coalesce({r}.village_id, ''), {r}.status, coalesce({r}.category, ''), coalesce({r}.level, ''), "
    "(coalesce({r}.supervising_body, '') != '')::int, {n}) "
    "ON CONFLICT (village_id, status, category, level, supervised) DO UPDATE SET requests = t.requests + excluded.requests;"
)


def _pg_function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"


PG_FUNCTIONS = (
    _pg_function(
        "tally_household",
        "IF TG_OP <> 'INSERT' THEN " + _PG_HOUSEHOLD_REMOVE.format(r="OLD") + " END IF; "
        "IF TG_OP <> 'DELETE' THEN " + _PG_HOUSEHOLD_ADD.format(r="NEW") + " END IF;",
    ),
    _pg_function(
        "tally_visit",
        "IF TG_OP <> 'INSERT' AND NOT OLD.deleted THEN " + _PG_VISIT_MOVE.format(r="OLD", n=-1) + " END IF; "
        "IF TG_OP <> 'DELETE' AND NOT NEW.deleted THEN " + _PG_VISIT_MOVE.format(r="NEW", n=1) + " END IF;",
    ),
    _pg_function(
        "tally_request",
        "IF TG_OP <> 'INSERT' AND NOT OLD.deleted THEN " + _PG_REQUEST_MOVE.format(r="OLD", n=-1) + " END IF; "
        "IF TG_OP <> 'DELETE' AND NOT NEW.deleted THEN " + _PG_REQUEST_MOVE.format(r="NEW", n=1) + " END IF;",
    ),
)
PG_TRIGGERS = (
    "CREATE TRIGGER tally_household_insert AFTER INSERT ON household FOR EACH ROW EXECUTE FUNCTION tally_household()",
    "CREATE TRIGGER tally_household_delete AFTER DELETE ON household FOR EACH ROW EXECUTE FUNCTION tally_household()",
    "CREATE TRIGGER tally_household_update AFTER UPDATE OF group_id, status, responsible_cadre_id, last_visit_date "
    "ON household FOR EACH ROW WHEN (OLD.group_id IS DISTINCT FROM NEW.group_id "
    "OR OLD.status IS DISTINCT FROM NEW.status OR OLD.responsible_cadre_id IS DISTINCT FROM NEW.responsible_cadre_id "
    "OR (OLD.last_visit_date IS NULL) IS DISTINCT FROM (NEW.last_visit_date IS NULL)) "
    "EXECUTE FUNCTION tally_household()",
    "CREATE TRIGGER tally_visit_insert AFTER INSERT ON visit FOR EACH ROW WHEN (NOT NEW.deleted) "
    "EXECUTE FUNCTION tally_visit()",
    "CREATE TRIGGER tally_visit_delete AFTER DELETE ON visit FOR EACH ROW WHEN (NOT OLD.deleted) "
    "EXECUTE FUNCTION tally_visit()",
    "CREATE TRIGGER tally_visit_update AFTER UPDATE OF deleted, household_id ON visit FOR EACH ROW "
    "WHEN (OLD.deleted IS DISTINCT FROM NEW.deleted OR OLD.household_id IS DISTINCT FROM NEW.household_id) "
    "EXECUTE FUNCTION tally_visit()",
    "CREATE TRIGGER tally_request_insert AFTER INSERT ON request FOR EACH ROW WHEN (NOT NEW.deleted) "
    "EXECUTE FUNCTION tally_request()",
    "CREATE TRIGGER tally_request_delete AFTER DELETE ON request FOR EACH ROW WHEN (NOT OLD.deleted) "
    "EXECUTE FUNCTION tally_request()",
    "CREATE TRIGGER tally_request_update AFTER UPDATE OF village_id, status, category, level, supervising_body, "
    "deleted ON request FOR EACH ROW WHEN (OLD.village_id IS DISTINCT FROM NEW.village_id "
    "OR OLD.status IS DISTINCT FROM NEW.status OR OLD.category IS DISTINCT FROM NEW.category "
    "OR OLD.level IS DISTINCT FROM NEW.level OR OLD.supervising_body IS DISTINCT FROM NEW.supervising_body "
    "OR OLD.deleted IS DISTINCT FROM NEW.deleted) EXECUTE FUNCTION tally_request()",
)


def upgrade() -> None:
    op.create_table(
        "household_tally",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=4), nullable=False),
        sa.Column("cadre_id", sa.String(length=32), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("visited", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "status", "cadre_id", name=op.f("pk_household_tally")),
    )
    op.create_table(
        "request_tally",
        sa.Column("village_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("supervised", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "village_id", "status", "category", "level", "supervised", name=op.f("pk_request_tally")
        ),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_cadre_status_big_visit",
            ["responsible_cadre_id", "status", "last_big_visit_date", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_household_village_status_big_visit",
            ["village_id", "status", "last_big_visit_date", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_household_status_big_visit_id", ["status", "last_big_visit_date", "id"], unique=False
        )
    with op.batch_alter_table("household_code", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_code_kind_label_household", ["kind", "label", "household_id"], unique=False
        )
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.create_index("ix_request_recorded_category", ["recorded_on", "category"], unique=False)
    with op.batch_alter_table("request_event", schema=None) as batch_op:
        batch_op.create_index("ix_request_event_on_action", ["on", "action", "request_id"], unique=False)
    with op.batch_alter_table("request_feedback", schema=None) as batch_op:
        batch_op.create_index("ix_request_feedback_on", ["on", "request_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # A hub is created empty: the tallies start at zero and the triggers keep them.
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(statement)
        return
    # What the file already holds, counted once; from here on the triggers keep the tallies.
    op.execute(
        "INSERT INTO household_tally (group_id, status, cadre_id, households, visited, visits) "
        "SELECT h.group_id, h.status, coalesce(h.responsible_cadre_id, ''), count(*), count(h.last_visit_date), "
        "coalesce(sum(v.n), 0) FROM household h LEFT JOIN "
        "(SELECT household_id, count(*) AS n FROM visit WHERE deleted = 0 GROUP BY household_id) v "
        "ON v.household_id = h.id GROUP BY 1, 2, 3"
    )
    op.execute(
        "INSERT INTO request_tally (village_id, status, category, level, supervised, requests) "
        "SELECT "
        + _REQUEST_KEY.format(r="request")
        + ", count(*) FROM request WHERE deleted = 0 GROUP BY 1, 2, 3, 4, 5"
    )
    for trigger in TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in zip(TRIGGER_NAMES, ("household",) * 3 + ("visit",) * 3 + ("request",) * 3, strict=True):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for function in ("tally_household", "tally_visit", "tally_request"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    with op.batch_alter_table("request_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_request_feedback_on")
    with op.batch_alter_table("request_event", schema=None) as batch_op:
        batch_op.drop_index("ix_request_event_on_action")
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_recorded_category")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_status_big_visit_id")
        batch_op.drop_index("ix_household_village_status_big_visit")
        batch_op.drop_index("ix_household_cadre_status_big_visit")
    with op.batch_alter_table("household_code", schema=None) as batch_op:
        batch_op.drop_index("ix_household_code_kind_label_household")
    op.drop_table("request_tally")
    op.drop_table("household_tally")
