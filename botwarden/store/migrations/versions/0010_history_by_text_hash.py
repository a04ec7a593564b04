"""history found by its text hash across accounts, so "the same text" among a fleet (BW103) is one index
lookup however many accounts the fleet has

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_history_hash_at", "history", ["text_hash", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_history_hash_at", table_name="history")
