"""network state, credentials and the cost meter

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_probe_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rate_remaining", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rate_reset_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("inbound_cursor", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("next_inbound_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_usd", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_column("cost_usd")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("next_inbound_at")
        batch_op.drop_column("inbound_cursor")
        batch_op.drop_column("rate_reset_at")
        batch_op.drop_column("rate_remaining")
        batch_op.drop_column("next_probe_at")
    op.drop_table("credentials")
