"""cadre sort key: the household list sorts the 责任干部 column by pinyin, not by code point

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from zhuji_archive.domain.search_keys import pinyin_keys

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cadre_pinyin", sa.String(length=60), nullable=False, server_default="")
        )
    # A township has a few dozen cadres: one UPDATE per name fills every household.
    bind = op.get_bind()
    names = bind.execute(sa.text("SELECT DISTINCT cadre_name FROM household WHERE cadre_name != ''")).scalars()
    for name in list(names):
        bind.execute(
            sa.text("UPDATE household SET cadre_pinyin = :p WHERE cadre_name = :n"),
            {"p": pinyin_keys(name)[0], "n": name},
        )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_status_cadre")
        batch_op.create_index("ix_household_status_cadre_pinyin", ["status", "cadre_pinyin", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index("ix_household_status_cadre_pinyin")
        batch_op.create_index("ix_household_status_cadre", ["status", "cadre_name", "id"], unique=False)
        batch_op.drop_column("cadre_pinyin")
