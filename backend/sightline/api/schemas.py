"""Request and response bodies of the HTTP API.

These and the routes make the OpenAPI document (served at /openapi.json, shown at /docs,
committed as docs/openapi.json by ``make openapi``); the dashboard's client is generated
from that file. Naming: a response body ends in ``Out``, a request body in ``In``. Parts
of the model card that a response shows as they are keep their names from ml/card.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from sightline.ml.card import Machine, Metrics, Uncertainty
from sightline.ml.classifiers import ClassifierSummary
from sightline.ml.live_accuracy import Estimate
from sightline.ml.review_policy import ReviewPolicy, ReviewPolicyPatch
from sightline.ml.review_queue import LiveAccuracy, ReviewItem
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


class SplitCountOut(BaseModel):
    train: int = Field(description="Stored images a training learns from")
    test: int = Field(description="Stored images held out to evaluate a training")


class TrainingDataReportOut(UploadReportOut):
    """The upload report of /training-data: the legacy report, the classifier's classes
    after the upload, and its images per class in each split."""

    classes: list[str] = Field(examples=[["cat", "dog"]])
    split_counts: dict[str, SplitCountOut]


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
    classifier: str = Field(examples=["cifar10"])
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
            classifier=job.classifier,
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


# --------------------------------------------------------------------------- classifiers


class ClassifierIn(BaseModel):
    name: str = Field(
        examples=["cats-vs-dogs"],
        description="1-40 lowercase letters, digits and hyphens, starting and ending "
        "with a letter or digit; it goes in URLs and cannot change",
    )
    parent: str | None = Field(
        "auto",
        examples=["cifar10"],
        description="What its first training starts from: a classifier's production "
        'model, "auto" (the best local start for its images) or null (from scratch)',
    )
    classes: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=1000, examples=[["cat", "dog"]]
    )


class LastJobOut(BaseModel):
    id: str
    status: JobStatus
    created_at: datetime
    finished_at: datetime | None
    message: str
    promoted: bool | None


class ClassifierOut(BaseModel):
    name: str = Field(examples=["cifar10"])
    status: Literal["active", "archived"]
    stage: Literal["live", "training", "untrained"] = Field(
        description="live: a version answers; training: its first job is queued or running"
    )
    parent: str | None
    classes: list[str]
    is_default: bool
    created_at: datetime
    archived_at: datetime | None = None
    production_version: str | None
    accuracy: float | None = Field(None, description="The production version's test accuracy")
    predictions_today: int = Field(description="Answers since 00:00 UTC")
    training_images: int
    last_job: LastJobOut | None
    review: ReviewPolicy = Field(
        default_factory=lambda: ReviewPolicy(), description="What answers are kept for review"
    )

    @classmethod
    def of(cls, summary: ClassifierSummary) -> ClassifierOut:
        row, job = summary.classifier, summary.last_job
        return cls(
            name=row.name,
            status="archived" if row.archived else "active",
            stage=summary.stage,  # type: ignore[arg-type]
            parent=row.parent,
            classes=summary.classes,
            is_default=summary.is_default,
            created_at=row.created_at,
            archived_at=row.archived_at,
            production_version=summary.production_version,
            accuracy=summary.accuracy,
            predictions_today=summary.predictions_today,
            training_images=summary.training_images,
            last_job=None
            if job is None
            else LastJobOut(
                id=job.id,
                status=job.status,
                created_at=job.created_at,
                finished_at=job.finished_at,
                message=job.message,
                promoted=job.promoted,
            ),
            review=ReviewPolicy.stored(row.review),
        )


class ClassifierPatchIn(BaseModel):
    """A change to a classifier's settings: the fields sent change, the rest stay."""

    model_config = ConfigDict(extra="forbid")

    review: ReviewPolicyPatch | None = Field(
        None,
        examples=[{"keep_uncertain": True, "audit_rate": 0.01, "retention_days": 30}],
        description="Review policy fields to change",
    )


class ClassifierListOut(BaseModel):
    items: list[ClassifierOut]
    default: str = Field(examples=["cifar10"], description="What the unscoped routes serve")


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


# --------------------------------------------------------------------------- review queue

ReviewStrategy = Literal["least_confident", "audit_first"]
ReviewReason = Literal["uncertain", "audit", "feedback"]
ReviewState = Literal["pending", "labelled", "none_of_these", "skipped"]


class ReviewItemOut(BaseModel):
    id: str
    prediction_id: str
    reason: ReviewReason
    image_url: str = Field(
        description="The image (reviewer or admin token; immutable, cache it: prefetch)"
    )
    explain_url: str = Field(description="Its Grad-CAM heat map, computed on request")
    predicted: str = Field(examples=["cat"])
    confidence: float
    top3: list[TopKOut]
    uncertain: bool
    model_version: str
    created_at: datetime
    state: ReviewState
    label: str | None = None
    labelled_by: str | None = None
    labelled_at: datetime | None = None
    suggested_label: str | None = Field(None, description="What a client's feedback said")

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewItemOut:
        base = f"/api/classifiers/{item.classifier}/review/{item.id}"
        return cls(
            id=item.id,
            prediction_id=item.prediction_id,
            reason=item.reason,  # type: ignore[arg-type]
            image_url=f"{base}/image",
            explain_url=f"{base}/explain",
            predicted=item.predicted,
            confidence=item.confidence,
            top3=[TopKOut.model_validate(entry) for entry in item.top3],
            uncertain=item.uncertain,
            model_version=item.model_version,
            created_at=item.created_at,
            state=item.state,  # type: ignore[arg-type]
            label=item.label,
            labelled_by=item.labelled_by,
            labelled_at=item.labelled_at,
            suggested_label=item.suggested_label,
        )


class ReviewCountsOut(BaseModel):
    by_class: dict[str, int] = Field(description="Items waiting, per predicted class")
    by_reason: dict[str, int] = Field(description="Items waiting, per reason kept")
    by_state: dict[str, int] = Field(description="All items, per state")


class ReviewPageOut(BaseModel):
    items: list[ReviewItemOut]
    counts: ReviewCountsOut
    strategy: ReviewStrategy
    classes: list[str] = Field(description="What a label may be (number keys, in order)")


class ReviewDecisionIn(BaseModel):
    """``{"label": "<class>"}``, ``{"label": null}`` (none of these classes) or
    ``{"skip": true}``."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, max_length=128, examples=["cat"])
    skip: bool = False


class ReviewDecisionOut(BaseModel):
    item: ReviewItemOut
    repeated: bool = Field(description="The same decision was recorded already; nothing changed")
    training_image: Literal["added", "duplicate"] | None = Field(
        None, description="added: a new training image; duplicate: the classifier had it"
    )
    retrain_job: str | None = Field(None, description="Queued by the policy's auto_retrain_after")


class ReviewUndoOut(BaseModel):
    item: ReviewItemOut
    training_images_removed: int
    kept_trained_on: int = Field(description="Training images a job has used: they stay")


class ReviewExplainOut(BaseModel):
    item_id: str
    class_: str = Field(alias="class", serialization_alias="class")
    heatmap_png: str = Field(description="Grad-CAM heat map, base64 PNG at the image's size")

    model_config = ConfigDict(populate_by_name=True)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(
        None, max_length=128, description="What the image shows, if the client knows"
    )


class FeedbackOut(BaseModel):
    item_id: str
    status: Literal["queued", "already_queued"]


class EstimateOut(BaseModel):
    labelled: int
    correct: int
    accuracy: float | None
    low: float | None = Field(description="95% Wilson interval")
    high: float | None

    @classmethod
    def of(cls, figures: Estimate) -> EstimateOut:
        return cls(
            labelled=figures.labelled,
            correct=figures.correct,
            accuracy=figures.accuracy,
            low=figures.low,
            high=figures.high,
        )


class LiveAccuracyDayOut(BaseModel):
    day: str = Field(examples=["2026-12-05"], description="UTC day the answers were given")
    audit: EstimateOut
    uncertain: EstimateOut


class LiveAccuracyOut(BaseModel):
    days: int
    audit: EstimateOut = Field(description="The audit sample: an unbiased production accuracy")
    uncertain: EstimateOut = Field(description="The answers the model doubted")
    none_of_these: int = Field(description="Audit images that were none of the classes (wrong)")
    per_day: list[LiveAccuracyDayOut]
    production_version: str | None
    test_accuracy: float | None = Field(description="The production version's test split")

    @classmethod
    def of(
        cls, figures: LiveAccuracy, production_version: str | None, test_accuracy: float | None
    ) -> LiveAccuracyOut:
        return cls(
            days=figures.days,
            audit=EstimateOut.of(figures.audit),
            uncertain=EstimateOut.of(figures.uncertain),
            none_of_these=figures.none_of_these,
            per_day=[
                LiveAccuracyDayOut(
                    day=day, audit=EstimateOut.of(d.audit), uncertain=EstimateOut.of(d.uncertain)
                )
                for day, d in figures.per_day.items()
            ],
            production_version=production_version,
            test_accuracy=test_accuracy,
        )
