"""Services the routes use, built once per process in the app's lifespan."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import Request

from sightline.config import Settings
from sightline.ml.registry import ModelRegistry
from sightline.serving.holder import ModelHolder
from sightline.serving.service import PredictionService


@dataclass
class Services:
    settings: Settings
    registry: ModelRegistry
    holder: ModelHolder
    predictions: PredictionService
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_monotonic: float = field(default_factory=time.monotonic)


async def get_services(request: Request) -> Services:
    # async: FastAPI would run a plain def in its thread pool, a hop per request.
    services: Services = request.app.state.services
    return services
