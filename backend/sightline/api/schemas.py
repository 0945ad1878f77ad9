"""Request and response bodies of the HTTP API.

These and the routes make the OpenAPI document (served at /openapi.json, shown at /docs,
committed as docs/openapi.json by ``make openapi``); the dashboard's client is generated
from that file. Naming: a response body ends in ``Out``, a request body in ``In``. Parts
of the model card that a response shows as they are keep their names from ml/card.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from sightline.ml.card import Machine, Metrics, Uncertainty
from sightline.retrain_job import JobStatus, RetrainJob
from sightline.serving.predictor import Prediction

CLASS_EXAMPLE = {"airplane": 0.01, "cat": 0.93, "dog": 0.06}


class ErrorOut(BaseModel):
    detail: str = Field(examples=["The file is not an image Sightline can read."])
    code: str = Field(examples=["unsupported_image"])


def error_responses(*status_codes: int) -> dict[int | str, dict[str, object]]:
    """A route's ``responses``: these statuses answer an ErrorOut body."""
    return {status: {"model": ErrorOut} for status in status_codes}


# --------------------------------------------------------------------------- status


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"] = Field(examples=["ok"])
    model_loaded: bool
    model_version: str | None = Field(examples=["v1"])


class RuntimeOut(BaseModel):
    """What runs the served model (serving/runtime_choice.py), and why."""

    name: str = Field(examples=["openvino"])
    precision: str = Field(examples=["f32"])
    requested: str = Field(examples=["auto"])
    agreement: float | None = Field(None, description="Top-1 agreement with Keras")
    flagged_gap: float | None = Field(None, description="Flagged-uncertain share vs Keras")
    checked_images: int = 0
    reason: str | None = Field(None, description="Why Keras serves instead")
    timings_ms: dict[str, dict[str, float]] = Field(default_factory=dict)


class StatusOut(BaseModel):
    status: Literal["online", "degraded"] = Field(examples=["online"])
    uptime_seconds: float
    started_at: datetime
    model_version: str | None
    predictions_served: int
    model_loaded: bool = True
    runtime: RuntimeOut | None = None


# --------------------------------------------------------------------------- predictions


class TopKOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    class_: str = Field(alias="class", serialization_alias="class")
    p: float


class PredictionOut(BaseModel):
    id: str = Field(examples=["3f2a9c0d1e2b4a5f8c7d6e5f4a3b2c1d"])
    prediction: str = Field(examples=["cat"])
    confidence: float = Field(examples=[0.93])
    probabilities: dict[str, float] = Field(examples=[CLASS_EXAMPLE])
    top_k: list[TopKOut]
    uncertain: bool
    model_version: str = Field(examples=["v1"])
    time_ms: float = Field(examples=[4.2])
    created_at: datetime

    @classmethod
    def of(cls, prediction: Prediction, **extra: Any) -> Self:
        """The answer for ``prediction``; ``extra`` fills a subclass's own fields."""
        return cls(
            id=prediction.id,
            prediction=prediction.label,
            confidence=prediction.confidence,
            probabilities=prediction.probabilities,
            top_k=[TopKOut.model_validate({"class": name, "p": p}) for name, p in prediction.top_k],
            uncertain=prediction.uncertain,
            model_version=prediction.model_version,
            time_ms=prediction.time_ms,
            created_at=prediction.created_at,
            **extra,
        )


class BatchItemOut(PredictionOut):
    filename: str | None


class BatchItemErrorOut(BaseModel):
    filename: str | None
    error: ErrorOut


class BatchOut(BaseModel):
    results: list[BatchItemOut | BatchItemErrorOut]


class ExplainOut(PredictionOut):
    heatmap_png: str = Field(description="Grad-CAM heat map, base64 PNG at the upload's size")


class PredictionSummaryOut(BaseModel):
    """A prediction as the history lists it (without its probabilities)."""

    id: str
    created_at: datetime
    prediction: str
    confidence: float
    uncertain: bool
    model_version: str
    time_ms: float
    filename: str | None = None


class PredictionPageOut(BaseModel):
    items: list[PredictionSummaryOut]
    total: int = Field(description="Predictions stored (a maintained counter).")
    limit: int
    offset: int
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next (older) page; null on the last page."
    )


# --------------------------------------------------------------------------- model


class TrainingSummaryOut(BaseModel):
    command: str | None = None
    seconds: float | None = None
    machine: Machine | None = None
    config: dict[str, JsonValue] = Field(default_factory=dict)


class MetricsOut(Metrics):
    """The production model's card: its evaluation, training curves and recipe."""

    model_version: str
    history: dict[str, list[float | None]]
    uncertainty: Uncertainty | None = None
    training: TrainingSummaryOut | None = None


class DatasetStatsOut(BaseModel):
    dataset: str
    classes: list[str]
    train: dict[str, int]
    test: dict[str, int]
    uploads: dict[str, int]
    total: int


class TrainedOnOut(BaseModel):
    name: str | None = None
    sha256: str | None = None
    url: str | None = None
    train: dict[str, int] = Field(default_factory=dict)
    test: dict[str, int] = Field(default_factory=dict)
    seconds: float | None = None


# ml/registry.py's STATUSES, and where a version came from.
ModelStatus = Literal["production", "candidate", "rejected", "archived"]
ModelSource = Literal["shipped", "retrained"]


class ModelOut(BaseModel):
    version: str
    created_at: datetime
    status: ModelStatus = Field(examples=["production"])
    metrics: Metrics | None = Field(description="None for a model saved without evaluation")
    parent: str | None
    trained_on: TrainedOnOut
    source: ModelSource = Field(examples=["shipped"], description="shipped or retrained")
    promoted_at: datetime | None = None
    note: str | None = None

    @field_validator("metrics", mode="before")
    @classmethod
    def _no_metrics(cls, value: Any) -> Any:
        return value or None  # the registry stores {} for a model never evaluated


class ModelListOut(BaseModel):
    items: list[ModelOut]
    production: str | None


# --------------------------------------------------------------------------- retraining


class UploadRejectionOut(BaseModel):
    filename: str
    reason: str


class UploadReportOut(BaseModel):
    uploaded: int
    duplicates: int
    rejected: list[UploadRejectionOut]
    class_counts: dict[str, int]


class RetrainIn(BaseModel):
    epochs: int | None = Field(None, ge=1, le=50, examples=[3])


class RetrainAcceptedOut(BaseModel):
    job_id: str
    status: JobStatus = Field(examples=["queued"])


class ModelScoresOut(BaseModel):
    """One model's scores in a retraining job (the full report goes in its card)."""

    accuracy: float | None = None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    per_class: dict[str, float] | None = None
    test_n: int | None = None
    uploaded_classes: list[str] | None = None
    uploaded_classes_test_accuracy: float | None = None
    uploads_accuracy: float | None = None
    uploads_n: int | None = None
    all_uploads_accuracy: float | None = None
    all_uploads_n: int | None = None
    out_of_class_flagged: dict[str, float] | None = Field(
        None,
        description="Per kind of generated image of none of the classes (noise, flat "
        "colour, text), the share the model flags uncertain at its own threshold.",
        examples=[{"noise": 1.0, "flat colour": 0.88, "text": 0.97}],
    )


class JobScoresOut(BaseModel):
    candidate: ModelScoresOut | None = None
    production: ModelScoresOut | None = None


class JobOut(BaseModel):
    job_id: str
    status: JobStatus = Field(examples=["running"])
    progress: float
    epoch: int
    epochs: int
    step: int = 0
    total_steps: int = 0
    loss: float | None = None
    accuracy: float | None = None
    eta_seconds: float | None = None
    message: str
    history: dict[str, list[float | None]] = Field(default_factory=dict)
    metrics: JobScoresOut = Field(default_factory=JobScoresOut)
    base_version: str | None = None
    model_version: str | None
    promoted: bool | None
    params: dict[str, JsonValue] = Field(default_factory=dict)
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: RetrainJob) -> JobOut:
        return cls(
            job_id=job.id,
            status=job.status,
            progress=round(job.progress, 4),
            epoch=job.epoch,
            epochs=job.epochs,
            step=job.step,
            total_steps=job.total_steps,
            loss=job.loss,
            accuracy=job.accuracy,
            eta_seconds=job.eta_seconds,
            message=job.message,
            history=job.history,
            metrics=JobScoresOut.model_validate(job.metrics),
            base_version=job.base_version,
            model_version=job.model_version,
            promoted=job.promoted,
            params=job.params,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


# --------------------------------------------------------------------------- monitoring


class PercentilesOut(BaseModel):
    p50: float | None
    p95: float | None
    p99: float | None


class ConfidencePointOut(BaseModel):
    t: datetime
    mean: float
    n: int


class ConfidenceOut(BaseModel):
    mean: float | None
    series: list[ConfidencePointOut]


class RequestPointOut(BaseModel):
    """One bucket of the window (``bucket_seconds`` wide, centred on ``t``); the series
    has every bucket of the window, empty ones included."""

    t: datetime
    requests: int
    errors: int
    p50: float | None = Field(description="Prediction latency (predict, batch, explain), ms")
    p95: float | None
    predictions: int = 0
    confidence: float | None = Field(None, description="Mean confidence of its predictions")


class DriftOut(BaseModel):
    detected: bool
    threshold: float
    window_n: int
    min_predictions: int
    method: str
    class_psi: float | None
    confidence_psi: float | None
    reason: str | None = None


class SystemOut(BaseModel):
    cpu_percent: float
    memory_percent: float
    disk_percent: float
    process_rss_mb: float


class MonitoringOut(BaseModel):
    """Figures over a time window, from the shared history (the same on every replica)."""

    window_seconds: int
    bucket_seconds: int = Field(
        60, description="Width of a series bucket: whole minutes, at most 30 buckets"
    )
    requests: int
    rps: float
    errors: int
    server_errors: int
    predictions: int
    predictions_total: int
    latency_ms: PercentilesOut
    model_time_ms: PercentilesOut
    class_distribution: dict[str, int]
    confidence: ConfidenceOut
    series: list[RequestPointOut]
    drift: DriftOut
    system: SystemOut
