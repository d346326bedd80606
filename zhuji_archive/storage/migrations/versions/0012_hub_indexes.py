"""hub indexes: PostgreSQL-only indexes for plans SQLite does not choose; search keys in code-point order

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

The monthly summary counts the households of a village visited in the month. SQLite walks the
village's households and looks up each one's visits (ix_visit_household_date); PostgreSQL read all
visits of all time and kept the month's (400,000 households: 700,000 visits, 180 ms). With the visits
of a date range in an index that carries the household and the deleted flag it reads only the
month's, without touching the table (70 ms). On SQLite the index would only cost space and writes,
and could change plans the SQLite bench has settled: it is made on a hub only.

A member search is a prefix range on the search keys (storage/text_match.prefix_range: ``name >= '王'
AND name < '玌'``), which means "starts with" only when text is ordered by code point, as SQLite orders
it. A hub's database may have been created with a linguistic default collation (a Chinese one orders
by pinyin: there '王小明' is not between '王' and '玌', and every name search found nothing). On a hub the
search-key columns get the "C" collation, whatever the database's default; their indexes are rebuilt
with them.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


# member's search-key columns (storage/household_queries._member_condition) and their lengths
SEARCH_KEYS = {
    "name": 20,
    "given_name": 20,
    "name_pinyin": 60,
    "name_initials": 20,
    "id_number": 18,
    "id_number_rev": 18,
    "phone": 20,
    "phone_rev": 20,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_visit_date_household ON visit (date, household_id) INCLUDE (deleted)")
    for column, length in SEARCH_KEYS.items():
        op.execute(f'ALTER TABLE member ALTER COLUMN {column} TYPE VARCHAR({length}) COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, length in SEARCH_KEYS.items():
        op.execute(f"ALTER TABLE member ALTER COLUMN {column} TYPE VARCHAR({length}) COLLATE pg_catalog.\"default\"")
    op.execute("DROP INDEX ix_visit_date_household")
