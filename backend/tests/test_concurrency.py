"""Several writers at once, as N replicas and the worker are: the database alone keeps
the rules (one job claimed once, one active job, one production model, every history
row kept). Runs on SQLite and, when SIGHTLINE_TEST_POSTGRES_URL is set, on Postgres
(tests/databases.py). Threads here hold separate connections, so the database, not
Python, arbitrates; the scale benchmark does the same with real processes."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sightline.config import Settings
from sightline.db.models import ModelVersionRow, PredictionRow, RetrainJobRow, TrainingUploadRow
from sightline.db.predictions import predictions_served
from sightline.db.session import session_scope
from sightline.errors import Conflict
from sightline.jobs.queue import JobQueue
from sightline.ml.registry import ModelRegistry
from sightline.retrain_job import RetrainJob
from sightline.serving.recorder import Recorder
from tests.factories import prediction_row

RACERS = 8


def race(action: Callable[[int], Any], racers: int = RACERS) -> list[Any]:
    """Run ``action(i)`` in ``racers`` threads released together; results or exceptions."""
    start = threading.Barrier(racers)

    def run(i: int) -> Any:
        start.wait()
        try:
            return action(i)
        except Exception as exc:  # the outcome under test
            return exc

    with ThreadPoolExecutor(racers) as pool:
        return list(pool.map(run, range(racers)))


@pytest.fixture
def db_and_model(db: Settings, quick_model_dir: Path) -> Settings:
    """The model-free ``db`` (tests/conftest.py), with the quick model to seed a registry."""
    return db.model_copy(update={"model_dir": quick_model_dir})


def add_upload(settings: Settings) -> None:
    with session_scope(settings) as session:
        session.add(
            # "ff…": a hash never held out for evaluation (data.uploads.is_holdout), so it is new.
            TrainingUploadRow(
                classifier="cifar10",
                sha256=("ff" + uuid.uuid4().hex * 2)[:64],
                class_name="circle",
                size_bytes=1,
                path="x",
            )
        )


def test_a_queued_job_is_claimed_by_exactly_one_worker(db: Settings) -> None:
    add_upload(db)
    queue = JobQueue(db)
    job = queue.submit()
    outcomes = race(lambda i: queue.claim(f"worker-{i}"))
    winners = [o for o in outcomes if isinstance(o, RetrainJob)]
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert len(winners) == 1
    claimed = queue.get(job.id)
    assert claimed.status == "running" and claimed.worker_id == winners[0].worker_id


def test_concurrent_retrain_requests_queue_one_job(db: Settings) -> None:
    add_upload(db)
    queue = JobQueue(db)
    outcomes = race(lambda _: queue.submit())
    queued = [o for o in outcomes if isinstance(o, RetrainJob)]
    assert len(queued) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if o not in queued)
    with session_scope(db) as session:
        assert session.scalar(select(func.count()).select_from(RetrainJobRow)) == 1


def test_concurrent_promotions_leave_exactly_one_production(db_and_model: Settings) -> None:
    registry = ModelRegistry(db_and_model)
    registry.ensure_seeded()
    shutil.copytree(registry.path("v1"), registry.path("v2"))
    with session_scope(db_and_model) as session:
        v1 = session.get(ModelVersionRow, "v1")
        assert v1 is not None
        session.add(
            ModelVersionRow(
                version="v2",
                classifier="cifar10",
                status="candidate",
                path=str(registry.path("v2")),
                model_sha256=v1.model_sha256,
                card_sha256=v1.card_sha256,
                source="retrained",
            )
        )
    outcomes = race(lambda i: registry.promote("v1" if i % 2 else "v2").version)
    # Each promotion either won or lost its race cleanly; none left two productions.
    assert all(isinstance(o, str) or _is_conflict(o) for o in outcomes), outcomes
    with session_scope(db_and_model) as session:
        production = session.scalars(
            select(ModelVersionRow.version).where(ModelVersionRow.status == "production")
        ).all()
    assert len(production) == 1 and registry.production_version() == production[0]


def _is_conflict(exc: object) -> bool:
    # A lost race surfaces as a database error about the unique index or a lock, never
    # as a second production row.
    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError)


def test_concurrent_history_writers_keep_every_row(db: Settings) -> None:
    """Three recorders (three replicas) on one database: each committed row is there,
    and their rollup upserts on shared rows neither deadlock nor lose a count."""
    writers = [Recorder(db) for _ in range(3)]
    for writer in writers:
        writer.start()
    try:
        written = race(lambda i: _write_rows(writers[i % len(writers)], 200), racers=6)
    finally:
        for writer in writers:
            writer.stop()
    with session_scope(db) as session:
        stored = set(session.scalars(select(PredictionRow.id)).all())
    assert stored == {row_id for ids in written for row_id in ids}
    assert len(stored) == 6 * 200
    with session_scope(db) as session:
        assert predictions_served(session=session) == 6 * 200


def _write_rows(writer: Recorder, count: int) -> list[str]:
    ids = []
    for start in range(0, count, 10):  # small batches, as requests arrive
        rows = [prediction_row() for _ in range(min(10, count - start))]
        committed = writer.submit(rows).result(timeout=60)
        assert {row.request_key for row in rows} <= committed
        ids.extend(row.id for row in rows)
    return ids
