"""The retraining loop through HTTP with a real quick model: upload, retrain, poll,
promotion or rejection, the new version serving, rollback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from sightline.config import Settings
from sightline.data.datasets import Dataset
from sightline.jobs.queue import JobQueue
from sightline.jobs.retrain import decide
from sightline.jobs.worker import Worker
from sightline.ml.registry import ModelRegistry
from sightline.ml.uncertainty import OUT_OF_CLASS_KINDS
from tests.factories import image_bytes


@pytest.fixture
def retrain_settings(settings: Settings) -> Settings:
    # Replay from the shapes dataset; small evaluation so the loop takes seconds.
    return settings.model_copy(
        update={
            "retrain_replay_per_class": 20,
            "retrain_eval_size": 60,
            "retrain_colour_fields": 40,
        }
    )


@pytest.fixture
def retrain_client(retrain_settings: Settings):  # type: ignore[no-untyped-def]
    from sightline.api.main import create_app

    with TestClient(create_app(retrain_settings)) as client:
        yield client


def upload(client: TestClient, admin: dict[str, str], shape: str, n: int, seed: int) -> None:
    files = [
        ("files", (f"{shape}{i}.png", image_bytes(shape, seed=seed + i), "image/png"))
        for i in range(n)
    ]
    response = client.post(
        "/api/upload-training-data", params={"class_name": shape}, files=files, headers=admin
    )
    assert response.status_code == 200, response.text


def wait_for_version(client: TestClient, version: str, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while client.get("/health").json()["model_version"] != version:
        assert time.time() < deadline, "the API did not swap to the new version"
        time.sleep(0.1)


def test_the_whole_loop(
    retrain_client: TestClient, retrain_settings: Settings, admin: dict[str, str]
) -> None:
    client = retrain_client
    assert client.post("/api/retrain", headers=admin).json()["code"] == "no_new_data"
    for shape, seed in (("circle", 100), ("square", 200), ("triangle", 300)):
        upload(client, admin, shape, 12, seed)

    queued = client.post("/api/retrain", json={"epochs": 2}, headers=admin)
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    job_id = queued.json()["job_id"]
    again = client.post("/api/retrain", headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "retrain_in_progress"
    assert client.get("/api/retrain-status").json()["job_id"] == job_id

    assert Worker(retrain_settings).run_once()  # the worker, in-process

    job = client.get(f"/api/retrain/{job_id}").json()
    assert job["status"] in ("completed", "rejected"), job["message"]
    assert job["progress"] == 1.0 and job["epochs"] == 2
    assert set(job["metrics"]) == {"candidate", "production"}
    assert "accuracy" in job["metrics"]["candidate"]
    for model in ("candidate", "production"):
        assert set(job["metrics"][model]["out_of_class_flagged"]) == set(OUT_OF_CLASS_KINDS)
    assert len(job["history"]["loss"]) == 2
    version = job["model_version"]
    fine_tune = ModelRegistry(retrain_settings).card(version).training.fine_tune
    assert fine_tune is not None and fine_tune.colour_fields == 40
    assert fine_tune.replay == 20 * 3 and 0 < fine_tune.uploads <= 36  # some held out
    models = {m["version"]: m for m in client.get("/api/models").json()["items"]}
    assert models[version]["parent"] == "v1"
    if job["status"] == "completed":
        assert job["promoted"] is True and models[version]["status"] == "production"
        wait_for_version(client, version)
        answer = client.post("/api/predict", files={"file": ("c.png", image_bytes("circle"))})
        assert answer.json()["model_version"] == version
    else:
        assert job["promoted"] is False and models[version]["status"] == "rejected"
        assert job["message"].startswith("Rejected")

    # Roll back (or forward) by promotion; the API answers with the promoted version.
    target = "v1" if job["status"] == "completed" else version
    promoted = client.post(f"/api/models/{target}/promote", headers=admin)
    assert promoted.status_code == 200 and promoted.json()["status"] == "production"
    wait_for_version(client, target)
    assert (
        client.post("/api/predict", files={"file": ("c.png", image_bytes())}).json()[
            "model_version"
        ]
        == target
    )


def test_admin_endpoints_refuse_without_token(retrain_client: TestClient) -> None:
    for method, url in (
        ("post", "/api/retrain"),
        ("delete", "/api/retrain/abc"),
        ("post", "/api/models/v1/promote"),
    ):
        response = getattr(retrain_client, method)(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "missing_token"


def test_bad_epochs_and_unknown_job(retrain_client: TestClient, admin: dict[str, str]) -> None:
    bad = retrain_client.post("/api/retrain", json={"epochs": 0}, headers=admin)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_field"
    assert retrain_client.get("/api/retrain/nope").status_code == 404
    assert retrain_client.delete("/api/retrain/nope", headers=admin).status_code == 404


def test_cancel_a_queued_job(retrain_client: TestClient, admin: dict[str, str]) -> None:
    upload(retrain_client, admin, "circle", 3, 500)
    job_id = retrain_client.post("/api/retrain", headers=admin).json()["job_id"]
    cancelled = retrain_client.delete(f"/api/retrain/{job_id}", headers=admin).json()
    assert cancelled["status"] == "cancelled"
    assert retrain_client.post("/api/retrain", headers=admin).status_code == 202


def test_two_claimers_never_get_two_jobs(retrain_settings: Settings, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sightline.data.training_uploads import UploadStore
    from sightline.db.session import migrate

    retrain_settings.ensure_dirs()
    migrate(retrain_settings)
    UploadStore(retrain_settings).ingest(
        [("a.png", image_bytes(seed=1))], "circle", ["circle", "square", "triangle"]
    )
    queue = JobQueue(retrain_settings)
    queue.submit()
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda i: queue.claim(f"worker-{i}"), range(8)))
    assert sum(job is not None for job in claims) == 1


def test_nothing_new_when_every_upload_is_held_out(
    retrain_settings: Settings, admin: dict[str, str]
) -> None:
    from sightline.api.main import create_app

    all_held_out = retrain_settings.model_copy(update={"retrain_holdout_fraction": 1.01})
    with TestClient(create_app(all_held_out)) as client:
        upload(client, admin, "circle", 3, 600)
        refused = client.post("/api/retrain", headers=admin)
    assert refused.status_code == 422 and refused.json()["code"] == "no_new_data"


@pytest.fixture
def running_job(
    retrain_client: TestClient, retrain_settings: Settings, admin: dict[str, str]
) -> Iterator[tuple[str, threading.Thread]]:
    """A long job being trained by an in-process worker (in a thread)."""
    upload(retrain_client, admin, "circle", 12, 700)
    job_id = retrain_client.post("/api/retrain", json={"epochs": 50}, headers=admin).json()[
        "job_id"
    ]
    worker = Worker(retrain_settings)
    thread = threading.Thread(target=worker.run_once, daemon=True)
    thread.start()
    queue = JobQueue(retrain_settings)
    deadline = time.time() + 120
    while queue.get(job_id).step == 0:
        assert thread.is_alive() and time.time() < deadline, queue.get(job_id).message
        time.sleep(0.05)
    yield job_id, thread
    worker.stop()
    thread.join(timeout=60)


def test_cancel_a_running_job(
    retrain_client: TestClient,
    retrain_settings: Settings,
    admin: dict[str, str],
    running_job: tuple[str, threading.Thread],
) -> None:
    job_id, thread = running_job
    asked = retrain_client.delete(f"/api/retrain/{job_id}", headers=admin)
    assert asked.status_code == 200 and asked.json()["status"] == "running"
    thread.join(timeout=60)
    job = retrain_client.get(f"/api/retrain/{job_id}").json()
    assert job["status"] == "cancelled" and job["promoted"] is False
    assert job["step"] < job["total_steps"]
    assert [m["version"] for m in retrain_client.get("/api/models").json()["items"]] == ["v1"]
    # The uploads are still new: a new job may learn from them.
    assert retrain_client.post("/api/retrain", headers=admin).status_code == 202


def test_a_job_taken_from_its_worker_stays_failed(
    retrain_settings: Settings, running_job: tuple[str, threading.Thread]
) -> None:
    """A worker judged lost (say, its heartbeat was late) stops, and never overwrites
    the verdict or registers its model."""
    job_id, thread = running_job
    queue = JobQueue(retrain_settings)
    assert queue.fail_stale(lambda owner: True) == [job_id]
    thread.join(timeout=60)
    assert not thread.is_alive()
    job = queue.get(job_id)
    assert job.status == "failed" and "worker stopped" in job.message
    assert [row.version for row in ModelRegistry(retrain_settings).all_versions()] == ["v1"]


BETTER = {"accuracy": 0.90, "uploads_accuracy": 0.8, "uploads_n": 10}
WORSE = {"accuracy": 0.90, "uploads_accuracy": 0.7}


@pytest.mark.parametrize(
    ("candidate", "production", "promoted", "reason"),
    [
        (
            {"accuracy": 0.90, "uploads_accuracy": 0.8, "uploads_n": 10},
            {"accuracy": 0.90, "uploads_accuracy": 0.7},
            True,
            "Promoted",
        ),
        (
            {"accuracy": 0.896, "uploads_accuracy": 0.8, "uploads_n": 10},
            {"accuracy": 0.90, "uploads_accuracy": 0.7},
            True,
            "Promoted",
        ),  # within 0.5 points
        (
            {"accuracy": 0.89, "uploads_accuracy": 0.9, "uploads_n": 10},
            {"accuracy": 0.90, "uploads_accuracy": 0.7},
            False,
            "tolerance",
        ),
        (
            {"accuracy": 0.95, "uploads_accuracy": 0.7, "uploads_n": 10},
            {"accuracy": 0.90, "uploads_accuracy": 0.7},
            False,
            "not better",
        ),
        (
            {"accuracy": 0.95, "uploads_accuracy": 1.0, "uploads_n": 10},
            {"accuracy": 0.90, "uploads_accuracy": 1.0},
            True,
            "Promoted",
        ),  # cannot be beaten
        (
            {"accuracy": 0.90, "uploaded_classes_test_accuracy": 0.8},
            {"accuracy": 0.90, "uploaded_classes_test_accuracy": 0.75},
            True,
            "test images",
        ),
        ({"accuracy": 0.95}, {"accuracy": 0.90}, False, "no held-out data"),
        (
            {**BETTER, "out_of_class_flagged": {"flat colour": 0.58, "noise": 1.0}},
            {**WORSE, "out_of_class_flagged": {"flat colour": 0.88, "noise": 1.0}},
            False,
            "flat colour flagged 58% vs 88%",
        ),  # sure of what is none of the classes
        (
            {**BETTER, "out_of_class_flagged": {"flat colour": 0.80, "noise": 1.0}},
            {**WORSE, "out_of_class_flagged": {"flat colour": 0.88, "noise": 1.0}},
            True,
            "Promoted",
        ),  # within the tolerance
    ],
)
def test_promotion_rule(
    candidate: dict[str, float], production: dict[str, float], promoted: bool, reason: str
) -> None:
    decision, message = decide(candidate, production, tolerance=0.005)
    assert decision is promoted and reason in message


@pytest.mark.parametrize(
    ("accuracy", "promoted", "reason"),
    [(0.937, True, "Promoted"), (0.935, False, "v1, which this line of retrains began with")],
)
def test_the_line_start_bounds_what_retrains_may_lose(
    accuracy: float, promoted: bool, reason: str
) -> None:
    """Each retrain within the tolerance of its parent could still lose more and more:
    the model the line began with bounds them all."""
    candidate = {"accuracy": accuracy, "uploads_accuracy": 0.9, "uploads_n": 10}
    production = {"accuracy": 0.938, "uploads_accuracy": 0.7}
    line_start = {"version": "v1", "accuracy": 0.941}
    decision, message = decide(candidate, production, 0.005, line_start=line_start)
    assert decision is promoted and reason in message


def test_a_retrain_of_a_retrain_is_scored_against_the_line_start(
    settings: Settings, quick_model_dir: Path, shapes_dataset: Dataset
) -> None:
    """The job scores the line's first model on the same test sample as both others."""
    from sightline.db.session import migrate
    from sightline.jobs.retrain import Retrainer
    from sightline.ml.artifacts import load_model
    from sightline.ml.card import load_card
    from sightline.ml.training import predict_probabilities

    settings.ensure_dirs()
    migrate(settings)
    registry = ModelRegistry(settings)
    registry.ensure_seeded()
    # v2: the quick model with its weights scrambled, so that v1 and v2 differ.
    scrambled = load_model(quick_model_dir)
    scrambled.set_weights([w[::-1].copy() if w.ndim else w for w in scrambled.get_weights()])
    registry.register(scrambled, load_card(quick_model_dir), parent="v1")
    retrainer = Retrainer(settings, registry)

    scores = retrainer._line_start_scores("v2", shapes_dataset)
    v1 = predict_probabilities(load_model(registry.path("v1")), shapes_dataset.x_test)
    assert scores == {
        "version": "v1",
        "accuracy": float(np.mean(v1.argmax(axis=1) == shapes_dataset.y_test)),
    }
    assert retrainer._line_start_scores("v1", shapes_dataset) is None  # production is v1
    assert retrainer._line_start_scores("v2", None) is None  # no test split to score on
