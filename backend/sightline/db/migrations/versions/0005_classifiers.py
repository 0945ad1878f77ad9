"""classifiers: many named classifiers in one database

A ``classifiers`` table, and a ``classifier`` column on every row that belongs to one:
predictions, request events, model versions, training uploads, retraining jobs,
rollups and counters (the last two have it in their key). Every row already stored
belongs to the shipped classifier, ``cifar10``. One production version and one active
job become one per classifier; an image may be a training upload of several
classifiers. Training uploads get a ``split`` ("train", "test" or None: the hash decides).

Adding a column with a constant default rewrites no rows on SQLite or Postgres (11+), so
this is quick on a history of millions of rows except for the new index on predictions.
The three small tables whose key changes are copied into new ones.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SHIPPED = "cifar10"
NAME = sa.String(40)
ACTIVE_JOBS = "status IN ('queued', 'running')"


def upgrade() -> None:
    op.create_table(
        "classifiers",
        sa.Column("name", NAME, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parent", NAME, nullable=True),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
    )
    classifiers = sa.table(
        "classifiers",
        sa.column("name", NAME),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("status", sa.String(16)),
        sa.column("parent", NAME),
        sa.column("classes", sa.JSON()),
    )
    op.bulk_insert(
        classifiers,
        [
            {
                "name": SHIPPED,
                "created_at": datetime.now(UTC),
                "status": "active",
                "parent": None,
                "classes": [],
            }
        ],
    )
    for table in ("predictions", "request_events", "model_versions", "retrain_jobs"):
        op.add_column(table, _classifier_column())
    op.create_index(
        "ix_predictions_classifier_created_id", "predictions", ["classifier", "created_at", "id"]
    )
    op.create_index("ix_model_versions_classifier", "model_versions", ["classifier"])
    op.create_index("ix_retrain_jobs_classifier", "retrain_jobs", ["classifier"])
    op.drop_index("uq_model_versions_one_production", table_name="model_versions")
    op.create_index(
        "uq_model_versions_one_production",
        "model_versions",
        ["classifier"],
        unique=True,
        sqlite_where=sa.text("status = 'production'"),
        postgresql_where=sa.text("status = 'production'"),
    )
    op.execute("DROP INDEX uq_retrain_jobs_one_active")
    op.create_index(
        "uq_retrain_jobs_one_active",
        "retrain_jobs",
        ["classifier"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_JOBS),
        postgresql_where=sa.text(ACTIVE_JOBS),
    )
    _rebuild_training_uploads()
    _rebuild_keyed(
        "rollup_minutes",
        [
            sa.Column("minute", sa.Integer(), nullable=False),
            sa.Column("series", sa.String(16), nullable=False),
            sa.Column("label", sa.String(128), nullable=False),
            sa.Column("count", sa.BigInteger(), nullable=False),
            sa.Column("total", sa.Float(), nullable=False),
        ],
        key=("classifier", "minute", "series", "label"),
    )
    _rebuild_keyed(
        "counters",
        [
            sa.Column("name", sa.String(32), nullable=False),
            sa.Column("value", sa.BigInteger(), nullable=False),
        ],
        key=("classifier", "name"),
    )


def _classifier_column() -> sa.Column[str]:
    return sa.Column("classifier", NAME, nullable=False, server_default=SHIPPED)


def _rebuild_keyed(table: str, columns: list[sa.Column[object]], key: tuple[str, ...]) -> None:
    """``table`` again with ``classifier`` first in its key, its rows copied (the
    shipped classifier's)."""
    names = ", ".join(column.name for column in columns)
    op.rename_table(table, f"{table}_0004")
    op.create_table(
        table,
        sa.Column("classifier", NAME, nullable=False),
        *columns,
        sa.PrimaryKeyConstraint(*key, name=f"pk_{table}"),
    )
    op.execute(
        f"INSERT INTO {table} (classifier, {names}) SELECT '{SHIPPED}', {names} FROM {table}_0004"
    )
    op.drop_table(f"{table}_0004")


def _rebuild_training_uploads() -> None:
    """Unique per (classifier, sha256) instead of per sha256: SQLite cannot drop the
    old table's unnamed constraint, so the table is copied (ids kept)."""
    names = "id, sha256, class_name, size_bytes, path, original_filename, created_at, used_by_job"
    for index in ("class_name", "created_at", "used_by_job"):
        op.drop_index(f"ix_training_uploads_{index}", table_name="training_uploads")
    op.rename_table("training_uploads", "training_uploads_0004")
    op.create_table(
        "training_uploads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("classifier", NAME, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("class_name", sa.String(128), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("original_filename", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_by_job", sa.String(32), nullable=True),
        sa.Column("split", sa.String(8), nullable=True),
    )
    op.execute(
        f"INSERT INTO training_uploads (classifier, {names}) "
        f"SELECT '{SHIPPED}', {names} FROM training_uploads_0004"
    )
    op.drop_table("training_uploads_0004")
    if op.get_bind().dialect.name == "postgresql":
        # The copied ids are explicit: the sequence must continue after them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('training_uploads', 'id'), "
            "COALESCE((SELECT MAX(id) FROM training_uploads), 0) + 1, false)"
        )
    op.create_index(
        "uq_training_uploads_classifier_sha256",
        "training_uploads",
        ["classifier", "sha256"],
        unique=True,
    )
    for index in ("class_name", "created_at", "used_by_job"):
        op.create_index(f"ix_training_uploads_{index}", "training_uploads", [index])


def downgrade() -> None:
    raise NotImplementedError(
        "0005 cannot be undone without losing every classifier but cifar10; restore a backup."
    )
