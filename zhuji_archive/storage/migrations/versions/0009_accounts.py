"""accounts: login accounts with roles and scopes; the account behind each change, event, visit and report

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ACTED = ("change_log", "request_event", "visit", "report_submission")


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("login", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(20), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        sa.UniqueConstraint("login", name="uq_account_login"),
    )
    op.create_table(
        "account_scope",
        sa.Column(
            "account_id",
            sa.String(32),
            sa.ForeignKey("account.id", name="fk_account_scope_account_id_account"),
            nullable=False,
        ),
        sa.Column("unit_kind", sa.String(4), nullable=False),
        sa.Column("unit_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "unit_kind", "unit_id", name="pk_account_scope"),
    )
    for table in _ACTED:
        op.add_column(table, sa.Column("account_id", sa.String(32), nullable=True))


def downgrade() -> None:
    for table in _ACTED:  # SQLite 3.35+ drops a column in place (a batch copy would trip the tally triggers)
        op.drop_column(table, "account_id")
    op.drop_table("account_scope")
    op.drop_table("account")
