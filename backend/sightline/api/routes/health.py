from __future__ import annotations

import time

from fastapi import APIRouter, Response

from sightline.api.deps import ServicesDep
from sightline.api.schemas import HealthOut, RuntimeOut, StatusOut
from sightline.db.predictions import predictions_served
from sightline.db.session import session_scope

router = APIRouter(tags=["status"])


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(services: ServicesDep, response: Response) -> HealthOut:
    """Liveness and readiness: 503 until a model is loaded."""
    if not services.holder.loaded:
        response.status_code = 503
    return HealthOut(
        status="ok" if services.holder.loaded else "unavailable",
        model_loaded=services.holder.loaded,
        model_version=services.holder.version,
    )


@router.get("/api/status", response_model=StatusOut)
def status(services: ServicesDep) -> StatusOut:
    with session_scope(services.settings) as session:  # a counter: no COUNT(*)
        served = predictions_served(session=session)
    runtime = services.holder.runtime
    return StatusOut(
        status="online" if services.holder.loaded else "degraded",
        uptime_seconds=round(time.monotonic() - services.started_monotonic, 3),
        started_at=services.started_at,
        model_version=services.holder.version,
        predictions_served=served,
        model_loaded=services.holder.loaded,
        runtime=RuntimeOut(**runtime.as_dict()) if runtime else None,
    )
