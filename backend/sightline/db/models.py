"""SQLAlchemy models: predictions, model versions, training uploads, retraining jobs,
and request events (for monitoring). The schema is owned by Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from sightline.retrain_job import ACTIVE

# Every row belongs to a classifier, named by its slug (ml/classifiers.py); the rows a
# database held before classifiers existed belong to the shipped one (migration 0005).
SHIPPED_CLASSIFIER = "cifar10"
CLASSIFIER_NAME_LENGTH = 40


def classifier_column(*, index: bool = False) -> Mapped[str]:
    return mapped_column(String(CLASSIFIER_NAME_LENGTH), index=index)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC; SQLite drops tzinfo, so it is put back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class PredictionRow(Base):
    __tablename__ = "predictions"
    __table_args__ = (
        # Newest-first keyset pages of one classifier's history ((created_at, id) <
        # cursor; migration 0005), the oldest rows first for retention (0003), and one row
        # per answered request, whichever replica a replay reaches.
        Index("ix_predictions_classifier_created_id", "classifier", "created_at", "id"),
        Index("ix_predictions_created_id", "created_at", "id"),
        Index("uq_predictions_request_key", "request_key", unique=True),
    )

    # Made by the server before the row is written, so the answer can carry it.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    classifier: Mapped[str] = classifier_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Identifies the request (Idempotency-Key or nginx's request id, with the image's
    # hash): a replay of the same request inserts nothing (db/predictions.py).
    request_key: Mapped[str] = mapped_column(String(64))
    prediction: Mapped[str] = mapped_column(String(128))
    class_index: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    model_version: Mapped[str] = mapped_column(String(64), index=True)
    time_ms: Mapped[float] = mapped_column(Float)
    image_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    endpoint: Mapped[str] = mapped_column(String(32), default="predict")
    probabilities: Mapped[list[float]] = mapped_column(JSON)


class ModelVersionRow(Base):
    __tablename__ = "model_versions"
    __table_args__ = (
        # One production version per classifier (migration 0005).
        Index(
            "uq_model_versions_one_production",
            "classifier",
            unique=True,
            sqlite_where=text("status = 'production'"),
            postgresql_where=text("status = 'production'"),
        ),
    )

    # Numbered across classifiers (v1, v2, ...), so a version names one model anywhere.
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    classifier: Mapped[str] = classifier_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), index=True)
    # production / candidate / rejected / archived; one production row per classifier.
    parent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    trained_on: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    path: Mapped[str] = mapped_column(Text)  # since 0004: the folder in a replica's cache
    # The files, as content-addressed blobs (migration 0004; db/blobs.py or S3).
    model_sha256: Mapped[str] = mapped_column(String(64), index=True)
    card_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Held-out images a runtime is checked on (migration 0007); None: generated only.
    check_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(32), default="shipped")  # shipped / retrained
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class TrainingUploadRow(Base):
    __tablename__ = "training_uploads"
    __table_args__ = (
        # The same image once per classifier (migration 0005); two classifiers may share it.
        Index("uq_training_uploads_classifier_sha256", "classifier", "sha256", unique=True),
        Index("ix_training_uploads_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    classifier: Mapped[str] = classifier_column()
    sha256: Mapped[str] = mapped_column(String(64))
    class_name: Mapped[str] = mapped_column(String(128), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    # The bytes are the blob ``sha256``; this is where a replica caches them, relative
    # to $SIGHTLINE_HOME/uploads.
    path: Mapped[str] = mapped_column(Text)
    original_filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The job that first trained on it; None while it is new.
    used_by_job: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # "train" or "test" when the uploader said (a zip's train/ and test/ folders, or a
    # stratified split made at upload); None: the content hash decides (is_holdout).
    split: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # Provenance of a label given in the review queue (migration 0006): the prediction
    # the image came from and who labelled it (created_at is when); None for uploads.
    prediction_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    added_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


# "status IN ('queued', 'running')", as migration 0002 created it.
ACTIVE_JOB_CONDITION = "status IN ({})".format(", ".join(f"'{status}'" for status in ACTIVE))


class RetrainJobRow(Base):
    __tablename__ = "retrain_jobs"
    __table_args__ = (
        # At most one queued or running job per classifier, whichever replica inserts it
        # (a unique index over the active rows only; migrations 0002 and 0005).
        Index(
            "uq_retrain_jobs_one_active",
            "classifier",
            unique=True,
            sqlite_where=text(ACTIVE_JOB_CONDITION),
            postgresql_where=text(ACTIVE_JOB_CONDITION),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    classifier: Mapped[str] = classifier_column(index=True)
    # A JobStatus value; a plain string column, so a new status needs no migration.
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    epochs: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=0)
    loss: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy: Mapped[float | None] = mapped_column(Float, nullable=True)
    eta_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    history: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    promoted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class RequestEventRow(Base):
    """One API request (any route), for error counts and rates in /api/monitoring."""

    __tablename__ = "request_events"
    __table_args__ = (Index("ix_request_events_route_created", "route", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The classifier the route served (the default one for unscoped routes).
    classifier: Mapped[str] = classifier_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    method: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(128))
    status_code: Mapped[int] = mapped_column(Integer, index=True)
    duration_ms: Mapped[float] = mapped_column(Float)


class RollupMinuteRow(Base):
    """Per-minute aggregates of predictions and request events (migration 0003), kept by
    the writer in the transaction that inserts the raw rows, so monitoring reads
    O(minutes) rows and survives the pruning of raw rows. ``series`` names what is
    counted, ``label`` which part of it (a class, a status class, a histogram bucket;
    db/predictions.py)."""

    __tablename__ = "rollup_minutes"

    classifier: Mapped[str] = mapped_column(String(CLASSIFIER_NAME_LENGTH), primary_key=True)
    minute: Mapped[int] = mapped_column(Integer, primary_key=True)  # unix time // 60
    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    label: Mapped[str] = mapped_column(String(128), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)  # sum of the measured values


class CounterRow(Base):
    """Running totals kept in the writer's transactions (migration 0003), so no read
    counts a whole table: ``predictions_served`` (ever) and ``prediction_rows`` (stored
    now, less what retention deleted)."""

    __tablename__ = "counters"

    classifier: Mapped[str] = mapped_column(String(CLASSIFIER_NAME_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ClassifierRow(Base):
    """A classifier (migration 0005): a named line of model versions with its own
    training data, jobs and history. Archived ones keep their rows readable."""

    __tablename__ = "classifiers"

    name: Mapped[str] = mapped_column(String(CLASSIFIER_NAME_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / archived
    # What its first training starts from: a classifier's name, "auto", or None (scratch).
    parent: Mapped[str | None] = mapped_column(String(CLASSIFIER_NAME_LENGTH), nullable=True)
    # Classes named before any model has them (at creation, or by uploads), in order.
    classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The review policy (migration 0006, ml/review_policy.py); None: review is off.
    review: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ReviewItemRow(Base):
    """A production answer kept for a person to label (migration 0006): its image is
    the blob ``image_sha256``; one item per (classifier, prediction)."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("uq_review_items_classifier_prediction", "classifier", "prediction_id", unique=True),
        Index("ix_review_items_classifier_state_confidence", "classifier", "state", "confidence"),
        Index("ix_review_items_classifier_created", "classifier", "created_at"),
        Index("ix_review_items_image_sha256", "image_sha256"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    classifier: Mapped[str] = classifier_column()
    prediction_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16))  # uncertain / audit / feedback
    image_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(64))
    predicted: Mapped[str] = mapped_column(String(128))
    top3: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"class": ..., "p": ...}]
    confidence: Mapped[float] = mapped_column(Float)
    uncertain: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # pending / labelled / none_of_these / skipped
    state: Mapped[str] = mapped_column(String(16), default="pending")
    label: Mapped[str | None] = mapped_column(String(128), nullable=True)
    labelled_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    labelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    suggested_label: Mapped[str | None] = mapped_column(String(128), nullable=True)


class OutOfClassImageRow(Base):
    """An image a reviewer said is none of the classifier's classes (migration 0006):
    the retrain gate checks a candidate doubts these as much as production does."""

    __tablename__ = "out_of_class_images"
    __table_args__ = (
        Index("uq_out_of_class_images_classifier_sha256", "classifier", "sha256", unique=True),
        Index("ix_out_of_class_images_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    classifier: Mapped[str] = classifier_column()
    sha256: Mapped[str] = mapped_column(String(64))
    prediction_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    added_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BlobRow(Base):
    """A content-addressed blob kept in the database (migration 0004): model files and
    training uploads. Its bytes are in ``blob_chunks``; the row exists only once every
    chunk does (one transaction)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BlobChunkRow(Base):
    """Part of a blob, at most 1 MiB: large values stay cheap to read and write on both
    SQLite and Postgres."""

    __tablename__ = "blob_chunks"

    sha256: Mapped[str] = mapped_column(
        String(64), ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class RuntimeArtifactRow(Base):
    """A model converted for an inference runtime (migration 0007), shared by replicas:
    its files are one blob, found by the key the runtime names it by (the model's
    sha256, the runtime's version, the precision), so no replica converts it again."""

    __tablename__ = "runtime_artifacts"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    blob_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AdminTokenRow(Base):
    """The hash of the generated admin token (migration 0004): one row, so every replica
    accepts the same token and none keeps it in plain text."""

    __tablename__ = "admin_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
