"""The public API with a real quick-trained model, through the HTTP client."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from sightline.config import Settings
from sightline.db.models import PredictionRow
from sightline.db.session import session_scope
from tests.factories import encode, flush_history, image_bytes

NOISE_JPEG = encode(
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)),
    "JPEG",
)


def test_health_and_status(client: TestClient) -> None:
    health = client.get("/health").json()
    assert health == {"status": "ok", "model_loaded": True, "model_version": "v1"}
    status = client.get("/api/status").json()
    assert status["status"] == "online"
    assert status["model_version"] == "v1"
    assert status["predictions_served"] == 0
    assert status["uptime_seconds"] >= 0
    assert status["started_at"].endswith("Z")


@pytest.mark.parametrize("shape", ["circle", "square", "triangle"])
def test_predict_answers_the_class_and_records_it(
    client: TestClient, settings: Settings, shape: str
) -> None:
    data = image_bytes(shape, seed=123)
    response = client.post("/api/predict", files={"file": (f"{shape}.png", data, "image/png")})
    assert response.status_code == 200
    body = response.json()
    assert body["prediction"] == shape
    assert set(body["probabilities"]) == {"circle", "square", "triangle"}
    assert sum(body["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)
    assert body["confidence"] == max(body["probabilities"].values())
    assert body["top_k"][0] == {"class": shape, "p": body["confidence"]}
    assert body["model_version"] == "v1"
    assert body["time_ms"] > 0
    assert isinstance(body["uncertain"], bool)
    flush_history(client)
    with session_scope(settings) as session:
        row = session.get(PredictionRow, body["id"])
        assert row is not None
        assert row.prediction == shape and row.model_version == "v1"
        assert len(row.image_sha256) == 64 and row.filename == f"{shape}.png"


def test_jpeg_of_another_size_is_resized(client: TestClient) -> None:
    big = Image.open(io.BytesIO(image_bytes("square", seed=5, size=32))).resize((200, 150))
    response = client.post("/api/predict", files={"file": ("big.jpg", encode(big, "JPEG"))})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        (b"", 415, "empty_file"),
        (b"hello, I am text", 415, "unsupported_image"),
        (NOISE_JPEG[: len(NOISE_JPEG) // 2], 415, "corrupt_image"),
    ],
    ids=["empty", "text", "truncated-jpeg"],
)
def test_bad_uploads_get_json_errors(
    client: TestClient, payload: bytes, status: int, code: str
) -> None:
    response = client.post("/api/predict", files={"file": ("x.jpg", payload, "image/jpeg")})
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_missing_file_field_and_unknown_route(client: TestClient) -> None:
    missing = client.post("/api/predict")
    assert missing.status_code == 422 and missing.json()["code"] == "missing_file"
    unknown = client.get("/api/nope")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_batch_answers_each_file(client: TestClient) -> None:
    files = [
        ("files", ("a.png", image_bytes("circle", seed=1), "image/png")),
        ("files", ("bad.jpg", b"junk", "image/jpeg")),
        ("files", ("c.png", image_bytes("triangle", seed=2), "image/png")),
    ]
    results = client.post("/api/predict/batch", files=files).json()["results"]
    assert [r["filename"] for r in results] == ["a.png", "bad.jpg", "c.png"]
    assert results[0]["prediction"] == "circle"
    assert results[1]["error"]["code"] == "unsupported_image"
    assert results[2]["prediction"] == "triangle"


def test_history_is_newest_first_and_paginates(client: TestClient) -> None:
    ids = [
        client.post("/api/predict", files={"file": ("x.png", image_bytes(seed=i))}).json()["id"]
        for i in range(5)
    ]
    page = client.get("/api/predictions", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 5
    assert [item["id"] for item in page["items"]] == [ids[3], ids[2]]
    assert client.get("/api/predictions", params={"limit": 0}).status_code == 422
    assert client.get("/api/status").json()["predictions_served"] == 5


def test_metrics_match_the_model_card(client: TestClient, quick_model_dir) -> None:  # type: ignore[no-untyped-def]
    from sightline.ml.card import load_card

    card = load_card(quick_model_dir)
    metrics = client.get("/api/metrics").json()
    assert metrics["model_version"] == "v1"
    assert card.metrics is not None
    assert metrics["accuracy"] == card.metrics.accuracy
    assert metrics["class_names"] == ["circle", "square", "triangle"]
    assert len(metrics["confusion_matrix"]) == 3
    assert set(metrics["per_class"]["circle"]) == {
        "precision",
        "recall",
        "f1",
        "accuracy",
        "support",
    }
    assert len(metrics["history"]["val_accuracy"]) == 8
    assert metrics["evaluated_on"] == {"dataset": "shapes", "n": 60}


def test_dataset_stats(client: TestClient) -> None:
    stats = client.get("/api/dataset-stats").json()
    assert stats["classes"] == ["circle", "square", "triangle"]
    assert stats["train"] == {"circle": 60, "square": 60, "triangle": 60}
    assert stats["test"]["square"] == 20
    assert stats["total"] == 240


def test_models_list_and_promote_needs_a_token(client: TestClient, admin) -> None:  # type: ignore[no-untyped-def]
    models = client.get("/api/models").json()
    assert models["production"] == "v1"
    assert [m["status"] for m in models["items"]] == ["production"]
    assert client.post("/api/models/v1/promote").status_code == 401
    wrong = client.post("/api/models/v1/promote", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_token"
    assert client.post("/api/models/v7/promote", headers=admin).status_code == 404
    traversal = client.post("/api/models/..%2F..%2Fetc/promote", headers=admin)
    assert traversal.status_code == 404


def test_cors_allows_the_dashboard_origin_only(client: TestClient) -> None:
    allowed = client.options(
        "/api/status",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
    )
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    other = client.get("/api/status", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_every_prediction_has_a_row(client: TestClient, settings: Settings) -> None:
    answered = [
        client.post("/api/predict", files={"file": ("x.png", image_bytes(seed=i))})
        for i in range(10)
    ]
    assert all(r.status_code == 200 for r in answered)
    flush_history(client)
    with session_scope(settings) as session:
        stored = set(session.scalars(select(PredictionRow.id)).all())
    assert {r.json()["id"] for r in answered} <= stored
