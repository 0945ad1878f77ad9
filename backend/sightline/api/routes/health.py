from __future__ import annotations

import time

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from sightline.api.deps import Services, get_services
from sightline.api.schemas import Health, Status
from sightline.db.crud import count_predictions
from sightline.db.session import session_scope

router = APIRouter(tags=["status"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(services: Services = Depends(get_services)) -> JSONResponse:
    """Liveness and readiness: 503 until a model is loaded."""
    body = Health(
        status="ok" if services.holder.loaded else "unavailable",
        model_loaded=services.holder.loaded,
        model_version=services.holder.version,
    )
    return JSONResponse(body.model_dump(), status_code=200 if services.holder.loaded else 503)


@router.get("/api/status", response_model=Status)
def status(services: Services = Depends(get_services)) -> Status:
    services.predictions.history.flush(timeout=1.0)  # count predictions answered a moment ago
    with session_scope(services.settings) as session:
        served = count_predictions(session)
    return Status(
        status="online" if services.holder.loaded else "degraded",
        uptime_seconds=round(time.monotonic() - services.started_monotonic, 3),
        started_at=services.started_at,
        model_version=services.holder.version,
        predictions_served=served,
        model_loaded=services.holder.loaded,
    )
