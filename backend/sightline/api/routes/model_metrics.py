from __future__ import annotations

from fastapi import APIRouter

from sightline.api.deps import ServicesDep
from sightline.api.schemas import (
    DatasetStatsOut,
    MetricsOut,
    TrainingSummaryOut,
    error_responses,
)
from sightline.data.stats import dataset_stats
from sightline.db.session import session_scope
from sightline.db.uploads import upload_counts
from sightline.errors import NotFound

router = APIRouter(prefix="/api", tags=["model"])


@router.get("/metrics", response_model=MetricsOut, responses=error_responses(404))
def metrics(services: ServicesDep) -> MetricsOut:
    """The production model's evaluation on its test split, with training history."""
    predictor = services.holder.predictor
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
def dataset_statistics(services: ServicesDep) -> DatasetStatsOut:
    """Images per class: training and test data of the production model, and uploads."""
    with session_scope(services.settings) as session:
        uploads = upload_counts(session=session)
    counts = dataset_stats(services.holder.predictor.card, uploads)
    return DatasetStatsOut.model_validate(counts, from_attributes=True)
