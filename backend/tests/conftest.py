"""Shared fixtures: an isolated $SIGHTLINE_HOME, a tiny generated dataset, a real
quick-trained model (seconds, trained once per session), and an API client; and the
hooks that sort the tests into tiers (the helpers to import are in tests/factories.py).

The tiers are markers (pyproject.toml): ``make test-fast`` deselects ``slow``, ``model``,
``process`` and ``cifar10``; ``make test`` runs everything. ``model`` is set here on every
test that uses the quick model; a test that starts a process while in none of those tiers
fails, so a missing ``process`` marker cannot slip into the fast tier."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# One Prometheus folder for the whole test session (each test's home is temporary).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="sightline-prom-"))

import pytest
from fastapi.testclient import TestClient

from sightline.config import Settings, get_settings
from sightline.data.datasets import Dataset, load_image_folder
from sightline.data.synthetic import SHAPES, make_shapes_dataset
from sightline.db.session import migrate
from tests.databases import DATABASES, fresh_postgres_database
from tests.factories import ADMIN_TOKEN, copy_sqlite, make_settings, sqlite_path

# The fixture that trains the quick model: every test that depends on it (directly, or
# through ``settings`` and ``client``) is marked ``model`` at collection.
MODEL_FIXTURE = "quick_model_dir"
# What `make test-fast` deselects (the Makefile's -m expression).
SLOW_TIERS = frozenset({"slow", "model", "process", "cifar10"})
# The audit events (sys.addaudithook) of starting a process.
PROCESS_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn", "os.fork"}
)
_fast_test_running = False


def _refuse_processes(event: str, args: tuple[object, ...]) -> None:
    if _fast_test_running and event in PROCESS_EVENTS:
        raise RuntimeError(f"a fast-tier test started a process ({event}): mark it `process`")


sys.addaudithook(_refuse_processes)


@pytest.hookimpl(tryfirst=True)  # before -m deselects by the marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """A test in none of the slow tiers may not start a process (setup and teardown
    included); the others may."""
    global _fast_test_running
    _fast_test_running = not any(item.get_closest_marker(name) for name in SLOW_TIERS)
    try:
        return (yield)
    finally:
        _fast_test_running = False


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


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (SQLite in the test's home), or a fresh Postgres database (tests/databases.py)."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the latest revision, for ``db`` to copy: migrating
    takes most of a second, copying a millisecond."""
    home = tmp_path_factory.mktemp("migrated")
    settings = make_settings(home, home / "no-model")
    migrate(settings)
    return sqlite_path(settings)


@pytest.fixture
def db(tmp_path: Path, database_url: str | None, migrated_sqlite: Path) -> Settings:
    """A migrated database (SQLite or Postgres) and no model, for tests of the SQL and
    the recorder that need none (training the quick model takes a minute)."""
    settings = make_settings(tmp_path / "home", tmp_path / "no-model", database_url=database_url)
    settings.ensure_dirs()
    if database_url is None:
        copy_sqlite(migrated_sqlite, sqlite_path(settings))
    else:
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


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
