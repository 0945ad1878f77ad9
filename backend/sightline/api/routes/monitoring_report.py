from __future__ import annotations

import asyncio

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sightline.api.deps import ServicesDep
from sightline.api.schemas import MonitoringOut
from sightline.monitoring.prometheus import render
from sightline.monitoring.window import monitoring_report

router = APIRouter(tags=["monitoring"])


@router.get("/api/monitoring", response_model=MonitoringOut)
async def monitoring(
    services: ServicesDep,
    window: int = Query(3600, ge=10, le=30 * 86400, description="Seconds to look back"),
) -> MonitoringOut:
    """Request rate, latency, errors, predicted classes, confidence, drift and system
    figures over the window, from the shared history (the same on every replica)."""
    predictor = services.holder.predictor
    baseline = predictor.card.baseline
    report = await asyncio.to_thread(
        monitoring_report,
        services.settings,
        window,
        predictor.class_names,
        baseline.model_dump() if baseline else {},
    )
    return MonitoringOut.model_validate(report)


@router.get("/metrics", include_in_schema=True)
def prometheus_metrics() -> Response:
    """Prometheus text format, summed over every API process and the worker."""
    body, content_type = render()
    return Response(body, media_type=content_type)
