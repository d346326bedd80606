"""name keys without punctuation: names saved with a middle dot (艾力·买买提) are found by almmt

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

from zhuji_archive.storage.search_key_backfill import recompute_name_keys

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only rows whose keys change are written: on an archive without punctuated names this reads
    # every name once and writes nothing.
    recompute_name_keys(op.get_bind())


def downgrade() -> None:
    # The old keys kept punctuation; they were a defect, not data, so there is nothing to restore.
    pass
