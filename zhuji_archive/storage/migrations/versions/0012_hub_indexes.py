"""hub indexes: PostgreSQL-only indexes for plans SQLite does not choose

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

The monthly summary counts the households of a village visited in the month. SQLite walks the
village's households and looks up each one's visits (ix_visit_household_date); PostgreSQL read all
visits of all time and kept the month's (400,000 households: 700,000 visits, 180 ms). With the visits
of a date range in an index that carries the household and the deleted flag it reads only the
month's, without touching the table (70 ms). On SQLite the index would only cost space and writes,
and could change plans the SQLite bench has settled: it is made on a hub only.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_visit_date_household ON visit (date, household_id) INCLUDE (deleted)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_visit_date_household")
