"""record versions on every editable table; one household on file per ID number, enforced by an index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VERSIONED_TABLES = (
    "code_item",
    "town",
    "area",
    "village",
    "village_group",
    "cadre",
    "enterprise",
    "village_leader",
    "party_member",
    "villager_rep",
    "village_event",
    "household",
    "member",
    "income_source",
    "assistance",
    "visit",
    "request",
    "common_issue",
    "meeting",
    "meeting_item",
    "household_event",
    "service_link",
    "onsite_day",
    "practical_deed",
)


def upgrade() -> None:
    # ALTER TABLE … ADD COLUMN with a constant default: SQLite does not copy the tables for this
    # (A constant text default, not a SQL expression, which would make Alembic's batch mode copy tables.)
    for table in VERSIONED_TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.add_column("change_log", sa.Column("version", sa.Integer(), nullable=True))
    op.add_column("member", sa.Column("holds_id", sa.Boolean(), server_default="1", nullable=False))
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        # A hub (PostgreSQL) is always created empty and migrated at once: no rows to bring along.
        _create_held_id_index()
        return
    bind.execute(
        sa.text(
            "UPDATE member SET holds_id = CASE WHEN removed = 0 AND household_id IN "
            "(SELECT id FROM household WHERE status = '在册') THEN 1 ELSE 0 END"
        )
    )
    # Files written before the rule was enforced in the transaction may already hold one ID number in
    # two households on file. The first-filed keeps the claim; the others stay as they are (nothing is
    # changed or lost) and the next save of their household reports the clash as it always did.
    bind.execute(
        sa.text(
            "UPDATE member SET holds_id = 0 WHERE holds_id = 1 AND id_number <> '' AND EXISTS ("
            "SELECT 1 FROM member AS other WHERE other.holds_id = 1 AND other.id_number = member.id_number "
            "AND other.rowid < member.rowid)"
        )
    )
    _create_held_id_index()


def _create_held_id_index() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(
            "uq_member_held_id_number",
            ["id_number"],
            unique=True,
            sqlite_where=sa.text("holds_id = 1 AND id_number <> ''"),
            postgresql_where=sa.text("holds_id AND id_number <> ''"),
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("uq_member_held_id_number")
        batch_op.drop_column("holds_id")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_column("version")
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
