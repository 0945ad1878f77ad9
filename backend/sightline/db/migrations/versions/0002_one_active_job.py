"""at most one queued or running retraining job

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An expression index on a constant, restricted to active jobs: a second queued or
    # running row collides, in SQLite and Postgres alike, whichever replica inserts it.
    op.execute(
        "CREATE UNIQUE INDEX uq_retrain_jobs_one_active ON retrain_jobs ((1)) "
        "WHERE status IN ('queued', 'running')"
    )


def downgrade() -> None:
    op.execute("DROP INDEX uq_retrain_jobs_one_active")
