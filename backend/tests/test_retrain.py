"""The retraining loop through HTTP with a real quick model: upload, retrain, poll,
promotion or rejection, the new version serving, rollback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sightline.config import Settings
from sightline.jobs.queue import JobQueue
from sightline.jobs.worker import Worker
from tests.conftest import image_bytes


@pytest.fixture
def retrain_settings(settings: Settings) -> Settings:
    # Replay from the shapes dataset; small evaluation so the loop takes seconds.
    return settings.model_copy(update={"retrain_replay_per_class": 20, "retrain_eval_size": 60})


@pytest.fixture
def retrain_client(retrain_settings: Settings):  # type: ignore[no-untyped-def]
    from sightline.api.main import create_app

    with TestClient(create_app(retrain_settings)) as client:
        yield client


def upload(client: TestClient, admin: dict[str, str], shape: str, n: int, seed: int) -> None:
    files = [("files", (f"{shape}{i}.png", image_bytes(shape, seed=seed + i), "image/png"))
             for i in range(n)]
    response = client.post("/api/upload-training-data", params={"class_name": shape},
                           files=files, headers=admin)
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
    assert len(job["history"]["loss"]) == 2
    version = job["model_version"]
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
    assert client.post("/api/predict", files={"file": ("c.png", image_bytes())}).json()[
        "model_version"] == target


def test_admin_endpoints_refuse_without_token(retrain_client: TestClient) -> None:
    for method, url in (("post", "/api/retrain"), ("delete", "/api/retrain/abc"),
                        ("post", "/api/models/v1/promote")):
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

    from sightline.data.uploads import UploadStore
    from sightline.db.session import migrate

    retrain_settings.ensure_dirs()
    migrate(retrain_settings)
    UploadStore(retrain_settings).ingest([("a.png", image_bytes(seed=1))], "circle",
                                         ["circle", "square", "triangle"])
    queue = JobQueue(retrain_settings)
    queue.submit()
    with ThreadPoolExecutor(8) as pool:
        claims = list(pool.map(lambda i: queue.claim(f"worker-{i}"), range(8)))
    assert sum(job is not None for job in claims) == 1
