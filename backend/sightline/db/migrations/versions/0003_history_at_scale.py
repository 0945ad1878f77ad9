"""the prediction history at scale: request keys, keyset index, rollups and counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Predictions get a ``request_key`` with a unique index (one row per answered request,
replays included; rows written before it take their id as key), and an index on
(created_at, id) for keyset pages. ``rollup_minutes`` and ``counters`` are filled from
the rows already stored, so monitoring reads the same figures before and after.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
    op.execute("UPDATE predictions SET request_key = id")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.alter_column("request_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("uq_predictions_request_key", ["request_key"], unique=True)
        batch_op.drop_index("ix_predictions_created_at")
        batch_op.create_index("ix_predictions_created_id", ["created_at", "id"], unique=False)

    op.create_table(
        "rollup_minutes",
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("minute", "series", "label"),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )

    # The rows already stored, rolled up by the same code the writer uses.
    from sightline.db.predictions import rebuild_rollups

    with Session(bind=op.get_bind()) as session:
        rebuild_rollups(session=session)
        session.flush()


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_table("rollup_minutes")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_index("ix_predictions_created_id")
        batch_op.create_index("ix_predictions_created_at", ["created_at"], unique=False)
        batch_op.drop_index("uq_predictions_request_key")
        batch_op.drop_column("request_key")
