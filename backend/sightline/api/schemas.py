"""Response and request bodies, as the API contract (shared/api-contract.md) has them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

CLASS_EXAMPLE = {"airplane": 0.01, "cat": 0.93, "dog": 0.06}


class ErrorBody(BaseModel):
    detail: str = Field(examples=["The file is not an image Sightline can read."])
    code: str = Field(examples=["unsupported_image"])


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    model_loaded: bool
    model_version: str | None = Field(examples=["v1"])


class Status(BaseModel):
    status: str = Field(examples=["online"])
    uptime_seconds: float
    started_at: datetime
    model_version: str | None
    predictions_served: int
    model_loaded: bool = True


class TopK(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    class_: str = Field(alias="class", serialization_alias="class")
    p: float


class PredictionOut(BaseModel):
    id: str = Field(examples=["3f2a9c0d1e2b4a5f8c7d6e5f4a3b2c1d"])
    prediction: str = Field(examples=["cat"])
    confidence: float = Field(examples=[0.93])
    probabilities: dict[str, float] = Field(examples=[CLASS_EXAMPLE])
    top_k: list[TopK]
    uncertain: bool
    model_version: str = Field(examples=["v1"])
    time_ms: float = Field(examples=[4.2])
    created_at: datetime | None = None


class BatchItemError(BaseModel):
    filename: str | None
    error: ErrorBody


class BatchItem(PredictionOut):
    filename: str | None


class BatchOut(BaseModel):
    results: list[BatchItem | BatchItemError]


class PredictionRecord(BaseModel):
    id: str
    created_at: datetime
    prediction: str
    confidence: float
    uncertain: bool
    model_version: str
    time_ms: float
    filename: str | None = None


class PredictionPage(BaseModel):
    items: list[PredictionRecord]
    total: int
    limit: int
    offset: int


class PerClass(BaseModel):
    precision: float
    recall: float
    f1: float
    accuracy: float
    support: int


class EvaluatedOn(BaseModel):
    dataset: str
    n: int


class MetricsOut(BaseModel):
    model_version: str
    accuracy: float = Field(examples=[0.94])
    precision: float
    recall: float
    f1: float
    roc_auc: float | None = None
    per_class: dict[str, PerClass]
    class_names: list[str]
    confusion_matrix: list[list[int]]
    history: dict[str, list[float]]
    evaluated_on: EvaluatedOn
    uncertainty: dict[str, Any] | None = None
    training: dict[str, Any] | None = None


class DatasetStats(BaseModel):
    dataset: str
    classes: list[str]
    train: dict[str, int]
    test: dict[str, int]
    uploads: dict[str, int]
    total: int


class ModelOut(BaseModel):
    version: str
    created_at: datetime
    status: str = Field(examples=["production"])
    metrics: dict[str, Any]
    parent: str | None
    trained_on: dict[str, Any]
    source: str
    promoted_at: datetime | None = None
    note: str | None = None


class ModelList(BaseModel):
    items: list[ModelOut]
    production: str | None


class UploadRejection(BaseModel):
    filename: str
    reason: str


class UploadReportOut(BaseModel):
    uploaded: int
    duplicates: int
    rejected: list[UploadRejection]
    class_counts: dict[str, int]


class RetrainRequest(BaseModel):
    epochs: int | None = Field(None, ge=1, le=50, examples=[3])


class JobOut(BaseModel):
    job_id: str
    status: str = Field(examples=["running"])
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
    metrics: dict[str, Any]
    base_version: str | None = None
    model_version: str | None
    promoted: bool | None
    params: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ExplainOut(PredictionOut):
    heatmap_png: str = Field(description="Grad-CAM heat map, base64 PNG at the upload's size")
