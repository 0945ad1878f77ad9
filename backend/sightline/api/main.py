"""The FastAPI application: built by ``create_app`` from settings.

Start-up migrates the database, makes the default classifier and seeds its registry
from the shipped model, loads that model and starts the registry watcher; routes only
call services. Per-classifier routes are mounted twice: under ``/api`` for the default
classifier, and under ``/api/classifiers/{classifier}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Path
from fastapi.middleware.cors import CORSMiddleware

from sightline import __version__
from sightline.api.auth import resolve_admin_token, resolve_reviewer_token
from sightline.api.deps import Services
from sightline.api.error_handlers import install_error_handlers
from sightline.api.middleware import RequestMonitor
from sightline.api.routes import (
    classifiers,
    explanations,
    exports,
    health,
    history,
    model_metrics,
    monitoring_report,
    predict,
    prometheus_metrics,
    retraining,
    review,
    training_data,
    versions,
)
from sightline.api.security import install_security, with_private_tempdir
from sightline.blob_store import open_blob_store
from sightline.config import Settings, get_settings
from sightline.data.training_uploads import UploadStore
from sightline.db.session import migrate
from sightline.ml.classifiers import NAME_RULE, ClassifierCatalog
from sightline.monitoring import prometheus
from sightline.serving.model_pool import ModelPool
from sightline.serving.predictor import configure_threads
from sightline.serving.recorder import Recorder

log = logging.getLogger("sightline")

DESCRIPTION = """Classify images with a CNN, watch it live, and retrain it from new data.

Errors are JSON `{"detail": "...", "code": "..."}`. Admin endpoints need
`Authorization: Bearer <token>`."""


def build_services(settings: Settings, recorder: Recorder) -> Services:
    settings.ensure_dirs()
    configure_threads(settings.inference_threads)
    if settings.migrate_on_start:
        migrate(settings)
    store = open_blob_store(settings)
    catalog = ClassifierCatalog(settings)
    catalog.ensure_default()
    pool = ModelPool(settings, store, recorder)
    default = pool.scope(settings.default_classifier)
    default.registry.import_local_files()  # a home from before shared blobs (migration 0004)
    default.registry.ensure_seeded()
    uploads = UploadStore(settings, store)
    uploads.import_local_files()
    uploads.remove_partial_files()  # what a killed API left mid-write
    pool.load(default)
    return Services(settings, store, catalog, pool)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    prometheus.configure(settings.home)  # before any metric exists in this process
    # The one writer of per-request records: prediction rows and request events.
    recorder = Recorder(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await asyncio.to_thread(build_services, settings, recorder)
        app.state.services = services
        token = await asyncio.to_thread(resolve_admin_token, settings)
        app.state.admin_token_sha256 = token.sha256
        if token.generated:
            print(
                f"Sightline admin token (a copy in {settings.home}/admin_token): {token.generated}",
                flush=True,
            )
        reviewer = await asyncio.to_thread(resolve_reviewer_token, settings)
        app.state.reviewer_token_sha256 = reviewer.sha256
        if reviewer.generated:
            print(
                f"Sightline reviewer token (labels the review queue; a copy in "
                f"{settings.home}/reviewer_token): {reviewer.generated}",
                flush=True,
            )
        services.pool.start()  # micro-batchers and the history writer
        watcher = asyncio.create_task(services.pool.watch())
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await services.pool.stop()  # answers the last requests, writes every row

    app = FastAPI(
        title="Sightline API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=with_private_tempdir(settings.home, lifespan),
    )
    app.state.recorder = recorder
    install_security(app, settings)  # inside CORS: its early errors get CORS headers
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    app.add_middleware(RequestMonitor, recorder=recorder)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(classifiers.router)
    per_classifier = APIRouter()
    for module in PER_CLASSIFIER_ROUTES:
        per_classifier.include_router(module.router)
    app.include_router(per_classifier, prefix="/api")
    app.include_router(
        per_classifier,
        prefix="/api/classifiers/{classifier}",
        dependencies=[Depends(classifier_in_path)],
    )
    app.include_router(prometheus_metrics.router)
    return app


# The routes of one classifier: its model, history, versions, training data and jobs.
PER_CLASSIFIER_ROUTES = (
    predict,
    explanations,
    history,
    model_metrics,
    versions,
    exports,
    training_data,
    retraining,
    monitoring_report,
    review,
)


def classifier_in_path(
    classifier: str = Path(
        description=f"The classifier's name ({NAME_RULE})",
        examples=["cifar10"],
        max_length=40,
    ),
) -> None:
    """Declares the ``{classifier}`` path parameter (api/deps.py reads it)."""
