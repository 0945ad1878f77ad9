"""Two API replicas and one worker as real processes, each with its own
$SIGHTLINE_HOME, sharing nothing but the Postgres database and the admin token (as on
three machines): uploads through one replica, retraining through the other, the
worker's promotion and a rollback seen by both, a replica whose home is deleted while
it serves, and history and monitoring that read the same on both."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from sightline.ops.machines import Machine
from tests.databases import POSTGRES_URL, fresh_postgres_database
from tests.factories import ADMIN_TOKEN, free_port, image_bytes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.process,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs SIGHTLINE_TEST_POSTGRES_URL"),
]
STARTUP_S = 300  # three processes import TensorFlow on a shared CPU
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CLASSES = ("circle", "square", "triangle")


@pytest.fixture
def machines(
    tmp_path: Path, quick_model_dir: Path, shapes_dir: Path
) -> Iterator[tuple[Machine, Machine, Machine]]:
    with fresh_postgres_database() as database_url:
        shared = {
            "SIGHTLINE_DATABASE_URL": database_url,
            "SIGHTLINE_ADMIN_TOKEN": ADMIN_TOKEN,
            "SIGHTLINE_MODEL_DIR": str(quick_model_dir),
            "SIGHTLINE_DATASET": str(shapes_dir),
            "SIGHTLINE_MODEL_POLL_SECONDS": "0.5",
            "SIGHTLINE_INFERENCE_THREADS": "1",
            "SIGHTLINE_WORKER_POLL_SECONDS": "0.2",
            # A fine-tune that reliably beats production on its held-out uploads (below).
            "SIGHTLINE_RETRAIN_REPLAY_PER_CLASS": "0",
            "SIGHTLINE_RETRAIN_EVAL_SIZE": "60",
            "SIGHTLINE_RETRAIN_LEARNING_RATE": "10.0",
            "SIGHTLINE_PROMOTION_TOLERANCE": "1.0",
        }
        a = Machine("replica-a", tmp_path / "a" / "home", shared, port=free_port())
        b = Machine("replica-b", tmp_path / "b" / "home", shared, port=free_port())
        worker = Machine("worker", tmp_path / "w" / "home", shared)
        started = [m.start() for m in (a, b, worker)]
        try:
            for machine in (a, b):
                machine.wait_healthy(STARTUP_S)
            yield a, b, worker
        finally:
            for machine in started:
                machine.stop()


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(0.1)


def predict(machine: Machine, seed: int) -> str:
    files = {"file": ("x.png", image_bytes(CLASSES[seed % 3], seed=seed), "image/png")}
    response = httpx.post(f"{machine.url}/api/predict", files=files, timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["model_version"])


def upload_mislabelled(machine: Machine) -> None:
    """Every shape, labelled "circle": production gets a third of the held-out uploads
    right, and a candidate that learned the new labels gets more, so the worker
    promotes it (a tolerance of 1.0 lets its test accuracy fall)."""
    files = [
        ("files", (f"{i}.png", image_bytes(CLASSES[i % 3], seed=5000 + i), "image/png"))
        for i in range(60)
    ]
    response = httpx.post(
        f"{machine.url}/api/upload-training-data",
        params={"class_name": "circle"},
        files=files,
        headers=ADMIN,
        timeout=120,
    )
    assert response.status_code == 200 and response.json()["uploaded"] == 60, response.text


def serves(machine: Machine, version: str) -> bool:
    return machine.model_version() == version


def test_replicas_share_nothing_but_the_database(
    machines: tuple[Machine, Machine, Machine],
) -> None:
    a, b, _worker = machines
    # /health can be slow to answer while the worker still imports TensorFlow beside them.
    wait_for(lambda: serves(a, "v1") and serves(b, "v1"), 60, "both replicas on v1")

    upload_mislabelled(a)
    queued = httpx.post(f"{b.url}/api/retrain", json={"epochs": 10}, headers=ADMIN, timeout=30)
    assert queued.status_code == 202, queued.text
    job_id = queued.json()["job_id"]
    # One active job across every machine: A refuses a second one.
    again = httpx.post(f"{a.url}/api/retrain", headers=ADMIN, timeout=30)
    assert again.status_code == 409 and again.json()["code"] == "retrain_in_progress"

    def finished() -> bool:
        job = httpx.get(f"{a.url}/api/retrain/{job_id}", timeout=10).json()
        return job["status"] not in ("queued", "running")

    wait_for(finished, 600, "the worker to finish the job")
    job = httpx.get(f"{b.url}/api/retrain/{job_id}", timeout=10).json()
    assert (job["status"], job["promoted"]) == ("completed", True), job["message"]
    new = job["model_version"]
    # The worker's promotion reaches both replicas (bench/multi_machine_bench.py times
    # it against the 5 s target; here a generous bound keeps a busy CPU from failing it).
    wait_for(lambda: serves(a, new) and serves(b, new), 60, f"both replicas on {new}")
    assert predict(a, 1) == new and predict(b, 2) == new

    # Roll back through A; B follows.
    rolled = httpx.post(f"{a.url}/api/models/v1/promote", headers=ADMIN, timeout=60)
    assert rolled.status_code == 200, rolled.text
    wait_for(lambda: serves(a, "v1") and serves(b, "v1"), 60, "both replicas back on v1")

    # A's home is a cache: delete it while A serves. A keeps answering, and fetches the
    # next version it must serve from the database again.
    shutil.rmtree(a.home)
    assert predict(a, 3) == "v1"
    rolled_forward = httpx.post(f"{b.url}/api/models/{new}/promote", headers=ADMIN, timeout=60)
    assert rolled_forward.status_code == 200
    wait_for(lambda: serves(a, new), 60, "A to fetch the promoted version again")
    assert (a.home / "models" / new / "model.keras").exists()
    assert predict(a, 4) == new
    # ... and takes admin work and uploads with nothing left of its old home.
    assert httpx.get(f"{a.url}/api/dataset-stats", timeout=10).status_code == 200
    more = [("files", ("late.png", image_bytes("square", seed=9999), "image/png"))]
    late = httpx.post(
        f"{a.url}/api/upload-training-data",
        params={"class_name": "square"},
        files=more,
        headers=ADMIN,
        timeout=60,
    )
    assert late.status_code == 200 and late.json()["uploaded"] == 1, late.text

    # History and monitoring come from the database: the same on both replicas.
    def same_view() -> bool:
        history_a, history_b = (
            httpx.get(f"{m.url}/api/predictions", params={"limit": 50}, timeout=10).json()
            for m in (a, b)
        )
        monitor_a, monitor_b = (
            httpx.get(f"{m.url}/api/monitoring", timeout=10).json() for m in (a, b)
        )
        return (
            history_a["total"] == history_b["total"] >= 4
            and [p["id"] for p in history_a["items"]] == [p["id"] for p in history_b["items"]]
            and all(monitor_a[k] == monitor_b[k] for k in ("predictions", "predictions_total"))
        )

    wait_for(same_view, 30, "history and monitoring to agree")
    models_a = httpx.get(f"{a.url}/api/models", timeout=10).json()
    models_b = httpx.get(f"{b.url}/api/models", timeout=10).json()
    assert models_a == models_b and models_a["production"] == new
