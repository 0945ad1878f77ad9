"""The FastAPI application: built by ``create_app`` from settings.

Start-up migrates the database, seeds the registry from the shipped model, loads
the production model and starts the registry watcher; routes only call services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from sightline import __version__
from sightline.api.auth import resolve_admin_token
from sightline.api.deps import Services
from sightline.api.error_handlers import install_error_handlers
from sightline.api.middleware import RequestMonitor
from sightline.api.routes import (
    explanations,
    exports,
    health,
    history,
    model_metrics,
    monitoring_report,
    predict,
    prometheus_metrics,
    retraining,
    training_data,
    versions,
)
from sightline.api.security import install_security, with_private_tempdir
from sightline.config import Settings, get_settings
from sightline.data.training_uploads import UploadStore
from sightline.db.session import migrate
from sightline.jobs.queue import JobQueue
from sightline.ml.registry import ModelRegistry
from sightline.monitoring import prometheus
from sightline.serving.holder import ModelHolder
from sightline.serving.predictor import configure_threads
from sightline.serving.recorder import Recorder
from sightline.serving.service import PredictionService

log = logging.getLogger("sightline")

DESCRIPTION = """Classify images with a CNN, watch it live, and retrain it from new data.

Errors are JSON `{"detail": "...", "code": "..."}`. Admin endpoints need
`Authorization: Bearer <token>`."""


def build_services(settings: Settings, recorder: Recorder) -> Services:
    settings.ensure_dirs()
    configure_threads(settings.inference_threads)
    if settings.migrate_on_start:
        migrate(settings)
    registry = ModelRegistry(settings)
    registry.import_local_files()  # a home from before shared blobs (migration 0004)
    registry.ensure_seeded()
    uploads = UploadStore(settings)
    uploads.import_local_files()
    uploads.remove_partial_files()  # what a killed API left mid-write
    holder = ModelHolder(settings, registry)
    holder.refresh()
    predictions = PredictionService(settings, holder, recorder)
    return Services(settings, registry, holder, predictions, uploads, JobQueue(settings))


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
        await services.predictions.start()  # micro-batcher and history writer
        watcher = asyncio.create_task(services.holder.watch())
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await services.predictions.stop()  # answers the last requests, writes every row
            if services.holder.version:
                prometheus.metrics().model_loaded.labels(services.holder.version).set(0)

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
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    app.add_middleware(RequestMonitor, recorder=recorder)
    install_error_handlers(app)
    for module in (
        health,
        predict,
        explanations,
        history,
        model_metrics,
        versions,
        exports,
        training_data,
        retraining,
        monitoring_report,
        prometheus_metrics,
    ):
        app.include_router(module.router)
    return app
