"""The worker as a real process: killed mid-training (its job ends failed, found by the
next worker; a live worker's job is left alone) or stopped (its job ends failed at once),
and the production model is untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from sightline.config import Settings
from sightline.data.training_uploads import UploadStore
from sightline.db.session import migrate
from sightline.jobs.queue import JobQueue
from sightline.jobs.worker import HOSTNAME, Worker, is_dead_here
from sightline.ml.artifacts import load_model
from sightline.ml.registry import ModelRegistry
from tests.factories import image_bytes


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "SIGHTLINE_HOME": str(settings.home),
        "SIGHTLINE_MODEL_DIR": str(settings.model_dir),
        "SIGHTLINE_DATASET": settings.dataset,
        "SIGHTLINE_RETRAIN_REPLAY_PER_CLASS": "60",
        "SIGHTLINE_WORKER_POLL_SECONDS": "0.2",
        "SIGHTLINE_DATABASE_URL": settings.database_url or "",
    }


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sightline.cli", "worker"],
        env=worker_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def queue_a_long_job(settings: Settings) -> tuple[JobQueue, str]:
    settings.ensure_dirs()
    migrate(settings)
    ModelRegistry(settings).ensure_seeded()
    UploadStore(settings).ingest(
        [(f"{i}.png", image_bytes("circle", seed=900 + i)) for i in range(20)],
        "circle",
        ["circle", "square", "triangle"],
    )
    queue = JobQueue(settings)
    return queue, queue.submit(epochs=50).id


def wait_until_training(queue: JobQueue, job_id: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.time() + 600  # start-up imports TensorFlow: slow on a busy machine
    while queue.get(job_id).step == 0:
        assert process.poll() is None, "the worker exited"
        assert time.time() < deadline, "the worker never started training"
        time.sleep(0.1)
    assert queue.get(job_id).status == "running"


@pytest.mark.process
def test_killed_worker_leaves_a_failed_job_and_production_intact(settings: Settings) -> None:
    queue, job_id = queue_a_long_job(settings)
    process = start_worker(settings)
    try:
        wait_until_training(queue, job_id, process)
        Worker(settings).start()  # a second worker leaves a live worker's job alone
        assert queue.get(job_id).status == "running"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()

    assert queue.get(job_id).status == "running"  # nobody has noticed yet
    Worker(settings).start()  # a new worker notices at start
    failed = queue.get(job_id)
    assert failed.status == "failed" and "worker stopped" in failed.message
    registry = ModelRegistry(settings)
    assert registry.production_version() == "v1"
    assert [row.version for row in registry.all_versions()] == ["v1"]
    assert not [p for p in registry.root.iterdir() if p.name != "v1"]  # no half files
    load_model(registry.path("v1"))  # still loads
    assert queue.submit().status == "queued"  # and the queue is free again


@pytest.mark.process
def test_stopped_worker_fails_its_job_and_exits(settings: Settings) -> None:
    """SIGTERM (Ctrl-C under `make run`): the job ends failed at once, not later."""
    queue, job_id = queue_a_long_job(settings)
    process = start_worker(settings)
    try:
        wait_until_training(queue, job_id, process)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    job = queue.get(job_id)
    assert job.status == "failed" and "shut down" in job.message
    assert ModelRegistry(settings).production_version() == "v1"


def test_stale_heartbeat_is_failed_by_any_worker(settings: Settings) -> None:
    stale = settings.model_copy(update={"worker_stale_seconds": 0.0})
    stale.ensure_dirs()
    migrate(stale)
    UploadStore(stale).ingest(
        [("a.png", image_bytes(seed=5))], "circle", ["circle", "square", "triangle"]
    )
    queue = JobQueue(stale)
    job = queue.submit()
    assert queue.claim("gone-worker") is not None
    time.sleep(0.05)
    assert queue.fail_stale() == [job.id]
    assert queue.get(job.id).status == "failed"


def test_a_second_worker_in_the_same_process_leaves_the_first_ones_job_alone(
    settings: Settings,
) -> None:
    """Two workers in one process (as in the two-classifier test): same pid, both alive."""
    settings.ensure_dirs()
    migrate(settings)
    UploadStore(settings).ingest(
        [("a.png", image_bytes(seed=6))], "circle", ["circle", "square", "triangle"]
    )
    queue = JobQueue(settings)
    job = queue.submit()
    first = Worker(settings)
    assert queue.claim(first.worker_id) is not None

    Worker(settings).start()  # a second worker's start fails the jobs of lost workers

    assert queue.get(job.id).status == "running"
    assert not is_dead_here(first.worker_id, "someone-else")


def test_our_pid_under_an_unknown_worker_id_is_an_earlier_process() -> None:
    """A restarted container gets the same pid: the old id's worker is gone."""
    earlier = f"{HOSTNAME}:{os.getpid()}:0000dead"
    assert is_dead_here(earlier, "someone-else")
    assert not is_dead_here(earlier, earlier)  # never ourselves
    assert not is_dead_here(f"another-host:{os.getpid()}:0000dead", "someone-else")
