"""content retention, the spend meter, usage reconciliation, chores and server rules

The consent ledger kept what users wrote in their mentions and messages (``note`` of the opt-in and
opt-out lines the inbound poller and ``botwarden inbound`` recorded). What a message meant stays; its text
is removed, and each line so changed gets a redaction line of its own that says so, so the ledger still
tells everything that happened to it.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_WHY = (
    "the text of the message was removed: botwarden keeps who wrote, when, by which channel and what it "
    "meant, not what it said (X Developer Policy, content retention)"
)


def upgrade() -> None:
    with op.batch_alter_table("consent_ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refers_to", sa.Integer(), nullable=True))
    _strip_inbound_text()
    op.create_table(
        "metered_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("resource", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("metered_calls", schema=None) as batch_op:
        batch_op.create_index("ix_metered_day_account", ["day", "account_id"], unique=False)
    op.create_table(
        "billed_resources",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("resource", sa.String(length=20), nullable=False),
        sa.Column("resource_id", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("day", "network", "resource", "resource_id"),
    )
    op.create_table(
        "usage_days",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("network", sa.String(length=20), nullable=False),
        sa.Column("reported", sa.Integer(), nullable=False),
        sa.Column("metered", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("drift", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", "network"),
    )
    op.create_table(
        "chores",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "server_rules",
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )


def _strip_inbound_text() -> None:
    """Each opt-in or opt-out line holding a user's words keeps what they meant, and a redaction line
    records that the words were removed."""
    ledger = sa.table(
        "consent_ledger",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("account_id", sa.String),
        sa.column("user", sa.String),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("via", sa.String),
        sa.column("sensitive", sa.Boolean),
        sa.column("actions", sa.JSON),
        sa.column("delete_notice", sa.Boolean),
        sa.column("recorded_by", sa.String),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
        sa.column("note", sa.Text),
        sa.column("refers_to", sa.Integer),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(ledger.c.id, ledger.c.kind, ledger.c.account_id, ledger.c.user, ledger.c.via).where(
            ledger.c.kind.in_(["opt_in", "opt_out"]), ledger.c.note != ""
        )
    ).all()
    now = datetime.now(UTC)
    stamp = now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now
    for row in rows:
        meaning = (
            "asked the account to stop"
            if row.kind == "opt_out"
            else f"wrote to the account ({row.via or 'a message'}): asked to hear back"
        )
        bind.execute(sa.update(ledger).where(ledger.c.id == row.id).values(note=f"{meaning} (text not kept)"))
        bind.execute(
            sa.insert(ledger).values(
                kind="redaction",
                account_id=row.account_id,
                user=row.user,
                at=stamp,
                via=None,
                sensitive=False,
                actions=[],
                delete_notice=False,
                recorded_by="botwarden migration 0005",
                recorded_at=stamp,
                note=_WHY,
                refers_to=row.id,
            )
        )


def downgrade() -> None:
    op.drop_table("server_rules")
    op.drop_table("chores")
    op.drop_table("usage_days")
    op.drop_table("billed_resources")
    with op.batch_alter_table("metered_calls", schema=None) as batch_op:
        batch_op.drop_index("ix_metered_day_account")
    op.drop_table("metered_calls")
    op.execute("DELETE FROM consent_ledger WHERE kind = 'redaction'")
    with op.batch_alter_table("consent_ledger", schema=None) as batch_op:
        batch_op.drop_column("refers_to")
