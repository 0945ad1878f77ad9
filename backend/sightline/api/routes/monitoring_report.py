"""``/api/monitoring``: a classifier's figures over a window, from the shared history."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Query

from sightline.api.deps import ClassifierDep, HolderDep, SettingsDep
from sightline.api.schemas import MonitoringOut
from sightline.monitoring.window import monitoring_report

router = APIRouter(tags=["monitoring"])


@router.get("/monitoring", response_model=MonitoringOut)
async def monitoring(
    settings: SettingsDep,
    classifier: ClassifierDep,
    holder: HolderDep,
    window: int = Query(3600, ge=10, le=30 * 86400, description="Seconds to look back"),
) -> MonitoringOut:
    """Request rate, latency, errors, predicted classes, confidence, drift and system
    figures over the window, from the shared history (the same on every replica)."""
    predictor = holder.predictor
    baseline = predictor.card.baseline
    report = await asyncio.to_thread(
        monitoring_report,
        settings,
        classifier,
        window,
        predictor.class_names,
        baseline.model_dump() if baseline else {},
    )
    return MonitoringOut.model_validate(report)
