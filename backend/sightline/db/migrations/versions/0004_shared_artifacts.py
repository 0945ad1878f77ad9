"""shared artifacts: content-addressed blobs, the card's hash, the admin token's hash

Model files and training uploads move from $SIGHTLINE_HOME into blobs (this table, or an
S3 bucket), so replicas on other machines share them through the database alone. Files
already in a home are copied into the store at the next start (ml/registry.py and
data/training_uploads.py, ``import_local_files``): a migration cannot see that disk.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "blob_chunks",
        sa.Column(
            "sha256",
            sa.String(64),
            sa.ForeignKey("blobs.sha256", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "admin_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # A plain ADD COLUMN: SQLite needs no table rebuild (which would lose the partial
    # unique index on production).
    op.add_column("model_versions", sa.Column("card_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("model_versions", "card_sha256")
    op.drop_table("admin_tokens")
    op.drop_table("blob_chunks")
    op.drop_table("blobs")
