"""Liveness (``/health``) and the dashboard's status line (``/api/status``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sightline.api.deps import HolderDep, SessionDep, StartedDep
from sightline.api.schemas import HealthOut, RuntimeOut, StatusOut
from sightline.db.predictions import predictions_served

router = APIRouter(tags=["status"])


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
def health(holder: HolderDep, response: Response) -> HealthOut:
    """Liveness and readiness: 503 until a model is loaded."""
    if not holder.loaded:
        response.status_code = 503
    return HealthOut(
        status="ok" if holder.loaded else "unavailable",
        model_loaded=holder.loaded,
        model_version=holder.version,
    )


@router.get("/api/status", response_model=StatusOut)
def status(holder: HolderDep, started: StartedDep, session: SessionDep) -> StatusOut:
    return StatusOut(
        status="online" if holder.loaded else "degraded",
        uptime_seconds=round(started.uptime_seconds(), 3),
        started_at=started.at,
        model_version=holder.version,
        # Every classifier's answers: counters, no COUNT(*).
        predictions_served=predictions_served(session=session),
        model_loaded=holder.loaded,
        runtime=RuntimeOut(**holder.runtime.as_dict()) if holder.runtime else None,
    )
