"""Test data and helpers shared by the test modules: settings, images, history rows,
free ports. Fixtures live in conftest.py; these are plain functions to import."""

from __future__ import annotations

import io
import socket
import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from sightline.config import Settings
from sightline.data.synthetic import draw_shape
from sightline.db import model_versions as version_rows
from sightline.db import uploads as upload_rows
from sightline.db.models import PredictionRow
from sightline.db.session import session_scope

ADMIN_TOKEN = "test-admin-token"


def make_settings(home: Path, model_dir: Path, **overrides: object) -> Settings:
    return Settings(
        home=home, model_dir=model_dir, admin_token=ADMIN_TOKEN, model_poll_seconds=0.2, **overrides
    )  # type: ignore[arg-type]


def sqlite_path(settings: Settings) -> Path:
    """The file of the settings' SQLite database."""
    database = make_url(settings.resolved_database_url).database
    assert database, settings.resolved_database_url
    return Path(database)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database through SQLite's backup API (consistent whatever is still
    in its write-ahead log)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def flush_history(client: TestClient) -> None:
    """Wait until the request events of the requests made so far are written (an
    answered prediction has its row already: serving/recorder.py)."""
    assert client.app.state.recorder.flush()  # type: ignore[attr-defined]


def image_bytes(shape: str = "circle", fmt: str = "PNG", seed: int = 0, size: int = 32) -> bytes:
    buffer = io.BytesIO()
    draw_shape(shape, np.random.default_rng(seed), size).save(buffer, fmt)
    return buffer.getvalue()


def encode(image: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (free when asked, not reserved)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prediction_row(prediction: str | None = "circle") -> PredictionRow:
    """A prediction-history row as the service writes one (for history and DB tests)."""
    return PredictionRow(
        id=uuid.uuid4().hex,
        classifier="cifar10",
        created_at=datetime.now(UTC),
        request_key=uuid.uuid4().hex,
        prediction=prediction,
        class_index=0,
        confidence=0.9,
        uncertain=False,
        model_version="v1",
        time_ms=1.0,
        image_sha256="0" * 64,
        filename=None,
        endpoint="predict",
        probabilities=[0.9, 0.05, 0.05],
    )


def add_version(
    session: Session,
    classifier: str,
    version: str,
    status: str,
    metrics: dict[str, Any] | None = None,
) -> bool:
    """A version row of ``classifier`` with no files; False when the database refused it."""
    return version_rows.insert_version(
        session=session,
        classifier=classifier,
        version=version,
        status=status,
        parent=None,
        metrics=metrics or {},
        trained_on={},
        path=f"models/{version}",
        model_sha256=version.ljust(64, "0"),
        card_sha256=None,
        source="retrained",
    )


def add_upload(session: Session, classifier: str, sha256: str, class_name: str = "dog") -> bool:
    """An upload row of ``classifier``; False when the database refused it."""
    return upload_rows.record_upload(
        session=session,
        classifier=classifier,
        sha256=sha256,
        class_name=class_name,
        size_bytes=1,
        path=f"{sha256[:2]}/{sha256}",
        original_filename=None,
    )


def add_shipped_version(settings: Settings, classifier: str, status: str = "production") -> str:
    """A version of ``classifier`` pointing at the shipped model's stored files (the same
    blobs, a version of its own): the cheapest honest second live classifier."""
    from sightline.ml.registry import ModelRegistry

    shipped = ModelRegistry(settings).production()  # the default classifier's, seeded
    with session_scope(settings) as session:
        version = version_rows.next_version(session=session)
        assert version_rows.insert_version(
            session=session,
            classifier=classifier,
            version=version,
            status=status,
            parent=None,
            metrics=shipped.metrics,
            trained_on=shipped.trained_on,
            path=str(settings.registry_dir / version),
            model_sha256=shipped.model_sha256,
            card_sha256=shipped.card_sha256,
            source="retrained",
        )
    return version
