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

from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

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

    _roll_up_stored_rows()


# The tables as this revision left them: the application's models have moved on
# (migration 0005 added classifiers), so this revision names its own columns.
_PREDICTIONS = sa.table(
    "predictions",
    sa.column("id", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("prediction", sa.String()),
    sa.column("confidence", sa.Float()),
    sa.column("time_ms", sa.Float()),
)
_EVENTS = sa.table(
    "request_events",
    sa.column("id", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("route", sa.String()),
    sa.column("status_code", sa.Integer()),
    sa.column("duration_ms", sa.Float()),
)
_ROLLUPS = sa.table(
    "rollup_minutes",
    sa.column("minute", sa.Integer()),
    sa.column("series", sa.String()),
    sa.column("label", sa.String()),
    sa.column("count", sa.BigInteger()),
    sa.column("total", sa.Float()),
)
_COUNTERS = sa.table(
    "counters", sa.column("name", sa.String()), sa.column("value", sa.BigInteger())
)
_PREDICT_ROUTES = ("/api/predict", "/api/predict/batch", "/api/explain")


def _roll_up_stored_rows() -> None:
    """The rows already stored, rolled up as the writer of this revision did (its
    bucket functions are the writer's, which have not changed)."""
    from sightline.db.predictions import confidence_bin, latency_bucket, minute_of

    bind = op.get_bind()
    sums: dict[tuple[int, str, str], list[float]] = defaultdict(lambda: [0, 0.0])

    def add(moment: datetime, series: str, label: str, value: float) -> None:
        cell = sums[(minute_of(_utc(moment)), series, label)]
        cell[0] += 1
        cell[1] += value

    stored = 0
    for row in bind.execute(sa.select(_PREDICTIONS)):
        stored += 1
        add(row.created_at, "class", row.prediction, row.confidence)
        add(row.created_at, "confidence", str(confidence_bin(row.confidence)), row.confidence)
        add(row.created_at, "model_time", str(latency_bucket(row.time_ms)), row.time_ms)
    for event in bind.execute(sa.select(_EVENTS)):
        add(event.created_at, "requests", f"{event.status_code // 100}xx", event.duration_ms)
        if event.route in _PREDICT_ROUTES:
            add(
                event.created_at,
                "latency",
                str(latency_bucket(event.duration_ms)),
                event.duration_ms,
            )
    if sums:
        bind.execute(
            _ROLLUPS.insert(),
            [
                {"minute": m, "series": s, "label": lb, "count": int(c), "total": t}
                for (m, s, lb), (c, t) in sums.items()
            ],
        )
    bind.execute(
        _COUNTERS.insert(),
        [
            {"name": "predictions_served", "value": stored},
            {"name": "prediction_rows", "value": stored},
        ],
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def downgrade() -> None:
    op.drop_table("counters")
    op.drop_table("rollup_minutes")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_index("ix_predictions_created_id")
        batch_op.create_index("ix_predictions_created_at", ["created_at"], unique=False)
        batch_op.drop_index("uq_predictions_request_key")
        batch_op.drop_column("request_key")
