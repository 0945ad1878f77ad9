from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from sightline.api.deps import Services, get_services
from sightline.api.schemas import DatasetStats, MetricsOut
from sightline.data.stats import dataset_stats
from sightline.db.crud import upload_counts
from sightline.db.session import session_scope

router = APIRouter(prefix="/api", tags=["model"])


@router.get("/metrics", response_model=MetricsOut)
def metrics(services: Services = Depends(get_services)) -> dict[str, Any]:
    """The production model's evaluation on its test split, with training history."""
    predictor = services.holder.predictor
    card = predictor.card
    history = card.get("history", {})
    return {
        **card["metrics"],
        "model_version": predictor.version,
        "history": {
            key: history.get(key, []) for key in ("loss", "accuracy", "val_loss", "val_accuracy")
        },
        "uncertainty": card.get("uncertainty"),
        "training": {
            k: v
            for k, v in card.get("training", {}).items()
            if k in ("command", "seconds", "machine", "config")
        },
    }


@router.get("/dataset-stats", response_model=DatasetStats)
def dataset_statistics(services: Services = Depends(get_services)) -> dict[str, Any]:
    """Images per class: training and test data of the production model, and uploads."""
    with session_scope(services.settings) as session:
        uploads = upload_counts(session)
    return dataset_stats(services.holder.predictor.card, uploads)
