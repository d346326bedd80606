"""covering keys: the household's scope, the request's household and the visits' deleted flag read
from indexes alone

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
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_household_date", ["household_id", "date"], unique=False)
        batch_op.drop_index("ix_visit_household_date_deleted")
    with op.batch_alter_table("request_event", schema=None) as batch_op:
        batch_op.drop_index("ix_request_event_request_on_status")
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_id_household")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_id_scope")
