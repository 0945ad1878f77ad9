"""``/metrics``: Prometheus's scrape endpoint. (The model's metrics are routes/model_metrics.py.)"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sightline.monitoring.prometheus import render

router = APIRouter(tags=["monitoring"])


@router.get("/metrics", include_in_schema=True)
def prometheus_metrics() -> Response:
    """Prometheus text format, summed over every API process and the worker."""
    body, content_type = render()
    return Response(body, media_type=content_type)
