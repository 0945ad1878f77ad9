"""The model card: what a saved model is, how it was trained and how well it does.

One pydantic model, read and written only here (``load_card`` / ``save_card``), so a
field is renamed in one place and every reader sees a type, not a string key. Cards
written by older versions still load: fields they lack are optional, and fields no
longer kept (the machine path of the training data) are dropped on reading.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

CARD_FILE = "card.json"
DEFAULT_UNCERTAINTY_THRESHOLD = 0.5


class CardPart(BaseModel):
    # Older cards carry fields that are no longer kept; they are dropped, not refused.
    model_config = ConfigDict(extra="ignore")


class Architecture(CardPart):
    family: str
    widths: list[int]
    parameters: int


class PerClassMetrics(CardPart):
    precision: float
    recall: float
    f1: float
    accuracy: float
    support: int


class EvaluatedOn(CardPart):
    dataset: str
    n: int


class Metrics(CardPart):
    """The evaluation on the training dataset's test split (``ml.evaluation``)."""

    accuracy: float = Field(examples=[0.94])
    precision: float
    recall: float
    f1: float
    per_class: dict[str, PerClassMetrics]
    class_names: list[str]
    confusion_matrix: list[list[int]]
    roc_auc: float | None = None
    evaluated_on: EvaluatedOn


class Uncertainty(CardPart):
    """Below ``threshold`` confidence a prediction is flagged uncertain."""

    threshold: float = DEFAULT_UNCERTAINTY_THRESHOLD
    target_precision: float | None = None
    flagged_share: float | None = None
    accuracy_confident: float | None = None
    accuracy_flagged: float | None = None
    fitted_on: int | None = None
    measured_on: int | None = None
    method: str | None = None


class Baseline(CardPart):
    """What the model predicted on its test split: the reference for drift."""

    class_shares: dict[str, float] = Field(default_factory=dict)
    confidence_histogram: list[float] = Field(default_factory=list)


class Machine(CardPart):
    cpu: str | None = None
    cores: int | None = None
    system: str | None = None
    python: str | None = None
    keras: str | None = None
    backend: str | None = None


class TrainingData(CardPart):
    """The dataset a model was trained on: its name and content hash, never a path
    on the machine that trained it (``data.datasets.dataset_fingerprint``)."""

    name: str
    sha256: str | None = None
    url: str | None = Field(None, description="Where it was downloaded from, if it was")
    train: dict[str, int] = Field(default_factory=dict)
    test: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _url_from_old_source(cls, data: Any) -> Any:
        # Older cards kept ``source``: a path (dropped) or the download URL (kept).
        if isinstance(data, dict) and "url" not in data:
            source = data.get("source")
            if isinstance(source, str) and source.startswith(("https://", "http://")):
                return {**data, "url": source}
        return data


class FineTune(CardPart):
    """How a retraining job fine-tuned this model from its parent."""

    job_id: str
    parent: str
    uploads: int
    replay: int  # original training images, learning the parent's answers
    colour_fields: int = 0  # ml/uncertainty.colour_fields, learning the parent's answers
    config: dict[str, Any] = Field(default_factory=dict)  # the recipe, as TrainConfig has it
    seconds: float


class TransferStart(CardPart):
    """What a transfer-learned model started from (``ml.transfer``): a Sightline model,
    named with the content hash of its model file (which identifies it on any machine,
    where a path would not), or an ImageNet backbone and its weights."""

    kind: str = Field(examples=["model", "imagenet"])
    name: str
    model_sha256: str | None = None
    created_at: str | None = None
    weights: str | None = Field(None, description='"imagenet", "random" or a file\'s sha256')


class Teacher(CardPart):
    """A model whose answers a student learned (``ml.distillation``); its training time
    is part of the student's cost."""

    name: str
    model_sha256: str | None = None
    accuracy: float | None = None
    training_seconds: float | None = None


class Distillation(CardPart):
    teachers: list[Teacher]
    seconds: float = Field(
        description="Asking the teachers for their answers (the first time: a later "
        "student of the same teachers and images reads them from the cache)"
    )


class Training(CardPart):
    command: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)  # the recipe, as TrainConfig has it
    seconds: float | None = None
    steps: int | None = None
    machine: Machine | None = None
    dataset: TrainingData | None = None
    # The JPEG-compressed copy of the same training images that the compression
    # augmentation drew from, when there was one (``data.compression``).
    compressed_copy: TrainingData | None = None
    parent: str | None = None
    note: str | None = None
    fine_tune: FineTune | None = None
    transfer: TransferStart | None = None
    distillation: Distillation | None = None


class Evaluation(CardPart):
    """Accuracy on one more test set (a shifted copy of the data, say)."""

    dataset: str
    sha256: str | None = None
    n: int
    accuracy: float


class Lineage(CardPart):
    """How this model was made, for a program to read: what it started from or learned
    from, named by the content hash of each model file, and the commands that made it."""

    parents: list[str] = Field(
        default_factory=list, description="SHA-256 of the model this one was trained further from"
    )
    teachers: list[str] = Field(
        default_factory=list, description="SHA-256 of each model whose answers it learned"
    )
    commands: list[str] = Field(default_factory=list, description="The commands, in order")
    recipe: str | None = None  # the document that explains the recipe, from the repo root


class ModelCard(CardPart):
    name: str = "model"
    created_at: datetime | None = None
    class_names: list[str]
    input_shape: list[int] = Field(default_factory=list)
    input: str | None = None
    output: str | None = None
    architecture: Architecture | None = None
    metrics: Metrics | None = None
    uncertainty: Uncertainty | None = None
    baseline: Baseline | None = None
    history: dict[str, list[float | None]] = Field(default_factory=dict)
    training: Training = Field(default_factory=Training)
    robustness: list[Evaluation] = Field(default_factory=list)
    lineage: Lineage = Field(default_factory=Lineage)
    # Plain sentences for whoever serves the model: what it cannot do.
    limitations: list[str] = Field(default_factory=list)
    # Set by the registry and by save_model_dir.
    version: str | None = None
    parent: str | None = None
    model_sha256: str | None = None
    model_bytes: int | None = None

    @property
    def input_size(self) -> tuple[int, int]:
        """(height, width) of the images the model takes."""
        return int(self.input_shape[0]), int(self.input_shape[1])

    @property
    def uncertainty_threshold(self) -> float:
        return self.uncertainty.threshold if self.uncertainty else DEFAULT_UNCERTAINTY_THRESHOLD

    def with_evaluation(self, report: Mapping[str, Any]) -> ModelCard:
        """This card with an evaluation report (``ml.evaluation.evaluation_report``) in
        it: the metrics, the drift baseline, and the refitted uncertainty threshold (the
        card's text on how it is fitted is kept)."""
        kept = self.uncertainty.model_dump(exclude_none=True) if self.uncertainty else {}
        return self.model_copy(
            update={
                "metrics": Metrics.model_validate(report["metrics"]),
                "baseline": Baseline.model_validate(report["baseline"]),
                "uncertainty": Uncertainty.model_validate({**kept, **report["uncertainty"]}),
            }
        )


def load_card(directory: Path) -> ModelCard:
    """The card of the model folder ``directory``."""
    return ModelCard.model_validate_json((Path(directory) / CARD_FILE).read_bytes())


def save_card(directory: Path, card: ModelCard) -> Path:
    """Write ``directory``/card.json atomically (a reader sees the old or the new card)."""
    path = Path(directory) / CARD_FILE
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    text = json.dumps(_finite(card.model_dump(mode="json")), indent=2, allow_nan=False)
    tmp.write_text(text + "\n")
    os.replace(tmp, path)
    return path


def _finite(value: Any) -> Any:
    """NaN and infinities (an epoch with no validation data) become null: JSON has none."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
