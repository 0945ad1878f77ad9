"""review queue: production answers kept for a person to label (issue #32)

- ``review_items``: one kept answer (its image a blob), why it was kept (uncertain,
  audit sample, client feedback) and its label state; one item per (classifier,
  prediction id), so a retried keep or feedback adds nothing.
- ``out_of_class_images``: images a reviewer said are none of the classifier's classes;
  the retrain gate's doubt check scores them.
- ``training_uploads`` gains provenance: the prediction a label came from and who gave it
  (``created_at`` is when).
- ``classifiers.review``: the classifier's review policy (JSON; null means off).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NAME = sa.String(40)


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("classifier", NAME, nullable=False),
        sa.Column("prediction_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("predicted", sa.String(128), nullable=False),
        sa.Column("top3", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("label", sa.String(128), nullable=True),
        sa.Column("labelled_by", sa.String(32), nullable=True),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suggested_label", sa.String(128), nullable=True),
    )
    op.create_index(
        "uq_review_items_classifier_prediction",
        "review_items",
        ["classifier", "prediction_id"],
        unique=True,
    )
    op.create_index(
        "ix_review_items_classifier_state_confidence",
        "review_items",
        ["classifier", "state", "confidence"],
    )
    op.create_index(
        "ix_review_items_classifier_created", "review_items", ["classifier", "created_at"]
    )
    op.create_index("ix_review_items_image_sha256", "review_items", ["image_sha256"])
    op.create_table(
        "out_of_class_images",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("classifier", NAME, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("prediction_id", sa.String(32), nullable=True),
        sa.Column("added_by", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "uq_out_of_class_images_classifier_sha256",
        "out_of_class_images",
        ["classifier", "sha256"],
        unique=True,
    )
    op.create_index("ix_out_of_class_images_sha256", "out_of_class_images", ["sha256"])
    # Adding nullable columns rewrites no rows (SQLite and Postgres alike).
    op.add_column("training_uploads", sa.Column("prediction_id", sa.String(32), nullable=True))
    op.add_column("training_uploads", sa.Column("added_by", sa.String(32), nullable=True))
    # Whether a blob is still referenced is asked by hash alone (retention).
    op.create_index("ix_training_uploads_sha256", "training_uploads", ["sha256"])
    op.add_column("classifiers", sa.Column("review", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_training_uploads_sha256", table_name="training_uploads")
    with op.batch_alter_table("training_uploads") as batch:
        batch.drop_column("added_by")
        batch.drop_column("prediction_id")
    with op.batch_alter_table("classifiers") as batch:
        batch.drop_column("review")
    op.drop_table("out_of_class_images")
    op.drop_table("review_items")
