"""The model pool (serving/model_pool.py) with the real shipped model: each classifier's
model loads on its first request, the least recently used is unloaded past the count or
MB budget and loads again on its next request with the same answers, an archived or
untrained classifier says why it does not answer, two API processes sharing one
database serve what either promotes, and each classifier's answers land in its own
history.

Every classifier here has a version of its own whose files are the shipped model's
(the same blobs, a row each): each still loads into a predictor of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sightline.api.main import create_app
from sightline.config import REPO_ROOT, Settings, get_settings
from sightline.ml.artifacts import MODEL_FILE
from sightline.ml.classifiers import ClassifierCatalog
from sightline.serving.model_pool import ModelPool
from tests.factories import (
    ADMIN_TOKEN,
    add_shipped_version,
    flush_history,
    image_bytes,
    make_settings,
)

SHIPPED = REPO_ROOT / "models" / "cifar10"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
# Each test loads the shipped model a few times (about a second each, alone).
pytestmark = pytest.mark.slow


def shipped_settings(home: Path, **overrides: object) -> Settings:
    return make_settings(home, SHIPPED, **overrides)


@pytest.fixture
def serve() -> Iterator[object]:
    """``serve(settings)``: a started app's client; all are shut down at the end."""
    clients: list[TestClient] = []

    def start(settings: Settings) -> TestClient:
        get_settings.cache_clear()
        client = TestClient(create_app(settings))
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in reversed(clients):
        client.__exit__(None, None, None)


def pool_of(client: TestClient) -> ModelPool:
    pool: ModelPool = client.app.state.services.pool  # type: ignore[attr-defined]
    return pool


def resident(client: TestClient) -> set[str]:
    return {scope.name for scope in pool_of(client).resident()}


def add_classifier(settings: Settings, name: str, status: str | None = "production") -> str | None:
    """A classifier with one version whose files are the shipped model's (None: none)."""
    ClassifierCatalog(settings).create(name, parent=None)
    return None if status is None else add_shipped_version(settings, name, status)


def predict(client: TestClient, name: str, seed: int = 0) -> dict[str, object]:
    response = client.post(
        f"/api/classifiers/{name}/predict", files={"file": ("x.png", image_bytes(seed=seed))}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def refusal(client: TestClient, name: str) -> tuple[int, str]:
    response = client.post(
        f"/api/classifiers/{name}/predict", files={"file": ("x.png", image_bytes())}
    )
    return response.status_code, response.json().get("code", "")


def test_models_load_on_first_use_and_the_least_recently_used_makes_room(
    tmp_path: Path, serve: object
) -> None:
    settings = shipped_settings(tmp_path / "home", max_resident_models=2)
    client = serve(settings)  # type: ignore[operator]
    versions = {name: add_classifier(settings, name) for name in ("a", "b")}
    assert resident(client) == {"cifar10"}  # only the default loads at start

    first = predict(client, "a")
    assert first["model_version"] == versions["a"]
    assert resident(client) == {"cifar10", "a"}
    predict(client, "cifar10")  # now a is the least recently used
    predict(client, "b")
    assert resident(client) == {"cifar10", "b"}

    again = predict(client, "a")  # loaded again, evicting cifar10
    assert resident(client) == {"b", "a"}
    assert again["model_version"] == versions["a"]
    assert again["probabilities"] == pytest.approx(first["probabilities"], abs=1e-6)


def test_the_memory_budget_unloads_models_too(tmp_path: Path, serve: object) -> None:
    model_mb = (SHIPPED / MODEL_FILE).stat().st_size / 2**20
    # Room for one model, by the count allowing twenty.
    settings = shipped_settings(tmp_path / "home", max_resident_model_mb=1.5 * model_mb)
    client = serve(settings)  # type: ignore[operator]
    add_classifier(settings, "a")

    predict(client, "a")
    assert resident(client) == {"a"}
    assert pool_of(client).scope("a").holder.resident_mb >= model_mb
    predict(client, "cifar10")
    assert resident(client) == {"cifar10"}


def test_each_classifier_answers_into_its_own_history_and_says_why_it_does_not(
    tmp_path: Path, serve: object
) -> None:
    settings = shipped_settings(tmp_path / "home")
    client = serve(settings)  # type: ignore[operator]
    add_classifier(settings, "a")
    add_classifier(settings, "untrained", status=None)

    answers = {"cifar10": [predict(client, "cifar10", seed) for seed in (1, 2)]}
    answers["a"] = [predict(client, "a", 3)]
    flush_history(client)
    for name, given in answers.items():
        page = client.get(f"/api/classifiers/{name}/predictions").json()
        assert page["total"] == len(given)
        assert {item["id"] for item in page["items"]} == {answer["id"] for answer in given}
        figures = client.get(f"/api/classifiers/{name}/monitoring?window=600").json()
        assert figures["predictions"] == len(given)
    assert refusal(client, "untrained") == (409, "classifier_not_live")

    assert client.delete("/api/classifiers/a", headers=ADMIN).status_code == 200
    assert refusal(client, "a") == (409, "classifier_archived")
    page = client.get("/api/classifiers/a/predictions").json()
    assert [item["id"] for item in page["items"]] == [answers["a"][0]["id"]]
    assert "a" not in resident(client)


def test_a_classifier_made_and_promoted_through_one_app_is_served_by_another(
    tmp_path: Path, serve: object
) -> None:
    """Two API processes' worth of app (homes of their own) on one SQLite file."""
    shared_db = f"sqlite:///{tmp_path / 'shared.db'}"
    one = shipped_settings(tmp_path / "one", database_url=shared_db)
    other = shipped_settings(tmp_path / "other", database_url=shared_db)
    first, second = serve(one), serve(other)  # type: ignore[operator]

    assert refusal(second, "made-there") == (404, "unknown_classifier")
    made = first.post("/api/classifiers", json={"name": "made-there"}, headers=ADMIN)
    assert made.status_code == 201
    assert refusal(second, "made-there") == (409, "classifier_not_live")

    candidate = add_shipped_version(one, "made-there", "candidate")
    promoted = first.post(f"/api/classifiers/made-there/models/{candidate}/promote", headers=ADMIN)
    assert promoted.status_code == 200, promoted.text
    assert predict(second, "made-there")["model_version"] == candidate

    newer = add_shipped_version(one, "made-there", "candidate")
    assert first.post(
        f"/api/classifiers/made-there/models/{newer}/promote", headers=ADMIN
    ).is_success
    pool_of(second).poll()
    assert pool_of(second).scope("made-there").holder.version == newer
    assert predict(second, "made-there")["model_version"] == newer
