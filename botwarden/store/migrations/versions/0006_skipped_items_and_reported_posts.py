"""skipped items, posts reported by outside software, each verdict's reason

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skipped_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("route_id", sa.String(length=210), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.ForeignKeyConstraint(["route_id"], ["routes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("route_id", "item_id", name="uq_skipped_route_item"),
    )
    op.create_index("ix_skipped_account_at", "skipped_items", ["account_id", "at"], unique=False)
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("check_verdict", sa.JSON(), nullable=True))
        batch_op.create_unique_constraint("uq_history_account_external", ["account_id", "external_id"])
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_column("reason")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_constraint("uq_history_account_external", type_="unique")
        batch_op.drop_column("check_verdict")
        batch_op.drop_column("external_id")
    op.drop_index("ix_skipped_account_at", table_name="skipped_items")
    op.drop_table("skipped_items")
