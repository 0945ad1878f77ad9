"""/api/classifiers and the per-classifier routes, with the real quick-trained model:
the unscoped routes are the default classifier's, a second classifier answers with its
own history, versions and monitoring, and every wrong name or state is a clear 4xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sightline.config import Settings
from tests.factories import add_shipped_version, flush_history, image_bytes

DEFAULT = "cifar10"


def make_live(settings: Settings, name: str, client: TestClient, admin: dict[str, str]) -> str:
    """A classifier whose production version is the shipped test model's files."""
    assert client.post("/api/classifiers", json={"name": name}, headers=admin).status_code == 201
    return add_shipped_version(settings, name)


def predict(client: TestClient, path: str, shape: str = "circle", **kwargs: object) -> dict:
    files = {"file": (f"{shape}.png", image_bytes(shape, seed=7), "image/png")}
    response = client.post(path, files=files, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_shipped_model_is_the_default_classifier(client: TestClient) -> None:
    listing = client.get("/api/classifiers").json()
    assert listing["default"] == DEFAULT
    [shipped] = listing["items"]
    assert shipped["name"] == DEFAULT and shipped["is_default"] and shipped["status"] == "active"
    assert shipped["stage"] == "live" and shipped["production_version"] == "v1"
    assert shipped["classes"] == ["circle", "square", "triangle"]
    assert 0 < shipped["accuracy"] <= 1
    assert client.get(f"/api/classifiers/{DEFAULT}").json() == shipped


def test_scoped_routes_answer_as_the_unscoped_ones(client: TestClient) -> None:
    scoped = f"/api/classifiers/{DEFAULT}"
    for route in ("/metrics", "/models", "/dataset-stats"):
        assert client.get(f"{scoped}{route}").json() == client.get(f"/api{route}").json(), route
    plain, named = predict(client, "/api/predict"), predict(client, f"{scoped}/predict")
    for field in ("prediction", "probabilities", "model_version", "uncertain"):
        assert plain[field] == named[field]
    history = client.get(f"{scoped}/predictions").json()
    assert history == client.get("/api/predictions").json()
    assert [item["id"] for item in history["items"]] == [named["id"], plain["id"]]


def test_each_classifier_keeps_its_own_history_and_figures(
    client: TestClient, settings: Settings, admin: dict[str, str]
) -> None:
    version = make_live(settings, "shapes-two", client, admin)
    ours = predict(client, "/api/classifiers/shapes-two/predict", "square")
    assert ours["model_version"] == version
    predict(client, "/api/predict", "circle")
    predict(client, "/api/predict", "circle")
    flush_history(client)

    two = client.get("/api/classifiers/shapes-two/predictions").json()
    assert [item["id"] for item in two["items"]] == [ours["id"]] and two["total"] == 1
    assert client.get("/api/predictions").json()["total"] == 2
    monitoring = client.get("/api/classifiers/shapes-two/monitoring").json()
    assert monitoring["predictions"] == 1 and monitoring["predictions_total"] == 1
    assert client.get("/api/monitoring").json()["predictions"] == 2
    listing = {c["name"]: c for c in client.get("/api/classifiers").json()["items"]}
    assert listing["shapes-two"]["predictions_today"] == 1
    assert listing[DEFAULT]["predictions_today"] == 2
    models = client.get("/api/classifiers/shapes-two/models").json()
    assert [m["version"] for m in models["items"]] == [version]
    assert client.get("/api/status").json()["predictions_served"] == 3


def test_a_version_of_another_classifier_is_not_found(
    client: TestClient, settings: Settings, admin: dict[str, str]
) -> None:
    version = make_live(settings, "other", client, admin)
    response = client.post(f"/api/models/{version}/promote", headers=admin)
    assert response.status_code == 404 and response.json()["code"] == "unknown_version"


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("get", "/api/classifiers/nope"),
        ("get", "/api/classifiers/nope/models"),
        ("get", "/api/classifiers/nope/predictions"),
        ("get", "/api/classifiers/nope/metrics"),
        ("get", "/api/classifiers/nope/monitoring"),
        ("post", "/api/classifiers/nope/predict"),
    ],
)
def test_an_unknown_classifier_is_404(client: TestClient, method: str, route: str) -> None:
    kwargs = {"files": {"file": ("a.png", image_bytes(), "image/png")}} if method == "post" else {}
    response = getattr(client, method)(route, **kwargs)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_classifier"
    assert "nope" in response.json()["detail"]


@pytest.mark.parametrize("name", ["Cats", "-cats", "cats-", "a" * 41, "cats_dogs", "ca ts", ""])
def test_an_invalid_name_is_422_saying_the_rule(
    client: TestClient, admin: dict[str, str], name: str
) -> None:
    response = client.post("/api/classifiers", json={"name": name}, headers=admin)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_name"
    assert "lowercase letters, digits and hyphens" in response.json()["detail"]


def test_creating_needs_the_admin_token_and_a_free_name(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert client.post("/api/classifiers", json={"name": "pets"}).status_code == 401
    created = client.post(
        "/api/classifiers",
        json={"name": "pets", "parent": DEFAULT, "classes": ["cat", "dog"]},
        headers=admin,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["stage"] == "untrained" and body["classes"] == ["cat", "dog"]
    assert body["parent"] == DEFAULT and body["production_version"] is None
    again = client.post("/api/classifiers", json={"name": "pets"}, headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "classifier_exists"
    orphan = client.post("/api/classifiers", json={"name": "x", "parent": "ghost"}, headers=admin)
    assert orphan.status_code == 422 and orphan.json()["code"] == "unknown_parent"


def test_a_classifier_with_no_live_version_says_so(
    client: TestClient, admin: dict[str, str]
) -> None:
    client.post("/api/classifiers", json={"name": "fresh"}, headers=admin)
    files = {"file": ("a.png", image_bytes(), "image/png")}
    response = client.post("/api/classifiers/fresh/predict", files=files)
    assert response.status_code == 409
    assert response.json()["code"] == "classifier_not_live"
    assert "no trained version yet" in response.json()["detail"]
    assert client.get("/api/classifiers/fresh/predictions").json()["total"] == 0


def test_archiving_stops_answers_and_keeps_the_history(
    client: TestClient, settings: Settings, admin: dict[str, str]
) -> None:
    make_live(settings, "old", client, admin)
    answered = predict(client, "/api/classifiers/old/predict")
    archived = client.delete("/api/classifiers/old", headers=admin)
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    files = {"file": ("a.png", image_bytes(), "image/png")}
    refused = client.post("/api/classifiers/old/predict", files=files)
    assert refused.status_code == 409 and refused.json()["code"] == "classifier_archived"
    history = client.get("/api/classifiers/old/predictions").json()
    assert [item["id"] for item in history["items"]] == [answered["id"]]
    names = [c["name"] for c in client.get("/api/classifiers").json()["items"]]
    assert names == [DEFAULT, "old"]  # active first


def test_purging_removes_the_classifier_and_its_rows(
    client: TestClient, settings: Settings, admin: dict[str, str]
) -> None:
    make_live(settings, "gone", client, admin)
    predict(client, "/api/classifiers/gone/predict")
    assert client.delete("/api/classifiers/gone?purge=true", headers=admin).status_code == 204
    assert client.get("/api/classifiers/gone").status_code == 404
    assert client.get("/api/classifiers/gone/predictions").status_code == 404
    assert client.get("/api/predictions").json()["total"] == 0  # the default's, untouched
    assert client.get("/api/status").json()["predictions_served"] == 0


def test_the_default_classifier_cannot_be_deleted(
    client: TestClient, admin: dict[str, str]
) -> None:
    for path in (f"/api/classifiers/{DEFAULT}", f"/api/classifiers/{DEFAULT}?purge=true"):
        response = client.delete(path, headers=admin)
        assert response.status_code == 409 and response.json()["code"] == "default_classifier"


def test_an_idempotency_key_names_a_request_per_classifier(
    client: TestClient, settings: Settings, admin: dict[str, str]
) -> None:
    make_live(settings, "twin", client, admin)
    key = {"Idempotency-Key": "same-key"}
    first = predict(client, "/api/predict", headers=key)
    replay = predict(client, "/api/predict", headers=key)
    other = predict(client, "/api/classifiers/twin/predict", headers=key)
    assert replay["id"] == first["id"]
    assert other["id"] != first["id"]
    assert client.get("/api/classifiers/twin/predictions").json()["total"] == 1
