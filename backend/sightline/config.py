"""Settings, read once from the environment (prefix ``SIGHTLINE_``) by pydantic-settings.

Everything Sightline writes at run time lives under ``home``; everything it reads
from the repository (the shipped model) has a path here too, so tests and replicas
can point the whole product somewhere else with environment variables alone.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIGHTLINE_", extra="ignore")

    # Where run-time state goes: database, model registry, uploads, caches.
    home: Path = REPO_ROOT / "var"
    database_url: str | None = None
    # Where model files and training uploads are kept, by content hash: "database" (a
    # table in the database above, the default) or "s3://bucket/prefix" (endpoint and
    # credentials from the usual AWS_* variables). $SIGHTLINE_HOME only caches them.
    blob_store: str = "database"
    admin_token: str | None = None
    # The review queue's token (issue #32): labels and reads kept images, nothing else;
    # generated and printed like the admin token when unset (ops/credentials.py).
    reviewer_token: str | None = None
    # Whether `serve` and `worker` migrate the database as they start (under the
    # database's lock). Off where a separate `sightline migrate` step does it (the
    # Kubernetes Job, the compose one-shot service).
    migrate_on_start: bool = True
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"]
    )

    # The classifier the unscoped routes (/api/predict, /api/models...) serve; the shipped
    # model becomes its first version at the first start.
    default_classifier: str = "cifar10"
    # The model the registry starts from, and the data it was trained on.
    model_dir: Path = REPO_ROOT / "models" / "cifar10"
    # "cifar10" (then `cifar10` below says where it is) or a path to an image-folder
    # dataset (a folder or .zip with train/<class>/ and test/<class>/).
    dataset: str = "cifar10"
    cifar10: str | None = None
    cache_dir: Path | None = None

    # Serving.
    max_upload_bytes: int = 10 * 1024 * 1024
    max_request_bytes: int = 64 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_frames: int = 1000
    max_batch_files: int = 64
    max_zip_files: int = 5000
    max_zip_ratio: float = 200.0
    max_zip_uncompressed_bytes: int = 512 * 1024 * 1024
    # Grad-CAM maps are drawn at the upload's size up to this many pixels, then scaled
    # down (same aspect ratio): a map's memory and time grow with its pixels.
    max_heatmap_pixels: int = 1_000_000
    batch_max_size: int = 64
    batch_max_wait_ms: float = 2.0
    inference_threads: int = 2
    # What runs the model (serving/runtime_choice.py): "keras" (the reference),
    # "openvino", or "auto" (OpenVINO where it is faster on this machine). Anything
    # but Keras serves only after agreeing with Keras on a fixed set of images.
    runtime: Literal["auto", "keras", "openvino"] = "keras"
    model_poll_seconds: float = 2.0
    # Models kept loaded in one API process (serving/model_pool.py): the least recently
    # used is unloaded past either bound, and loaded again on its next request.
    max_resident_models: Annotated[int, Field(ge=1)] = 20
    max_resident_model_mb: Annotated[float, Field(gt=0)] = 2048.0
    # The prediction history (serving/recorder.py): an answer waits for its row's
    # commit; longer than this, or with this many rows already waiting, the request is
    # answered 503 with Retry-After instead, never without its row.
    history_commit_timeout_s: float = 10.0
    history_max_pending: int = 20_000
    # Retention (ops/retention.py, run by the worker and `sightline prune`): request
    # events older than this are deleted (their per-minute rollups stay); predictions
    # are user data and stay unless a number of days is set (export them first:
    # `sightline export predictions`). Deleted in batches of retention_batch_rows.
    request_events_retention_days: float = 7.0
    predictions_retention_days: float | None = None
    retention_batch_rows: int = 5000
    retention_interval_s: float = 600.0

    # Retraining.
    retrain_epochs: int = 3
    # A classifier trains only with at least this many labelled images in each class.
    min_images_per_class: Annotated[int, Field(ge=1)] = 10
    # A classifier's first version goes live only at or above this test accuracy (its
    # held-out images) and after the doubt check on out-of-class images.
    first_version_min_accuracy: Annotated[float, Field(ge=0, le=1)] = 0.6
    # ...and flags at least this share of each kind of out-of-class image, or as many as
    # its parent does (less promotion_out_of_class_tolerance), whichever is lower: the
    # parent has other classes, and matching its 100% on flat colour asks more of two
    # classes of photos than the doubt check is for (docs/model.md).
    first_version_min_flagged: Annotated[float, Field(ge=0, le=1)] = 0.75
    # A first training's epochs of the whole network (after the head alone): the
    # transfer recipe's (ml/transfer.TransferConfig.epochs), unless the job names some.
    first_training_epochs: Annotated[int, Field(ge=1)] = 6
    # The recipe's scale (per 1,024 examples, summed loss): below from-scratch training's
    # final 0.8, so a fine-tune stays in its parent's minimum (docs/model.md, Retraining).
    retrain_learning_rate: float = 0.3
    retrain_replay_per_class: int = 500
    # Smooth colour fields that learn the parent's answers in each fine-tune, so new
    # uploads do not make the model sure of flat-colour images (docs/model.md).
    retrain_colour_fields: Annotated[int, Field(ge=0)] = 500
    retrain_holdout_fraction: float = 0.2
    # Test images both models are scored on (a fixed sample of the test split).
    retrain_eval_size: int = 2000
    promotion_tolerance: float = 0.005
    # How much less often a candidate may flag out-of-class images (each kind) than
    # production: 200 images per kind, so 10 points is 20 images, beyond chance.
    promotion_out_of_class_tolerance: float = 0.1
    worker_poll_seconds: float = 1.0
    worker_heartbeat_seconds: float = 5.0
    worker_stale_seconds: float = 60.0
    # The worker's CPU priority (nice, 0-19): training yields the cores to the API, so
    # predictions keep their latency while a model trains on the same machine.
    worker_nice: Annotated[int, Field(ge=0, le=19)] = 10

    # Admin endpoints: requests per minute per client.
    admin_rate_limit_per_minute: int = 120

    # The review queue (issue #32; the policy itself is per classifier). Kept answers
    # wait for the background keeper in a queue of this many (beyond it they are dropped
    # and counted); every answer of a classifier with review on stays in this process's
    # memory for a while, so a client's feedback right after an answer finds its image.
    review_queue_max: Annotated[int, Field(ge=1)] = 1000
    review_recent_images: Annotated[int, Field(ge=0)] = 512
    review_recent_mb: Annotated[float, Field(ge=0)] = 64.0
    review_recent_seconds: Annotated[float, Field(ge=0)] = 900.0
    # Feedback (POST .../predictions/{id}/feedback): requests per minute per client.
    feedback_rate_limit_per_minute: int = 30

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def resolved_database_url(self) -> str:
        url = self.database_url or f"sqlite:///{self.home / 'sightline.db'}"
        # Platforms (Render, Heroku) hand out postgres:// or postgresql:// URLs, which
        # SQLAlchemy maps to psycopg2; the driver installed is psycopg 3.
        scheme, sep, rest = url.partition("://")
        if scheme in ("postgres", "postgresql"):
            return f"postgresql+psycopg{sep}{rest}"
        return url

    @property
    def registry_dir(self) -> Path:
        return self.home / "models"

    @property
    def uploads_dir(self) -> Path:
        return self.home / "uploads"

    @property
    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or self.home / "cache"

    def ensure_dirs(self) -> None:
        dirs = (self.home, self.registry_dir, self.uploads_dir, self.resolved_cache_dir)
        for path in (*dirs, self.home / "tmp"):
            path.mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
