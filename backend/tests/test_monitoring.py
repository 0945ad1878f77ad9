"""Monitoring: windows over the shared history, drift, Prometheus, request ids."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from sightline.db.models import RequestEventRow
from sightline.db.session import session_scope
from sightline.monitoring.drift import MIN_PREDICTIONS, confidence_histogram, drift_report, psi
from tests.factories import flush_history, image_bytes


def settle(client: TestClient) -> None:
    flush_history(client)
    client.app.state.recorder.flush()  # type: ignore[attr-defined]


def test_window_counts_requests_classes_latency_and_errors(client: TestClient) -> None:
    for i in range(4):
        client.post("/api/predict", files={"file": ("c.png", image_bytes("circle", seed=i))})
    client.post("/api/predict", files={"file": ("t.png", image_bytes("triangle", seed=9))})
    client.post("/api/predict", files={"file": ("x.txt", b"not an image")})
    settle(client)
    report = client.get("/api/monitoring", params={"window": 300}).json()
    assert report["requests"] == 6
    assert report["errors"] == 1 and report["server_errors"] == 0
    assert sum(report["class_distribution"].values()) == 5
    assert set(report["class_distribution"]) == {"circle", "square", "triangle"}
    assert report["latency_ms"]["p50"] > 0
    assert report["latency_ms"]["p50"] <= report["latency_ms"]["p99"]
    assert 0 < report["confidence"]["mean"] <= 1
    assert report["confidence"]["series"][0]["n"] >= 1
    assert report["rps"] == round(6 / 300, 4)
    # The series covers the whole window, minute by minute (rollups), empty ones too.
    assert report["bucket_seconds"] == 60 and len(report["series"]) == 6
    assert sum(point["requests"] for point in report["series"]) == 6
    assert sum(point["predictions"] for point in report["series"]) == 5
    assert report["drift"]["detected"] is False and "too few" in report["drift"]["reason"]
    assert set(report["system"]) >= {"cpu_percent", "memory_percent", "disk_percent"}
    assert client.get("/api/monitoring", params={"window": 1}).status_code == 422


def test_drift_is_flagged_when_predictions_leave_the_baseline() -> None:
    baseline = {"class_shares": {"a": 0.5, "b": 0.5}, "confidence_histogram": [0.0] * 5 + [0.2] * 5}
    steady = drift_report(
        baseline,
        ["a", "b"],
        {"a": 50, "b": 50},
        confidence_histogram([0.55, 0.65, 0.75, 0.85, 0.95] * 20),
    )
    assert steady["detected"] is False and steady["class_psi"] < 0.01
    shifted = drift_report(
        baseline, ["a", "b"], {"a": 95, "b": 5}, confidence_histogram([0.3] * 100)
    )
    assert shifted["detected"] is True and shifted["class_psi"] > 0.2
    few = drift_report(
        baseline, ["a", "b"], {"a": MIN_PREDICTIONS - 1}, confidence_histogram([0.9])
    )
    assert few["detected"] is False and few["class_psi"] is None
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0


def test_prometheus_metrics_and_request_ids(client: TestClient) -> None:
    response = client.post(
        "/api/predict",
        files={"file": ("c.png", image_bytes("square"))},
        headers={"X-Request-ID": "abc-123"},
    )
    assert response.headers["x-request-id"] == "abc-123"
    assert len(client.get("/api/status").headers["x-request-id"]) == 32
    text = client.get("/metrics").text
    assert 'sightline_requests_total{method="POST",route="/api/predict",status="200"}' in text
    assert 'sightline_predictions_total{class_name="square",model_version="v1"}' in text
    assert "sightline_request_duration_seconds_bucket" in text
    assert "sightline_model_loaded{pid=" in text


def test_request_events_name_the_mounted_route_and_its_classifier(client: TestClient) -> None:
    """The same route function serves /api/predict and /api/classifiers/{classifier}/
    predict: each request is recorded (and labelled) under the template it came in by."""
    image = {"file": ("c.png", image_bytes("circle"))}
    assert client.post("/api/predict", files=image).status_code == 200
    assert client.post("/api/classifiers/cifar10/predict", files=image).status_code == 200
    assert client.get("/api/classifiers/cifar10/models").status_code == 200
    settle(client)
    settings = client.app.state.services.settings  # type: ignore[attr-defined]
    with session_scope(settings) as session:
        recorded = session.execute(
            select(RequestEventRow.route, RequestEventRow.classifier).order_by(RequestEventRow.id)
        ).all()
    assert [tuple(row) for row in recorded] == [
        ("/api/predict", "cifar10"),
        ("/api/classifiers/{classifier}/predict", "cifar10"),
        ("/api/classifiers/{classifier}/models", "cifar10"),
    ]
    text = client.get("/metrics").text
    scoped = 'route="/api/classifiers/{classifier}/predict",status="200"'
    assert f'sightline_requests_total{{method="POST",{scoped}}}' in text
