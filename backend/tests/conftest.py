"""Shared fixtures: an isolated $SIGHTLINE_HOME, a tiny generated dataset, a real
quick-trained model (seconds, trained once per session), and an API client."""

from __future__ import annotations

import io
import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# One Prometheus folder for the whole test session (each test's home is temporary).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="sightline-prom-"))

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from sightline.config import Settings, get_settings
from sightline.data.datasets import Dataset, load_image_folder
from sightline.data.synthetic import SHAPES, draw_shape, make_shapes_dataset
from sightline.db.models import PredictionRow
from sightline.db.session import migrate
from tests.databases import DATABASES, fresh_postgres_database

ADMIN_TOKEN = "test-admin-token"


@pytest.fixture(scope="session")
def shapes_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-class image-folder dataset: 60 train + 20 test images per class."""
    return make_shapes_dataset(tmp_path_factory.mktemp("data") / "shapes", SHAPES[:3])


@pytest.fixture(scope="session")
def shapes_dataset(shapes_dir: Path) -> Dataset:
    return load_image_folder(shapes_dir)


@pytest.fixture(scope="session")
def quick_model_dir(tmp_path_factory: pytest.TempPathFactory, shapes_dataset: Dataset) -> Path:
    """A real model, trained with --quick on the shapes dataset."""
    from sightline.ml.pipeline import train_and_save
    from sightline.ml.training import QUICK

    out = tmp_path_factory.mktemp("models") / "shapes"
    train_and_save(shapes_dataset, QUICK, out, command="pytest quick model")
    return out


def make_settings(home: Path, model_dir: Path, **overrides: object) -> Settings:
    return Settings(
        home=home, model_dir=model_dir, admin_token=ADMIN_TOKEN, model_poll_seconds=0.2, **overrides
    )  # type: ignore[arg-type]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (SQLite in the test's home), or a fresh Postgres database (tests/databases.py)."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def db(tmp_path: Path, database_url: str | None) -> Settings:
    """A migrated database (SQLite or Postgres) and no model, for tests of the SQL and
    the recorder that need none (training the quick model takes a minute)."""
    settings = make_settings(tmp_path / "home", tmp_path / "no-model", database_url=database_url)
    settings.ensure_dirs()
    migrate(settings)
    return settings


@pytest.fixture
def settings(
    tmp_path: Path, quick_model_dir: Path, shapes_dir: Path, database_url: str | None
) -> Settings:
    return make_settings(
        tmp_path / "home", quick_model_dir, dataset=str(shapes_dir), database_url=database_url
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from sightline.api.main import create_app

    get_settings.cache_clear()
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def flush_history(client: TestClient) -> None:
    """Wait until the request events of the requests made so far are written (an
    answered prediction has its row already: serving/recorder.py)."""
    assert client.app.state.recorder.flush()  # type: ignore[attr-defined]


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


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
