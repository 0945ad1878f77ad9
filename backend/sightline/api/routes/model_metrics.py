"""The production model's card as the dashboard shows it: its evaluation and its data.
(Prometheus's ``/metrics`` is routes/prometheus_metrics.py.)"""

from __future__ import annotations

from fastapi import APIRouter

from sightline.api.deps import ClassifierDep, HolderDep, SessionDep
from sightline.api.schemas import (
    DatasetStatsOut,
    MetricsOut,
    TrainingSummaryOut,
    error_responses,
)
from sightline.data.stats import dataset_stats
from sightline.db.uploads import upload_counts
from sightline.errors import NotFound

router = APIRouter(tags=["model"])


@router.get("/metrics", response_model=MetricsOut, responses=error_responses(404))
def metrics(holder: HolderDep) -> MetricsOut:
    """The production model's evaluation on its test split, with training history."""
    predictor = holder.predictor
    card = predictor.card
    if card.metrics is None:
        raise NotFound(
            f"Model {predictor.version} was saved without an evaluation; run `sightline eval`.",
            code="no_metrics",
        )
    training = card.training
    return MetricsOut(
        **dict(card.metrics),
        model_version=predictor.version,
        history={
            key: card.history.get(key, [])
            for key in ("loss", "accuracy", "val_loss", "val_accuracy")
        },
        uncertainty=card.uncertainty,
        training=TrainingSummaryOut(
            command=training.command,
            seconds=training.seconds,
            machine=training.machine,
            config=training.config,
        ),
    )


@router.get("/dataset-stats", response_model=DatasetStatsOut)
def dataset_statistics(
    classifier: ClassifierDep, holder: HolderDep, session: SessionDep
) -> DatasetStatsOut:
    """Images per class: training and test data of the production model, and uploads."""
    uploads = upload_counts(session=session, classifier=classifier)
    counts = dataset_stats(holder.predictor.card, uploads, classifier)
    return DatasetStatsOut.model_validate(counts, from_attributes=True)
