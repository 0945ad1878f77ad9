"""kill -9, the way an OOM killer or a power cut stops processes: the worker mid-training
and the API mid-write (training uploads and predictions in flight), at the same moment.

Afterwards the database is consistent, the production model loads, no partial file is
taken for a whole one (temporaries are cleaned at start), the job is marked failed, and
both processes come back and work on the same $SIGHTLINE_HOME."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from sightline.config import Settings
from sightline.data.training_uploads import UploadStore
from sightline.db.models import RetrainJobRow, TrainingUploadRow
from sightline.db.session import migrate, session_scope
from sightline.jobs.queue import JobQueue
from sightline.jobs.worker import Worker
from sightline.ml.artifacts import MODEL_FILE, load_model
from sightline.ml.card import CARD_FILE
from sightline.ml.registry import ModelRegistry
from tests.factories import ADMIN_TOKEN, free_port, image_bytes

pytestmark = [pytest.mark.slow, pytest.mark.process]
CLASSES = ["circle", "square", "triangle"]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
STARTUP_S = 300  # TensorFlow and the model load on a shared CPU


def env_for(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "SIGHTLINE_HOME": str(settings.home),
        "SIGHTLINE_MODEL_DIR": str(settings.model_dir),
        "SIGHTLINE_DATASET": settings.dataset,
        "SIGHTLINE_DATABASE_URL": settings.database_url or "",
        "SIGHTLINE_ADMIN_TOKEN": ADMIN_TOKEN,
        "SIGHTLINE_RETRAIN_REPLAY_PER_CLASS": "60",
        "SIGHTLINE_WORKER_POLL_SECONDS": "0.2",
        "SIGHTLINE_INFERENCE_THREADS": "1",
    }


def spawn(settings: Settings, *args: str, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sightline.cli", *args],
            env=env_for(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "the API exited during start-up"
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("the API never became healthy")


class Load:
    """Threads that upload new training images and ask for predictions until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = threading.Event()
        self.answered = {"upload": 0, "predict": 0}
        self.threads = [
            threading.Thread(target=self._run, args=(kind, n), daemon=True)
            for n, kind in enumerate(["upload", "upload", "predict", "predict"])
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _run(self, kind: str, n: int) -> None:
        seed = 10_000 * (n + 1)
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self.stop.is_set():
                seed += 1
                try:
                    self._send(client, kind, seed)
                except httpx.HTTPError:
                    time.sleep(0.05)  # the server is being killed: that is the point

    def _send(self, client: httpx.Client, kind: str, seed: int) -> None:
        if kind == "upload":
            files = [
                ("files", (f"{seed}-{i}.png", image_bytes("square", seed=seed * 8 + i)))
                for i in range(8)
            ]
            answer = client.post(
                "/api/upload-training-data",
                params={"class_name": "square"},
                files=files,
                headers=ADMIN,
            )
        else:
            answer = client.post("/api/predict", files={"file": ("a.png", image_bytes(seed=seed))})
        assert answer.status_code < 500, answer.text
        self.answered[kind] += 1

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def queue_a_long_job(settings: Settings) -> str:
    settings.ensure_dirs()
    migrate(settings)
    ModelRegistry(settings).ensure_seeded()
    UploadStore(settings).ingest(
        [(f"{i}.png", image_bytes("circle", seed=900 + i)) for i in range(20)], "circle", CLASSES
    )
    return JobQueue(settings).submit(epochs=500).id


def wait_until(condition: object, what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_S
    while not condition():  # type: ignore[operator]
        assert process.poll() is None, f"exited while waiting until {what}"
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.1)


def test_kill_9_mid_training_and_mid_write(
    settings: Settings, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    job_id = queue_a_long_job(settings)
    queue = JobQueue(settings)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "processes.log"
    worker = spawn(settings, "worker", log=log)
    api = spawn(settings, "serve", "--port", str(port), "--no-access-log", log=log)
    processes += [worker, api]
    wait_healthy(url, api)
    wait_until(lambda: queue.get(job_id).step > 0, "training started", worker)

    load = Load(url)
    load.start()
    try:
        wait_until(lambda: min(load.answered.values()) >= 5, "answered under load", api)
        os.kill(api.pid, signal.SIGKILL)  # requests are in flight: no clean shutdown
        os.kill(worker.pid, signal.SIGKILL)
        api.wait(timeout=30)
        worker.wait(timeout=30)
    finally:
        load.finish()

    assert_database_consistent(settings)
    assert_uploads_whole(settings)
    assert_registry_intact(settings)
    assert queue.get(job_id).status == "running"  # nobody has noticed yet

    # Both come back: the worker fails the lost job at start, the API serves again.
    Worker(settings).start()
    job = queue.get(job_id)
    assert job.status == "failed" and job.finished_at is not None
    api = spawn(settings, "serve", "--port", str(port), "--no-access-log", log=log)
    processes.append(api)
    wait_healthy(url, api)
    health = httpx.get(f"{url}/health").json()
    assert health["model_loaded"] and health["model_version"] == "v1"
    again = httpx.post(
        f"{url}/api/upload-training-data",
        params={"class_name": "square"},
        files={"files": ("again.png", image_bytes("square", seed=10_001 * 8))},
        headers=ADMIN,
    )
    assert again.status_code == 200 and again.json()["uploaded"] + again.json()["duplicates"] == 1
    assert httpx.post(f"{url}/api/retrain", headers=ADMIN).status_code == 202  # queue free
    assert ADMIN_TOKEN not in log.read_text(errors="replace")


def assert_database_consistent(settings: Settings) -> None:
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    with session_scope(settings) as session:  # and every table still reads
        assert session.scalars(select(RetrainJobRow)).all()


def assert_uploads_whole(settings: Settings) -> None:
    """Every row's file is whole; a file without a row (killed between the two) is whole
    too and harmless (it is its own hash); only dot-named temporaries may be partial,
    and the start-up clean-up removes them."""
    with session_scope(settings) as session:
        rows = session.scalars(select(TrainingUploadRow)).all()
    store = UploadStore(settings)
    for row in rows:
        assert hashlib.sha256(store.path_of(row.sha256).read_bytes()).hexdigest() == row.sha256
    for path in settings.uploads_dir.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
    store.remove_partial_files(older_than_seconds=0)
    assert not [p for p in settings.uploads_dir.rglob(".*") if p.is_file()]


def assert_registry_intact(settings: Settings) -> None:
    registry = ModelRegistry(settings)
    assert registry.production_version() == "v1"
    assert [row.version for row in registry.all_versions()] == ["v1"]
    load_model(registry.path("v1"))
    assert {p.name for p in registry.path("v1").iterdir()} >= {MODEL_FILE, CARD_FILE}
    registry.remove_partial_files(older_than_seconds=0)
    assert [p.name for p in registry.root.iterdir()] == ["v1"]
