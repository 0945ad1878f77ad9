from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from sightline.api.deps import Services, get_services
from sightline.api.schemas import PredictionPage, PredictionRecord
from sightline.db.crud import count_predictions, list_predictions
from sightline.db.session import session_scope

router = APIRouter(prefix="/api", tags=["prediction"])


@router.get("/predictions", response_model=PredictionPage)
def predictions(
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    services: Services = Depends(get_services),
) -> PredictionPage:
    """The prediction history, newest first."""
    services.predictions.history.flush(timeout=1.0)  # include predictions answered a moment ago
    with session_scope(services.settings) as session:
        rows = list_predictions(session, limit, offset)
        total = count_predictions(session)
        items = [PredictionRecord.model_validate(row, from_attributes=True) for row in rows]
    return PredictionPage(items=items, total=total, limit=limit, offset=offset)
