"""What routes depend on, as typed ``Annotated`` aliases: a route names ``ServicesDep``
(``SettingsDep``, ``JobQueueDep``) and FastAPI fills it in; an admin route takes
``AdminDep``, the one place admin access is declared (the AdminGuard middleware reads
it from the routes). The services are built once per process in the app's lifespan."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from sightline.api.auth import require_admin
from sightline.config import Settings
from sightline.jobs.queue import JobQueue
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


async def get_settings_of_app(request: Request) -> Settings:
    services: Services = request.app.state.services
    return services.settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]


async def get_job_queue(settings: SettingsDep) -> JobQueue:
    return JobQueue(settings)


JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]
# A parameter of this type makes its route an admin route: 401 without the token.
AdminDep = Annotated[None, Depends(require_admin)]
