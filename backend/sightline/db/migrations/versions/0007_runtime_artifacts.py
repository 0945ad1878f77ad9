"""runtime artifacts: converted models shared by replicas, check images (issue #31)

- ``runtime_artifacts``: the blob holding a model converted for an inference runtime
  (OpenVINO's IR), keyed by the model's sha256, the runtime's version and the precision,
  so a replica fetches what another converted instead of converting again.
- ``model_versions.check_sha256``: the blob of the version's check images (a sample of
  its held-out images), on which a runtime must agree with Keras before it serves.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runtime_artifacts",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("blob_sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # A plain ALTER TABLE on both databases: a nullable column needs no table rebuild.
    op.add_column("model_versions", sa.Column("check_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("check_sha256")
    op.drop_table("runtime_artifacts")
