"""What routes depend on, as typed ``Annotated`` aliases: a route names what it uses
(``SessionDep``, ``HolderDep``, ``JobQueueDep``...) and FastAPI fills it in; an admin
route takes ``AdminDep``, the one place admin access is declared (the AdminGuard
middleware reads it from the routes). Everything but the session is built once per
process in the app's lifespan (``Services``, on ``app.state``); the session is one per
request, committed when the route returns and rolled back when it raises.

Per-classifier routes are mounted twice (api/main.py): under ``/api`` (the default
classifier) and under ``/api/classifiers/{classifier}``. The aliases below read the
path's classifier, so one route function serves both: ``ClassifierDep`` is its name
(404 when unknown), ``RegistryDep``, ``HolderDep``... are that classifier's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from sightline.api.auth import require_admin
from sightline.blob_store import BlobStore
from sightline.config import Settings
from sightline.data.training_uploads import UploadStore
from sightline.db.session import session_scope
from sightline.jobs.queue import JobQueue
from sightline.ml.classifiers import ClassifierCatalog
from sightline.ml.registry import ModelRegistry
from sightline.serving.holder import ModelHolder
from sightline.serving.model_pool import ModelPool
from sightline.serving.service import PredictionService


@dataclass(frozen=True)
class Started:
    """When this process started serving: wall clock for display, monotonic for uptime."""

    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    monotonic: float = field(default_factory=time.monotonic)

    def uptime_seconds(self) -> float:
        return time.monotonic() - self.monotonic


@dataclass(frozen=True)
class Services:
    """What the lifespan builds once; routes take its parts through the aliases below."""

    settings: Settings
    store: BlobStore
    catalog: ClassifierCatalog
    pool: ModelPool
    started: Started = field(default_factory=Started)


# The getters are async: FastAPI would run a plain def in its thread pool, a hop per
# request, for what is one attribute read.
def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_settings_of_app(request: Request) -> Settings:
    return _services(request).settings


async def get_catalog(request: Request) -> ClassifierCatalog:
    return _services(request).catalog


async def get_classifier(request: Request) -> str:
    """The path's classifier (the default one on unscoped routes); 404 when unknown."""
    services = _services(request)
    name = request.path_params.get("classifier") or services.settings.default_classifier
    await services.pool.scope_async(name)
    request.state.classifier = name  # what the request monitor records it under
    return str(name)


ClassifierDep = Annotated[str, Depends(get_classifier)]


async def get_registry(request: Request, classifier: ClassifierDep) -> ModelRegistry:
    return (await _services(request).pool.scope_async(classifier)).registry


async def get_holder(request: Request, classifier: ClassifierDep) -> ModelHolder:
    """The classifier's holder, its model loaded when it has a live version."""
    return (await _services(request).pool.ready(classifier)).holder


async def get_prediction_service(request: Request, classifier: ClassifierDep) -> PredictionService:
    """The classifier's predictions, its model loaded; 409 when archived."""
    return (await _services(request).pool.ready(classifier, serving=True)).predictions


async def get_upload_store(request: Request, classifier: ClassifierDep) -> UploadStore:
    services = _services(request)
    return UploadStore(services.settings, services.store, classifier=classifier)


async def get_job_queue(request: Request, classifier: ClassifierDep) -> JobQueue:
    return JobQueue(_services(request).settings, classifier)


async def get_started(request: Request) -> Started:
    return _services(request).started


async def get_pool(request: Request) -> ModelPool:
    return _services(request).pool


SettingsDep = Annotated[Settings, Depends(get_settings_of_app)]
CatalogDep = Annotated[ClassifierCatalog, Depends(get_catalog)]
ModelPoolDep = Annotated[ModelPool, Depends(get_pool)]
RegistryDep = Annotated[ModelRegistry, Depends(get_registry)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
PredictionServiceDep = Annotated[PredictionService, Depends(get_prediction_service)]
UploadStoreDep = Annotated[UploadStore, Depends(get_upload_store)]
JobQueueDep = Annotated[JobQueue, Depends(get_job_queue)]
StartedDep = Annotated[Started, Depends(get_started)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    # A plain def: it runs in the thread pool, so its commit never blocks the event loop.
    with session_scope(settings) as session:
        yield session


# scope="function": committed and closed before the response is sent, so a failed
# commit is the request's error and the connection goes back to the pool at once.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def request_key(  # async: a plain def would cost a thread-pool hop per request
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Names this request: a retry with the same key and image gets the "
            "first answer, and the history keeps one row.",
        ),
    ] = None,
    x_request_id: Annotated[
        str | None,
        Header(
            alias="X-Request-ID",
            max_length=255,
            description="Used as the key when there is no Idempotency-Key: nginx sets it "
            "to its request id, the same for a request it replays on another replica.",
        ),
    ] = None,
) -> str | None:
    """What names the request across retries and replays (serving/service.py)."""
    return idempotency_key or x_request_id


RequestKeyDep = Annotated[str | None, Depends(request_key)]
# A parameter of this type makes its route an admin route: 401 without the token.
AdminDep = Annotated[None, Depends(require_admin)]
