"""audit chain: every change-log entry numbered and chained with a keyed hash; the chain head and key

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from zhuji_archive.storage import audit_chain

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("change_log", sa.Column("seq", sa.Integer, nullable=True))
    op.add_column("change_log", sa.Column("chain", sa.String(64), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_chain", sa.String(64), nullable=False),
        sa.Column("verified_seq", sa.Integer, nullable=False),
        sa.Column("verified_chain", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.create_table(
        "audit_secret",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_secret"),
    )
    secret = secrets.token_bytes(32)
    bind = op.get_bind()
    # The entries written before this version, chained in the order they were written.
    log = sa.table(
        "change_log",
        sa.column("id", sa.String),
        sa.column("at", sa.DateTime),
        *(sa.column(name, sa.Integer if name == "version" else sa.String) for name in audit_chain.FIELDS[1:]),
        sa.column("seq", sa.Integer),
        sa.column("chain", sa.String),
    )
    columns = [log.c.id] + [log.c[name] for name in audit_chain.FIELDS]
    seq, chain, batch = 0, audit_chain.GENESIS, []
    for row in bind.execute(sa.select(*columns).order_by(log.c.at, log.c.id)).all():
        values = dict(zip(audit_chain.FIELDS, row[1:], strict=True))
        seq += 1
        chain = audit_chain.link(secret, chain, seq, values)
        batch.append({"key": row[0], "seq": seq, "chain": chain})
    if batch:
        update = (
            log.update()
            .where(log.c.id == sa.bindparam("key"))
            .values(seq=sa.bindparam("seq"), chain=sa.bindparam("chain"))
        )
        bind.execute(update, batch)
    op.create_index("ix_change_log_seq", "change_log", ["seq"], unique=True)
    op.execute(sa.text("INSERT INTO audit_secret (id, secret) VALUES (1, :s)").bindparams(s=secret.hex()))
    op.execute(
        sa.text(
            "INSERT INTO audit_head (id, last_seq, last_chain, verified_seq, verified_chain) "
            "VALUES (1, :seq, :chain, 0, '')"
        ).bindparams(seq=seq, chain=chain)
    )


def downgrade() -> None:
    op.drop_index("ix_change_log_seq", "change_log")
    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("chain")
        batch.drop_column("seq")
    op.drop_table("audit_secret")
    op.drop_table("audit_head")
