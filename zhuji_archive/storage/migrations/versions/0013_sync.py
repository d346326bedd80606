"""sync: this archive's sync identity, the hub's devices, the replication log and the conflict queue

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

Issue 14 (docs/sync.md). ``sync_identity`` holds one row once an archive takes part in sync (a laptop
enrolled at a hub, or the hub): its role, ids and private keys, inside the archive. ``sync_device`` is
the hub's list of enrolled laptops. ``sync_log`` is the replication log: a laptop's own changes with
their device sequence numbers and base versions; at the hub every change applied or made, with its
hub sequence number. ``sync_conflict`` is the conflict queue. Archives that never sync leave them empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=6), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("hub_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=True),
        sa.Column("signing_private", sa.Text(), nullable=False),
        sa.Column("receiving_private", sa.Text(), nullable=False),
        sa.Column("hub_signing_public", sa.Text(), nullable=False),
        sa.Column("hub_receiving_public", sa.Text(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("acknowledged_seq", sa.Integer(), nullable=False),
        sa.Column("hub_seq_seen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_identity")),
    )
    op.create_table(
        "sync_device",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("signing_public", sa.Text(), nullable=False),
        sa.Column("receiving_public", sa.Text(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("last_contact", sa.DateTime(), nullable=True),
        sa.Column("applied_seq", sa.Integer(), nullable=False),
        sa.Column("receipt_hub_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_device")),
    )
    with op.batch_alter_table("sync_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_device_account_id"), ["account_id"], unique=False)
    op.create_table(
        "sync_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=True),
        sa.Column("village_id", sa.String(length=32), nullable=True),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("device_seq", sa.Integer(), nullable=False),
        sa.Column("hub_seq", sa.Integer(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("values", sa.Text(), nullable=False),
        sa.Column("base_values", sa.Text(), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_log")),
        sa.UniqueConstraint("device_id", "device_seq", name="uq_sync_log_device_seq"),
    )
    with op.batch_alter_table("sync_log", schema=None) as batch_op:
        batch_op.create_index("ix_sync_log_hub_seq", ["hub_seq"], unique=True)
        batch_op.create_index("ix_sync_log_village_hub_seq", ["village_id", "hub_seq"], unique=False)
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=True),
        sa.Column("village_id", sa.String(length=32), nullable=True),
        sa.Column("field", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("hub_value", sa.Text(), nullable=False),
        sa.Column("incoming_value", sa.Text(), nullable=False),
        sa.Column("kept", sa.String(length=8), nullable=False),
        sa.Column("hub_device", sa.String(length=32), nullable=False),
        sa.Column("hub_account", sa.String(length=32), nullable=False),
        sa.Column("hub_at", sa.DateTime(), nullable=True),
        sa.Column("hub_seq", sa.Integer(), nullable=True),
        sa.Column("incoming_device", sa.String(length=32), nullable=False),
        sa.Column("incoming_account", sa.String(length=32), nullable=False),
        sa.Column("incoming_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index("ix_sync_conflict_open", ["decided", "village_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sync_conflict")
    op.drop_table("sync_log")
    op.drop_table("sync_device")
    op.drop_table("sync_identity")
