"""history: each post's similarity profile, and text hashes of the new normalised text

Revision ID: 0005
Revises: 0004

"The same text" now keeps every word, number and their order, so the hashes BW101 and BW103 compare are
worked out again for the posts already stored. Each post also keeps its similarity profile, so that a
process starting up indexes the fleet's recent posts without reading every text again (a post without
one is profiled from its text).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from botwarden.similarity import text_hash

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile", sa.LargeBinary(), nullable=True))
    history = sa.table("history", sa.column("id", sa.Integer), sa.column("text", sa.Text),
                       sa.column("text_hash", sa.String))  # fmt: skip
    connection = op.get_bind()
    rows = connection.execute(sa.select(history.c.id, history.c.text)).all()
    for start in range(0, len(rows), 1000):
        connection.execute(
            history.update()
            .where(history.c.id == sa.bindparam("row_id"))
            .values(text_hash=sa.bindparam("hash")),
            [{"row_id": row.id, "hash": text_hash(row.text)} for row in rows[start : start + 1000]],
        )


def downgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_column("profile")
