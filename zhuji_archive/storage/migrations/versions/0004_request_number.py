"""request number (诉求编号): town, year and sequence, readable aloud

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from zhuji_archive.domain.numbering import request_number

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=24), nullable=True))
    # Existing requests are numbered in the order they were recorded, per town and year.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT r.id, r.recorded_on, t.name FROM request r "
            "JOIN household h ON h.id = r.household_id "
            "JOIN village v ON v.id = h.village_id "
            "JOIN town t ON t.id = v.town_id "
            "ORDER BY t.id, r.recorded_on, r.id"
        )
    ).all()
    sequences: dict[tuple[str, int], int] = defaultdict(int)
    for request_id, recorded_on, town_name in rows:
        year = int(str(recorded_on)[:4])
        sequences[(town_name, year)] += 1
        bind.execute(
            sa.text("UPDATE request SET number = :n WHERE id = :i"),
            {"n": request_number(town_name, year, sequences[(town_name, year)]), "i": request_id},
        )
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.create_index("ix_request_number", ["number"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("request", schema=None) as batch_op:
        batch_op.drop_index("ix_request_number")
        batch_op.drop_column("number")
